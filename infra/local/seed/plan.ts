import { ulid } from 'ulid';
import type { Related } from '#shared/domain/activities';
import { relatedKeyOf } from '#shared/domain/activities';
import {
  type CaseChannel,
  type CasePriority,
  type CaseType,
  caseTypes,
  defaultSlaHours,
  slaDueAt,
} from '#shared/domain/cases';
import type { LeadSource } from '#shared/domain/leads';
import type { Stage } from '#shared/domain/pipeline';
import { quoteTotals } from '#shared/domain/quote-totals';
import type {
  Activity,
  Case,
  Company,
  Contact,
  Deal,
  Lead,
  Pipeline,
  Product,
  Quote,
} from '#shared/domain/records';
import type { Campaign } from '#shared/store/campaigns';
import {
  activitySubjects,
  type Country,
  caseSubjects,
  companyWords,
  countries,
  csatComments,
  dealTopics,
  firstNames,
  industries,
  jobTitles,
  lastNames,
  lostReasons,
  productList,
} from './catalogue.ts';
import type { Random } from './random.ts';

/**
 * The demo history as records, built in memory from a seeded random
 * generator: every record builder of `npm run seed` lives here, so a new
 * field is added in one place. Pure: nothing is written (see write.ts).
 *
 * Time runs over the two years before `now`, busier towards the present;
 * every stamp a report reads (createdAt, closedAt, convertedAt, resolvedAt,
 * completedAt, a delivery's opens and clicks) is backdated consistently
 * (created ≤ moved ≤ closed ≤ now).
 */

import type { SeedScale } from './scales.ts';

export { type SeedScale, seedScales } from './scales.ts';

interface ScaleCounts {
  /** The newsletter campaigns sent, oldest first: how many days ago, and their name. */
  readonly campaigns: readonly { readonly ageDays: number; readonly name: string }[];
  readonly companies: number;
  readonly contactsPerCompany: readonly [number, number];
  readonly leads: number;
  readonly deals: number;
  readonly activities: number;
  readonly cases: number;
  readonly products: number;
}

const scales: Record<SeedScale, ScaleCounts> = {
  small: {
    campaigns: [
      { ageDays: 130, name: 'Cold-chain launch' },
      { ageDays: 21, name: 'Spring fleet offer' },
    ],
    companies: 8,
    contactsPerCompany: [1, 3],
    leads: 14,
    deals: 22,
    activities: 36,
    cases: 12,
    products: 4,
  },
  default: {
    campaigns: [
      { ageDays: 300, name: 'Customer webinar' },
      { ageDays: 150, name: 'Cold-chain launch' },
      { ageDays: 100, name: 'Route optimiser preview' },
      { ageDays: 21, name: 'Spring fleet offer' },
    ],
    companies: 70,
    contactsPerCompany: [2, 5],
    leads: 200,
    deals: 280,
    activities: 650,
    cases: 160,
    products: 12,
  },
};

export interface SeedUser {
  readonly id: string;
  readonly name: string;
  readonly teamId: string;
  readonly role: 'manager' | 'rep';
}

export interface PlanInput {
  readonly tenantId: string;
  readonly scale: SeedScale;
  /** 1 for the first batch; later batches suffix unique values (domains, emails, SKUs) with it. */
  readonly batch: number;
  readonly now: Date;
  readonly random: Random;
  readonly users: readonly SeedUser[];
  readonly pipeline: Pipeline;
  readonly campaign: {
    readonly templateId: string;
    readonly segmentId: string;
    /** The tag the campaign's segment selects. */
    readonly tag: string;
    readonly snapshot: NonNullable<Campaign['snapshot']>;
  };
}

/** A deal with the stages it went through (oldest first), and its accepted quote if it has one. */
export interface PlannedDeal {
  readonly deal: Deal;
  readonly path: readonly { readonly stage: Stage; readonly at: string }[];
  readonly quote?: Quote;
}

/** One recipient of a campaign and what happened to the email, as the trackers would have seen it. */
export interface PlannedDelivery {
  readonly contactId: string;
  readonly email: string;
  /** The contact's company when the email was made (the company's engagement counts it). */
  readonly companyId?: string;
  readonly sentAt: string;
  readonly deliveredAt?: string;
  readonly bouncedAt?: string;
  /** A privacy proxy or scanner fetched the pixel (seconds after delivery). */
  readonly machineOpenedAt?: string;
  readonly openedAt?: string;
  readonly clickedAt?: string;
  readonly unsubscribedAt?: string;
}

