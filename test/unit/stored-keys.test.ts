import { beforeAll, describe, expect, it } from 'vitest';
import { campaigns } from '#shared/store/campaigns';
import { followersPk, timelinePk } from '#shared/store/collaboration';
import { deliveryKey, statusIndex } from '#shared/store/deliveries';
import {
  activities,
  type Contact,
  cases,
  companies,
  contacts,
  deals,
  leads,
  pipelines,
  products,
  quotes,
  teams,
  users,
} from '#shared/store/entities';
import {
  acceptedQuoteKey,
  campaignRecipientStatusPk,
  campaignRecipientsPk,
  campaignStatsKey,
  collectionPk,
  contactDeliveriesPk,
  contactEnrollmentsPk,
  copiesPk,
  dealHistoryKey,
  engagementPk,
  enrollmentKey,
  idempotencyKey,
  ownerPk,
  parentPk,
  recordKey,
  reportAggregateKey,
  searchPk,
  sendBudgetKey,
  sequenceDeliveriesPk,
  sequenceDeliverySk,
  settingsKey,
  statePk,
  streamMarkerKey,
  suppressionKey,
  teamPk,
  uniqueKey,
} from '#shared/store/keys';
import { notificationItems, notificationsAboutPk, notificationsPk } from '#shared/store/notifications';
import { createItems, type EntitySpec, type StoredRecord, toItem } from '#shared/store/records';
import { segments } from '#shared/store/segments';
import { sequences } from '#shared/store/sequences';
import { templates } from '#shared/store/templates';

/**
 * The key strings items are stored under today. Items written by an earlier
 * version must still be found, so these change only with a data migration.
 */

const tenant = 'acme';
const base = {
  id: '01J0000000000000000000000A',
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  version: 1,
  ownerId: 'u1',
  teamId: 't1',
  archived: false,
};

type Item = Record<string, unknown>;
const keysOf = (item: Item) =>
  Object.fromEntries(Object.entries(item).filter(([name]) => /^(pk|sk|gsi\dpk|gsi\dsk)$/.test(name)));

function stored<T extends StoredRecord>(spec: EntitySpec<T>, fields: Partial<T>, archived = false) {
  return keysOf(toItem(spec, tenant, { ...base, archived, ...fields } as T));
}

beforeAll(() => {
  process.env.TABLE_NAME ??= 'crm-test';
});

