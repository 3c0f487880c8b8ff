import { defaultPipeline } from '#shared/store/pipelines';
import { buildSeedPlan, type PlanInput, type SeedPlan, type SeedScale, type SeedUser } from './plan.ts';
import { type Progress, silentProgress } from './progress.ts';
import { seededRandom } from './random.ts';
import { planSize, writePlan } from './write.ts';

/**
 * `npm run seed`: two years of demo history in one tenant of a running local
 * CRM. People, teams, the campaign's template and segment go through the API
 * (their creation date does not matter); every dated record goes through the
 * store with its backdated stamps (write.ts). Then it waits until the stream
 * has counted everything (GET /reports/overview, every campaign's stats) and
 * returns what it wrote.
 *
 * A tenant is seeded once: the first team's name is the batch's marker, so
 * a second run finds it taken (409) and refuses with AlreadySeededError, which
 * names the batch number that would add a second, clearly labelled batch
 * (team "North 2", campaigns "Spring fleet offer 2" and so on, domains `...-2.example`).
 */

export interface SeedRequest {
  readonly apiUrl: string;
  /** An admin token of the tenant. */
  readonly token: string;
  /** The admin's user id (the token's `sub`): owner of the default pipeline if the seed creates it. */
  readonly adminId: string;
  readonly tenantId: string;
  readonly seed: number;
  readonly scale: SeedScale;
  readonly batch: number;
  readonly now?: Date;
  readonly progress?: (total: number) => Progress;
  /** How long to wait for the stream to count everything; default 5 minutes. */
  readonly settleTimeoutMs?: number;
  /** Sent as User-Agent on its API calls (npm start leaves its own seed's calls out of the request log). */
  readonly userAgent?: string;
  /** Aborting it stops the seed between writes and calls (npm start stopping). */
  readonly signal?: AbortSignal;
}

export interface SeedSummary {
  readonly tenantId: string;
  readonly batch: number;
  readonly teams: number;
  readonly users: number;
  readonly companies: number;
  readonly contacts: number;
  readonly products: number;
  readonly leads: number;
  readonly convertedLeads: number;
  readonly deals: {
    readonly total: number;
    readonly won: number;
    readonly lost: number;
    readonly open: number;
  };
  readonly quotes: number;
  readonly activities: number;
  readonly cases: number;
  /** The newsletter campaigns sent, oldest first, with the counts their stats reach. */
  readonly campaigns: readonly SeededCampaign[];
  /** The oldest and newest creation stamps written (ISO). */
  readonly from: string;
  readonly to: string;
  /** Seconds until the stream had counted everything. */
  readonly settledInSeconds: number;
}

export interface SeededCampaign {
  readonly id: string;
  readonly name: string;
  readonly recipients: number;
  readonly delivered: number;
  readonly clicked: number;
}

export class AlreadySeededError extends Error {
  constructor(
    readonly tenantId: string,
    readonly batch: number,
  ) {
    super(
      `Tenant ${tenantId} already holds seed batch ${batch} (its team "${teamNames(batch)[0]}" exists). ` +
        `Run with --batch ${batch + 1} to add a second, separately named batch, or seed another --tenant.`,
    );
  }
}

const teamNames = (batch: number) =>
  ['North', 'South', 'Enterprise'].map((name) => (batch > 1 ? `${name} ${batch}` : name));

/** Who works in each team: a manager and reps (a third team only at the default scale). */
const staff = [
  { first: 'Clara', last: 'Nilsson', role: 'manager' },
  { first: 'Jonas', last: 'Weber', role: 'rep' },
  { first: 'Lucía', last: 'Ortega', role: 'rep' },
  { first: 'Hannah', last: 'Brooks', role: 'rep' },
] as const;

interface ApiAnswer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

function apiClient(apiUrl: string, token: string, userAgent?: string, signal?: AbortSignal) {
  return async (method: string, path: string, body?: unknown): Promise<ApiAnswer> => {
    const response = await fetch(new URL(path, apiUrl), {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        ...(userAgent ? { 'user-agent': userAgent } : {}),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      ...(signal ? { signal } : {}),
    });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  };
}

