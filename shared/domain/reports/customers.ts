import { type ChurnReason, churnRisk } from '../churn-risk.ts';
import { type Engagement, engagementKinds, engagementScore } from '../engagement-score.ts';
import { fromMinor } from '../money.ts';
import { type RfmScore, scoreRfm } from '../rfm.ts';
import {
  type Contribution,
  type Counters,
  groupKey,
  type Image,
  isLive,
  type ReportAggregate,
} from './aggregate.ts';
import { counter } from './figures.ts';
import { dayOf, money, moneyCounter, number, text } from './image.ts';
import { addDays, daysBetween } from './range.ts';

/**
 * Customer value, RFM, churn risk and engagement (SPEC "Reports",
 * `GET /reports/customers`): what the scoring rules (rfm.ts, churn-risk.ts,
 * engagement-score.ts) need per company, kept as counters from record
 * images, and the report computed from them at read time (scores decay with
 * the clock, so none is stored).
 *
 * The `customers` aggregate, per company `<id>`:
 * - `company#<id>`: `deals` (won), `value#<currency>` (won amount, minor
 *   units), `contacts`, `unreachable` (contacts bounced, unsubscribed or
 *   complained), `openComplaints` (complaint cases not resolved or closed),
 *   `csatSum`/`csatCount`;
 * - `name#<id>#<name>`: `companies` 1 while the company is live (its name, with
 *   `%` and `#` escaped, is in the key, so a rename moves the item);
 * - `purchase#<id>#<day>`: `count` of won deals closed that day (the last
 *   purchase is the latest day, reduced at read time);
 * - `activity#<day>#<id>`, `breach#<day>#<id>`: `count` per day of an activity
 *   (created or done) or a contact's `lastActivityAt`, and of a case's SLA
 *   breach; day first, so the report reads only the days that matter
 *   (ACTIVITY_LOOKBACK_DAYS, RECENT_DAYS) whatever the history's length.
 *
 * The `engagement` aggregate, per day: `open`, `click`, `reply`, `meeting`
 * counts under `contact#<day>#<contactId>` (all contacts of a window in one
 * Query), `ofContact#<contactId>#<day>` (one contact's days) and
 * `company#<day>#<companyId>`. Opens and clicks come from deliveries
 * (`openedAt` is a person's first open, `clickedAt` the first click; a bounced
 * message counts nothing), which carry the contact's `companyId` as it was
 * when the email was made; replies are inbound logged emails and meetings
 * done meeting activities, about a contact (or a deal or case: activities
 * carry the related record's `companyId`, written with them) or the company.
 *
 * Erasure: a delivery whose contact was erased (`contactErased`), an erased
 * contact (deleted) and its activities (unlinked) contribute nothing, so the
 * stream subtracts what they had added.
 */

export const CUSTOMERS_REPORT = 'customers';
export const ENGAGEMENT_REPORT = 'engagement';

const unreachableStatuses = new Set(['bounced', 'unsubscribed', 'complained']);
const openCaseStatuses = new Set(['new', 'open', 'pending']);
/** Names longer than this are kept by their start in the aggregate key (a sort key holds 1 KB). */
const MAX_NAME_LENGTH = 200;

const escapeName = (name: string) =>
  Array.from(name).slice(0, MAX_NAME_LENGTH).join('').replaceAll('%', '%25').replaceAll('#', '%23');
const unescapeName = (key: string) => key.replaceAll('%23', '#').replaceAll('%25', '%');

const ofCustomers = (key: string, counters: Counters): Contribution => ({
  report: CUSTOMERS_REPORT,
  key,
  counters,
});

/** The company an activity is about: itself, or that of its contact, deal or case when it was related. */
function activityCompany(image: Image): string | undefined {
  const related = image.related as { type?: unknown; id?: unknown } | undefined;
  if (related && related.type === 'company' && typeof related.id === 'string' && related.id !== '')
    return related.id;
  return text(image, 'companyId');
}

function activityContact(image: Image): string | undefined {
  const related = image.related as { type?: unknown; id?: unknown } | undefined;
  return related && related.type === 'contact' && typeof related.id === 'string' && related.id !== ''
    ? related.id
    : undefined;
}

