import { describe, expect, it } from 'vitest';
import { MAX_TENANT_BYTES, newCsatNonce, signCsatToken, verifyCsatToken } from '#shared/domain/csat-token';

const key = Buffer.from('a signing secret for the tests, 32+ bytes long');
const otherKey = Buffer.from('another signing secret, also long enough......');
const claim = { tenantId: 'acme-corp_1', caseId: '01HZX3K8Q9T5V7W2Y4A6C8E0G1', nonce: newCsatNonce() };
const pathParam = /^[A-Za-z0-9_-]{1,128}$/;

/** The token with one character replaced by another of the alphabet. */
const flip = (token: string, index: number) => {
  const char = token[index] === 'A' ? 'B' : 'A';
  return token.slice(0, index) + char + token.slice(index + 1);
};

describe('CSAT tokens', () => {
  it('signs a claim into a path-safe string and verifies it back', () => {
    const token = signCsatToken(claim, key);
    expect(token).toMatch(pathParam);
    expect(token).not.toContain('.');
    expect(verifyCsatToken(token, key)).toEqual(claim);
  });

  it('fits the path-parameter limit up to the longest tenant id it supports', () => {
    const tenantId = 't'.repeat(MAX_TENANT_BYTES);
    const token = signCsatToken({ ...claim, tenantId }, key);
    expect(token.length).toBeLessThanOrEqual(128);
    expect(verifyCsatToken(token, key)?.tenantId).toBe(tenantId);
    expect(() => signCsatToken({ ...claim, tenantId: `${tenantId}x` }, key)).toThrow(/tenant/);
  });

  it('round-trips any ULID, from the smallest to the largest', () => {
    for (const caseId of [
      '00000000000000000000000000',
      '7ZZZZZZZZZZZZZZZZZZZZZZZZZ',
      '01ARZ3NDEKTSV4RRFFQ69G5FAV',
    ]) {
      expect(verifyCsatToken(signCsatToken({ ...claim, caseId }, key), key)?.caseId).toBe(caseId);
    }
  });

  it('refuses a claim it cannot carry', () => {
    expect(() => signCsatToken({ ...claim, caseId: 'not-a-ulid' }, key)).toThrow();
    expect(() => signCsatToken({ ...claim, nonce: 'short' }, key)).toThrow();
    expect(() => signCsatToken({ ...claim, tenantId: 'a#b' }, key)).toThrow();
  });

  it('rejects every single-character change, truncation and extension', () => {
    const token = signCsatToken(claim, key);
    for (let index = 0; index < token.length; index++) {
      expect(verifyCsatToken(flip(token, index), key), `position ${index}`).toBeUndefined();
    }
    expect(verifyCsatToken(token.slice(0, -1), key)).toBeUndefined();
    expect(verifyCsatToken(token.slice(1), key)).toBeUndefined();
    expect(verifyCsatToken(`${token}A`, key)).toBeUndefined();
    expect(verifyCsatToken(`${token}.x`, key)).toBeUndefined();
    expect(verifyCsatToken('', key)).toBeUndefined();
  });

  it('rejects a token signed with another key, for another tenant or another case', () => {
    const token = signCsatToken(claim, key);
    expect(verifyCsatToken(token, otherKey)).toBeUndefined();
    const forged = signCsatToken({ ...claim, tenantId: 'other' }, otherKey);
    expect(verifyCsatToken(forged, key)).toBeUndefined();
    // A genuine token for another tenant names that tenant: the lookup happens there.
    expect(verifyCsatToken(signCsatToken({ ...claim, tenantId: 'other' }, key), key)?.tenantId).toBe('other');
  });

  it('draws a fresh 12-character nonce every time', () => {
    const nonces = new Set(Array.from({ length: 100 }, newCsatNonce));
    expect(nonces.size).toBe(100);
    for (const nonce of nonces) expect(nonce).toMatch(/^[A-Za-z0-9_-]{12}$/);
  });
});
