import { describe, expect, it } from 'vitest';
import { marketingStatusRefusal } from '#shared/domain/contacts';

describe("a contact's marketing status set by a write (PATCH, import)", () => {
  it('is refused for a bounced or complained address, unless unchanged', () => {
    expect(marketingStatusRefusal('bounced', 'subscribed')).toBe(
      'this address is bounced; only new email events can change that',
    );
    expect(marketingStatusRefusal('complained', 'unsubscribed')).toMatch(/complained/);
    expect(marketingStatusRefusal('bounced', 'bounced')).toBeUndefined();
    expect(marketingStatusRefusal('bounced', undefined)).toBeUndefined();
  });

  it('is free for a subscribed or unsubscribed address', () => {
    expect(marketingStatusRefusal('unsubscribed', 'subscribed')).toBeUndefined();
    expect(marketingStatusRefusal('subscribed', 'unsubscribed')).toBeUndefined();
  });
});