function customerContributions(image: Image): Contribution[] {
  switch (image.entity) {
    case 'company': {
      const id = text(image, 'id');
      const name = text(image, 'name');
      return id && name ? [ofCustomers(groupKey('name', id, escapeName(name)), { companies: 1 })] : [];
    }
    case 'deal': {
      const companyId = text(image, 'companyId');
      const day = dayOf(text(image, 'closedAt'));
      if (image.status !== 'won' || !companyId || !day) return [];
      const amount = money(image);
      return [
        ofCustomers(groupKey('company', companyId), {
          deals: 1,
          ...(amount ? { [moneyCounter('value', amount.currency)]: amount.minor } : {}),
        }),
        ofCustomers(groupKey('purchase', companyId, day), { count: 1 }),
      ];
    }
    case 'contact': {
      const companyId = text(image, 'companyId');
      if (!companyId) return [];
      const status = text(image, 'marketingStatus');
      const day = dayOf(text(image, 'lastActivityAt'));
      return [
        ofCustomers(groupKey('company', companyId), {
          contacts: 1,
          unreachable: status && unreachableStatuses.has(status) ? 1 : 0,
        }),
        ...(day ? [ofCustomers(groupKey('activity', day, companyId), { count: 1 })] : []),
      ];
    }
    case 'case': {
      const companyId = text(image, 'companyId');
      if (!companyId) return [];
      const status = text(image, 'status');
      const score = number(image, 'csatScore');
      const csat =
        score !== undefined && Number.isInteger(score) && score >= 1 && score <= 5 ? score : undefined;
      const breach = dayOf(text(image, 'slaBreachedAt'));
      return [
        ofCustomers(groupKey('company', companyId), {
          openComplaints: image.type === 'complaint' && status && openCaseStatuses.has(status) ? 1 : 0,
          csatSum: csat ?? 0,
          csatCount: csat === undefined ? 0 : 1,
        }),
        ...(breach ? [ofCustomers(groupKey('breach', breach, companyId), { count: 1 })] : []),
      ];
    }
    case 'activity': {
      const companyId = activityCompany(image);
      if (!companyId || image.status === 'canceled') return [];
      const day = dayOf(text(image, 'completedAt') ?? text(image, 'createdAt'));
      return day ? [ofCustomers(groupKey('activity', day, companyId), { count: 1 })] : [];
    }
    default:
      return [];
  }
}

export const customersAggregate: ReportAggregate = {
  report: CUSTOMERS_REPORT,
  entities: ['company', 'deal', 'contact', 'case', 'activity'],
  contribute(image) {
    return isLive(image, customersAggregate.entities) ? customerContributions(image) : [];
  },
};

type EngagementCounters = Partial<Record<(typeof engagementKinds)[number], number>>;

/** Engagement one image records on one day, with the contact and company it belongs to. */
interface Engaged {
  readonly contactId?: string | undefined;
  readonly companyId?: string | undefined;
  readonly day: string;
  readonly counters: EngagementCounters;
}

/** The engagements one image records (a delivery's first open and click; a meeting held; a reply). */
function engagementsOf(image: Image): Engaged[] {
  if (image.entity === 'delivery') {
    const contactId = text(image, 'contactId');
    if (!contactId || image.contactErased === true || text(image, 'bouncedAt')) return [];
    const companyId = text(image, 'companyId');
    const found: Engaged[] = [];
    const opened = dayOf(text(image, 'openedAt'));
    const clicked = dayOf(text(image, 'clickedAt'));
    if (opened) found.push({ contactId, companyId, day: opened, counters: { open: 1 } });
    if (clicked) found.push({ contactId, companyId, day: clicked, counters: { click: 1 } });
    return found;
  }
  if (image.entity === 'activity' && image.archived !== true) {
    const contactId = activityContact(image);
    const companyId = activityCompany(image);
    if (!contactId && !companyId) return [];
    if (image.type === 'meeting' && image.status === 'done') {
      const day = dayOf(text(image, 'completedAt'));
      return day ? [{ contactId, companyId, day, counters: { meeting: 1 } }] : [];
    }
    if (image.type === 'email' && image.direction === 'inbound' && image.status !== 'canceled') {
      const day = dayOf(text(image, 'createdAt'));
      return day ? [{ contactId, companyId, day, counters: { reply: 1 } }] : [];
    }
  }
  return [];
}

