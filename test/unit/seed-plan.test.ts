import { describe, expect, it } from 'vitest';
import { caseTypes } from '#shared/domain/cases';
import { leadSources } from '#shared/domain/leads';
import { defaultStageSpecs } from '#shared/domain/pipeline';
import type { Pipeline } from '#shared/domain/records';
import { buildSeedPlan, type PlanInput, type SeedPlan, type SeedScale } from '../../infra/local/seed/plan.ts';
import { seededRandom } from '../../infra/local/seed/random.ts';

const DAY_MS = 86_400_000;
const now = new Date('2026-06-15T12:00:00.000Z');

const pipeline: Pipeline = {
  id: 'pipeline',
  createdAt: '2020-01-01T00:00:00.000Z',
  updatedAt: '2020-01-01T00:00:00.000Z',
  version: 1,
  ownerId: 'admin',
  archived: false,
  name: 'Sales',
  stages: defaultStageSpecs.map((stage) => ({ ...stage, id: `stage-${stage.name}` })),
};

const users: PlanInput['users'] = [
  { id: 'manager-1', name: 'Clara Nilsson', teamId: 'team-1', role: 'manager' },
  { id: 'rep-1', name: 'Jonas Weber', teamId: 'team-1', role: 'rep' },
  { id: 'manager-2', name: 'Clara Nilsson', teamId: 'team-2', role: 'manager' },
  { id: 'rep-2', name: 'Lucía Ortega', teamId: 'team-2', role: 'rep' },
];

function plan(scale: SeedScale, seed = 1, batch = 1): SeedPlan {
  return buildSeedPlan({
    tenantId: 'tenant',
    scale,
    batch,
    now,
    random: seededRandom(seed),
    users,
    pipeline,
    campaign: {
      templateId: 'template',
      segmentId: 'segment',
      tag: 'newsletter',
      snapshot: {
        template: { name: 'Offer', subject: 'Offer', html: '<p>Offer</p>' },
        segment: {
          name: 'Readers',
          filter: { all: [{ field: 'tags', op: 'contains', value: 'newsletter' }] },
        },
      },
    },
  });
}

/** What a plan says, without the ids (random per run, as ULIDs are). */
const shape = (built: SeedPlan) => ({
  deals: built.deals.map(({ deal }) => [
    deal.createdAt,
    deal.status,
    deal.amount,
    deal.currency,
    deal.closedAt,
  ]),
  leads: built.leads.map((lead) => [lead.createdAt, lead.source, lead.status, lead.convertedAt]),
  cases: built.cases.map((record) => [record.createdAt, record.type, record.status, record.csatScore]),
});

const at = (iso: string | undefined) => Date.parse(iso as string);

