import { describe, expect, it } from 'vitest';
import { effectiveStatus, quoteMove, validityEnd, withEffectiveStatus } from '#shared/domain/quotes';

const now = new Date('2030-06-15T12:00:00.000Z');
const past = '2030-06-15T11:59:59.999Z';
const future = '2030-06-15T12:00:00.001Z';

describe('quote status machine', () => {
  it('sends drafts and settles sent quotes, stamping each move', () => {
    expect(quoteMove({ status: 'draft' }, 'send', now)).toEqual({
      ok: true,
      status: 'sent',
      stamp: 'sentAt',
    });
    expect(quoteMove({ status: 'sent' }, 'accept', now)).toEqual({
      ok: true,
      status: 'accepted',
      stamp: 'acceptedAt',
    });
    expect(quoteMove({ status: 'sent', validUntil: future }, 'reject', now)).toMatchObject({
      ok: true,
      status: 'rejected',
    });
  });

  it('refuses every other move', () => {
    const refused = [
      [{ status: 'draft' }, 'accept'],
      [{ status: 'draft' }, 'reject'],
      [{ status: 'sent' }, 'send'],
      [{ status: 'accepted' }, 'accept'],
      [{ status: 'accepted' }, 'reject'],
      [{ status: 'rejected' }, 'accept'],
      [{ status: 'rejected' }, 'send'],
      [{ status: 'expired' }, 'accept'],
    ] as const;
    for (const [quote, action] of refused)
      expect(quoteMove(quote, action, now), `${quote.status} → ${action}`).toMatchObject({ ok: false });
  });

  it('treats a sent quote past validUntil as expired, and only a sent one', () => {
    expect(effectiveStatus({ status: 'sent', validUntil: past }, now)).toBe('expired');
    expect(effectiveStatus({ status: 'sent', validUntil: future }, now)).toBe('sent');
    expect(effectiveStatus({ status: 'sent' }, now)).toBe('sent');
    expect(effectiveStatus({ status: 'accepted', validUntil: past }, now)).toBe('accepted');
    expect(effectiveStatus({ status: 'draft', validUntil: past }, now)).toBe('draft');
    expect(withEffectiveStatus({ id: 'q', status: 'sent', validUntil: past }, now)).toEqual({
      id: 'q',
      status: 'expired',
      validUntil: past,
    });
  });

  it('refuses to accept or reject an expired quote, saying so', () => {
    for (const action of ['accept', 'reject'] as const)
      expect(quoteMove({ status: 'sent', validUntil: past }, action, now)).toEqual({
        ok: false,
        expired: true,
        message: `The quote expired at ${past}`,
      });
  });

  it('refuses to send a draft whose validity has passed', () => {
    expect(quoteMove({ status: 'draft', validUntil: past }, 'send', now)).toMatchObject({
      ok: false,
      expired: false,
    });
  });
});

describe('quote validity', () => {
  it('reads a date as the whole day (UTC) and a date-time as that instant in UTC', () => {
    expect(validityEnd('2030-06-15')).toBe('2030-06-15T23:59:59.999Z');
    expect(validityEnd('2030-06-15T14:00:00+02:00')).toBe('2030-06-15T12:00:00.000Z');
    expect(validityEnd('2030-06-15T12:00:00Z')).toBe('2030-06-15T12:00:00.000Z');
  });
});