export const engagementAggregate: ReportAggregate = {
  report: ENGAGEMENT_REPORT,
  entities: ['delivery', 'activity'],
  contribute(image) {
    if (typeof image.tenantId !== 'string') return [];
    return engagementsOf(image).flatMap(({ contactId, companyId, day, counters }) => [
      ...(contactId
        ? [
            { report: ENGAGEMENT_REPORT, key: groupKey('contact', day, contactId), counters },
            { report: ENGAGEMENT_REPORT, key: groupKey('ofContact', contactId, day), counters },
          ]
        : []),
      ...(companyId
        ? [{ report: ENGAGEMENT_REPORT, key: groupKey('company', day, companyId), counters }]
        : []),
    ]);
  },
};

// ---------------------------------------------------------------- reading

/** Days of engagement looked back on: the score's window, and the one before it for falling engagement. */
export const ENGAGEMENT_LOOKBACK_DAYS = 180;
/** The window of recent trouble: SLA breaches, and engagement compared with the 90 days before. */
export const RECENT_DAYS = 90;
/**
 * Activity is looked for over the last year: `no_recent_activity` is full from
 * 120 days on, so older activity would change no score; none in the year
 * reads as "no activity recorded".
 */
export const ACTIVITY_LOOKBACK_DAYS = 365;

/**
 * The engagement score (engagement-score.ts) of one contact or company at
 * `now` from its per-day counters (`day` → `{open, click, reply, meeting}`);
 * each engagement is taken at the start of its day (UTC).
 */
export function scoreOfDays(days: ReadonlyMap<string, Counters>, now: Date): number {
  const engagements: Engagement[] = [];
  for (const [day, counters] of days) {
    const at = new Date(`${day}T00:00:00Z`);
    if (Number.isNaN(at.getTime())) continue;
    for (const kind of engagementKinds) {
      const times = Math.max(0, Math.min(counter(counters, kind), 10_000));
      for (let n = 0; n < times; n++) engagements.push({ kind, at });
    }
  }
  return engagementScore(engagements, now);
}

/**
 * Engagement items of one dimension (`contact` or `company`, keyed
 * `<dimension>#<day>#<id>`) grouped per id then day.
 */
export function engagementDaysById(items: ReadonlyMap<string, Counters>): Map<string, Map<string, Counters>> {
  const byId = new Map<string, Map<string, Counters>>();
  for (const [key, counters] of items) {
    const [, day = '', ...rest] = key.split('#');
    const id = rest.join('#');
    if (!id || !day) continue;
    const days = byId.get(id) ?? new Map<string, Counters>();
    days.set(day, counters);
    byId.set(id, days);
  }
  return byId;
}

/** One contact's days from its `ofContact#<contactId>#<day>` items. */
export function contactDays(items: ReadonlyMap<string, Counters>): Map<string, Counters> {
  const days = new Map<string, Counters>();
  for (const [key, counters] of items) {
    const day = key.split('#')[2];
    if (day) days.set(day, counters);
  }
  return days;
}

/** The period of days an engagement score at `today` reads. */
export const engagementWindow = (today: string, days = RECENT_DAYS) => ({
  from: addDays(today, 1 - days),
  to: today,
});

export const customerSorts = ['value', 'churnRisk', 'engagement'] as const;
export type CustomerSort = (typeof customerSorts)[number];

/** One row of `GET /reports/customers`. */
export interface CustomerRow {
  readonly companyId: string;
  readonly name: string;
  /** Won amount per currency, decimal. */
  readonly lifetimeValue: Record<string, number>;
  /** The day (`YYYY-MM-DD`) the last won deal closed. */
  readonly lastPurchaseAt: string;
  readonly dealCount: number;
  readonly rfm: RfmScore;
  readonly churnRisk: number;
  readonly reasons: ChurnReason[];
  readonly engagementScore: number;
}