type Call = ReturnType<typeof apiClient>;

async function expectCreated(call: Call, path: string, body: unknown): Promise<string> {
  const answer = await call('POST', path, body);
  if (answer.status !== 201 || typeof answer.body.id !== 'string')
    throw new Error(`POST ${path} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  return answer.body.id;
}

/** Teams and their people through the API; refuses when the batch's first team exists already. */
async function createPeople(
  call: Call,
  request: SeedRequest,
): Promise<{ teams: string[]; users: SeedUser[] }> {
  const names = teamNames(request.batch).slice(0, request.scale === 'small' ? 2 : 3);
  const teams: string[] = [];
  for (const name of names) {
    const answer = await call('POST', '/teams', { name });
    if (answer.status === 409) throw new AlreadySeededError(request.tenantId, request.batch);
    if (answer.status !== 201)
      throw new Error(`POST /teams answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    teams.push(answer.body.id as string);
  }
  const users: SeedUser[] = [];
  const perTeam = request.scale === 'small' ? 2 : staff.length;
  for (const [teamIndex, teamId] of teams.entries()) {
    for (const person of staff.slice(0, perTeam)) {
      const name = `${person.first} ${person.last}`;
      const label = `${person.first}.${person.last}.${teamIndex + 1}${request.batch > 1 ? `.${request.batch}` : ''}`;
      const email = `${label
        .normalize('NFD')
        .replace(/\p{Diacritic}/gu, '')
        .toLowerCase()}@${request.tenantId}.example`;
      const id = await expectCreated(call, '/users', { email, name, role: person.role, teamId });
      users.push({ id, name, teamId, role: person.role });
    }
  }
  return { teams, users };
}

/** The newsletter template and segment the campaign sent, through the API. */
async function createCampaignParts(call: Call, batch: number): Promise<PlanInput['campaign']> {
  const tag = batch > 1 ? `newsletter-${batch}` : 'newsletter';
  const template = {
    name: `Spring fleet offer${batch > 1 ? ` ${batch}` : ''}`,
    subject: 'Spring offer for {{contact.firstName}}',
    html: '<p>Hello {{contact.firstName}},</p><p><a href="https://example.com/offer">See the offer</a></p><p><a href="{{unsubscribeUrl}}">Unsubscribe</a></p>',
  };
  const segment = {
    name: `Newsletter readers${batch > 1 ? ` ${batch}` : ''}`,
    filter: { all: [{ field: 'tags', op: 'contains', value: tag }] },
  };
  const templateId = await expectCreated(call, '/templates', template);
  const segmentId = await expectCreated(call, '/segments', segment);
  return {
    templateId,
    segmentId,
    tag,
    snapshot: {
      template: { name: template.name, subject: template.subject, html: template.html },
      segment: segment as NonNullable<PlanInput['campaign']['snapshot']>['segment'],
    },
  };
}

const overviewCounts = ['contacts', 'companies', 'teams', 'users', 'leads', 'deals'] as const;
type OverviewCounts = Record<(typeof overviewCounts)[number], number>;