/** A sent newsletter campaign and its recipients. */
export interface PlannedCampaign {
  readonly record: Campaign;
  readonly deliveries: PlannedDelivery[];
}

export interface SeedPlan {
  readonly companies: Company[];
  readonly contacts: Contact[];
  readonly products: Product[];
  readonly leads: Lead[];
  readonly deals: PlannedDeal[];
  readonly activities: Activity[];
  readonly cases: Case[];
  /** Oldest first. */
  readonly campaigns: PlannedCampaign[];
}

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const HISTORY_DAYS = 730;
/** The currency of the campaigns' budgets and costs. */
const CAMPAIGN_CURRENCY = 'EUR';

/** How long after a campaign a new lead or deal may still come from it. */
const CAMPAIGN_ANSWER_DAYS = 45;

const iso = (ms: number) => new Date(Math.round(ms)).toISOString();
const dateOnly = (ms: number) => iso(ms).slice(0, 10);
/** Amounts in whole tens, so the demo reads like real prices. */
const roundTens = (value: number) => Math.max(10, Math.round(value / 10) * 10);

const slug = (text: string) =>
  text
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

const leadSourceWeights: readonly (readonly [LeadSource, number])[] = [
  ['web', 30],
  ['referral', 18],
  ['event', 12],
  ['campaign', 14],
  ['cold_call', 10],
  ['partner', 10],
  ['other', 6],
];