interface CustomerFacts {
  name?: string;
  deals: number;
  value: Map<string, number>;
  contacts: number;
  unreachable: number;
  openComplaints: number;
  csatSum: number;
  csatCount: number;
  lastPurchase?: string;
  lastActivity?: string;
  breaches: string[];
}

const facts = (byCompany: Map<string, CustomerFacts>, id: string): CustomerFacts => {
  let found = byCompany.get(id);
  if (!found) {
    found = {
      deals: 0,
      value: new Map(),
      contacts: 0,
      unreachable: 0,
      openComplaints: 0,
      csatSum: 0,
      csatCount: 0,
      breaches: [],
    };
    byCompany.set(id, found);
  }
  return found;
};

const later = (a: string | undefined, b: string) => (a === undefined || b > a ? b : a);

/** The customers aggregate's items folded per company. */
function foldCustomers(items: ReadonlyMap<string, Counters>): Map<string, CustomerFacts> {
  const byCompany = new Map<string, CustomerFacts>();
  for (const [key, counters] of items) {
    const [kind = '', first = '', ...rest] = key.split('#');
    // Day-first kinds (`activity#<day>#<id>`, `breach#<day>#<id>`) are read by period.
    const byDay = kind === 'activity' || kind === 'breach';
    const id = byDay ? rest.join('#') : first;
    if (!id) continue;
    const of = facts(byCompany, id);
    if (kind === 'company') {
      of.deals += counter(counters, 'deals');
      of.contacts += counter(counters, 'contacts');
      of.unreachable += counter(counters, 'unreachable');
      of.openComplaints += counter(counters, 'openComplaints');
      of.csatSum += counter(counters, 'csatSum');
      of.csatCount += counter(counters, 'csatCount');
      for (const [name, value] of Object.entries(counters))
        if (name.startsWith('value#'))
          of.value.set(name.slice(6), (of.value.get(name.slice(6)) ?? 0) + value);
    } else if (kind === 'name' && counter(counters, 'companies') > 0) of.name = unescapeName(rest.join('#'));
    else if (counter(counters, 'count') > 0) {
      const day = byDay ? first : rest[0];
      if (!day) continue;
      if (kind === 'purchase') of.lastPurchase = later(of.lastPurchase, day);
      else if (kind === 'activity') of.lastActivity = later(of.lastActivity, day);
      else if (kind === 'breach') for (let n = 0; n < counter(counters, 'count'); n++) of.breaches.push(day);
    }
  }
  return byCompany;
}

/**
 * The currency customers' monetary value (RFM's M) is ranked in: the one the
 * most customers bought in (ties: the larger total, then alphabetical). A
 * customer's M is its won amount in that currency; amounts in other
 * currencies are not converted (no exchange rates are kept), so a customer
 * that bought only in another currency ranks with M at its least.
 */
export function rankingCurrency(values: readonly ReadonlyMap<string, number>[]): string | undefined {
  const customers = new Map<string, number>();
  const totals = new Map<string, number>();
  for (const value of values)
    for (const [currency, minor] of value) {
      if (minor <= 0) continue;
      customers.set(currency, (customers.get(currency) ?? 0) + 1);
      totals.set(currency, (totals.get(currency) ?? 0) + minor);
    }
  return [...customers.keys()].sort(
    (a, b) =>
      (customers.get(b) ?? 0) - (customers.get(a) ?? 0) ||
      (totals.get(b) ?? 0) - (totals.get(a) ?? 0) ||
      (a < b ? -1 : a > b ? 1 : 0),
  )[0];
}

/**
 * The customers of a tenant with their value, RFM, churn risk and engagement
 * at `now`, from the `customers` aggregate's items (`company#`, `name#`,
 * `purchase#` whole; `activity#` of the last ACTIVITY_LOOKBACK_DAYS days and
 * `breach#` of the last RECENT_DAYS suffice) and the `company#<day>#<id>`
 * engagement items of the last ENGAGEMENT_LOOKBACK_DAYS days.
 *
 * Customers are live companies with at least one won deal (SPEC: RFM is
 * scored over the tenant's customers; a prospect has no recency or value to
 * rank). Rows come in no particular order; see sortCustomers.
 */
