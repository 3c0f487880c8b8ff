import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ReportAggregate } from '#shared/domain/reports/aggregate';
import { type ApiClient, eventually } from '../support/api.ts';
import { useTestTable } from '../support/dynamo.ts';
import { routeFor, shapeErrors } from '../support/response-shape.ts';
import { listAll } from './report-replay.ts';
import { createWorld, unique, type World } from './world.ts';

/**
 * POST /admin/reports/rebuild against the local runtime: on a settled tenant
 * the stream's aggregates equal the rebuild (no drift); aggregates damaged by
 * hand are reported and corrected, so the reports again show what the records
 * (listed through the API, independently) say; a second rebuild finds nothing;
 * the background run does the same, page by page, once however its messages
 * are duplicated or cut short.
 */
let world: World;
let store: {
  client: typeof import('#shared/store/client');
  keys: typeof import('#shared/store/keys');
  jobs: typeof import('#shared/store/report-rebuild-jobs');
  rebuild: typeof import('#shared/store/report-rebuild');
};

beforeAll(async () => {
  useTestTable();
  store = {
    client: await import('#shared/store/client'),
    keys: await import('#shared/store/keys'),
    jobs: await import('#shared/store/report-rebuild-jobs'),
    rebuild: await import('#shared/store/report-rebuild'),
  };
  world = await createWorld();
});

/** The overview recomputed from the live records the API lists. */
async function expectedOverview(client: ApiClient) {
  const count = async (path: string) => (await listAll(client, path)).length;
  const deals = await listAll(client, '/deals');
  const open: Record<string, number> = {};
  for (const deal of deals) {
    if (deal.status !== 'open' || typeof deal.amount !== 'number' || typeof deal.currency !== 'string')
      continue;
    open[deal.currency] = (open[deal.currency] ?? 0) + Math.round(deal.amount * 100);
  }
  return {
    contacts: await count('/contacts'),
    companies: await count('/companies'),
    teams: await count('/teams'),
    users: await count('/users'),
    leads: await count('/leads'),
    deals: deals.length,
    openPipelineAmount: Object.fromEntries(Object.entries(open).map(([c, minor]) => [c, minor / 100])),
  };
}

/** Adds to a stored aggregate item on one shard, as a lost or doubled stream update would. */
async function damage(
  tenantId: string,
  report: string,
  shard: number,
  key: string,
  add: Record<string, number>,
) {
  const names = Object.keys(add);
  await store.client.dynamo.send(
    new UpdateCommand({
      TableName: process.env.TABLE_NAME,
      Key: store.keys.reportAggregateKey(tenantId, report, shard, key),
      UpdateExpression: `SET entity = :entity, tenantId = :tenant, report = :report ADD ${names
        .map((_, n) => `#c${n} :c${n}`)
        .join(', ')}`,
      ExpressionAttributeNames: Object.fromEntries(names.map((name, n) => [`#c${n}`, name])),
      ExpressionAttributeValues: {
        ':entity': 'report-aggregate',
        ':tenant': tenantId,
        ':report': report,
        ...Object.fromEntries(names.map((name, n) => [`:c${n}`, add[name]])),
      },
    }),
  );
}

async function settled(client: ApiClient) {
  await eventually(async () => {
    expect((await client.get('/reports/overview')).body).toEqual(await expectedOverview(client));
  });
}

async function seed(client: ApiClient) {
  const pipeline = (await client.get('/pipelines')).body.items[0];
  const won = pipeline.stages.find((stage: { kind: string }) => stage.kind === 'won').id;
  const company = (await client.post('/companies', { name: unique('Rebuild Co') })).body.id;
  for (let n = 0; n < 3; n++)
    await client.post('/contacts', {
      firstName: 'R',
      email: `${unique('rebuild')}@example.com`,
      companyId: company,
    });
  const gone = (await client.post('/contacts', { firstName: 'Gone', email: `${unique('gone')}@example.com` }))
    .body.id;
  expect((await client.delete(`/contacts/${gone}`)).status).toBe(204);
  const sold = (await client.post('/deals', { name: unique('Sold'), amount: 10.5, currency: 'EUR' })).body.id;
  expect((await client.patch(`/deals/${sold}`, { stageId: won })).status).toBe(200);
  await client.post('/deals', { name: unique('Open'), amount: 3, currency: 'USD' });
  await client.post('/leads', { firstName: 'L', email: `${unique('lead')}@example.com` });
}

type Drift = { report: string; key: string; was: Record<string, number>; now: Record<string, number> };

