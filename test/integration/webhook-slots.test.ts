import { beforeAll, describe, expect, it } from 'vitest';
import { type WebhookPolicy, webhookPolicy } from '../../shared/domain/webhooks.ts';
import type * as Deliveries from '../../shared/store/webhook-deliveries.ts';
import { uniqueTenant } from '../support/api.ts';
import { useTestTable } from '../support/dynamo.ts';

/**
 * A webhook's in-flight slots on the test table (shared/store/webhook-deliveries.ts
 * takeSlot, releaseSlot): the cap holds across holders, only the holder frees
 * a slot, a freed slot is taken again, and an expired lease frees one.
 */

const policy: Pick<WebhookPolicy, 'maxInFlight' | 'slotLeaseMs'> = { ...webhookPolicy, maxInFlight: 3 };
const at = new Date('2026-11-30T10:00:00.000Z');
/** Always tries slot 0 first, so a test knows which slot each taker ends with. */
const firstSlot = () => 0;

let deliveries: typeof Deliveries;

beforeAll(async () => {
  useTestTable();
  deliveries = await import('../../shared/store/webhook-deliveries.ts');
});

describe('webhook in-flight slots', () => {
  it('gives each holder a different slot up to the cap, then none; a freed slot is taken again', async () => {
    const tenant = uniqueTenant('slots');
    const take = (holder: string) => deliveries.takeSlot(tenant, 'wh1', holder, at, policy, firstSlot);
    const taken = [await take('a#1'), await take('b#1'), await take('c#1')];
    expect(taken).toEqual([0, 1, 2]);
    expect(await take('d#1')).toBeUndefined();
    // Not its holder: the slot stays held.
    await deliveries.releaseSlot(tenant, 'wh1', 1, 'a#1');
    expect(await take('d#1')).toBeUndefined();
    await deliveries.releaseSlot(tenant, 'wh1', 1, 'b#1');
    expect(await take('d#1')).toBe(1);
  });

  it('takes a slot whose lease ran out (its worker died), never a live one', async () => {
    const tenant = uniqueTenant('slots');
    const take = (holder: string, now: Date) =>
      deliveries.takeSlot(tenant, 'wh1', holder, now, policy, firstSlot);
    expect(await take('a#1', at)).toBe(0);
    expect(await take('b#1', at)).toBe(1);
    // Slot 2 taken later: live when the others have run out.
    const later = new Date(at.getTime() + policy.slotLeaseMs / 2);
    expect(await take('c#1', later)).toBe(2);
    const afterLease = new Date(at.getTime() + policy.slotLeaseMs + 1);
    expect(await take('d#1', afterLease)).toBe(0);
    // Slot 0 was just taken again, slot 2 is live: slot 1 (run out) is the one left.
    expect(await take('e#1', afterLease)).toBe(1);
    expect(await take('f#1', afterLease)).toBeUndefined();
  });
});
