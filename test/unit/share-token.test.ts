import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { signCsatToken, verifyCsatToken } from '#shared/domain/csat-token';
import { type ShareClaim, shareUrl, signShareToken, verifyShareToken } from '#shared/domain/share-token';
import { verifyTrackingToken } from '#shared/domain/tracking-token';

const key = Buffer.from('a signing secret of the right length, 32+ bytes');
const otherKey = Buffer.from('another signing secret, also long enough here');
const NOW = Date.parse('2026-11-30T12:00:00Z');
const DAY = 24 * 60 * 60;

const claim: ShareClaim = {
  tenantId: 'acme-co',
  segmentId: '01JDZ8Q6N1X2Y3Z4A5B6C7D8E9',
  shareId: '01JDZ8Q7P2M3N4P5Q6R7S8T9V0',
  format: 'csv',
  expiresAt: NOW / 1000 + 7 * DAY,
};

const flipBit = (token: string, byte: number, bit = 1) => {
  const bytes = Buffer.from(token, 'base64url');
  bytes[byte] = (bytes[byte] ?? 0) ^ bit;
  return bytes.toString('base64url');
};

describe('share tokens', () => {
  it('verify to the claim they were signed with, as one path segment', () => {
    for (const format of ['csv', 'json', 'vcf'] as const) {
      const token = signShareToken({ ...claim, format }, key);
      expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(verifyShareToken(token, key, NOW)).toEqual({ ...claim, format });
    }
    expect(shareUrl('https://api.example.com/', 'abc')).toBe('https://api.example.com/l/abc');
  });

  it('stop verifying at their expiry, to the second', () => {
    const token = signShareToken(claim, key);
    expect(verifyShareToken(token, key, claim.expiresAt * 1000 - 1)).toBeDefined();
    expect(verifyShareToken(token, key, claim.expiresAt * 1000)).toBeUndefined();
    expect(verifyShareToken(token, key, claim.expiresAt * 1000 + DAY * 1000)).toBeUndefined();
  });

  it('refuse a token with any byte changed: version, segment, share, format, expiry, tenant or MAC', () => {
    const token = signShareToken(claim, key);
    const length = Buffer.from(token, 'base64url').length;
    for (let byte = 0; byte < length; byte++)
      for (const bit of [1, 0x80])
        expect(verifyShareToken(flipBit(token, byte, bit), key, NOW)).toBeUndefined();
  });

  it('refuse truncated, extended, re-spelled and foreign-key tokens', () => {
    const token = signShareToken(claim, key);
    expect(verifyShareToken(token.slice(0, -1), key, NOW)).toBeUndefined();
    expect(verifyShareToken(token.slice(0, 20), key, NOW)).toBeUndefined();
    expect(verifyShareToken(`${token}A`, key, NOW)).toBeUndefined();
    expect(verifyShareToken(`${token}.gif`, key, NOW)).toBeUndefined();
    expect(verifyShareToken('', key, NOW)).toBeUndefined();
    expect(verifyShareToken(token, otherKey, NOW)).toBeUndefined();
    expect(verifyShareToken(signShareToken(claim, otherKey), key, NOW)).toBeUndefined();
  });

  it('never verify as another kind of link under the same key, nor the reverse', () => {
    const token = signShareToken(claim, key);
    expect(verifyCsatToken(token, key)).toBeUndefined();
    expect(verifyTrackingToken(token, key)).toBeUndefined();
    const csat = signCsatToken({ tenantId: 'acme-co', caseId: claim.segmentId, nonce: 'AAAAAAAAAAAA' }, key);
    expect(verifyShareToken(csat, key, NOW)).toBeUndefined();
  });

  it('refuse to sign a claim no token can carry', () => {
    expect(() => signShareToken({ ...claim, segmentId: 'not-a-ulid' }, key)).toThrow();
    expect(() => signShareToken({ ...claim, shareId: 'x' }, key)).toThrow();
    expect(() => signShareToken({ ...claim, tenantId: 'a#b' }, key)).toThrow();
    expect(() => signShareToken({ ...claim, format: 'xlsx' as 'csv' }, key)).toThrow();
    expect(() => signShareToken({ ...claim, expiresAt: 1.5 }, key)).toThrow();
    expect(() => signShareToken({ ...claim, expiresAt: 2 ** 32 }, key)).toThrow();
  });

  it('garbage never verifies, never throws', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 600 }), (text) => {
        expect(verifyShareToken(text, key, NOW)).toBeUndefined();
      }),
    );
  });
});
