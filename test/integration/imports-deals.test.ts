import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { type AnyBody, type ApiClient, eventually } from '../support/api.ts';
import { useTestTable } from '../support/dynamo.ts';
import { listAll } from './report-replay.ts';
import { createWorld } from './world.ts';

/**
 * Deal imports through the whole local pipeline (POST /imports, the
 * presigned PUT, the upload event on the importChunks queue, the worker):
 * references by name, defaults as POST /deals has them, upserts by
 * externalId with their stage history, concurrency, a rep's rights and the
 * reports that read imported deals. Each test has a tenant of its own, so
 * tenant-wide figures are the test's alone.
 */
beforeAll(() => {
  useTestTable();
  process.env.AWS_ENDPOINT_URL_S3 = inject('s3Endpoint');
  process.env.IMPORTS_BUCKET = inject('importsBucket');
});

type Row = Record<string, string>;
type Stage = { id: string; name: string; kind: string; probability: number };
type Pipeline = { id: string; name: string; stages: Stage[]; isDefault: boolean };

const csvOf = (header: readonly string[], rows: readonly Row[]) =>
  [header.join(','), ...rows.map((row) => header.map((column) => row[column] ?? '').join(','))].join('\n');

async function importCsv(client: ApiClient, body: Record<string, unknown>, csv: string) {
  const started = await client.post('/imports', body);
  expect(started.status, started.text).toBe(201);
  const put = await fetch(started.body.uploadUrl, { method: 'PUT', body: csv });
  expect(put.status, await put.text()).toBe(200);
  return started.body.id as string;
}

async function finished(client: ApiClient, id: string) {
  return eventually(
    async () => {
      const response = await client.get(`/imports/${id}`);
      expect(response.status, response.text).toBe(200);
      expect(['done', 'failed']).toContain(response.body.status);
      return response.body;
    },
    { timeoutMs: 90_000, intervalMs: 200 },
  );
}

const run = async (client: ApiClient, body: Record<string, unknown>, csv: string) =>
  finished(client, await importCsv(client, { entity: 'deals', ...body }, csv));

async function errorRows(url: string): Promise<Row[]> {
  const response = await fetch(url);
  expect(response.status).toBe(200);
  return parse(await response.text(), { columns: true }) as Row[];
}

const totalsAddUp = (view: AnyBody) =>
  expect(view.processedRows).toBe(view.created + view.updated + view.skipped + view.failed);

const byExternalId = async (client: ApiClient) =>
  new Map((await listAll(client, '/deals')).map((deal) => [deal.externalId as string, deal]));

const defaultPipeline = async (client: ApiClient): Promise<Pipeline> =>
  (await client.get('/pipelines')).body.items.find((pipeline: Pipeline) => pipeline.isDefault);

const stageNamed = (pipeline: Pipeline, name: string) =>
  pipeline.stages.find((stage) => stage.name === name) as Stage;

/** What a created deal is, without what differs between two creations (ids, times, names). */
const substance = (deal: AnyBody) => {
  const {
    id: _id,
    createdAt: _c,
    updatedAt: _u,
    // The stream stamps its own bookkeeping writes (last activity) as `system`.
    updatedBy: _by,
    lastActivityAt: _last,
    stageEnteredAt: _s,
    closedAt,
    name: _n,
    externalId: _e,
    ...rest
  } = deal;
  return { ...rest, closed: closedAt !== undefined };
};

const header = [
  'externalId',
  'name',
  'amount',
  'currency',
  'pipeline',
  'stage',
  'company',
  'owner',
  'contacts',
  'lostReason',
  'expectedCloseDate',
];