/** The drift two damages leave: overview contacts +5 on shard 2, a phantom sales day on shard 1. */
async function damageTwice(tenantId: string, client: ApiClient): Promise<(drifted: Drift[]) => void> {
  const overview = await expectedOverview(client);
  await damage(tenantId, 'overview', 2, 'overview', { contacts: 5 });
  await damage(tenantId, 'sales', 1, 'month#2001-01-01', { count: 3 });
  return (drifted) => {
    expect(drifted.map(({ report, key }) => ({ report, key }))).toEqual([
      { report: 'overview', key: 'overview' },
      { report: 'sales', key: 'month#2001-01-01' },
    ]);
    const [first, second] = drifted as [Drift, Drift];
    expect(first.now.contacts).toBe(overview.contacts);
    expect(first.was.contacts).toBe(overview.contacts + 5);
    expect({ ...first.was, contacts: 0 }).toEqual({ ...first.now, contacts: 0 });
    expect(second).toEqual({ report: 'sales', key: 'month#2001-01-01', was: { count: 3 }, now: {} });
  };
}

describe('report rebuild', () => {
  it('finds no drift on a settled tenant, corrects damaged aggregates, then finds none again', async () => {
    const { admin, tenant } = world;
    await seed(admin.client);
    await settled(admin.client);

    const clean = await admin.client.post('/admin/reports/rebuild');
    expect(clean.status, clean.text).toBe(200);
    expect(clean.body.drifted).toEqual([]);
    expect(clean.body.aggregatesChecked).toBeGreaterThan(1);

    const check = await damageTwice(tenant, admin.client);
    const damaged = await admin.client.post('/admin/reports/rebuild');
    expect(damaged.status, damaged.text).toBe(200);
    check(damaged.body.drifted);
    expect(damaged.body.aggregatesChecked).toBe(clean.body.aggregatesChecked + 1);
    expect(shapeErrors(routeFor('POST', '/admin/reports/rebuild'), damaged.body)).toEqual([]);

    expect((await admin.client.get('/reports/overview')).body).toEqual(await expectedOverview(admin.client));
    const sales = await admin.client.get('/reports/sales?from=2001-01-01&to=2001-12-31');
    expect(sales.body.items).toEqual([]);
    const again = await admin.client.post('/admin/reports/rebuild');
    expect(again.body).toEqual({ aggregatesChecked: clean.body.aggregatesChecked, drifted: [] });
  });

  it('corrects drift once when two admins rebuild at the same moment: one at a time per tenant', async () => {
    const { admin, tenant } = world;
    await settled(admin.client);
    await damage(tenant, 'overview', 3, 'overview', { contacts: 7 });
    const answers = await Promise.all([
      admin.client.post('/admin/reports/rebuild'),
      admin.client.post('/admin/reports/rebuild'),
      admin.client.post('/admin/reports/rebuild?async=true'),
    ]);
    for (const answer of answers) expect([200, 202, 409], answer.text).toContain(answer.status);
    const refused = answers.filter((answer) => answer.status === 409);
    for (const answer of refused)
      expect(answer.headers.get('content-type')).toContain('application/problem+json');
    const job = answers.find((answer) => answer.status === 202)?.body.id as string;
    await eventually(async () =>
      expect((await admin.client.get(`/admin/reports/rebuild/${job}`)).body.status).toBe('done'),
    );
    // However the three interleaved, the overview is corrected once: it equals the records.
    expect((await admin.client.get('/reports/overview')).body).toEqual(await expectedOverview(admin.client));
    expect((await admin.client.post('/admin/reports/rebuild')).body.drifted).toEqual([]);
  });

  it('runs in the background on request: 202, then the job reports the same drift once', async () => {
    const { admin, tenant } = world;
    await settled(admin.client);
    const check = await damageTwice(tenant, admin.client);
    const started = await admin.client.post('/admin/reports/rebuild?async=true');
    expect(started.status, started.text).toBe(202);
    expect(started.body).toEqual({ id: expect.any(String), status: 'running' });
    expect(started.headers.get('location')).toBe(`/admin/reports/rebuild/${started.body.id}`);
    const job = await eventually(async () => {
      const response = await admin.client.get(`/admin/reports/rebuild/${started.body.id}`);
      expect(response.status, response.text).toBe(200);
      expect(response.body.status).toBe('done');
      return response.body;
    });
    check(job.drifted);
    expect(shapeErrors(routeFor('GET', `/admin/reports/rebuild/${job.id}`), job)).toEqual([]);
    expect(shapeErrors(routeFor('POST', '/admin/reports/rebuild'), started.body)).toEqual([]);
    expect((await admin.client.get('/reports/overview')).body).toEqual(await expectedOverview(admin.client));
    // A duplicate of the job's message finds it finished and changes nothing.
    expect(await store.jobs.runRebuildJob({ tenantId: tenant, jobId: job.id })).toBe('busy');
    expect((await admin.client.post('/admin/reports/rebuild')).body.drifted).toEqual([]);
  });

  it('resumes a job cut short after every page, and lets one of two racing workers run it', async () => {
    const { admin, tenant } = world;
    await settled(admin.client);
    const check = await damageTwice(tenant, admin.client);
    const { id } = await store.jobs.createRebuildJob(tenant, admin.id);
    // Each run has time for one page only: the job goes on from its cursor on the next.
    let runs = 0;
    for (;;) {
      let budget = 2;
      const outcome = await store.jobs.runRebuildJob(
        { tenantId: tenant, jobId: id },
        { remainingMs: () => (budget-- > 1 ? 60_000 : 0), marginMs: 1 },
      );
      runs++;
      if (outcome === 'done') break;
      expect(outcome).toBe('continue');
      expect(runs).toBeLessThan(500);
    }
    expect(runs).toBeGreaterThan(5);
    const view = await store.jobs.getRebuildJob(tenant, id);
    expect(view?.status).toBe('done');
    check(view?.drifted ?? []);

    const racing = await damageTwice(tenant, admin.client);
    const second = await store.jobs.createRebuildJob(tenant, admin.id);
    const message = { tenantId: tenant, jobId: second.id };
    const outcomes = await Promise.all([
      store.jobs.runRebuildJob(message),
      store.jobs.runRebuildJob(message),
    ]);
    expect(outcomes.sort()).toEqual(['busy', 'done']);
    racing((await store.jobs.getRebuildJob(tenant, second.id))?.drifted ?? []);
    expect((await admin.client.get('/reports/overview')).body).toEqual(await expectedOverview(admin.client));
  });

  it('is for admins only, validates its query, and keeps to the caller tenant', async () => {
    const { admin, managerRed, repRed, stranger, tenant } = world;
    for (const who of [managerRed, repRed]) {
      const refused = await who.client.post('/admin/reports/rebuild');
      expect(refused.status).toBe(403);
      expect(refused.headers.get('content-type')).toContain('application/problem+json');
    }
    for (const query of ['async=maybe', 'async=', 'other=1']) {
      const response = await admin.client.post(`/admin/reports/rebuild?${query}`);
      expect(response.status, query).toBe(400);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
    }
    const started = await admin.client.post('/admin/reports/rebuild?async=true');
    expect(started.status).toBe(202);
    expect((await stranger.client.get(`/admin/reports/rebuild/${started.body.id}`)).status).toBe(404);
    expect((await managerRed.client.get(`/admin/reports/rebuild/${started.body.id}`)).status).toBe(403);
    for (const id of ['01J0000000000000000000000A', 'not-an-id', '..%2F..']) {
      const missing = await admin.client.get(`/admin/reports/rebuild/${id}`);
      expect(missing.status, id).toBe(404);
      expect(missing.headers.get('content-type')).toContain('application/problem+json');
    }
    await eventually(async () => {
      expect((await admin.client.get(`/admin/reports/rebuild/${started.body.id}`)).body.status).toBe('done');
    });
    // Another tenant's rebuild neither sees nor corrects this tenant's aggregates.
    await settled(admin.client);
    await damage(tenant, 'overview', 3, 'overview', { contacts: 1 });
    const theirs = await stranger.client.post('/admin/reports/rebuild');
    expect(theirs.status).toBe(200);
    expect(theirs.body.drifted).toEqual([]);
    const ours = await admin.client.post('/admin/reports/rebuild');
    expect(ours.body.drifted).toHaveLength(1);
    expect(ours.body.drifted[0].was.contacts - ours.body.drifted[0].now.contacts).toBe(1);
  });

  it('reads every live and archived record and the facts kept beside them, across pages of parents', async () => {
    // A tenant of its own, so the counts below are this test's alone.
    const fresh = await createWorld();
    const client = fresh.admin.client;
    const probeTenant = fresh.tenant;
    const pipeline = (await client.get('/pipelines')).body.items[0];
    const stage = (kind: string) => pipeline.stages.find((s: { kind: string }) => s.kind === kind).id;
    // 30 deals (more than one page of parents), half of them won, every fifth archived.
    const deals: string[] = [];
    for (let n = 0; n < 30; n++) {
      const id = (await client.post('/deals', { name: unique('Paged'), amount: n, currency: 'EUR' })).body.id;
      expect((await client.patch(`/deals/${id}`, { stageId: stage(n % 2 ? 'won' : 'open') })).status).toBe(
        200,
      );
      if (n % 5 === 0) expect((await client.delete(`/deals/${id}`)).status).toBe(204);
      deals.push(id);
    }
    let history = 0;
    for (const id of deals) history += (await listAll(client, `/deals/${id}/history`)).length;
    // Deliveries and engagement written as the send and tracking paths write them.
    const template = (
      await client.post('/templates', { name: unique('T'), subject: 'Hi', html: '<p>Hi</p>' })
    ).body.id;
    const segment = (
      await client.post('/segments', {
        name: unique('S'),
        filter: { all: [{ field: 'country', op: 'eq', value: 'ES' }] },
      })
    ).body.id;
    const campaign = (
      await client.post('/campaigns', {
        name: unique('C'),
        templateId: template,
        segmentId: segment,
        fromEmail: 'a@example.com',
      })
    ).body.id;
    const sequence = (
      await client.post('/sequences', { name: unique('Q'), steps: [{ delayHours: 1, templateId: template }] })
    ).body.id;
    const put = (Item: Record<string, unknown>) =>
      store.client.dynamo.send(new PutCommand({ TableName: process.env.TABLE_NAME, Item }));
    for (let n = 0; n < 3; n++)
      await put({
        pk: store.keys.campaignRecipientsPk(probeTenant, campaign),
        sk: `contact-${n}`,
        entity: 'delivery',
        tenantId: probeTenant,
      });
    for (let n = 0; n < 2; n++)
      await put({
        pk: store.keys.sequenceDeliveriesPk(probeTenant, sequence),
        sk: store.keys.sequenceDeliverySk(`contact-${n}`, 0),
        entity: 'delivery',
        tenantId: probeTenant,
      });
    for (const kind of ['opened', 'clicked'] as const)
      await put({
        pk: store.keys.engagementPk(probeTenant, campaign, kind),
        sk: 'contact-0',
        entity: 'engagement',
        tenantId: probeTenant,
      });

    const probe = (entity: string): ReportAggregate => ({
      report: `probe-${entity}`,
      entities: [entity],
      contribute: (image) =>
        image.entity === entity ? [{ report: `probe-${entity}`, key: 'all', counters: { count: 1 } }] : [],
    });
    const { sums } = await store.rebuild.recomputeAggregates(
      probeTenant,
      ['deal', 'deal-history', 'delivery', 'engagement'].map(probe),
    );
    expect(Object.fromEntries(sums.map((sum) => [sum.report, sum.counters.count]))).toEqual({
      'probe-deal': 30,
      'probe-deal-history': history,
      'probe-delivery': 5,
      'probe-engagement': 2,
    });
    expect(history).toBeGreaterThanOrEqual(30);
  });

  it('marks a job failed after repeated failed runs, each reported to the queue for a retry', async () => {
    const { admin, tenant } = world;
    const { handler } = await import('#functions/queue/reportRebuild');
    const { id } = await store.jobs.createRebuildJob(tenant, admin.id);
    // A cursor no run can read: every run fails the same way.
    await store.client.dynamo.send(
      new UpdateCommand({
        TableName: process.env.TABLE_NAME,
        Key: store.keys.rebuildJobKey(tenant, id),
        UpdateExpression: 'SET #cursor = :broken',
        ExpressionAttributeNames: { '#cursor': 'cursor' },
        ExpressionAttributeValues: { ':broken': '{not json' },
      }),
    );
    const message = (body: string, messageId: string) =>
      ({ Records: [{ messageId, body }] }) as unknown as import('aws-lambda').SQSEvent;
    for (let run = 1; run <= store.jobs.MAX_REBUILD_FAILURES; run++) {
      const response = await handler(message(JSON.stringify({ tenantId: tenant, jobId: id }), `m${run}`));
      expect(response.batchItemFailures).toEqual([{ itemIdentifier: `m${run}` }]);
      const status = (await admin.client.get(`/admin/reports/rebuild/${id}`)).body.status;
      expect(status).toBe(run < store.jobs.MAX_REBUILD_FAILURES ? 'running' : 'failed');
    }
    // A failed job is finished: another message changes nothing; an unreadable one is dropped.
    const after = await handler(message(JSON.stringify({ tenantId: tenant, jobId: id }), 'late'));
    expect(after.batchItemFailures).toEqual([]);
    expect((await handler(message('{"tenantId":"../x"}', 'junk'))).batchItemFailures).toEqual([]);
    expect((await admin.client.get(`/admin/reports/rebuild/${id}`)).body).toEqual({ id, status: 'failed' });
  });
});