describe('stored key strings', () => {
  it('pins the keys and index attributes of every record type', () => {
    expect({
      contact: stored(contacts, {
        firstName: 'Linda',
        lastName: 'Sánchez',
        email: 'L@x.io',
        companyId: 'c1',
      }),
      archivedCompany: stored(companies, { name: 'Acme Corp', domain: 'acme.io' }, true),
      team: stored(teams, { name: 'North' }),
      user: stored(users, { name: 'Ana', email: 'ana@x.io' }),
      lead: stored(leads, { firstName: 'Bo', contactId: 'p1' }),
      pipeline: stored(pipelines, { name: 'Sales' }),
      deal: stored(deals, { name: 'Big deal', stageId: 'won', companyId: 'c1' }),
      product: stored(products, { name: 'Widget', sku: 'W-1' }),
      quote: stored(quotes, { dealId: 'd1' }),
      case: stored(cases, { subject: 'Broken', status: 'open', contactId: 'p1' }),
      activity: stored(activities, {
        subject: 'Call',
        status: 'open',
        ownerId: 'u2',
        relatedKey: 'contact:p1',
      }),
      segment: stored(segments, { name: 'VIP' }),
      template: stored(templates, { name: 'Welcome' }),
      campaign: stored(campaigns, { name: 'Spring', status: 'draft' }),
      sequence: stored(sequences, { name: 'Onboarding' }),
      noTeam: stored(teams, { name: 'South', teamId: undefined }),
    }).toMatchInlineSnapshot(`
      {
        "activity": {
          "gsi1pk": "T#acme#ACTIVITY",
          "gsi1sk": "01J0000000000000000000000A",
          "gsi2pk": "T#acme#ACTIVITY#OWNER#u2",
          "gsi2sk": "01J0000000000000000000000A",
          "gsi3pk": "T#acme#ACTIVITY#RELATED#contact:p1",
          "gsi3sk": "01J0000000000000000000000A",
          "gsi4pk": "T#acme#ACTIVITY#NAME",
          "gsi4sk": "call#01J0000000000000000000000A",
          "gsi5pk": "T#acme#ACTIVITY#TEAM#t1",
          "gsi5sk": "01J0000000000000000000000A",
          "gsi6pk": "T#acme#ACTIVITY#STATE#open#u2",
          "gsi6sk": "~#01J0000000000000000000000A",
          "pk": "T#acme#ACTIVITY#01J0000000000000000000000A",
          "sk": "A",
        },
        "archivedCompany": {
          "gsi1pk": "T#acme#COMPANY#ARCHIVED",
          "gsi1sk": "01J0000000000000000000000A",
          "gsi2pk": "T#acme#COMPANY#OWNER#u1",
          "gsi2sk": "01J0000000000000000000000A",
          "gsi4pk": "T#acme#COMPANY#NAME",
          "gsi4sk": "acme corp#01J0000000000000000000000A",
          "gsi5pk": "T#acme#COMPANY#TEAM#t1",
          "gsi5sk": "01J0000000000000000000000A",
          "pk": "T#acme#COMPANY#01J0000000000000000000000A",
          "sk": "A",
        },
        "campaign": {
          "gsi1pk": "T#acme#CAMPAIGN",
          "gsi1sk": "01J0000000000000000000000A",
          "gsi2pk": "T#acme#CAMPAIGN#OWNER#u1",
          "gsi2sk": "01J0000000000000000000000A",
          "gsi4pk": "T#acme#CAMPAIGN#NAME",
          "gsi4sk": "spring#01J0000000000000000000000A",
          "gsi5pk": "T#acme#CAMPAIGN#TEAM#t1",
          "gsi5sk": "01J0000000000000000000000A",
          "gsi6pk": "T#acme#CAMPAIGN#STATE#draft",
          "gsi6sk": "01J0000000000000000000000A",
          "pk": "T#acme#CAMPAIGN#01J0000000000000000000000A",
          "sk": "A",
        },
        "case": {
          "gsi1pk": "T#acme#CASE",
          "gsi1sk": "01J0000000000000000000000A",
          "gsi2pk": "T#acme#CASE#OWNER#u1",
          "gsi2sk": "01J0000000000000000000000A",
          "gsi3pk": "T#acme#CASE#CONTACT#p1",
          "gsi3sk": "01J0000000000000000000000A",
          "gsi4pk": "T#acme#CASE#NAME",
          "gsi4sk": "broken#01J0000000000000000000000A",
          "gsi5pk": "T#acme#CASE#TEAM#t1",
          "gsi5sk": "01J0000000000000000000000A",
          "gsi6pk": "T#acme#CASE#STATE#open",
          "gsi6sk": "01J0000000000000000000000A",
          "pk": "T#acme#CASE#01J0000000000000000000000A",
          "sk": "A",
        },
        "contact": {
          "gsi1pk": "T#acme#CONTACT",
          "gsi1sk": "01J0000000000000000000000A",
          "gsi2pk": "T#acme#CONTACT#OWNER#u1",
          "gsi2sk": "01J0000000000000000000000A",
          "gsi3pk": "T#acme#CONTACT#COMPANY#c1",
          "gsi3sk": "01J0000000000000000000000A",
          "gsi4pk": "T#acme#CONTACT#NAME",
          "gsi4sk": "linda sanchez#01J0000000000000000000000A",
          "gsi5pk": "T#acme#CONTACT#TEAM#t1",
          "gsi5sk": "01J0000000000000000000000A",
          "pk": "T#acme#CONTACT#01J0000000000000000000000A",
          "sk": "A",
        },
        "deal": {
          "gsi1pk": "T#acme#DEAL",
          "gsi1sk": "01J0000000000000000000000A",
          "gsi2pk": "T#acme#DEAL#OWNER#u1",
          "gsi2sk": "01J0000000000000000000000A",
          "gsi3pk": "T#acme#DEAL#COMPANY#c1",
          "gsi3sk": "01J0000000000000000000000A",
          "gsi4pk": "T#acme#DEAL#NAME",
          "gsi4sk": "big deal#01J0000000000000000000000A",
          "gsi5pk": "T#acme#DEAL#TEAM#t1",
          "gsi5sk": "01J0000000000000000000000A",
          "gsi6pk": "T#acme#DEAL#STATE#won",
          "gsi6sk": "01J0000000000000000000000A",
          "pk": "T#acme#DEAL#01J0000000000000000000000A",
          "sk": "A",
        },
        "lead": {
          "gsi1pk": "T#acme#LEAD",
          "gsi1sk": "01J0000000000000000000000A",
          "gsi2pk": "T#acme#LEAD#OWNER#u1",
          "gsi2sk": "01J0000000000000000000000A",
          "gsi3pk": "T#acme#LEAD#CONTACT#p1",
          "gsi3sk": "01J0000000000000000000000A",
          "gsi4pk": "T#acme#LEAD#NAME",
          "gsi4sk": "bo#01J0000000000000000000000A",
          "gsi5pk": "T#acme#LEAD#TEAM#t1",
          "gsi5sk": "01J0000000000000000000000A",
          "pk": "T#acme#LEAD#01J0000000000000000000000A",
          "sk": "A",
        },
        "noTeam": {
          "gsi1pk": "T#acme#TEAM",
          "gsi1sk": "01J0000000000000000000000A",
          "gsi2pk": "T#acme#TEAM#OWNER#u1",
          "gsi2sk": "01J0000000000000000000000A",
          "gsi4pk": "T#acme#TEAM#NAME",
          "gsi4sk": "south#01J0000000000000000000000A",
          "pk": "T#acme#TEAM#01J0000000000000000000000A",
          "sk": "A",
        },
        "pipeline": {
          "gsi1pk": "T#acme#PIPELINE",
          "gsi1sk": "01J0000000000000000000000A",
          "gsi2pk": "T#acme#PIPELINE#OWNER#u1",
          "gsi2sk": "01J0000000000000000000000A",
          "gsi4pk": "T#acme#PIPELINE#NAME",
          "gsi4sk": "sales#01J0000000000000000000000A",
          "gsi5pk": "T#acme#PIPELINE#TEAM#t1",
          "gsi5sk": "01J0000000000000000000000A",
          "pk": "T#acme#PIPELINE#01J0000000000000000000000A",
          "sk": "A",
        },
        "product": {
          "gsi1pk": "T#acme#PRODUCT",
          "gsi1sk": "01J0000000000000000000000A",
          "gsi2pk": "T#acme#PRODUCT#OWNER#u1",
          "gsi2sk": "01J0000000000000000000000A",
          "gsi4pk": "T#acme#PRODUCT#NAME",
          "gsi4sk": "widget#01J0000000000000000000000A",
          "gsi5pk": "T#acme#PRODUCT#TEAM#t1",
          "gsi5sk": "01J0000000000000000000000A",
          "pk": "T#acme#PRODUCT#01J0000000000000000000000A",
          "sk": "A",
        },
        "quote": {
          "gsi1pk": "T#acme#QUOTE",
          "gsi1sk": "01J0000000000000000000000A",
          "gsi2pk": "T#acme#QUOTE#OWNER#u1",
          "gsi2sk": "01J0000000000000000000000A",
          "gsi3pk": "T#acme#QUOTE#DEAL#d1",
          "gsi3sk": "01J0000000000000000000000A",
          "gsi5pk": "T#acme#QUOTE#TEAM#t1",
          "gsi5sk": "01J0000000000000000000000A",
          "pk": "T#acme#QUOTE#01J0000000000000000000000A",
          "sk": "A",
        },
        "segment": {
          "gsi1pk": "T#acme#SEGMENT",
          "gsi1sk": "01J0000000000000000000000A",
          "gsi2pk": "T#acme#SEGMENT#OWNER#u1",
          "gsi2sk": "01J0000000000000000000000A",
          "gsi4pk": "T#acme#SEGMENT#NAME",
          "gsi4sk": "vip#01J0000000000000000000000A",
          "gsi5pk": "T#acme#SEGMENT#TEAM#t1",
          "gsi5sk": "01J0000000000000000000000A",
          "pk": "T#acme#SEGMENT#01J0000000000000000000000A",
          "sk": "A",
        },
        "sequence": {
          "gsi1pk": "T#acme#SEQUENCE",
          "gsi1sk": "01J0000000000000000000000A",
          "gsi2pk": "T#acme#SEQUENCE#OWNER#u1",
          "gsi2sk": "01J0000000000000000000000A",
          "gsi4pk": "T#acme#SEQUENCE#NAME",
          "gsi4sk": "onboarding#01J0000000000000000000000A",
          "gsi5pk": "T#acme#SEQUENCE#TEAM#t1",
          "gsi5sk": "01J0000000000000000000000A",
          "pk": "T#acme#SEQUENCE#01J0000000000000000000000A",
          "sk": "A",
        },
        "team": {
          "gsi1pk": "T#acme#TEAM",
          "gsi1sk": "01J0000000000000000000000A",
          "gsi2pk": "T#acme#TEAM#OWNER#u1",
          "gsi2sk": "01J0000000000000000000000A",
          "gsi4pk": "T#acme#TEAM#NAME",
          "gsi4sk": "north#01J0000000000000000000000A",
          "gsi5pk": "T#acme#TEAM#TEAM#t1",
          "gsi5sk": "01J0000000000000000000000A",
          "pk": "T#acme#TEAM#01J0000000000000000000000A",
          "sk": "A",
        },
        "template": {
          "gsi1pk": "T#acme#TEMPLATE",
          "gsi1sk": "01J0000000000000000000000A",
          "gsi2pk": "T#acme#TEMPLATE#OWNER#u1",
          "gsi2sk": "01J0000000000000000000000A",
          "gsi4pk": "T#acme#TEMPLATE#NAME",
          "gsi4sk": "welcome#01J0000000000000000000000A",
          "gsi5pk": "T#acme#TEMPLATE#TEAM#t1",
          "gsi5sk": "01J0000000000000000000000A",
          "pk": "T#acme#TEMPLATE#01J0000000000000000000000A",
          "sk": "A",
        },
        "user": {
          "gsi1pk": "T#acme#USER",
          "gsi1sk": "01J0000000000000000000000A",
          "gsi2pk": "T#acme#USER#OWNER#u1",
          "gsi2sk": "01J0000000000000000000000A",
          "gsi4pk": "T#acme#USER#NAME",
          "gsi4sk": "ana#01J0000000000000000000000A",
          "gsi5pk": "T#acme#USER#TEAM#t1",
          "gsi5sk": "01J0000000000000000000000A",
          "pk": "T#acme#USER#01J0000000000000000000000A",
          "sk": "A",
        },
      }
    `);
  });

  it('pins unique reservations and search-word copies', () => {
    const record = {
      ...base,
      firstName: 'Linda',
      lastName: 'Sánchez',
      email: 'L@x.io',
      tags: [],
      customFields: {},
      marketingStatus: 'subscribed',
    } as unknown as Contact;
    const { items, words } = createItems(contacts, tenant, record);
    expect({
      uniques: items.slice(1).map((item) => keysOf(item.Put?.Item ?? {})),
      words: words.map((item) => keysOf(item.Put?.Item ?? {})),
    }).toMatchInlineSnapshot(`
      {
        "uniques": [
          {
            "pk": "T#acme#UNIQUE#CONTACT_EMAIL#l@x.io",
            "sk": "A",
          },
        ],
        "words": [
          {
            "gsi4pk": "T#acme#CONTACT#NAME",
            "gsi4sk": "sanchez#01J0000000000000000000000A",
            "pk": "T#acme#CONTACT#01J0000000000000000000000A",
            "sk": "WORD#01",
          },
        ],
      }
    `);
  });

  it('pins the keys of every other item kind', () => {
    const campaignRef = { kind: 'campaign', campaignId: 'cp1', contactId: 'p1' } as const;
    const sequenceRef = { kind: 'sequence', sequenceId: 's1', contactId: 'p1', step: 3 } as const;
    const [notification] = notificationItems(tenant, ['u1'], {
      kind: 'mention',
      title: 'Hi',
      occurredAt: '2026-01-02T03:04:05.000Z',
      key: 'comment:k1',
      record: { type: 'contact', id: 'p1' },
    } as Parameters<typeof notificationItems>[2]);
    expect({
      record: recordKey(tenant, 'CONTACT', 'p1'),
      collection: collectionPk(tenant, 'DEAL', false),
      archived: collectionPk(tenant, 'DEAL', true),
      owner: ownerPk(tenant, 'DEAL', 'u1'),
      team: teamPk(tenant, 'DEAL', 't1'),
      state: statePk(tenant, 'DEAL', 'won'),
      parent: parentPk(tenant, 'DEAL', 'COMPANY', 'c1'),
      search: searchPk(tenant, 'DEAL'),
      unique: uniqueKey(tenant, 'CONTACT_EMAIL', 'L@X.io'),
      settings: settingsKey(tenant, 'pipeline'),
      dealHistory: dealHistoryKey(tenant, 'd1', 'e1'),
      acceptedQuote: acceptedQuoteKey(tenant, 'd1'),
      idempotency: idempotencyKey(tenant, 'u1', 'k1'),
      copies: copiesPk(tenant, 'p1'),
      suppression: suppressionKey(tenant, 'h1'),
      reportAggregate: reportAggregateKey(tenant, 'sales', 2, 'owner#2026-03-14#u1'),
      streamMarker: streamMarkerKey(tenant, 'ev1'),
      campaignRecipients: campaignRecipientsPk(tenant, 'cp1'),
      campaignRecipientStatus: campaignRecipientStatusPk(tenant, 'cp1', 'sent'),
      campaignDelivery: deliveryKey(tenant, campaignRef),
      campaignDeliveryStatus: statusIndex(tenant, campaignRef, 'sent'),
      sequenceDeliveries: sequenceDeliveriesPk(tenant, 's1'),
      sequenceDeliverySk: sequenceDeliverySk('p1', 3),
      sequenceDelivery: deliveryKey(tenant, sequenceRef),
      sequenceDeliveryStatus: statusIndex(tenant, sequenceRef, 'sent'),
      contactDeliveries: contactDeliveriesPk(tenant, 'p1'),
      campaignStats: campaignStatsKey(tenant, 'cp1'),
      engagement: engagementPk(tenant, 'cp1', 'opened'),
      enrollment: enrollmentKey(tenant, 's1', 'p1'),
      contactEnrollments: contactEnrollmentsPk(tenant, 'p1'),
      timeline: timelinePk(tenant, { type: 'contact', id: 'p1' }),
      followers: followersPk(tenant, { type: 'contact', id: 'p1' }),
      notifications: notificationsPk(tenant, 'u1'),
      notificationsAbout: notificationsAboutPk(tenant, { type: 'contact', id: 'p1' }),
      notification: keysOf(notification?.Put?.Item ?? {}),
      sendBudget: sendBudgetKey(1767225600),
    }).toMatchInlineSnapshot(`
      {
        "acceptedQuote": {
          "pk": "T#acme#DEAL#d1",
          "sk": "ACCEPTED_QUOTE",
        },
        "archived": "T#acme#DEAL#ARCHIVED",
        "campaignDelivery": {
          "pk": "T#acme#CAMPAIGN#cp1#RECIPIENTS",
          "sk": "p1",
        },
        "campaignDeliveryStatus": {
          "gsi6pk": "T#acme#CAMPAIGN#cp1#RECIPIENTS#sent",
          "gsi6sk": "p1",
        },
        "campaignRecipientStatus": "T#acme#CAMPAIGN#cp1#RECIPIENTS#sent",
        "campaignRecipients": "T#acme#CAMPAIGN#cp1#RECIPIENTS",
        "campaignStats": {
          "pk": "T#acme#CAMPAIGN#cp1",
          "sk": "STATS",
        },
        "collection": "T#acme#DEAL",
        "contactDeliveries": "T#acme#DELIVERY#CONTACT#p1",
        "contactEnrollments": "T#acme#ENROLLMENT#CONTACT#p1",
        "copies": "T#acme#COPIES#p1",
        "dealHistory": {
          "pk": "T#acme#DEAL#d1",
          "sk": "HISTORY#e1",
        },
        "engagement": "T#acme#ENGAGEMENT#cp1#opened",
        "enrollment": {
          "pk": "T#acme#SEQUENCE#s1#ENROLLMENTS",
          "sk": "p1",
        },
        "followers": "T#acme#FOLLOWERS#contact#p1",
        "idempotency": {
          "pk": "T#acme#IDEMPOTENCY#u1#k1",
          "sk": "A",
        },
        "notification": {
          "gsi3pk": "T#acme#NOTIFICATION#ABOUT#contact#p1",
          "gsi3sk": "u1#N#2026-01-02T03:04:05.000Z#comment:k1",
          "pk": "T#acme#USER#u1#NOTIFICATIONS",
          "sk": "N#2026-01-02T03:04:05.000Z#comment:k1",
        },
        "notifications": "T#acme#USER#u1#NOTIFICATIONS",
        "notificationsAbout": "T#acme#NOTIFICATION#ABOUT#contact#p1",
        "owner": "T#acme#DEAL#OWNER#u1",
        "parent": "T#acme#DEAL#COMPANY#c1",
        "record": {
          "pk": "T#acme#CONTACT#p1",
          "sk": "A",
        },
        "reportAggregate": {
          "pk": "T#acme#REPORT#sales#2",
          "sk": "owner#2026-03-14#u1",
        },
        "search": "T#acme#DEAL#NAME",
        "sendBudget": {
          "pk": "SEND_BUDGET#1767225600",
          "sk": "A",
        },
        "sequenceDeliveries": "T#acme#SEQUENCE#s1#DELIVERIES",
        "sequenceDelivery": {
          "pk": "T#acme#SEQUENCE#s1#DELIVERIES",
          "sk": "p1#03",
        },
        "sequenceDeliverySk": "p1#03",
        "sequenceDeliveryStatus": {},
        "settings": {
          "pk": "T#acme#SETTINGS",
          "sk": "pipeline",
        },
        "state": "T#acme#DEAL#STATE#won",
        "streamMarker": {
          "pk": "T#acme#STREAM#ev1",
          "sk": "A",
        },
        "suppression": {
          "pk": "T#acme#SUPPRESSION#h1",
          "sk": "A",
        },
        "team": "T#acme#DEAL#TEAM#t1",
        "timeline": "T#acme#TIMELINE#contact#p1",
        "unique": {
          "pk": "T#acme#UNIQUE#CONTACT_EMAIL#l@x.io",
          "sk": "A",
        },
      }
    `);
  });
});
