import { beforeAll, describe, expect, it } from 'vitest';
import { createWorld, unique, type World } from './world.ts';

let world: World;
type Stage = { id: string; name: string; probability: number; kind: string };
let sales: { id: string; stages: Stage[] };
const stage = (name: string) => {
  const found = sales.stages.find((candidate) => candidate.name === name);
  if (!found) throw new Error(`no stage ${name}`);
  return found.id;
};

beforeAll(async () => {
  world = await createWorld();
  const list = await world.repRed.client.get('/pipelines');
  sales = list.body.items[0];
});

describe('pipelines', () => {
  it('gives every tenant one default pipeline, created on first use even under concurrency', async () => {
    expect(sales).toMatchObject({ name: 'Sales', isDefault: true });
    expect(sales.stages.map((s) => [s.name, s.probability, s.kind])).toEqual([
      ['prospecting', 10, 'open'],
      ['qualification', 20, 'open'],
      ['proposal', 50, 'open'],
      ['negotiation', 80, 'open'],
      ['won', 100, 'won'],
      ['lost', 0, 'lost'],
    ]);
    const fresh = await createWorld();
    const lists = await Promise.all(Array.from({ length: 5 }, () => fresh.repRed.client.get('/pipelines')));
    const ids = new Set(lists.flatMap((list) => list.body.items.map((item: { id: string }) => item.id)));
    expect(ids.size).toBe(1);
    expect((await world.stranger.client.get(`/pipelines/${sales.id}`)).status).toBe(404);
  });

  it('lets admins create pipelines with valid stages only', async () => {
    const stages = [
      { name: 'new', probability: 10 },
      { name: 'closed won', probability: 100, kind: 'won' },
      { name: 'closed lost', probability: 0, kind: 'lost' },
    ];
    expect((await world.managerRed.client.post('/pipelines', { name: 'Renewals', stages })).status).toBe(403);
    const created = await world.admin.client.post('/pipelines', { name: 'Renewals', stages });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      isDefault: false,
      stages: [{ kind: 'open' }, { kind: 'won' }, { kind: 'lost' }],
    });

    const twoWon = await world.admin.client.post('/pipelines', {
      name: 'Bad',
      stages: [...stages, { name: 'also won', probability: 100, kind: 'won' }],
    });
    expect(twoWon.status).toBe(400);
    expect(twoWon.body.errors).toContainEqual({
      path: 'stages',
      message: 'must have exactly one won stage (found 2)',
    });
    const noLost = await world.admin.client.post('/pipelines', {
      name: 'Bad',
      stages: [stages[0], stages[1], { name: 'x', probability: 150 }],
    });
    expect(noLost.body.errors).toEqual(
      expect.arrayContaining([{ path: 'stages.2.probability', message: 'must be at most 100' }]),
    );
    const withIds = await world.admin.client.post('/pipelines', {
      name: 'Bad',
      stages: stages.map((s) => ({ ...s, id: sales.stages[0]?.id })),
    });
    expect(withIds.status).toBe(400);
  });

  it('keeps pipelines to their tenant, lets only admins shape them, and checks every change', async () => {
    const stages = sales.stages.map(({ id, name, probability, kind }) => ({ id, name, probability, kind }));
    const theirs = await world.stranger.client.get('/pipelines');
    expect(theirs.body.items.map((item: { id: string }) => item.id)).not.toContain(sales.id);
    expect((await world.stranger.client.patch(`/pipelines/${sales.id}`, { name: 'Mine' })).status).toBe(404);
    for (const member of [world.repRed, world.managerRed]) {
      expect((await member.client.patch(`/pipelines/${sales.id}`, { name: 'Mine' })).status).toBe(403);
      expect((await member.client.post('/pipelines', { name: 'Mine', stages })).status).toBe(403);
    }
    const empty = await world.admin.client.patch(`/pipelines/${sales.id}`, {});
    expect(empty.status).toBe(400);
    const unknownStage = await world.admin.client.patch(`/pipelines/${sales.id}`, {
      stages: [
        ...stages.slice(1),
        { id: '01ARZ3NDEKTSV4RRFFQ69G5FAV', name: 'ghost', probability: 5, kind: 'open' },
      ],
    });
    expect(unknownStage.status).toBe(400);
    expect(unknownStage.body.errors).toEqual([
      { path: 'stages.5.id', message: 'is not a stage of this pipeline' },
    ]);
    const badMove = await world.admin.client.patch(`/pipelines/${sales.id}`, {
      name: 'Sales',
      moveDeals: { [stages[0]?.id ?? '']: stages[1]?.id },
    });
    expect(badMove.status).toBe(400);
    expect(badMove.body.errors[0].message).toBe('is not a stage this change removes');
    expect(
      (await world.admin.client.patch(`/pipelines/${sales.id}`, { name: 'Sales', extra: 1 })).status,
    ).toBe(400);
  });

  it('refuses to remove a stage that holds deals unless told where they go', async () => {
    const pipeline = (
      await world.admin.client.post('/pipelines', {
        name: unique('Partners'),
        stages: [
          { name: 'intro', probability: 10 },
          { name: 'pilot', probability: 40 },
          { name: 'signed', probability: 100, kind: 'won' },
          { name: 'dropped', probability: 0, kind: 'lost' },
        ],
      })
    ).body;
    const [intro, pilot] = pipeline.stages as Stage[];
    const deal = await world.admin.client.post('/deals', {
      name: 'Pilot deal',
      pipelineId: pipeline.id,
      stageId: pilot?.id,
    });
    expect(deal.body).toMatchObject({ stageId: pilot?.id, probability: 40, status: 'open' });
    const withoutPilot = (pipeline.stages as Stage[]).filter((s) => s.id !== pilot?.id);

    const refused = await world.admin.client.patch(`/pipelines/${pipeline.id}`, { stages: withoutPilot });
    expect(refused.status).toBe(409);
    expect(refused.body.errors[0].path).toBe(`moveDeals.${pilot?.id}`);

    const moved = await world.admin.client.patch(`/pipelines/${pipeline.id}`, {
      stages: withoutPilot,
      moveDeals: { [pilot?.id ?? '']: intro?.id },
    });
    expect(moved.status).toBe(200);
    expect(moved.body.stages).toHaveLength(3);
    const after = await world.admin.client.get(`/deals/${deal.body.id}`);
    expect(after.body).toMatchObject({ stageId: intro?.id, probability: 10 });
    const history = await world.admin.client.get(`/deals/${deal.body.id}/history`);
    expect(history.body.items.map((entry: { to: { name: string } }) => entry.to.name)).toEqual([
      'pilot',
      'intro',
    ]);
  });
});

