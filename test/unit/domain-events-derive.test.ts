import { describe, expect, it } from 'vitest';
import { domainEventsOf as derive } from '#functions/stream/events/derive';
import type { TableChange } from '#functions/stream/pipeline/change';
import { decodeRecords } from '#functions/stream/pipeline/decode';
import { defaultSlaHours, moveCase } from '#shared/domain/cases';
import { moveToStage } from '#shared/domain/deal';
import type { DeliveryRef } from '#shared/domain/delivery';
import { type DomainEvent, domainEventId, domainEventTypes } from '#shared/domain/domain-events';
import { defaultStageSpecs, type PipelineShape } from '#shared/domain/pipeline';
import { type Campaign, campaigns } from '#shared/store/campaigns';
import { deliveryKey, statusIndex } from '#shared/store/deliveries';
import {
  type Case,
  type Company,
  type Contact,
  cases,
  companies,
  contacts,
  type Deal,
  deals,
  type Lead,
  leads,
  type Quote,
  quotes,
} from '#shared/store/entities';
import { contactDeliveriesPk, contactDeliverySk, indexEntry, itemIndexes } from '#shared/store/keys';
import { type EntitySpec, type StoredRecord, toItem } from '#shared/store/records';
import { suppressionItem } from '#shared/store/suppression';
import { streamRecord } from '../support/stream-records.ts';

process.env.TABLE_NAME = 'crm-test';

type Item = Record<string, unknown>;

/** Every type the cases below derived, checked against the full list at the end. */
const derived = new Set<string>();
function domainEventsOf(change: TableChange): DomainEvent[] {
  const events = derive(change);
  for (const event of events) derived.add(event.type);
  return events;
}
const TENANT = 't-events';
const T0 = '2026-03-01T10:00:00.000Z';
const T1 = '2026-03-02T11:00:00.000Z';

/** Items as the store writes them (toItem: keys, index attributes, entity, tenant). */
const item = <T extends StoredRecord>(spec: EntitySpec<T>, record: T): Item =>
  toItem(spec, TENANT, record) as Item;

/** The decoded change of one stream record, as the pipeline hands it to consumers. */
function change(old: Item | undefined, next: Item | undefined, eventId = 'evt-src-1'): TableChange {
  const { changes } = decodeRecords([
    streamRecord({ eventId, ...(old ? { old } : {}), ...(next ? { new: next } : {}) }),
  ]);
  return changes[0] as TableChange;
}

const base = { createdAt: T0, updatedAt: T0, version: 1, ownerId: 'u1', teamId: 'team1', archived: false };
const contact: Contact = {
  ...base,
  id: 'c1',
  firstName: 'Ana',
  lastName: 'Ruiz',
  email: 'ana@example.com',
  tags: ['vip'],
  marketingStatus: 'subscribed',
  customFields: {},
};
const company: Company = { ...base, id: 'co1', name: 'Acme', tags: [], customFields: {} };
const updated = <T extends StoredRecord>(record: T, fields: Partial<T>): T => ({
  ...record,
  ...fields,
  version: record.version + 1,
  updatedAt: T1,
});

const storageNames = /^(pk|sk|gsi\d(pk|sk)|entity|tenantId|expiresAt)$/;
function expectNoStorage(data: Record<string, unknown>) {
  expect(Object.keys(data).filter((name) => storageNames.test(name))).toEqual([]);
}