describe('a deal import', () => {
  it('creates deals with pipelines and stages by name or id, the defaults of POST /deals, and fails bad references by row (leaves out those not found, with a note)', async () => {
    const world = await createWorld();
    const { admin } = world;
    const renewals = (
      await admin.client.post('/pipelines', {
        name: 'Renewals',
        stages: [
          { name: 'due', probability: 40 },
          { name: 'signed', probability: 100, kind: 'won' },
          { name: 'gone', probability: 0, kind: 'lost' },
        ],
      })
    ).body as Pipeline;
    const sales = await defaultPipeline(admin.client);
    const company = await admin.client.post('/companies', {
      name: 'Acme',
      domain: 'acme.example',
      country: 'ES',
    });
    expect(company.status).toBe(201);
    const contact = await admin.client.post('/contacts', { firstName: 'Ana', email: 'ana@acme.example' });
    expect(contact.status).toBe(201);
    const archived = await admin.client.post('/contacts', { firstName: 'Old', email: 'old@acme.example' });
    expect((await admin.client.delete(`/contacts/${archived.body.id}`)).status).toBe(204);
    const manager = `manager-red@${world.tenant}.test`;

    const rows: Row[] = [
      {
        externalId: 'E1',
        name: 'Alpha',
        amount: '1200.50',
        currency: 'EUR',
        pipeline: 'renewals',
        stage: 'Due',
        company: 'acme.example',
        owner: manager,
        contacts: 'ANA@acme.example',
        expectedCloseDate: '2026-12-31',
      },
      { externalId: 'E2', name: 'Beta' },
      { name: 'Gamma', stage: 'Proposal', company: 'Acme' },
      { externalId: 'E4', name: 'Bad pipeline', pipeline: 'Nope' },
      { externalId: 'E5', name: 'Bad stage', stage: 'signed' },
      { externalId: 'E6', name: 'Bad company', company: 'unknown.example' },
      { externalId: 'E7', name: 'Bad contact', contacts: 'ghost@acme.example' },
      { externalId: 'E8', name: 'Bad owner', owner: `nobody@${world.tenant}.test` },
      { externalId: 'E9', name: 'Lost without reason', pipeline: 'Renewals', stage: 'gone' },
      {
        externalId: 'E10',
        name: 'Won by ids',
        pipeline: renewals.id,
        stage: stageNamed(renewals, 'signed').id,
        amount: '10',
        currency: 'usd',
      },
      {
        externalId: 'E11',
        name: 'Lost with reason',
        pipeline: 'Renewals',
        stage: 'gone',
        lostReason: 'price',
      },
      { externalId: 'E12', name: 'No currency', amount: '5' },
      { externalId: 'E13', name: 'Archived contact', contacts: 'ana@acme.example;old@acme.example' },
    ];
    const view = await run(admin.client, {}, csvOf(header, rows));
    expect(view).toMatchObject({ status: 'done', totalRows: 13, created: 8, failed: 5, notes: 3 });
    totalsAddUp(view);
    const errors = await errorRows(view.errorsUrl);
    expect(errors.map(({ row, column, value }) => ({ row, column, value }))).toEqual([
      { row: '5', column: 'pipeline', value: 'Nope' },
      { row: '6', column: 'stage', value: 'signed' },
      { row: '7', column: 'company', value: 'unknown.example' },
      { row: '8', column: 'contacts', value: 'ghost@acme.example' },
      { row: '9', column: 'owner', value: `nobody@${world.tenant}.test` },
      { row: '10', column: 'lostReason', value: '' },
      { row: '13', column: 'currency', value: '' },
      { row: '14', column: 'contacts', value: 'old@acme.example' },
    ]);
    expect(errors.map((error) => error.reason)).toEqual([
      'no pipeline of this tenant has this name or id',
      'is not a stage of the pipeline "Sales"',
      'company "unknown.example" not found; the deal is imported without it (import companies first to link them)',
      'contact "ghost@acme.example" not found; the deal is imported without it (import contacts first to link them)',
      `owner "nobody@${world.tenant}.test" is not an active user here; the record is yours`,
      'is required to enter a lost stage',
      'is required with an amount',
      'the contact with this email is archived',
    ]);

    const deals = await byExternalId(admin.client);
    expect(deals.size).toBe(8);
    expect(deals.get('E6')).not.toHaveProperty('companyId');
    expect(deals.get('E7')).toMatchObject({ contactIds: [] });
    expect(deals.get('E8')).toMatchObject({ ownerId: world.admin.id });
    const alpha = deals.get('E1') as AnyBody;
    expect(alpha).toMatchObject({
      name: 'Alpha',
      amount: 1200.5,
      currency: 'EUR',
      pipelineId: renewals.id,
      stageId: stageNamed(renewals, 'due').id,
      status: 'open',
      probability: 40,
      companyId: company.body.id,
      country: 'ES',
      contactIds: [contact.body.id],
      expectedCloseDate: '2026-12-31',
      ownerId: world.managerRed.id,
      teamId: world.teams.red,
      customFields: {},
    });
    expect(deals.get('E2')).toMatchObject({
      pipelineId: sales.id,
      stageId: stageNamed(sales, 'prospecting').id,
      probability: 10,
      ownerId: world.admin.id,
    });
    expect(deals.get(undefined as never)).toMatchObject({
      name: 'Gamma',
      stageId: stageNamed(sales, 'proposal').id,
      companyId: company.body.id,
    });
    expect(deals.get('E10')).toMatchObject({ status: 'won', probability: 100, closedAt: expect.any(String) });
    expect(deals.get('E11')).toMatchObject({ status: 'lost', lostReason: 'price' });

    // The same deal through POST /deals is the same record; both have their first history entry.
    const posted = await admin.client.post('/deals', {
      name: 'Alpha by API',
      amount: 1200.5,
      currency: 'EUR',
      pipelineId: renewals.id,
      stageId: stageNamed(renewals, 'due').id,
      companyId: company.body.id,
      ownerId: world.managerRed.id,
      contactIds: [contact.body.id],
      expectedCloseDate: '2026-12-31',
    });
    expect(posted.status, posted.text).toBe(201);
    expect(substance(alpha)).toEqual(substance(posted.body));
    const won = await admin.client.post('/deals', {
      name: 'Won by API',
      amount: 10,
      currency: 'USD',
      pipelineId: renewals.id,
      stageId: stageNamed(renewals, 'signed').id,
    });
    expect(substance(deals.get('E10') as AnyBody)).toEqual(substance(won.body));
    for (const id of [alpha.id, posted.body.id]) {
      const history = (await admin.client.get(`/deals/${id}/history`)).body.items;
      expect(history).toEqual([
        expect.objectContaining({ from: null, to: { stageId: stageNamed(renewals, 'due').id, name: 'due' } }),
      ]);
    }
    // Another tenant sees none of them.
    expect((await world.stranger.client.get(`/deals/${alpha.id}`)).status).toBe(404);
  });

  it('updates deals by externalId: amounts and stages change with their history, and the reports agree', async () => {
    const world = await createWorld();
    const client = world.admin.client;
    const sales = await defaultPipeline(client);
    const first = await run(
      client,
      { mode: 'upsert' },
      csvOf(header, [
        { externalId: 'A', name: 'A', amount: '100', currency: 'EUR' },
        { externalId: 'B', name: 'B', amount: '200', currency: 'EUR', stage: 'qualification' },
      ]),
    );
    expect(first).toMatchObject({ status: 'done', created: 2 });
    const before = await byExternalId(client);

    const view = await run(
      client,
      { mode: 'upsert' },
      csvOf(header, [
        { externalId: 'a', name: 'A', amount: '150', stage: 'proposal' },
        { externalId: 'B', name: 'B', amount: '200', currency: 'EUR', stage: 'qualification' },
        { externalId: 'C', name: 'C', amount: '300', currency: 'EUR', stage: 'qualification' },
        { externalId: 'C', stage: 'won' },
        { name: 'Without externalId', amount: '50', currency: 'EUR' },
      ]),
    );
    expect(view).toMatchObject({ status: 'done', created: 2, updated: 2, skipped: 1, failed: 0 });
    totalsAddUp(view);
    const after = await byExternalId(client);
    expect(after.size).toBe(4);
    // The row's value is written as in the file, as a PATCH would; matching ignores case.
    const a = after.get('a') as AnyBody;
    expect(a).toMatchObject({
      id: before.get('A')?.id,
      amount: 150,
      currency: 'EUR',
      stageId: stageNamed(sales, 'proposal').id,
      probability: 50,
      version: 2,
    });
    expect(after.get('B')).toMatchObject({ version: 1 });
    expect(after.get('C')).toMatchObject({ status: 'won', probability: 100, closedAt: expect.any(String) });
    const history = (await client.get(`/deals/${a.id}/history`)).body.items;
    expect(history.map((entry: AnyBody) => [entry.from?.name ?? null, entry.to.name, entry.amount])).toEqual([
      [null, 'prospecting', 100],
      ['prospecting', 'proposal', 150],
    ]);
    const c = after.get('C') as AnyBody;
    expect(
      (await client.get(`/deals/${c.id}/history`)).body.items.map((entry: AnyBody) => entry.to.name),
    ).toEqual(['qualification', 'won']);

    // As PATCH /deals: moving to a lost stage needs a reason; a stage of another pipeline is not found.
    const refused = await run(
      client,
      { mode: 'upsert' },
      csvOf(header, [
        { externalId: 'A', stage: 'lost' },
        { externalId: 'B', stage: 'lost', lostReason: 'budget' },
      ]),
    );
    expect(refused).toMatchObject({ updated: 1, failed: 1 });
    expect((await errorRows(refused.errorsUrl)).map((error) => [error.column, error.reason])).toEqual([
      ['lostReason', 'is required to enter a lost stage'],
    ]);

    // Create mode: an existing externalId, and a repeat within the file, fail.
    const created = await run(
      client,
      {},
      csvOf(header, [
        { externalId: 'A', name: 'Again' },
        { externalId: 'D', name: 'D' },
        { externalId: 'd', name: 'D twice' },
      ]),
    );
    expect(created).toMatchObject({ created: 1, failed: 2 });
    expect((await errorRows(created.errorsUrl)).map((error) => [error.row, error.reason])).toEqual([
      ['2', 'a deal with this externalId already exists'],
      ['4', 'duplicate of row 3'],
    ]);

    // The pipeline report counts what the deals list shows, stage by stage.
    const listed = await listAll(client, '/deals');
    await eventually(
      async () => {
        const report = await client.get(`/reports/pipeline?pipelineId=${sales.id}`);
        expect(report.status, report.text).toBe(200);
        const figures = report.body.stages.map((stage: AnyBody) => [stage.name, stage.count, stage.amount]);
        expect(figures).toEqual(
          sales.stages.map((stage) => {
            const here = listed.filter((deal) => deal.stageId === stage.id);
            const sum = here.reduce((total, deal) => total + (deal.amount ?? 0), 0);
            return [stage.name, here.length, sum > 0 ? { EUR: sum } : {}];
          }),
        );
        const entered = Object.fromEntries(
          report.body.stages.map((stage: AnyBody) => [stage.name, stage.enteredCount]),
        );
        expect(entered).toMatchObject({ proposal: 1, won: 1, lost: 1, qualification: 2 });
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    );
  });

  it('counts in a dry run what it would do, writing no deal', async () => {
    const world = await createWorld();
    const client = world.admin.client;
    expect((await client.post('/deals', { name: 'Stored', externalId: 'DRY-1' })).status).toBe(201);
    const view = await run(
      client,
      { mode: 'upsert', dryRun: true },
      csvOf(header, [
        { externalId: 'DRY-1', name: 'Renamed', stage: 'proposal' },
        { externalId: 'DRY-2', name: 'New' },
        { externalId: 'DRY-2', name: 'New again' },
        { externalId: 'DRY-3', name: 'Bad', stage: 'nowhere' },
      ]),
    );
    expect(view).toMatchObject({ status: 'done', dryRun: true, created: 1, updated: 2, failed: 1 });
    const listed = await listAll(client, '/deals');
    expect(listed.map((deal) => [deal.externalId, deal.name, deal.version])).toEqual([
      ['DRY-1', 'Stored', 1],
    ]);
  });

  it('imports the same deals twice at once without a duplicate externalId', async () => {
    const world = await createWorld();
    const client = world.admin.client;
    const rows = Array.from({ length: 150 }, (_, index) => ({
      externalId: `X-${index}`,
      name: `Deal ${index}`,
      amount: String(index + 1),
      currency: 'EUR',
    }));
    const csv = csvOf(header, rows);
    const [a, b] = await Promise.all([
      importCsv(client, { entity: 'deals', mode: 'upsert' }, csv),
      importCsv(client, { entity: 'deals', mode: 'upsert' }, csv),
    ]);
    const views = await Promise.all([finished(client, a), finished(client, b)]);
    for (const view of views) {
      expect(view).toMatchObject({ status: 'done', processedRows: 150, failed: 0 });
      totalsAddUp(view);
    }
    expect((views[0]?.created ?? 0) + (views[1]?.created ?? 0)).toBe(150);
    const listed = await listAll(client, '/deals');
    expect(listed).toHaveLength(150);
    expect(new Set(listed.map((deal) => deal.externalId)).size).toBe(150);
  });

  it("imports a rep's deals as the rep's, and refuses changes to another rep's", async () => {
    const world = await createWorld();
    const theirs = await world.repRed2.client.post('/deals', { name: 'Theirs', externalId: 'R-THEIRS' });
    expect(theirs.status).toBe(201);
    const mine = await world.repRed.client.post('/deals', { name: 'Mine', externalId: 'R-MINE' });
    expect(mine.status).toBe(201);
    const view = await run(
      world.repRed.client,
      { mode: 'upsert' },
      csvOf(header, [
        { externalId: 'R-THEIRS', name: 'Changed' },
        { externalId: 'R-MINE', name: 'Mine changed' },
        { externalId: 'R-NEW', name: 'New' },
        { externalId: 'R-GIVEN', name: 'Given', owner: `rep-red-2@${world.tenant}.test` },
      ]),
    );
    expect(view).toMatchObject({
      status: 'done',
      ownerId: world.repRed.id,
      created: 1,
      updated: 1,
      failed: 2,
    });
    expect((await world.repRed2.client.get(`/deals/${theirs.body.id}`)).body).toMatchObject({
      name: 'Theirs',
      version: 1,
    });
    expect((await world.repRed.client.get(`/deals/${mine.body.id}`)).body.name).toBe('Mine changed');
    const created = (await byExternalId(world.admin.client)).get('R-NEW');
    expect(created).toMatchObject({ ownerId: world.repRed.id, teamId: world.teams.red });
    expect((await errorRows(view.errorsUrl)).map((error) => [error.row, error.column, error.reason])).toEqual(
      [
        ['2', 'externalId', expect.stringMatching(/may not change/)],
        ['5', 'owner', expect.stringMatching(/only import records they own/)],
      ],
    );
    expect((await world.repBlue.client.get(`/imports/${view.id}`)).status).toBe(404);
    expect((await world.stranger.client.get(`/imports/${view.id}`)).status).toBe(404);
  });

  it('puts imported deals and leads in the report groups of their select fields', async () => {
    const world = await createWorld();
    const client = world.admin.client;
    const tier = [{ key: 'tier', label: 'Tier', type: 'select', options: ['gold', 'silver'] }];
    expect((await client.put('/settings/fields/deals', tier)).status).toBe(200);
    expect((await client.put('/settings/fields/leads', tier)).status).toBe(200);
    const deals = await run(
      client,
      { mode: 'upsert' },
      csvOf(
        [...header, 'Tier'],
        [
          { externalId: 'G1', name: 'G1', amount: '100', currency: 'EUR', stage: 'won', Tier: 'Gold' },
          { externalId: 'G2', name: 'G2', amount: '50.25', currency: 'EUR', stage: 'won', Tier: 'gold' },
          { externalId: 'S1', name: 'S1', amount: '10', currency: 'EUR', stage: 'won', Tier: 'silver' },
          { externalId: 'O1', name: 'O1', amount: '7', currency: 'EUR', Tier: 'silver' },
        ],
      ),
    );
    expect(deals).toMatchObject({ status: 'done', created: 4, failed: 0 });
    const leads = await run(
      client,
      { entity: 'leads' },
      csvOf(
        ['firstName', 'email', 'tier'],
        [
          { firstName: 'Lía', email: 'lia@example.com', tier: 'gold' },
          { firstName: 'Leo', email: 'leo@example.com', tier: 'silver' },
          { firstName: 'Lu', email: 'lu@example.com' },
        ],
      ),
    );
    expect(leads).toMatchObject({ status: 'done', created: 3, failed: 0 });
    const today = new Date().toISOString().slice(0, 10);
    const period = `from=${today}&to=${today}`;
    await eventually(
      async () => {
        const sales = await client.get(`/reports/sales?groupBy=customFields.tier&${period}`);
        expect(sales.status, sales.text).toBe(200);
        expect(sales.body.items).toEqual([
          { key: 'gold', count: 2, amount: { EUR: 150.25 } },
          { key: 'silver', count: 1, amount: { EUR: 10 } },
        ]);
        const byLead = await client.get(`/reports/leads?groupBy=customFields.tier&${period}`);
        expect(byLead.status, byLead.text).toBe(200);
        expect(byLead.body.items.map(({ key, created }: AnyBody) => ({ key, created }))).toEqual([
          { key: 'gold', created: 1 },
          { key: 'silver', created: 1 },
        ]);
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    );
    // An upsert that changes the tier moves the deal between groups.
    const moved = await run(
      client,
      { mode: 'upsert' },
      csvOf(['externalId', 'tier'], [{ externalId: 'S1', tier: 'gold' }]),
    );
    expect(moved).toMatchObject({ updated: 1 });
    await eventually(
      async () => {
        const sales = await client.get(`/reports/sales?groupBy=customFields.tier&${period}`);
        expect(sales.body.items).toEqual([{ key: 'gold', count: 3, amount: { EUR: 160.25 } }]);
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    );
  });
});

describe('a deal export', () => {
  it('re-imports into another tenant unchanged, and again there as skipped rows', async () => {
    const tier = [{ key: 'tier', label: 'Tier', type: 'select', options: ['gold', 'silver'] }];
    const renewalStages = [
      { name: 'due', probability: 40 },
      { name: 'renewed', probability: 100, kind: 'won' },
      { name: 'churned', probability: 0, kind: 'lost' },
    ];
    /** A tenant with the pipeline, company, contacts and custom field the deals name. */
    const prepared = async () => {
      const world = await createWorld();
      const client = world.admin.client;
      expect((await client.put('/settings/fields/deals', tier)).status).toBe(200);
      const renewals = (await client.post('/pipelines', { name: 'Renewals', stages: renewalStages }))
        .body as Pipeline;
      const company = await client.post('/companies', { name: 'Acme', domain: 'acme.example' });
      const contacts = await Promise.all(
        ['ana@acme.example', 'iker@acme.example'].map(
          async (email) => (await client.post('/contacts', { firstName: 'P', email })).body.id as string,
        ),
      );
      return { world, client, renewals, companyId: company.body.id as string, contacts };
    };
    const source = await prepared();
    const sales = await defaultPipeline(source.client);
    const bodies = [
      {
        name: 'Renewal',
        externalId: 'RT-1',
        amount: 18000.5,
        currency: 'EUR',
        pipelineId: source.renewals.id,
        stageId: stageNamed(source.renewals, 'due').id,
        companyId: source.companyId,
        contactIds: source.contacts,
        expectedCloseDate: '2027-01-31',
        customFields: { tier: 'gold' },
      },
      {
        name: 'Won',
        externalId: 'RT-2',
        amount: 99.99,
        currency: 'USD',
        stageId: stageNamed(sales, 'won').id,
        source: 'web',
        country: 'PT',
      },
      {
        name: 'Lost',
        externalId: 'RT-3',
        pipelineId: source.renewals.id,
        stageId: stageNamed(source.renewals, 'churned').id,
        lostReason: 'price',
        customFields: { tier: 'silver' },
      },
      { name: 'Without externalId', stageId: stageNamed(sales, 'proposal').id },
    ];
    for (const body of bodies) {
      const response = await source.client.post('/deals', body);
      expect(response.status, response.text).toBe(201);
    }
    const exported = await source.client.get('/deals/export?format=csv');
    expect(exported.status, exported.text).toBe(200);
    const header = (parse(exported.text, { bom: true, to_line: 1 }) as string[][])[0];
    expect(header).toEqual(expect.arrayContaining(['externalId', 'pipeline', 'stage']));

    const target = await prepared();
    // Owners are people of the source tenant: the target's importer owns the deals.
    const view = await run(target.client, { mode: 'upsert', mapping: { owner: null } }, exported.text);
    expect(view).toMatchObject({ status: 'done', created: 4, failed: 0 });

    /** A tenant's deals by what they say, references by name and email. */
    const described = async (tenant: Awaited<ReturnType<typeof prepared>>) => {
      const pipelines = (await tenant.client.get('/pipelines')).body.items as Pipeline[];
      const emails = new Map(
        (await listAll(tenant.client, '/contacts')).map((contact) => [contact.id, contact.email]),
      );
      return (await listAll(tenant.client, '/deals'))
        .map((deal) => {
          const pipeline = pipelines.find((candidate) => candidate.id === deal.pipelineId) as Pipeline;
          const {
            id: _id,
            createdAt: _c,
            updatedAt: _u,
            stageEnteredAt: _s,
            closedAt,
            createdBy: _cb,
            updatedBy: _ub,
            ownerId: _o,
            teamId: _t,
            lastActivityAt: _l,
            pipelineId: _p,
            stageId,
            companyId,
            contactIds,
            ...rest
          } = deal;
          return {
            ...rest,
            pipeline: pipeline.name,
            stage: pipeline.stages.find((stage) => stage.id === stageId)?.name,
            company: companyId ? 'acme.example' : undefined,
            contacts: (contactIds as string[]).map((id) => emails.get(id)),
            closed: closedAt !== undefined,
          };
        })
        .sort((a, b) => (a.name < b.name ? -1 : 1));
    };
    const before = await described(source);
    expect(before).toHaveLength(4);
    expect(await described(target)).toEqual(before);

    // The same file again: the deals it names by externalId are unchanged; the one without is new again.
    const again = await run(target.client, { mode: 'upsert', mapping: { owner: null } }, exported.text);
    expect(again).toMatchObject({ status: 'done', created: 1, skipped: 3, updated: 0, failed: 0 });
  });
});