async function readOverview(call: Call): Promise<OverviewCounts> {
  const answer = await call('GET', '/reports/overview');
  if (answer.status !== 200) throw new Error(`GET /reports/overview answered ${answer.status}`);
  return Object.fromEntries(
    overviewCounts.map((name) => [name, Number(answer.body[name] ?? 0)]),
  ) as OverviewCounts;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Whether a campaign's stats count every recipient, delivery and click the seed wrote. */
async function campaignCounted(call: Call, campaign: SeededCampaign): Promise<boolean> {
  const stats = await call('GET', `/campaigns/${campaign.id}/stats`);
  return (
    stats.status === 200 &&
    Number(stats.body.recipients) >= campaign.recipients &&
    Number(stats.body.delivered) >= campaign.delivered &&
    Number(stats.body.clicked) >= campaign.clicked
  );
}

/**
 * Waits until the stream has counted every record written: the overview
 * shows `expected` and each campaign's stats its recipients, deliveries and
 * clicks (the last writes of a seed).
 */
async function awaitStream(
  call: Call,
  expected: OverviewCounts,
  campaigns: readonly SeededCampaign[],
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let seen: unknown;
  for (;;) {
    const overview = await readOverview(call);
    const counted = await Promise.all(campaigns.map((campaign) => campaignCounted(call, campaign)));
    seen = { overview, campaignsCounted: counted };
    if (overviewCounts.every((name) => overview[name] >= expected[name]) && counted.every(Boolean)) return;
    if (Date.now() > deadline)
      throw new Error(
        `The stream had not counted everything after ${timeoutMs / 1000} s: expected ${JSON.stringify(expected)}, saw ${JSON.stringify(seen)}`,
      );
    await pause(500);
  }
}

/** Counts of what a plan writes, and the span of its creation stamps. */
function describePlan(plan: SeedPlan) {
  const dealRecords = plan.deals.map((planned) => planned.deal);
  const stamps = [
    ...plan.companies,
    ...plan.contacts,
    ...plan.leads,
    ...dealRecords,
    ...plan.activities,
    ...plan.cases,
  ]
    .map((record) => record.createdAt)
    .sort();
  return {
    companies: plan.companies.length,
    contacts: plan.contacts.length,
    products: plan.products.length,
    leads: plan.leads.length,
    convertedLeads: plan.leads.filter((lead) => lead.status === 'converted').length,
    deals: {
      total: dealRecords.length,
      won: dealRecords.filter((deal) => deal.status === 'won').length,
      lost: dealRecords.filter((deal) => deal.status === 'lost').length,
      open: dealRecords.filter((deal) => deal.status === 'open').length,
    },
    quotes: plan.deals.filter((planned) => planned.quote).length,
    activities: plan.activities.length,
    cases: plan.cases.length,
    campaigns: plan.campaigns.map(
      ({ record, deliveries }): SeededCampaign => ({
        id: record.id,
        name: record.name,
        recipients: deliveries.length,
        delivered: deliveries.filter((delivery) => delivery.deliveredAt).length,
        clicked: deliveries.filter((delivery) => delivery.clickedAt).length,
      }),
    ),
    from: stamps[0] ?? '',
    to: stamps[stamps.length - 1] ?? '',
  };
}

export async function seedTenant(request: SeedRequest): Promise<SeedSummary> {
  const call = apiClient(request.apiUrl, request.token, request.userAgent, request.signal);
  const before = await readOverview(call);
  const { teams, users } = await createPeople(call, request);
  const campaign = await createCampaignParts(call, request.batch);
  const pipeline = await defaultPipeline(request.tenantId, request.adminId);
  const plan = buildSeedPlan({
    tenantId: request.tenantId,
    scale: request.scale,
    batch: request.batch,
    now: request.now ?? new Date(),
    random: seededRandom(request.seed),
    users,
    pipeline,
    campaign,
  });
  const progress = (request.progress ?? silentProgress)(planSize(plan));
  await writePlan(request.tenantId, pipeline, plan, (label) => {
    request.signal?.throwIfAborted();
    progress.tick(label);
  });
  progress.done('Written; waiting until the stream has counted everything...');
  const described = describePlan(plan);
  const started = Date.now();
  await awaitStream(
    call,
    {
      contacts: before.contacts + described.contacts,
      companies: before.companies + described.companies,
      teams: before.teams + teams.length,
      users: before.users + users.length,
      leads: before.leads + described.leads,
      deals: before.deals + described.deals.total,
    },
    described.campaigns,
    request.settleTimeoutMs ?? 300_000,
  );
  return {
    tenantId: request.tenantId,
    batch: request.batch,
    teams: teams.length,
    users: users.length,
    ...described,
    settledInSeconds: Math.round((Date.now() - started) / 100) / 10,
  };
}