export function customerRows(
  customerItems: ReadonlyMap<string, Counters>,
  engagementItems: ReadonlyMap<string, Counters>,
  now: Date,
): CustomerRow[] {
  const today = now.toISOString().slice(0, 10);
  const recentFrom = addDays(today, -RECENT_DAYS);
  const activityFrom = addDays(today, 1 - ACTIVITY_LOOKBACK_DAYS);
  const companies = [...foldCustomers(customerItems)].filter(
    (entry): entry is [string, CustomerFacts & { name: string; lastPurchase: string }] =>
      entry[1].deals > 0 && entry[1].name !== undefined && entry[1].lastPurchase !== undefined,
  );
  const engagement = engagementDaysById(engagementItems);
  const currency = rankingCurrency(companies.map(([, of]) => of.value));
  const rfm = scoreRfm(
    companies.map(([id, of]) => ({
      id,
      daysSinceLastPurchase: Math.max(0, daysBetween(of.lastPurchase, today)),
      purchases: of.deals,
      value: currency ? (of.value.get(currency) ?? 0) : 0,
    })),
  );
  return companies.map(([companyId, of]) => {
    const days = engagement.get(companyId) ?? new Map<string, Counters>();
    let recent = 0;
    let prior = 0;
    for (const [day, counters] of days) {
      const touches = counter(counters, 'open') + counter(counters, 'click');
      if (day > recentFrom) recent += touches;
      else prior += touches;
    }
    const risk = churnRisk({
      daysSinceLastPurchase: Math.max(0, daysBetween(of.lastPurchase, today)),
      daysSinceLastActivity:
        of.lastActivity && of.lastActivity >= activityFrom
          ? Math.max(0, daysBetween(of.lastActivity, today))
          : undefined,
      engagementRecent: recent,
      engagementPrior: prior,
      openComplaints: Math.max(0, of.openComplaints),
      slaBreaches: of.breaches.filter((day) => day > recentFrom).length,
      contacts: Math.max(0, of.contacts),
      unreachableContacts: Math.max(0, of.unreachable),
      csatAverage: of.csatCount > 0 ? of.csatSum / of.csatCount : undefined,
      csatCount: Math.max(0, of.csatCount),
    });
    const lifetimeValue = Object.fromEntries(
      [...of.value]
        .filter(([, minor]) => minor !== 0)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([code, minor]) => [code, fromMinor(minor)]),
    );
    return {
      companyId,
      name: of.name,
      lifetimeValue,
      lastPurchaseAt: of.lastPurchase,
      dealCount: of.deals,
      rfm: rfm.get(companyId) as RfmScore,
      churnRisk: risk.risk,
      reasons: risk.reasons,
      engagementScore: scoreOfDays(new Map([...days].filter(([day]) => day > recentFrom)), now),
    };
  });
}

/**
 * Orders customers, highest first: `value` by lifetime value in the ranking
 * currency (then RFM's M, then deal count), `churnRisk` by risk,
 * `engagement` by engagement score; ties by company id, so pages are stable.
 */
export function sortCustomers(rows: readonly CustomerRow[], sort: CustomerSort): CustomerRow[] {
  const currency = rankingCurrency(rows.map((row) => new Map(Object.entries(row.lifetimeValue))));
  const measure = (row: CustomerRow): number[] =>
    sort === 'churnRisk'
      ? [row.churnRisk]
      : sort === 'engagement'
        ? [row.engagementScore]
        : [currency ? (row.lifetimeValue[currency] ?? 0) : 0, row.rfm.m, row.dealCount];
  return [...rows].sort((a, b) => {
    const [left, right] = [measure(a), measure(b)];
    for (let index = 0; index < left.length; index++) {
      const difference = (right[index] ?? 0) - (left[index] ?? 0);
      if (difference !== 0) return difference;
    }
    return a.companyId < b.companyId ? -1 : a.companyId > b.companyId ? 1 : 0;
  });
}