export function buildSeedPlan(input: PlanInput): SeedPlan {
  const { random, now, pipeline, users } = input;
  const counts = scales[input.scale];
  const nowMs = now.getTime();
  const startMs = nowMs - HISTORY_DAYS * DAY_MS;
  // `-b2`, not `-2`: a first batch's second company of a name already ends in `-2`.
  const suffix = input.batch > 1 ? `-b${input.batch}` : '';

  /**
   * A moment in the history, at least `minAgeDays` old: half spread evenly, half
   * busier towards now (the business grows), so the first year has about 3/8.
   */
  const momentInHistory = (minAgeDays = 0) => {
    const span = HISTORY_DAYS - minAgeDays;
    const share = random.chance(0.5) ? random.next() : 1 - Math.sqrt(random.next());
    const ageDays = minAgeDays + span * share;
    return nowMs - ageDays * DAY_MS - random.int(0, 8 * HOUR_MS);
  };
  const base = (createdMs: number, owner: SeedUser) => ({
    id: ulid(Math.round(createdMs)),
    createdAt: iso(createdMs),
    updatedAt: iso(createdMs),
    version: 1,
    ownerId: owner.id,
    teamId: owner.teamId,
    archived: false,
  });
  const seller = () => random.weighted(users.map((user) => [user, user.role === 'rep' ? 4 : 1] as const));
  const openStages = pipeline.stages.filter((candidate) => candidate.kind === 'open');
  const won = pipeline.stages.find((candidate) => candidate.kind === 'won');
  const lost = pipeline.stages.find((candidate) => candidate.kind === 'lost');
  if (!won || !lost || openStages.length === 0)
    throw new Error('The pipeline needs open, won and lost stages');

  // Campaigns first: leads and deals created in the weeks after one went out may come from it.
  const sends = counts.campaigns.map(({ ageDays, name }) => {
    const sentMs = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - ageDays, 9);
    return { sentMs, name, id: ulid(sentMs - DAY_MS) };
  });
  /** The campaign someone answered at `ms`: the latest sent in the weeks before. */
  const campaignBefore = (ms: number) =>
    sends.findLast((send) => send.sentMs <= ms && ms - send.sentMs <= CAMPAIGN_ANSWER_DAYS * DAY_MS);

  // Companies, spread over countries and industries.
  const usedNames = new Set<string>();
  const companies: Company[] = [];
  const countryOf = new Map<string, Country>();
  for (let n = 0; n < counts.companies; n++) {
    let name = `${random.pick(companyWords.first)} ${random.pick(companyWords.second)}`;
    for (let again = 2; usedNames.has(name); again++) name = `${name.replace(/ \d+$/, '')} ${again}`;
    usedNames.add(name);
    const country = random.weighted(countries.map((entry) => [entry, entry.weight] as const));
    const createdMs = momentInHistory(30);
    const company: Company = {
      ...base(createdMs, seller()),
      name,
      domain: `${slug(name)}${suffix}.example`,
      industry: random.pick(industries),
      size: random.pick([8, 25, 60, 140, 400, 1200]),
      country: country.code,
      city: random.pick(country.cities),
      tags: random.chance(0.3) ? ['key-account'] : [],
      customFields: {},
    };
    companies.push(company);
    countryOf.set(company.id, country);
  }

  // Contacts at those companies (owned like their company), most on the newsletter.
  const usedEmails = new Set<string>();
  const contacts: Contact[] = [];
  const contactsOf = new Map<string, Contact[]>();
  const newContact = (company: Company | undefined, createdMs: number, ownerId?: string): Contact => {
    const firstName = random.pick(firstNames);
    const lastName = random.pick(lastNames);
    const domain = company?.domain ?? `mail${suffix}.example`;
    let local = `${slug(firstName)}.${slug(lastName)}`.replace(/-/g, '');
    for (let again = 2; usedEmails.has(`${local}@${domain}`); again++)
      local = `${local.replace(/\d+$/, '')}${again}`;
    usedEmails.add(`${local}@${domain}`);
    const owner = users.find((user) => user.id === (ownerId ?? company?.ownerId)) ?? seller();
    const onNewsletter = random.chance(0.7);
    const contact: Contact = {
      ...base(createdMs, owner),
      firstName,
      lastName,
      email: `${local}@${domain}`,
      ...(company ? { companyId: company.id, ...(company.country ? { country: company.country } : {}) } : {}),
      title: random.pick(jobTitles),
      tags: onNewsletter ? [input.campaign.tag] : [],
      lifecycleStage: random.pick(['lead', 'opportunity', 'customer', 'customer'] as const),
      marketingStatus: onNewsletter || random.chance(0.8) ? 'subscribed' : 'unsubscribed',
      customFields: {},
    };
    contacts.push(contact);
    if (company) contactsOf.set(company.id, [...(contactsOf.get(company.id) ?? []), contact]);
    return contact;
  };
  for (const company of companies) {
    const [least, most] = counts.contactsPerCompany;
    const companyMs = Date.parse(company.createdAt);
    for (let n = random.int(least, most); n > 0; n--)
      newContact(company, companyMs + random.int(0, Math.max(1, nowMs - companyMs) * 0.3));
  }

  // The price list (EUR), so won EUR deals can carry accepted quotes.
  const products: Product[] = productList.slice(0, counts.products).map((entry, index) => ({
    ...base(startMs - (index + 1) * DAY_MS, users[0] as SeedUser),
    name: entry.name,
    sku: `${entry.sku}${suffix}`,
    unitPrice: entry.unitPrice,
    currency: 'EUR',
  }));

  // Deals: each walks the default pipeline from its first stage; old ones end won or lost.
  const deals: PlannedDeal[] = [];
  const newDeal = (
    createdMs: number,
    owner: SeedUser,
    company: Company | undefined,
    contactIds: string[],
    source: LeadSource,
    campaignId: string | undefined,
  ): PlannedDeal => {
    const country = company ? countryOf.get(company.id) : undefined;
    const currency = country?.currency ?? 'EUR';
    const ageDays = (nowMs - createdMs) / DAY_MS;
    const cycleDays = random.int(7, 110);
    const outcome: 'won' | 'lost' | 'open' =
      ageDays > cycleDays
        ? random.weighted([
            ['won', 45],
            ['lost', 38],
            ['open', 17],
          ] as const)
        : 'open';
    // The stages it passed: open ones in order, then won or lost (lost may come early).
    const depth =
      outcome === 'won'
        ? openStages.length
        : outcome === 'lost'
          ? random.int(1, openStages.length)
          : random.int(1, openStages.length);
    const stages: Stage[] = [
      ...openStages.slice(0, depth),
      ...(outcome === 'won' ? [won] : outcome === 'lost' ? [lost] : []),
    ];
    const endMs =
      outcome === 'open' ? createdMs + random.next() * (nowMs - createdMs) : createdMs + cycleDays * DAY_MS;
    const path = stages.map((entered, index) => ({
      stage: entered,
      at: iso(index === 0 ? createdMs : createdMs + ((endMs - createdMs) * index) / (stages.length - 1)),
    }));
    const last = path[path.length - 1] as (typeof path)[number];
    const topic = random.pick(dealTopics);
    // A won EUR deal usually has an accepted quote, whose total becomes its amount.
    const quoted = outcome === 'won' && currency === 'EUR' && products.length > 0 && random.chance(0.7);
    const lines = quoted
      ? random.sample(products, random.int(1, Math.min(3, products.length))).map((product) => ({
          productId: product.id,
          description: product.name,
          quantity: random.pick([1, 2, 5, 10, 20, 40, 90]),
          unitPrice: product.unitPrice,
          ...(random.chance(0.4) ? { discountPct: random.pick([5, 10, 12.5]) } : {}),
        }))
      : [];
    const totals = quoted ? quoteTotals(lines) : undefined;
    const quoteTotal = totals?.ok ? totals.totals : undefined;
    const amount = quoteTotal ? quoteTotal.total : roundTens(1500 + random.next() ** 2 * 60_000);
    const productIds = quoteTotal
      ? [...new Set(lines.map((line) => line.productId))]
      : products.length > 0 && random.chance(0.5)
        ? random.sample(products, random.int(1, 2)).map((product) => product.id)
        : [];
    const closed = outcome !== 'open';
    const expectedMs = closed
      ? endMs
      : Math.max(nowMs + random.int(0, 150) * DAY_MS, createdMs + cycleDays * DAY_MS);
    const deal: Deal = {
      ...base(createdMs, owner),
      updatedAt: last.at,
      version: path.length,
      name: `${company?.name ?? 'New customer'} ${topic}`,
      amount,
      currency,
      ...(company ? { companyId: company.id } : {}),
      contactIds,
      productIds,
      pipelineId: pipeline.id,
      stageId: last.stage.id,
      status: last.stage.kind,
      probability: last.stage.probability,
      ...(closed ? { closedAt: last.at } : {}),
      ...(outcome === 'lost' ? { lostReason: random.pick(lostReasons) } : {}),
      stageEnteredAt: last.at,
      ...(closed || random.chance(0.8) ? { expectedCloseDate: dateOnly(expectedMs) } : {}),
      ...(country ? { country: country.code } : {}),
      source,
      ...(quoteTotal
        ? {
            productLines: quoteTotal.lines.map((line) => ({
              productId: line.productId as string,
              quantity: line.quantity,
              total: line.lineTotal,
            })),
          }
        : {}),
      // Only business in the campaigns' currency is credited to them, so each ROI can be worked out.
      ...(campaignId && currency === CAMPAIGN_CURRENCY ? { campaignId } : {}),
    };
    const quote: Quote | undefined = quoteTotal
      ? {
          ...base(Math.max(createdMs, Date.parse(last.at) - random.int(2, 10) * DAY_MS), owner),
          updatedAt: last.at,
          version: 3,
          dealId: deal.id,
          status: 'accepted',
          currency,
          lines: quoteTotal.lines,
          subtotal: quoteTotal.subtotal,
          discount: quoteTotal.discount,
          total: quoteTotal.total,
          validUntil: dateOnly(Date.parse(last.at) + 30 * DAY_MS),
          sentAt: iso(Date.parse(last.at) - random.int(1, 2) * DAY_MS),
          acceptedAt: last.at,
        }
      : undefined;
    const planned: PlannedDeal = { deal, path, ...(quote ? { quote } : {}) };
    deals.push(planned);
    return planned;
  };

  // Leads from every source; about a third convert into a contact, a company and a deal.
  const leads: Lead[] = [];
  for (let n = 0; n < counts.leads; n++) {
    const createdMs = momentInHistory();
    const owner = seller();
    const source = random.weighted(leadSourceWeights);
    const country = random.weighted(countries.map((entry) => [entry, entry.weight] as const));
    const firstName = random.pick(firstNames);
    const lastName = random.pick(lastNames);
    const companyName = `${random.pick(companyWords.first)} ${random.pick(companyWords.second)}`;
    const answered = source === 'campaign' ? campaignBefore(createdMs) : undefined;
    const lead: Lead = {
      ...base(createdMs, owner),
      firstName,
      lastName,
      email: `${slug(firstName)}.${slug(lastName)}.${n}${suffix}@leads.example`.replace(/-/g, ''),
      companyName,
      source,
      country: country.code,
      status: random.weighted([
        ['new', 3],
        ['contacted', 3],
        ['qualified', 2],
        ['disqualified', 2],
      ] as const),
      ...(answered && country.currency === CAMPAIGN_CURRENCY ? { campaignId: answered.id } : {}),
    };
    const convertMs = createdMs + random.int(1, 45) * DAY_MS + random.int(0, 6 * HOUR_MS);
    if (convertMs < nowMs - HOUR_MS && random.chance(0.35)) {
      const company: Company = {
        ...base(convertMs, owner),
        name: `${companyName} ${n}${suffix}`,
        country: country.code,
        industry: random.pick(industries),
        tags: [],
        customFields: {},
      };
      companies.push(company);
      countryOf.set(company.id, country);
      const contact = newContact(company, convertMs, owner.id);
      const planned = newDeal(convertMs, owner, company, [contact.id], source, lead.campaignId);
      Object.assign(lead, {
        status: 'converted',
        convertedAt: iso(convertMs),
        updatedAt: iso(convertMs),
        version: 2,
        contactId: contact.id,
        companyId: company.id,
        dealId: planned.deal.id,
      });
    }
    leads.push(lead);
  }

  // Deals of existing customers.
  const originalCompanies = companies.slice(0, counts.companies);
  while (deals.length < counts.deals + leads.filter((lead) => lead.dealId).length) {
    const company = random.pick(originalCompanies);
    const people = contactsOf.get(company.id) ?? [];
    const createdMs = Math.max(Date.parse(company.createdAt), momentInHistory());
    // A customer often asks for more in the weeks after a campaign reached them.
    const answered = campaignBefore(createdMs);
    const source =
      answered && random.chance(0.3) ? ('campaign' as const) : random.weighted(leadSourceWeights);
    const owner = users.find((user) => user.id === company.ownerId) ?? seller();
    newDeal(
      createdMs,
      random.chance(0.8) ? owner : seller(),
      company,
      random.sample(people, random.int(1, 2)).map((person) => person.id),
      source,
      source === 'campaign' ? answered?.id : undefined,
    );
  }

  // Activities around deals and contacts: most done; every sixth one is recent, alternately
  // overdue (due days ago, still open) and upcoming (due in the days ahead).
  const activities: Activity[] = [];
  for (let n = 0; n < counts.activities; n++) {
    const recent = n % 6 === 0 ? (n % 12 === 0 ? 'overdue' : 'upcoming') : undefined;
    const onDeal = random.chance(0.6) && deals.length > 0;
    const openDeals = deals.filter((planned) => planned.deal.status === 'open');
    const target = onDeal
      ? random.pick(recent && openDeals.length > 0 ? openDeals : deals).deal
      : random.pick(contacts);
    const related: Related = { type: onDeal ? 'deal' : 'contact', id: target.id };
    const fromMs = Date.parse(target.createdAt);
    const untilMs = onDeal && 'closedAt' in target && target.closedAt ? Date.parse(target.closedAt) : nowMs;
    const type = recent
      ? random.pick(['task', 'call', 'meeting'] as const)
      : random.weighted([
          ['task', 4],
          ['call', 4],
          ['meeting', 2],
          ['email', 3],
          ['note', 1],
        ] as const);
    const createdMs = recent
      ? Math.max(fromMs, nowMs - random.int(2, 12) * DAY_MS)
      : fromMs + random.next() * Math.max(0, untilMs - fromMs);
    const dueMs =
      recent === 'overdue'
        ? Math.max(createdMs + HOUR_MS, nowMs - random.int(1, 5) * DAY_MS)
        : recent === 'upcoming'
          ? nowMs + random.int(1, 10) * DAY_MS
          : createdMs + random.int(0, 10) * DAY_MS + random.int(1, 8) * HOUR_MS;
    const owner = users.find((user) => user.id === target.ownerId) ?? seller();
    const logged = type === 'note' || type === 'email';
    // About a third of the logged emails are the contact's replies.
    const inbound = type === 'email' && random.chance(0.35);
    const done = logged || (!recent && dueMs < nowMs && random.chance(0.9));
    const completedMs = logged
      ? createdMs
      : Math.max(createdMs, Math.min(nowMs - 60_000, dueMs + random.int(-2, 24) * HOUR_MS));
    activities.push({
      ...base(createdMs, owner),
      ...(done && !logged ? { updatedAt: iso(completedMs), version: 2 } : {}),
      type,
      subject: random.pick(activitySubjects[type]),
      ...(logged ? {} : { dueAt: iso(dueMs) }),
      ...(type === 'call' || type === 'meeting' ? { durationMin: random.pick([15, 30, 45, 60]) } : {}),
      assigneeId: owner.id,
      related,
      relatedKey: relatedKeyOf(related),
      // The related record's company, as the API keeps it (the customers report counts it there).
      ...(target.companyId ? { companyId: target.companyId } : {}),
      ...(type === 'email' ? { direction: inbound ? ('inbound' as const) : ('outbound' as const) } : {}),
      status: done ? 'done' : 'open',
      ...(done ? { completedAt: iso(completedMs) } : {}),
      reminderState: 'none',
    });
  }

  // Cases of every type; some breach their SLA, most resolved ones get a CSAT answer.
  const cases: Case[] = [];
  const withCompany = contacts.filter((contact) => contact.companyId);
  for (let n = 0; n < counts.cases; n++) {
    const contact = random.pick(withCompany.length > 0 ? withCompany : contacts);
    const type: CaseType = caseTypes[n % caseTypes.length] as CaseType;
    const priority: CasePriority = random.weighted([
      ['low', 2],
      ['normal', 5],
      ['high', 2],
      ['urgent', 1],
    ] as const);
    const createdMs = Math.max(Date.parse(contact.createdAt), momentInHistory());
    const owner = users.find((user) => user.id === contact.ownerId) ?? seller();
    const startAt = iso(createdMs);
    const dueAt = slaDueAt(startAt, priority, defaultSlaHours);
    const hours = defaultSlaHours[priority] * (0.2 + random.next() ** 1.5 * 2.2);
    const resolvedMs = createdMs + hours * HOUR_MS;
    const resolved = resolvedMs < nowMs && random.chance(0.92);
    const breached = resolved ? resolvedMs > Date.parse(dueAt) : Date.parse(dueAt) < nowMs;
    const answered = resolved && random.chance(0.6);
    const score = breached
      ? random.weighted([
          [1, 3],
          [2, 3],
          [3, 3],
          [4, 2],
          [5, 1],
        ] as const)
      : random.weighted([
          [2, 1],
          [3, 2],
          [4, 4],
          [5, 6],
        ] as const);
    const closed = resolved && resolvedMs < nowMs - 7 * DAY_MS;
    cases.push({
      ...base(createdMs, owner),
      ...(resolved ? { updatedAt: iso(answered ? resolvedMs + 3 * HOUR_MS : resolvedMs), version: 3 } : {}),
      subject: random.pick(caseSubjects[type]),
      type,
      priority,
      channel: random.pick(['web', 'email', 'phone', 'chat', 'in_person'] as readonly CaseChannel[]),
      status: resolved ? (closed ? 'closed' : 'resolved') : random.pick(['new', 'open', 'pending'] as const),
      contactId: contact.id,
      ...(contact.companyId ? { companyId: contact.companyId } : {}),
      assigneeId: owner.id,
      slaStartAt: startAt,
      slaDueAt: dueAt,
      ...(breached ? { slaBreachedAt: dueAt } : {}),
      ...(resolved ? { resolution: 'Solved with the customer', resolvedAt: iso(resolvedMs) } : {}),
      ...(closed ? { closedAt: iso(resolvedMs + 7 * DAY_MS) } : {}),
      ...(answered
        ? {
            csatScore: score,
            csatAt: iso(resolvedMs + 3 * HOUR_MS),
            ...(random.chance(0.5) ? { csatComment: random.pick(csatComments) } : {}),
          }
        : {}),
    });
  }

  // The newsletter campaigns, oldest first, each to the subscribers of its day. People keep
  // their habits (an interest drawn once per contact), and some companies cool off lately,
  // so their engagement falls.
  const interest = new Map(contacts.map((contact) => [contact.id, random.next()]));
  const cooling = new Set(companies.filter(() => random.chance(0.35)).map((company) => company.id));
  const optedOut = new Set<string>();
  const manager = users.find((user) => user.role === 'manager') ?? (users[0] as SeedUser);
  const campaigns = sends.map(({ sentMs: campaignSentMs, name, id }): PlannedCampaign => {
    const recipients = contacts.filter(
      (contact) =>
        contact.tags.includes(input.campaign.tag) &&
        contact.marketingStatus === 'subscribed' &&
        !optedOut.has(contact.id) &&
        Date.parse(contact.createdAt) < campaignSentMs,
    );
    const recent = nowMs - campaignSentMs < 90 * DAY_MS;
    const deliveries = recipients.map((contact, index): PlannedDelivery => {
      const sentMs = campaignSentMs + index * 250;
      const sentAt = iso(sentMs);
      const who = {
        contactId: contact.id,
        email: contact.email as string,
        ...(contact.companyId ? { companyId: contact.companyId } : {}),
        sentAt,
      };
      if (random.chance(0.03)) {
        optedOut.add(contact.id);
        return { ...who, bouncedAt: iso(sentMs + 4000) };
      }
      const deliveredMs = sentMs + random.int(2, 30) * 1000;
      const machineMs = random.chance(0.25) ? deliveredMs + random.int(1, 8) * 1000 : undefined;
      const cooled = recent && contact.companyId !== undefined && cooling.has(contact.companyId);
      const openChance = (0.12 + 0.6 * (interest.get(contact.id) ?? 0.5)) * (cooled ? 0.2 : 1);
      const openMs = random.chance(openChance)
        ? deliveredMs + random.next() ** 3 * 4 * DAY_MS + 60_000
        : undefined;
      const clickMs =
        openMs !== undefined && random.chance(0.35) ? openMs + random.int(10, 600) * 1000 : undefined;
      const unsubscribeMs = openMs !== undefined && random.chance(0.04) ? openMs + 120_000 : undefined;
      if (unsubscribeMs !== undefined) optedOut.add(contact.id);
      return {
        ...who,
        deliveredAt: iso(deliveredMs),
        ...(machineMs !== undefined ? { machineOpenedAt: iso(machineMs) } : {}),
        ...(openMs !== undefined ? { openedAt: iso(openMs) } : {}),
        ...(clickMs !== undefined ? { clickedAt: iso(clickMs) } : {}),
        ...(unsubscribeMs !== undefined ? { unsubscribedAt: iso(unsubscribeMs) } : {}),
      };
    });
    const lastSentMs = campaignSentMs + Math.max(0, deliveries.length - 1) * 250;
    // Design and list costs of about ten euros a recipient; the cost lands near the budget.
    const budget = roundTens(deliveries.length * random.int(8, 14));
    const record: Campaign = {
      ...base(campaignSentMs - DAY_MS, manager),
      id,
      updatedAt: iso(lastSentMs + 60_000),
      version: 4,
      name: `${name}${input.batch > 1 ? ` ${input.batch}` : ''}`,
      templateId: input.campaign.templateId,
      segmentId: input.campaign.segmentId,
      fromEmail: 'sales@acme.example',
      fromName: 'Acme Sales',
      budget,
      cost: Math.round(budget * (0.75 + random.next() * 0.3) * 100) / 100,
      currency: CAMPAIGN_CURRENCY,
      status: 'sent',
      scheduledAt: iso(campaignSentMs),
      startedAt: iso(campaignSentMs),
      completedAt: iso(lastSentMs + 60_000),
      recipientCount: deliveries.length,
      snapshot: input.campaign.snapshot,
    };
    return { record, deliveries };
  });

  return {
    companies,
    contacts,
    products,
    leads,
    deals,
    activities,
    cases,
    campaigns,
  };
}