describe('contacts and companies', () => {
  it('a new contact is contact.created, with the record as the API shows it', () => {
    const [event, ...rest] = domainEventsOf(change(undefined, item(contacts, contact)));
    expect(rest).toEqual([]);
    expect(event).toEqual({
      id: domainEventId('evt-src-1', 'contact.created'),
      type: 'contact.created',
      tenantId: TENANT,
      occurredAt: T0,
      data: expect.objectContaining({ id: 'c1', firstName: 'Ana', email: 'ana@example.com', version: 1 }),
    });
    expectNoStorage(event?.data ?? {});
  });

  it('an edit of a shown field is *.updated with the fields it changed; a company too', () => {
    const before = item(contacts, contact);
    const after = item(contacts, updated(contact, { title: 'CTO', tags: ['vip', 'es'] }));
    const [event] = domainEventsOf(change(before, after));
    expect(event).toMatchObject({
      type: 'contact.updated',
      occurredAt: T1,
      data: { id: 'c1', title: 'CTO', version: 2, changedFields: ['tags', 'title'] },
    });
    expect(domainEventsOf(change(undefined, item(companies, company))).map((e) => e.type)).toEqual([
      'company.created',
    ]);
    const companyEvents = domainEventsOf(
      change(item(companies, company), item(companies, updated(company, { city: 'Madrid' }))),
    );
    expect(companyEvents.map((e) => [e.type, e.data.changedFields])).toEqual([['company.updated', ['city']]]);
  });

  it('maintenance writes yield nothing: last activity, last click, report groups, a bare version bump', () => {
    const before = item(contacts, contact);
    const stamps: Partial<Contact>[] = [
      { lastActivityAt: T1 },
      { lastClickedCampaignId: 'cmp1', lastClickedAt: T1 },
      { customGroups: { tier: ['gold'] } } as Partial<Contact>,
    ];
    for (const stamp of stamps) expect(domainEventsOf(change(before, { ...before, ...stamp }))).toEqual([]);
    expect(domainEventsOf(change(before, item(contacts, updated(contact, {}))))).toEqual([]);
  });

  it('archiving is *.deleted (the record as last shown); edits while archived yield nothing; a restore is *.updated', () => {
    const live = item(companies, company);
    const archived = item(companies, updated(company, { archived: true }));
    const [deleted, ...rest] = domainEventsOf(change(live, archived));
    expect(rest).toEqual([]);
    expect(deleted).toMatchObject({
      type: 'company.deleted',
      data: { id: 'co1', name: 'Acme', archived: true },
    });
    const stillArchived = { ...archived, city: 'Lyon' };
    expect(domainEventsOf(change(archived, stillArchived))).toEqual([]);
    const restored = item(companies, { ...updated(company, {}), version: 3 });
    expect(domainEventsOf(change(archived, restored)).map((e) => e.data.changedFields)).toEqual([
      ['archived'],
    ]);
  });

  it('an erasure (the contact removed) is contact.deleted carrying the id alone', () => {
    const events = domainEventsOf(change(item(contacts, contact), undefined));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'contact.deleted', data: { id: 'c1', erased: true } });
    expect(JSON.stringify(events[0])).not.toContain('ana@example.com');
    // No own timestamp for a removal: the stream record's creation time.
    expect(events[0]?.occurredAt).toMatch(/^\d{4}-\d\d-\d\dT/);
  });
});

const lead: Lead = { ...base, id: 'l1', firstName: 'Luis', email: 'luis@example.com', status: 'new' };

describe('leads', () => {
  it('lead.created on insert, lead.converted when converted (at convertedAt, with what it became)', () => {
    expect(domainEventsOf(change(undefined, item(leads, lead))).map((e) => e.type)).toEqual(['lead.created']);
    const converted = updated(lead, {
      status: 'converted',
      convertedAt: T1,
      contactId: 'c9',
      dealId: 'd9',
    });
    const events = domainEventsOf(change(item(leads, lead), item(leads, converted)));
    expect(events).toEqual([
      expect.objectContaining({
        type: 'lead.converted',
        occurredAt: T1,
        data: expect.objectContaining({ id: 'l1', status: 'converted', contactId: 'c9', dealId: 'd9' }),
      }),
    ]);
    expect(
      domainEventsOf(change(item(leads, lead), item(leads, updated(lead, { status: 'contacted' })))),
    ).toEqual([]);
  });
});

const pipeline: PipelineShape = {
  id: 'p1',
  name: 'Sales',
  stages: defaultStageSpecs.map((stage, index) => ({ ...stage, id: `s${index}` })),
};
const openDeal = (() => {
  const moved = moveToStage(
    {
      ...base,
      id: 'd1',
      name: 'Big deal',
      amount: 1000,
      currency: 'EUR',
      contactIds: [],
      productIds: [],
      pipelineId: 'p1',
      stageId: '',
      status: 'open',
      probability: 0,
    } as Deal,
    pipeline,
    's0',
    T0,
  );
  if (!moved.ok) throw new Error(moved.message);
  return moved.deal;
})();
const moveDeal = (deal: Deal, stageId: string, lostReason?: string) => {
  const moved = moveToStage(deal, pipeline, stageId, T1, lostReason);
  if (!moved.ok) throw new Error(moved.message);
  return updated(moved.deal, {});
};

