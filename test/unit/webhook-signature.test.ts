import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  newWebhookSecret,
  SIGNATURE_TOLERANCE_SECONDS,
  signatureHeader,
  verifySignature,
} from '../../shared/domain/webhook-signature.ts';

/** The documented algorithm, written out independently of the module: hex HMAC-SHA256 of "<t>.<body>". */
const documented = (secret: string, t: number, body: string) =>
  createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');

const body = JSON.stringify({ id: 'evt_1', type: 'contact.created', data: { firstName: 'Ada' } });
const secret = 'whsec_test-secret';
const t = 1_796_000_000;
const at = (seconds: number) => new Date(seconds * 1000);

describe('webhook signatures', () => {
  it('signs t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">, as the SPEC documents', () => {
    expect(signatureHeader([secret], t, body)).toBe(`t=${t},v1=${documented(secret, t, body)}`);
  });

  it('verifies a delivery signed with the secret, within five minutes either way', () => {
    const header = signatureHeader([secret], t, body);
    expect(verifySignature(header, body, secret, { now: at(t) })).toEqual({ ok: true, timestamp: t });
    expect(verifySignature(header, body, secret, { now: at(t + SIGNATURE_TOLERANCE_SECONDS) }).ok).toBe(true);
    expect(verifySignature(header, body, secret, { now: at(t - SIGNATURE_TOLERANCE_SECONDS) }).ok).toBe(true);
  });

  it('refuses a wrong secret, a changed body and an old timestamp', () => {
    const header = signatureHeader([secret], t, body);
    expect(verifySignature(header, body, 'whsec_other', { now: at(t) })).toEqual({
      ok: false,
      reason: 'mismatch',
    });
    expect(verifySignature(header, `${body} `, secret, { now: at(t) })).toEqual({
      ok: false,
      reason: 'mismatch',
    });
    expect(verifySignature(header, body, secret, { now: at(t + SIGNATURE_TOLERANCE_SECONDS + 1) })).toEqual({
      ok: false,
      reason: 'expired',
    });
    // A replayed delivery with its timestamp moved forward no longer matches: t is signed too.
    const moved = header.replace(`t=${t}`, `t=${t + 600}`);
    expect(verifySignature(moved, body, secret, { now: at(t + 600) })).toEqual({
      ok: false,
      reason: 'mismatch',
    });
  });

  it('refuses headers that do not parse', () => {
    for (const header of [
      undefined,
      '',
      `v1=${documented(secret, t, body)}`,
      `t=${t}`,
      `t=abc,v1=00`,
      `t=${t},t=${t},v1=${documented(secret, t, body)}`,
    ])
      expect(verifySignature(header, body, secret, { now: at(t) })).toEqual({
        ok: false,
        reason: 'malformed',
      });
  });

  it('during a rotation carries one v1 per secret, and either secret verifies', () => {
    const header = signatureHeader(['whsec_new', 'whsec_old'], t, body);
    expect(header).toBe(
      `t=${t},v1=${documented('whsec_new', t, body)},v1=${documented('whsec_old', t, body)}`,
    );
    expect(verifySignature(header, body, 'whsec_new', { now: at(t) }).ok).toBe(true);
    expect(verifySignature(header, body, 'whsec_old', { now: at(t) }).ok).toBe(true);
    expect(verifySignature(header, body, 'whsec_neither', { now: at(t) }).ok).toBe(false);
  });

  it('makes secrets whsec_ and 32 random bytes', () => {
    const one = newWebhookSecret();
    expect(one).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(newWebhookSecret()).not.toBe(one);
  });
});
