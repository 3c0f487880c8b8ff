import { beforeAll, describe, expect, it } from 'vitest';
import { type WebhookPolicy, webhookPolicy } from '../../shared/domain/webhooks.ts';
import type * as Deliveries from '../../shared/store/webhook-deliveries.ts';
import { uniqueTenant } from '../support/api.ts';
import { useTestTable } from '../support/dynamo.ts';

/**
 * A webhook's in-flight slots on the test table (shared/store/webhook-deliveries.ts
 * takeSlot): the cap holds across holders, an expired lease frees a slot, a
 * freed slot is taken again, and a held first pick costs one refused write and
 * one read, not a refused write per slot.
 */

const policy: Pick<WebhookPolicy, 'maxInFlight' | 'slotLeaseMs'> = { ...webhookPolicy, maxInFlight: 3 };
const at = new Date('2026-11-30T10:00:00.000Z');
/** Always picks slot 0 first, so a test knows which slot a taker tries before reading. */
const firstSlot = () => 0;

let deliveries: typeof Deliveries;
/** The table operations sent through the shared client, by command name, while `counting`. */
let sent: string[] = [];
let counting = false;

beforeAll(async () => {
  useTestTable();
  deliveries = await import('../../shared/store/webhook-deliveries.ts');
  const { dynamo } = await import('../../shared/store/client.ts');
  dynamo.middlewareStack.add(
    (next, context) => async (args) => {
      if (counting) sent.push(String(context.commandName));
      return next(args);
    },
    { step: 'initialize', name: 'webhookSlotsTestCounter' },
  );
});

/** What `run` sent to the table, by command. */
async function counted<T>(run: () => Promise<T>): Promise<{ result: T; sent: string[] }> {
  sent = [];
  counting = true;
  try {
    return { result: await run(), sent };
  } finally {
    counting = false;
  }
}

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

  it('a held first pick costs one refused write and one read; every slot held, nothing more', async () => {
    const tenant = uniqueTenant('slots');
    expect(await deliveries.takeSlot(tenant, 'wh1', 'a#1', at, policy, firstSlot)).toBe(0);
    const second = await counted(() => deliveries.takeSlot(tenant, 'wh1', 'b#1', at, policy, firstSlot));
    expect(second.result).toBe(1);
    expect(second.sent).toEqual(['PutItemCommand', 'QueryCommand', 'PutItemCommand']);
    expect(await deliveries.takeSlot(tenant, 'wh1', 'c#1', at, policy, firstSlot)).toBe(2);
    const busy = await counted(() => deliveries.takeSlot(tenant, 'wh1', 'd#1', at, policy, firstSlot));
    expect(busy.result).toBeUndefined();
    expect(busy.sent).toEqual(['PutItemCommand', 'QueryCommand']);
  });

  it('skips the slots read as held and takes one whose lease ran out (its worker died)', async () => {
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
    const next = await counted(() => take('e#1', afterLease));
    // Slot 0 was just taken again, slot 2 is live: only slot 1 (run out) is written.
    expect(next.result).toBe(1);
    expect(next.sent).toEqual(['PutItemCommand', 'QueryCommand', 'PutItemCommand']);
    expect(await take('f#1', afterLease)).toBeUndefined();
  });

  it('with a cap of one, a held slot is busy at once, without a read', async () => {
    const tenant = uniqueTenant('slots');
    const single = { ...policy, maxInFlight: 1 };
    expect(await deliveries.takeSlot(tenant, 'wh1', 'a#1', at, single)).toBe(0);
    const busy = await counted(() => deliveries.takeSlot(tenant, 'wh1', 'b#1', at, single));
    expect(busy.result).toBeUndefined();
    expect(busy.sent).toEqual(['PutItemCommand']);
  });
});