describe('deals', () => {
  it('deal.created on insert; a stage move is deal.stage_changed with the previous stage', () => {
    expect(domainEventsOf(change(undefined, item(deals, openDeal))).map((e) => e.type)).toEqual([
      'deal.created',
    ]);
    const events = domainEventsOf(change(item(deals, openDeal), item(deals, moveDeal(openDeal, 's2'))));
    expect(events).toEqual([
      expect.objectContaining({
        type: 'deal.stage_changed',
        occurredAt: T1,
        data: expect.objectContaining({ id: 'd1', stageId: 's2', previousStageId: 's0' }),
      }),
    ]);
  });

  it('into the won stage: deal.stage_changed and deal.won, two ids from one record', () => {
    const events = domainEventsOf(change(item(deals, openDeal), item(deals, moveDeal(openDeal, 's4'))));
    expect(events.map((e) => [e.type, e.occurredAt])).toEqual([
      ['deal.stage_changed', T1],
      ['deal.won', T1],
    ]);
    expect(new Set(events.map((e) => e.id)).size).toBe(2);
  });

  it('into a lost stage: deal.lost with its reason; an amount edit or a last-activity stamp yields nothing', () => {
    const lost = domainEventsOf(
      change(item(deals, openDeal), item(deals, moveDeal(openDeal, 's5', 'price'))),
    );
    expect(lost.map((e) => e.type)).toEqual(['deal.stage_changed', 'deal.lost']);
    expect(lost[1]?.data).toMatchObject({ status: 'lost', lostReason: 'price' });
    const stored = item(deals, openDeal);
    expect(domainEventsOf(change(stored, item(deals, updated(openDeal, { amount: 5 }))))).toEqual([]);
    expect(domainEventsOf(change(stored, { ...stored, lastActivityAt: T1 }))).toEqual([]);
  });
});

describe('quotes', () => {
  const quote: Quote = {
    ...base,
    id: 'q1',
    dealId: 'd1',
    number: 'Q-2026-0001',
    status: 'sent',
    currency: 'EUR',
    lines: [],
    subtotal: 100,
    discount: 0,
    total: 100,
    sentAt: T0,
  };
  it('quote.accepted when accepted (at acceptedAt); created and sent quotes yield nothing', () => {
    const accepted = updated(quote, { status: 'accepted', acceptedAt: T1 });
    expect(domainEventsOf(change(item(quotes, quote), item(quotes, accepted)))).toEqual([
      expect.objectContaining({
        type: 'quote.accepted',
        occurredAt: T1,
        data: expect.objectContaining({ id: 'q1', total: 100 }),
      }),
    ]);
    expect(domainEventsOf(change(undefined, item(quotes, { ...quote, status: 'draft' })))).toEqual([]);
  });
});

describe('cases and CSAT', () => {
  const opened: Case = {
    ...base,
    id: 'k1',
    subject: 'Broken',
    type: 'complaint',
    priority: 'high',
    status: 'new',
    contactId: 'c1',
    assigneeId: 'u1',
    slaStartAt: T0,
    slaDueAt: T1,
  };
  const moved = (record: Case, to: Case['status']) => {
    const result = moveCase(record, to, defaultSlaHours, new Date(T1));
    if (!result.ok) throw new Error('refused');
    return updated(result.case, {}) as Case;
  };

  it('case.opened on insert and on reopening; case.resolved when resolved or closed straight away', () => {
    expect(domainEventsOf(change(undefined, item(cases, opened))).map((e) => e.type)).toEqual([
      'case.opened',
    ]);
    const resolved = moved(opened, 'resolved');
    const events = domainEventsOf(change(item(cases, opened), item(cases, resolved)));
    expect(events.map((e) => [e.type, e.occurredAt])).toEqual([['case.resolved', T1]]);
    expect(
      domainEventsOf(change(item(cases, resolved), item(cases, moved(resolved, 'open')))).map((e) => e.type),
    ).toEqual(['case.opened']);
    expect(
      domainEventsOf(change(item(cases, opened), item(cases, moved(opened, 'closed')))).map((e) => e.type),
    ).toEqual(['case.resolved']);
  });

  it('csat.received when the score is first recorded, without the link nonce', () => {
    const resolved = { ...moved(opened, 'resolved'), csatNonce: 'secret-nonce' };
    const rated = updated(resolved, { csatScore: 5, csatComment: 'great', csatAt: T1 });
    const { csatNonce: _gone, ...ratedShown } = rated;
    const events = domainEventsOf(change(item(cases, resolved), item(cases, ratedShown as Case)));
    expect(events.map((e) => e.type)).toEqual(['csat.received']);
    expect(events[0]?.data).toMatchObject({ csatScore: 5, csatComment: 'great' });
    const withNonce = domainEventsOf(change(item(cases, resolved), item(cases, rated)));
    expect(withNonce[0]?.data).not.toHaveProperty('csatNonce');
  });
});

