import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { signCsatToken } from '../../shared/domain/csat-token.ts';
import {
  isTrackableUrl,
  signTrackingToken,
  type TrackingClaim,
  trackingUrls,
  verifyTrackingToken,
} from '../../shared/domain/tracking-token.ts';

const key = Buffer.from('tracking-test-key');
const campaignRef = {
  kind: 'campaign',
  campaignId: '01J0000000000000000000000A',
  contactId: '01J0000000000000000000000B',
} as const;
const sequenceRef = {
  kind: 'sequence',
  sequenceId: '01J0000000000000000000000C',
  contactId: 'contact-7',
  step: 3,
} as const;

describe('tracking tokens', () => {
  it('round-trips every purpose for campaign and sequence deliveries', () => {
    const claims: TrackingClaim[] = [
      { purpose: 'open', tenantId: 't-1', ref: campaignRef },
      { purpose: 'unsubscribe', tenantId: 'tenant_B', ref: sequenceRef },
      { purpose: 'click', tenantId: 't-1', ref: campaignRef, url: 'https://example.com/a?b=1&c=%20#x' },
    ];
    for (const claim of claims) {
      const token = signTrackingToken(claim, key);
      expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(verifyTrackingToken(token, key)).toEqual(claim);
    }
  });

  it('keeps open and unsubscribe tokens a single short path segment', () => {
    const token = signTrackingToken(
      { purpose: 'open', tenantId: 't-abcdefghij-0123456789', ref: campaignRef },
      key,
    );
    expect(token.length).toBeLessThanOrEqual(128);
    expect(trackingUrls.open('https://api.example.com/', token)).toBe(
      `https://api.example.com/t/o/${token}.gif`,
    );
    expect(trackingUrls.click('http://localhost:3000', 'x')).toBe('http://localhost:3000/t/c/x');
    expect(trackingUrls.unsubscribe('http://localhost:3000', 'x')).toBe('http://localhost:3000/u/x');
  });

  it('rejects tampered, truncated, extended and foreign tokens', () => {
    const token = signTrackingToken(
      { purpose: 'click', tenantId: 't-1', ref: campaignRef, url: 'https://example.com/' },
      key,
    );
    expect(verifyTrackingToken(token, Buffer.from('another key'))).toBeUndefined();
    expect(verifyTrackingToken(token.slice(0, -1), key)).toBeUndefined();
    expect(verifyTrackingToken(`${token}A`, key)).toBeUndefined();
    expect(verifyTrackingToken(`${token}.x`, key)).toBeUndefined();
    expect(verifyTrackingToken('', key)).toBeUndefined();
    fc.assert(
      fc.property(fc.nat(token.length - 1), fc.constantFrom(...'ABCabc012_-'), (index, char) => {
        const changed = token.slice(0, index) + char + token.slice(index + 1);
        fc.pre(changed !== token);
        expect(verifyTrackingToken(changed, key)).toBeUndefined();
      }),
    );
    // A CSAT token under the same key is not a tracking token.
    const csat = signCsatToken(
      { tenantId: 't-1', caseId: '01J0000000000000000000000A', nonce: 'AAAAAAAAAAAA' },
      key,
    );
    expect(verifyTrackingToken(csat, key)).toBeUndefined();
  });

  it('seals only http(s) URLs into click tokens', () => {
    for (const url of [
      'javascript:alert(1)',
      'data:text/html,x',
      '//evil.example',
      'https://user:pw@example.com/',
      'https://exa mple.com',
      'ftp://example.com',
    ])
      expect(
        () => signTrackingToken({ purpose: 'click', tenantId: 't', ref: campaignRef, url }, key),
        url,
      ).toThrow();
    expect(() =>
      signTrackingToken({ purpose: 'open', tenantId: 't', ref: campaignRef, url: 'https://x.example' }, key),
    ).toThrow();
    expect(isTrackableUrl('http://example.com/path')).toBe(true);
    expect(isTrackableUrl('https://example.com\n.evil')).toBe(false);
  });
});