describe('the seed plan', () => {
  const built = plan('default');

  it('is the same history for the same seed and another for another seed', () => {
    expect(shape(plan('small', 5))).toEqual(shape(plan('small', 5)));
    expect(shape(plan('small', 6))).not.toEqual(shape(plan('small', 5)));
  });

  it('spreads the records over the two years before now, both years well filled', () => {
    const created = [...built.companies, ...built.contacts, ...built.leads, ...built.cases].map((record) =>
      at(record.createdAt),
    );
    expect(Math.min(...created)).toBeGreaterThanOrEqual(now.getTime() - 731 * DAY_MS);
    expect(Math.max(...created)).toBeLessThanOrEqual(now.getTime());
    const firstYear = created.filter((ms) => ms < now.getTime() - 365 * DAY_MS).length;
    expect(firstYear / created.length).toBeGreaterThan(0.25);
    expect(firstYear / created.length).toBeLessThan(0.5);
  });

  it('walks every deal through the pipeline in order, closed after created and before now', () => {
    const order = pipeline.stages.map((stage) => stage.id);
    for (const { deal, path } of built.deals) {
      expect(path[0]?.stage.name).toBe('prospecting');
      expect(path.at(-1)?.stage.id).toBe(deal.stageId);
      expect(path.map((step) => at(step.at))).toEqual(
        [...path.map((step) => at(step.at))].sort((a, b) => a - b),
      );
      const opened = path
        .filter((step) => step.stage.kind === 'open')
        .map((step) => order.indexOf(step.stage.id));
      expect(opened).toEqual(opened.map((_, index) => index));
      if (deal.status === 'open') expect(deal.closedAt).toBeUndefined();
      else {
        expect(at(deal.closedAt)).toBeGreaterThan(at(deal.createdAt));
        expect(at(deal.closedAt)).toBeLessThanOrEqual(now.getTime());
      }
      if (deal.status === 'lost') expect(deal.lostReason).toEqual(expect.any(String));
    }
    const statuses = new Set(built.deals.map(({ deal }) => deal.status));
    expect([...statuses].sort()).toEqual(['lost', 'open', 'won']);
  });

  it("takes a quoted deal's amount and product lines from its accepted quote", () => {
    const quoted = built.deals.filter((planned) => planned.quote);
    expect(quoted.length).toBeGreaterThan(10);
    for (const { deal, quote } of quoted) {
      expect(deal.status).toBe('won');
      expect(quote).toMatchObject({
        status: 'accepted',
        dealId: deal.id,
        total: deal.amount,
        acceptedAt: deal.closedAt,
      });
      const lines = (deal as { productLines?: { productId: string; total: number }[] }).productLines ?? [];
      expect(Math.round(lines.reduce((sum, line) => sum + line.total * 100, 0))).toBe(
        Math.round((deal.amount as number) * 100),
      );
      expect(new Set(lines.map((line) => line.productId))).toEqual(new Set(deal.productIds));
    }
  });

  it('has leads from every source, converted ones pointing at what their conversion made', () => {
    expect(new Set(built.leads.map((lead) => lead.source))).toEqual(new Set(leadSources));
    const contacts = new Set(built.contacts.map((contact) => contact.id));
    const deals = new Map(built.deals.map(({ deal }) => [deal.id, deal]));
    const converted = built.leads.filter((lead) => lead.status === 'converted');
    expect(converted.length).toBeGreaterThan(20);
    for (const lead of converted) {
      expect(at(lead.convertedAt)).toBeGreaterThan(at(lead.createdAt));
      expect(contacts.has(lead.contactId as string)).toBe(true);
      expect(deals.get(lead.dealId as string)?.createdAt).toBe(lead.convertedAt);
    }
    // Campaign leads and deals come in the weeks after a send, in the campaigns' currency.
    const sentAt = new Map(built.campaigns.map(({ record }) => [record.id, at(record.startedAt)] as const));
    const attributed = [...built.leads, ...built.deals.map(({ deal }) => deal)].filter(
      (record) => record.campaignId !== undefined,
    );
    expect(attributed.length).toBeGreaterThan(5);
    for (const record of attributed) {
      const sent = sentAt.get(record.campaignId as string) as number;
      expect(at(record.createdAt)).toBeGreaterThanOrEqual(sent);
      expect(at(record.createdAt) - sent).toBeLessThanOrEqual(45 * 86_400_000);
      expect(record.source).toBe('campaign');
    }
    const wonFromCampaigns = built.deals.filter(({ deal }) => deal.campaignId && deal.status === 'won');
    expect(wonFromCampaigns.length).toBeGreaterThan(0);
    for (const { deal } of wonFromCampaigns) expect(deal.currency).toBe('EUR');
  });

  it('has cases of every type, SLA breaches and CSAT answers, resolved after opened', () => {
    expect(new Set(built.cases.map((record) => record.type))).toEqual(new Set(caseTypes));
    expect(built.cases.some((record) => record.slaBreachedAt)).toBe(true);
    for (const record of built.cases) {
      if (record.resolvedAt) expect(at(record.resolvedAt)).toBeGreaterThan(at(record.createdAt));
      if (record.csatScore !== undefined) {
        expect(record.resolvedAt).toBeDefined();
        expect([1, 2, 3, 4, 5]).toContain(record.csatScore);
      }
      if (record.slaBreachedAt)
        expect(at(record.resolvedAt ?? now.toISOString())).toBeGreaterThan(at(record.slaDueAt));
    }
  });

  it('has activities done, open and overdue', () => {
    const open = built.activities.filter((activity) => activity.status === 'open');
    expect(built.activities.some((activity) => activity.status === 'done')).toBe(true);
    expect(open.some((activity) => at(activity.dueAt) < now.getTime())).toBe(true);
    expect(open.some((activity) => at(activity.dueAt) > now.getTime())).toBe(true);
    for (const activity of built.activities)
      if (activity.completedAt)
        expect(at(activity.completedAt)).toBeGreaterThanOrEqual(at(activity.createdAt));
    // Each carries its related record's company, as the API writes it.
    const companyOf = new Map<string, string | undefined>([
      ...built.contacts.map((contact) => [contact.id, contact.companyId] as const),
      ...built.deals.map(({ deal }) => [deal.id, deal.companyId] as const),
    ]);
    for (const activity of built.activities)
      expect(activity.companyId).toBe(companyOf.get(activity.related?.id as string));
    expect(built.activities.some((activity) => activity.direction === 'inbound')).toBe(true);
  });

  it('sends each campaign to subscribed newsletter readers, opens and clicks after delivery', () => {
    expect(built.campaigns.length).toBeGreaterThan(2);
    const readers = new Set(
      built.contacts
        .filter((contact) => contact.tags.includes('newsletter') && contact.marketingStatus === 'subscribed')
        .map((contact) => contact.id),
    );
    const companyOf = new Map(built.contacts.map((contact) => [contact.id, contact.companyId]));
    const optedOut = new Set<string>();
    for (const { record, deliveries } of built.campaigns) {
      expect(record).toMatchObject({ status: 'sent', recipientCount: deliveries.length, currency: 'EUR' });
      expect(record.cost).toBeGreaterThan(0);
      expect(record.budget).toBeGreaterThan(0);
      // Nobody who bounced or unsubscribed from an earlier campaign gets a later one.
      for (const delivery of deliveries) expect(optedOut.has(delivery.contactId)).toBe(false);
      for (const delivery of deliveries)
        if (delivery.bouncedAt || delivery.unsubscribedAt) optedOut.add(delivery.contactId);
    }
    const deliveries = built.campaigns.flatMap((campaign) => campaign.deliveries);
    for (const delivery of deliveries) {
      expect(delivery.companyId).toBe(companyOf.get(delivery.contactId));
      expect(readers.has(delivery.contactId)).toBe(true);
      if (delivery.bouncedAt) expect(delivery.deliveredAt ?? delivery.openedAt).toBeUndefined();
      if (delivery.openedAt) expect(at(delivery.openedAt)).toBeGreaterThan(at(delivery.deliveredAt));
      if (delivery.clickedAt) expect(at(delivery.clickedAt)).toBeGreaterThan(at(delivery.openedAt));
      if (delivery.machineOpenedAt)
        expect(at(delivery.machineOpenedAt) - at(delivery.deliveredAt)).toBeLessThan(10_000);
    }
    expect(deliveries.some((delivery) => delivery.machineOpenedAt)).toBe(true);
    expect(deliveries.some((delivery) => delivery.clickedAt)).toBe(true);
    expect(deliveries.some((delivery) => delivery.bouncedAt)).toBe(true);
  });

  it('names a second batch apart: domains, emails and SKUs never collide with the first', () => {
    const uniques = (built: SeedPlan) => [
      ...built.companies.flatMap((company) => (company.domain ? [company.domain] : [])),
      ...built.contacts.map((contact) => contact.email),
      ...built.products.map((product) => product.sku),
    ];
    // The default scale repeats company names ("… 2"), which a batch suffix must not meet.
    const batches = [1, 2, 3].map((batch) => uniques(plan('default', 1, batch)));
    const all = batches.flat();
    expect(new Set(all).size).toBe(all.length);
  });
});