describe('campaigns', () => {
  it('campaign.sent when every recipient is settled (at completedAt), without the pipeline’s own fields', () => {
    const sending = {
      ...base,
      id: 'cmp1',
      name: 'Spring',
      status: 'sending',
      runId: 'run-1',
      startedAt: T0,
    } as unknown as Campaign;
    const sent = updated(sending, { status: 'sent', completedAt: T1 } as Partial<Campaign>);
    const events = domainEventsOf(change(item(campaigns, sending), item(campaigns, sent)));
    expect(events.map((e) => [e.type, e.occurredAt])).toEqual([['campaign.sent', T1]]);
    expect(events[0]?.data).toMatchObject({ id: 'cmp1', status: 'sent' });
    expect(events[0]?.data).not.toHaveProperty('runId');
    expect(domainEventsOf(change(undefined, item(campaigns, sending)))).toEqual([]);
  });
});

describe('deliveries: bounces, complaints, unsubscribes', () => {
  const ref: DeliveryRef = { kind: 'campaign', campaignId: 'cmp1', contactId: 'c1' };
  // The shape deliveries.ts newItem writes, then markSent.
  const sentDelivery: Item = {
    ...deliveryKey(TENANT, ref),
    ...statusIndex(TENANT, ref, 'sent'),
    ...indexEntry(
      itemIndexes.deliveriesOfContact,
      contactDeliveriesPk(TENANT, 'c1'),
      contactDeliverySk(deliveryKey(TENANT, ref)),
    ),
    kind: 'campaign',
    campaignId: 'cmp1',
    contactId: 'c1',
    entity: 'delivery',
    tenantId: TENANT,
    email: 'ana@example.com',
    status: 'sent',
    claimId: 'claim-1',
    messageId: 'msg-1',
    sentAt: T0,
    createdAt: T0,
    updatedAt: T0,
  };

  it.each([
    ['bouncedAt', 'email.bounced', 'bounced'],
    ['complainedAt', 'email.complained', 'complained'],
    ['unsubscribedAt', 'email.unsubscribed', 'sent'],
  ] as const)('%s first set is %s, the recipient as the list shows it', (field, type, status) => {
    const events = domainEventsOf(change(sentDelivery, { ...sentDelivery, [field]: T1, updatedAt: T1 }));
    expect(events).toEqual([
      {
        id: domainEventId('evt-src-1', type),
        type,
        tenantId: TENANT,
        occurredAt: T1,
        data: expect.objectContaining({
          kind: 'campaign',
          campaignId: 'cmp1',
          contactId: 'c1',
          status,
          messageId: 'msg-1',
          [field]: T1,
        }),
      },
    ]);
    expect(events[0]?.data).not.toHaveProperty('claimId');
    expectNoStorage(events[0]?.data ?? {});
    // Set once: a later write of the same delivery tells nothing again.
    const later = { ...sentDelivery, [field]: T1, openedAt: T1 };
    expect(domainEventsOf(change({ ...sentDelivery, [field]: T1 }, later))).toEqual([]);
  });

  it('opens, clicks and deliveries yield nothing; nor does the suppression entry (a hash, no address)', () => {
    for (const field of ['deliveredAt', 'openedAt', 'clickedAt', 'machineOpenedAt'])
      expect(domainEventsOf(change(sentDelivery, { ...sentDelivery, [field]: T1 }))).toEqual([]);
    expect(domainEventsOf(change(undefined, suppressionItem(TENANT, 'ana@example.com', 'bounced')))).toEqual(
      [],
    );
  });
});

describe('every type', () => {
  it('is derived by a case above, and ids are stable per stream record', () => {
    expect([...domainEventTypes].filter((type) => !derived.has(type))).toEqual([]);
    const first = domainEventsOf(change(undefined, item(contacts, contact), 'same'));
    const again = domainEventsOf(change(undefined, item(contacts, contact), 'same'));
    expect(again).toEqual(first);
  });
});
