import { describe, expect, it } from 'vitest';
import {
  afterFailure,
  deliveryIdOf,
  personOf,
  retryDelaySeconds,
  signingSecrets,
  webhookPolicy,
} from '../../shared/domain/webhooks.ts';

describe('webhook delivery policy', () => {
  it('backs off exponentially with full jitter, capped at SQS’s 900 s', () => {
    const policy = { retryBaseSeconds: 30, retryCapSeconds: 900 };
    // The ceiling: random() just below 1 gives it.
    const ceiling = (attempt: number) => retryDelaySeconds(attempt, policy, () => 0.999_999);
    expect([1, 2, 3, 4, 5, 6, 7, 12].map(ceiling)).toEqual([30, 60, 120, 240, 480, 900, 900, 900]);
    expect(retryDelaySeconds(3, policy, () => 0)).toBe(0);
    expect(retryDelaySeconds(3, policy, () => 0.5)).toBe(60);
    for (let attempt = 1; attempt <= webhookPolicy.maxAttempts; attempt++) {
      const delay = retryDelaySeconds(attempt);
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThanOrEqual(900);
      expect(Number.isInteger(delay)).toBe(true);
    }
  });

  it('gives one delivery id per webhook and event, the same on a replay', () => {
    expect(deliveryIdOf('W1', 'evt_a')).toBe(deliveryIdOf('W1', 'evt_a'));
    expect(deliveryIdOf('W1', 'evt_a')).toMatch(/^dlv_[0-9a-f]{32}$/);
    expect(
      new Set([deliveryIdOf('W1', 'evt_a'), deliveryIdOf('W2', 'evt_a'), deliveryIdOf('W1', 'evt_b')]).size,
    ).toBe(3);
  });

  it('starts the failure clock, then disables after the window (24 h by default)', () => {
    const since = '2026-11-30T00:00:00.000Z';
    expect(afterFailure(undefined, new Date(since))).toBe('start');
    expect(afterFailure(since, new Date('2026-11-30T23:59:59.000Z'))).toBe('continue');
    expect(afterFailure(since, new Date('2026-12-01T00:00:00.000Z'))).toBe('disable');
    expect(afterFailure(since, new Date('2026-11-30T00:00:02.000Z'), { disableAfterMs: 2000 })).toBe(
      'disable',
    );
  });

  it('signs with the previous secret too until its overlap ends', () => {
    const webhook = { secret: 'new', previousSecret: 'old', previousSecretUntil: '2026-12-01T00:00:00.000Z' };
    expect(signingSecrets(webhook, new Date('2026-11-30T12:00:00Z'))).toEqual(['new', 'old']);
    expect(signingSecrets(webhook, new Date('2026-12-01T00:00:00Z'))).toEqual(['new']);
    expect(signingSecrets({ secret: 'only' }, new Date())).toEqual(['only']);
  });
});

describe('personOf: the contact whose data an event carries', () => {
  it.each([
    [{ type: 'contact.updated', data: { id: 'c1', email: 'a@b.example' } }, 'c1'],
    [{ type: 'contact.deleted', data: { id: 'c1', erased: true } }, undefined],
    [{ type: 'email.bounced', data: { contactId: 'c2', email: 'a@b.example' } }, 'c2'],
    [{ type: 'case.opened', data: { id: 'k1', contactId: 'c3' } }, 'c3'],
    [{ type: 'deal.won', data: { id: 'd1', contactIds: ['c4'] } }, undefined],
    [{ type: 'company.created', data: { id: 'co1' } }, undefined],
  ] as const)('%j: %s', (event, person) => {
    expect(personOf(event as Parameters<typeof personOf>[0])).toBe(person);
  });
});