describe('deals', () => {
  it('starts in the first open stage and keeps every stage change with who, when and the amount', async () => {
    const company = await world.repRed.client.post('/companies', { name: 'Deal Co' });
    const contact = await world.repRed.client.post('/contacts', {
      firstName: 'Buyer',
      companyId: company.body.id,
    });
    const created = await world.repRed.client.post('/deals', {
      name: 'Big one',
      amount: 12500.5,
      currency: 'eur',
      companyId: company.body.id,
      contactIds: [contact.body.id],
      expectedCloseDate: '2027-03-31',
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      pipelineId: sales.id,
      stageId: stage('prospecting'),
      status: 'open',
      probability: 10,
      currency: 'EUR',
      ownerId: world.repRed.id,
    });
    const id = created.body.id;
    await world.repRed.client.patch(`/deals/${id}`, { stageId: stage('proposal'), amount: 14000 });
    const lost = await world.repRed.client.patch(`/deals/${id}`, { stageId: stage('lost') });
    expect(lost.status).toBe(400);
    expect(lost.body.errors).toEqual([{ path: 'lostReason', message: 'is required to enter a lost stage' }]);
    const won = await world.repRed.client.patch(`/deals/${id}`, { stageId: stage('won') });
    expect(won.body).toMatchObject({ status: 'won', probability: 100, closedAt: expect.any(String) });
    const reopened = await world.repRed.client.patch(`/deals/${id}`, { stageId: stage('negotiation') });
    expect(reopened.body.status).toBe('open');
    expect(reopened.body.closedAt).toBeUndefined();
    const closedLost = await world.repRed.client.patch(`/deals/${id}`, {
      stageId: stage('lost'),
      lostReason: 'Budget cut',
    });
    expect(closedLost.body).toMatchObject({
      status: 'lost',
      lostReason: 'Budget cut',
      closedAt: expect.any(String),
    });

    const history = await world.repRed2.client.get(`/deals/${id}/history`);
    expect(history.status).toBe(200);
    expect(
      history.body.items.map(
        (entry: { from: { name: string } | null; to: { name: string }; amount: number; by: string }) => [
          entry.from?.name ?? null,
          entry.to.name,
          entry.amount,
          entry.by,
        ],
      ),
    ).toEqual([
      [null, 'prospecting', 12500.5, world.repRed.id],
      ['prospecting', 'proposal', 14000, world.repRed.id],
      ['proposal', 'won', 14000, world.repRed.id],
      ['won', 'negotiation', 14000, world.repRed.id],
      ['negotiation', 'lost', 14000, world.repRed.id],
    ]);
    const paged = await world.repRed.client.get(`/deals/${id}/history?limit=2`);
    expect(paged.body.items).toHaveLength(2);
    const next = await world.repRed.client.get(
      `/deals/${id}/history?limit=2&cursor=${paged.body.nextCursor}`,
    );
    expect(next.body.items[0].to.name).toBe('won');
  });

  it('validates stages against the deal’s own pipeline, amounts and references', async () => {
    const other = (
      await world.admin.client.post('/pipelines', {
        name: unique('Other'),
        stages: [
          { name: 'a', probability: 10 },
          { name: 'b', probability: 100, kind: 'won' },
          { name: 'c', probability: 0, kind: 'lost' },
        ],
      })
    ).body;
    const foreignStage = await world.admin.client.post('/deals', { name: 'X', stageId: other.stages[0].id });
    expect(foreignStage.status).toBe(400);
    expect(foreignStage.body.errors).toEqual([
      { path: 'stageId', message: 'is not a stage of the deal’s pipeline' },
    ]);
    const deal = await world.admin.client.post('/deals', { name: 'Y' });
    expect(
      (await world.admin.client.patch(`/deals/${deal.body.id}`, { stageId: other.stages[0].id })).status,
    ).toBe(400);
    const switched = await world.admin.client.patch(`/deals/${deal.body.id}`, {
      pipelineId: other.id,
      stageId: other.stages[0].id,
    });
    expect(switched.body).toMatchObject({ pipelineId: other.id, stageId: other.stages[0].id });
    expect((await world.admin.client.patch(`/deals/${deal.body.id}`, { pipelineId: sales.id })).status).toBe(
      400,
    );

    const bad = await world.admin.client.post('/deals', {
      name: '',
      amount: 10.005,
      currency: 'euros',
      contactIds: ['nope'],
      expectedCloseDate: '2027-02-30',
      bogus: 1,
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((error: { path: string }) => error.path).sort()).toEqual(
      ['amount', 'bogus', 'contactIds.0', 'currency', 'expectedCloseDate', 'name'].sort(),
    );
    const noCurrency = await world.admin.client.post('/deals', { name: 'Z', amount: 5 });
    expect(noCurrency.body.errors).toEqual([{ path: 'currency', message: 'is required with an amount' }]);
    const theirs = await world.stranger.client.post('/companies', { name: 'Theirs' });
    const foreign = await world.admin.client.post('/deals', { name: 'Z', companyId: theirs.body.id });
    expect(foreign.body.errors).toEqual([
      { path: 'companyId', message: 'is not a live company of this tenant' },
    ]);
    const missingProduct = await world.admin.client.post('/deals', {
      name: 'Z',
      productIds: ['01ARZ3NDEKTSV4RRFFQ69G5FAV'],
    });
    expect(missingProduct.body.errors).toEqual([
      { path: 'productIds.0', message: 'is not a live product of this tenant' },
    ]);
  });

  it('lists by pipeline, stage, owner, company and status', async () => {
    const company = await world.admin.client.post('/companies', { name: unique('Listed') });
    const a = await world.admin.client.post('/deals', {
      name: 'List A',
      companyId: company.body.id,
      stageId: stage('proposal'),
    });
    const b = await world.admin.client.post('/deals', { name: 'List B', companyId: company.body.id });
    await world.admin.client.patch(`/deals/${b.body.id}`, { stageId: stage('won') });
    const ids = (response: { body: { items: { id: string }[] } }) =>
      response.body.items.map((item) => item.id);
    expect(ids(await world.admin.client.get(`/deals?companyId=${company.body.id}`))).toEqual([
      b.body.id,
      a.body.id,
    ]);
    expect(ids(await world.admin.client.get(`/deals?companyId=${company.body.id}&status=won`))).toEqual([
      b.body.id,
    ]);
    const byStage = ids(
      await world.admin.client.get(`/deals?stageId=${stage('proposal')}&pipelineId=${sales.id}`),
    );
    expect(byStage).toContain(a.body.id);
    expect(byStage).not.toContain(b.body.id);
    expect(ids(await world.admin.client.get(`/deals?ownerId=${world.admin.id}&status=open`))).toContain(
      a.body.id,
    );
    expect((await world.admin.client.get('/deals?status=maybe')).status).toBe(400);
  });

  it('applies roles and tenancy to deals and their history', async () => {
    const deal = await world.repRed.client.post('/deals', { name: 'Red deal' });
    const path = `/deals/${deal.body.id}`;
    for (const outsider of [world.stranger, world.repBlue]) {
      expect((await outsider.client.get(path)).status).toBe(404);
      expect((await outsider.client.get(`${path}/history`)).status).toBe(404);
      expect((await outsider.client.patch(path, { name: 'x' })).status).toBe(404);
      expect((await outsider.client.delete(path)).status).toBe(404);
    }
    expect((await world.repRed2.client.get(`${path}/history`)).status).toBe(200);
    expect((await world.repRed2.client.patch(path, { stageId: stage('won') })).status).toBe(403);
    expect((await world.managerRed.client.patch(path, { stageId: stage('qualification') })).status).toBe(200);
    expect((await world.repRed.client.delete(path)).status).toBe(204);
    expect((await world.repRed.client.post(`${path}/restore`)).body.archived).toBe(false);
    const blueList = await world.repBlue.client.get('/deals?q=red deal');
    expect(blueList.body.items).toEqual([]);
  });

  it('answers 412 to a stale If-Match on a stage change and writes no history for it', async () => {
    const deal = await world.admin.client.post('/deals', { name: 'Locked' });
    const results = await Promise.all(
      ['qualification', 'proposal', 'negotiation'].map((name) =>
        world.admin.client.patch(`/deals/${deal.body.id}`, { stageId: stage(name) }, { 'if-match': '"1"' }),
      ),
    );
    expect(results.map((result) => result.status).sort()).toEqual([200, 412, 412]);
    const history = await world.admin.client.get(`/deals/${deal.body.id}/history`);
    expect(history.body.items).toHaveLength(2);
  });

  it('keeps an externalId unique per tenant, without case, and moves it with a change', async () => {
    const { admin, repRed, stranger } = world;
    const id = unique('ext');
    const first = await admin.client.post('/deals', { name: 'External', externalId: `  ${id}  ` });
    expect(first.status, first.text).toBe(201);
    expect(first.body.externalId).toBe(id);
    const taken = await repRed.client.post('/deals', { name: 'Copy', externalId: id.toUpperCase() });
    expect(taken.status, taken.text).toBe(409);
    expect(taken.body.errors).toEqual([{ path: 'externalId', message: 'is already used by another deal' }]);
    // Another tenant has its own externalIds.
    expect((await stranger.client.post('/deals', { name: 'Theirs', externalId: id })).status).toBe(201);
    const racing = await Promise.all(
      Array.from({ length: 4 }, () => admin.client.post('/deals', { name: 'Race', externalId: `${id}-r` })),
    );
    expect(racing.map((response) => response.status).sort()).toEqual([201, 409, 409, 409]);

    const second = await admin.client.post('/deals', { name: 'Second', externalId: `${id}-2` });
    expect((await admin.client.patch(`/deals/${second.body.id}`, { externalId: id })).status).toBe(409);
    const moved = await admin.client.patch(`/deals/${first.body.id}`, { externalId: `${id}-moved` });
    expect(moved.status, moved.text).toBe(200);
    expect(moved.body.externalId).toBe(`${id}-moved`);
    // The old value is free again, the new one held.
    expect((await admin.client.patch(`/deals/${second.body.id}`, { externalId: id })).status).toBe(200);
    expect((await admin.client.post('/deals', { name: 'X', externalId: `${id}-MOVED` })).status).toBe(409);
    const cleared = await admin.client.patch(`/deals/${first.body.id}`, { externalId: null });
    expect(cleared.status, cleared.text).toBe(200);
    expect(cleared.body.externalId).toBeUndefined();
    expect((await admin.client.post('/deals', { name: 'Y', externalId: `${id}-moved` })).status).toBe(201);
    for (const externalId of ['', ' ', 'x'.repeat(201), 42])
      expect((await admin.client.post('/deals', { name: 'Bad', externalId })).status).toBe(400);
  });
});
