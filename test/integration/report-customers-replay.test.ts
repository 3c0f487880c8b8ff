import { ulid } from 'ulid';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TableChange } from '#functions/stream/pipeline/change';
import { decodeRecords } from '#functions/stream/pipeline/decode';
import { uniqueTenant } from '../support/api.ts';
import { useTestTable } from '../support/dynamo.ts';
import { streamRecord } from '../support/stream-records.ts';

/**
 * The customers and engagement aggregates against DynamoDB Local through the
 * stream consumer: a batch delivered again, or one overlapping it, moves
 * nothing twice, and what is kept equals the final images' contributions.
 */
let consumer: typeof import('#functions/stream/consumers/aggregates');
let customers: typeof import('#shared/store/customers');
let reports: typeof import('#shared/store/report-aggregates');

beforeAll(async () => {
  useTestTable();
  consumer = await import('#functions/stream/consumers/aggregates');
  customers = await import('#shared/store/customers');
  reports = await import('#shared/store/report-aggregates');
});

type Item = Record<string, unknown>;

/** The changes of one item moving through `states` (undefined: absent), as stream records decode. */
function lifeOf(states: (Item | undefined)[]): TableChange[] {
  const records = states.slice(1).map((after, index) =>
    streamRecord({
      eventId: ulid(),
      ...(states[index] ? { old: states[index] } : {}),
      ...(after ? { new: after } : {}),
      keys: { pk: String((after ?? states[index])?.id), sk: 'A' },
    }),
  );
  return decodeRecords(records).changes;
}

describe('customer aggregates from the stream', () => {
  it('count a replayed or overlapping batch once', async () => {
    const tenantId = uniqueTenant();
    const companyId = ulid();
    const contactId = ulid();
    const today = new Date().toISOString();
    const base = { tenantId, archived: false, createdAt: today, updatedAt: today };
    const company = { ...base, entity: 'company', id: companyId, name: 'Acme' };
    const deal = {
      ...base,
      entity: 'deal',
      id: ulid(),
      companyId,
      amount: 10.5,
      currency: 'EUR',
      status: 'open',
    };
    const won = { ...deal, status: 'won', closedAt: today };
    const contact = { ...base, entity: 'contact', id: contactId, companyId, marketingStatus: 'subscribed' };
    const delivery = {
      tenantId,
      entity: 'delivery',
      id: ulid(),
      kind: 'campaign',
      campaignId: ulid(),
      contactId,
      companyId,
      status: 'sent',
    };
    const first = [
      ...lifeOf([undefined, company]),
      ...lifeOf([undefined, deal, won]),
      ...lifeOf([undefined, contact, { ...contact, marketingStatus: 'unsubscribed' }]),
      ...lifeOf([undefined, delivery, { ...delivery, openedAt: today }]),
    ];
    const later = [
      ...lifeOf([won, { ...won, amount: 20 }]),
      ...lifeOf([
        { ...delivery, openedAt: today },
        { ...delivery, openedAt: today, clickedAt: today },
      ]),
    ];

    expect(await consumer.applyAggregates(first)).toEqual(new Map());
    const once = await customers.readCustomers(tenantId);
    expect(once).toMatchObject([
      {
        companyId,
        name: 'Acme',
        lifetimeValue: { EUR: 10.5 },
        dealCount: 1,
        lastPurchaseAt: today.slice(0, 10),
      },
    ]);
    expect(once[0]?.reasons.find((reason) => reason.code === 'unreachable_contacts')?.detail).toBe(
      '1 of 1 contacts bounced or unsubscribed',
    );
    const engagement = await reports.readReport(tenantId, 'engagement');
    expect([...engagement.values()]).toEqual([{ open: 1 }, { open: 1 }, { open: 1 }]);

    // The same batch again, as a retry would deliver it: nothing moves.
    expect(await consumer.applyAggregates(first)).toEqual(new Map());
    expect(await customers.readCustomers(tenantId)).toEqual(once);
    expect(await reports.readReport(tenantId, 'engagement')).toEqual(engagement);

    // Half of the first batch again with new events: only the new ones count.
    expect(await consumer.applyAggregates([...first.slice(0, 3), ...later])).toEqual(new Map());
    const after = await customers.readCustomers(tenantId);
    expect(after[0]?.lifetimeValue).toEqual({ EUR: 20 });
    expect(after[0]?.dealCount).toBe(1);
    expect([...(await reports.readReport(tenantId, 'engagement')).values()]).toEqual([
      { open: 1, click: 1 },
      { open: 1, click: 1 },
      { open: 1, click: 1 },
    ]);
    expect(after[0]?.engagementScore).toBeGreaterThan(once[0]?.engagementScore ?? 0);
  });
});
