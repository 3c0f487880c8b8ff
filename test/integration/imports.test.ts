import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { type ApiClient, api, eventually, tokenFor } from '../support/api.ts';
import { useTestTable } from '../support/dynamo.ts';
import { createWorld, unique, type World } from './world.ts';

/**
 * CSV imports through the whole local pipeline: POST /imports, a PUT of the
 * file to the presigned URL (as curl would), the S3-compatible server's
 * upload event on the importChunks queue, the worker, GET /imports/{id}.
 * Where a run must be cut short or repeated, the worker's handler and run
 * are called in this process against the same table and bucket.
 */
let world: World;

beforeAll(async () => {
  useTestTable();
  process.env.AWS_ENDPOINT_URL_S3 = inject('s3Endpoint');
  process.env.IMPORTS_BUCKET = inject('importsBucket');
  world = await createWorld();
});

type Row = Record<string, string>;
interface Totals {
  readonly processedRows: number;
  readonly created: number;
  readonly updated: number;
  readonly skipped: number;
  readonly failed: number;
  readonly notes: number;
}

const csvOf = (header: readonly string[], rows: readonly Row[]) =>
  [header.join(','), ...rows.map((row) => header.map((column) => row[column] ?? '').join(','))].join('\n');

async function startImport(client: ApiClient, body: Record<string, unknown>) {
  const created = await client.post('/imports', body);
  expect(created.status, created.text).toBe(201);
  return created.body as { id: string; uploadUrl: string; maxBytes: number; status: string };
}

async function upload(url: string, csv: string | Uint8Array) {
  const response = await fetch(url, { method: 'PUT', body: csv });
  expect(response.status, await response.text()).toBe(200);
}

async function importCsv(client: ApiClient, body: Record<string, unknown>, csv: string | Uint8Array) {
  const started = await startImport(client, body);
  await upload(started.uploadUrl, csv);
  return started.id;
}

async function finished(client: ApiClient, id: string, timeoutMs = 90_000) {
  return eventually(
    async () => {
      const response = await client.get(`/imports/${id}`);
      expect(response.status, response.text).toBe(200);
      expect(['done', 'failed']).toContain(response.body.status);
      return response.body;
    },
    { timeoutMs, intervalMs: 200 },
  );
}

/** Every contact carrying `tag`, through the API's paging. */
async function contactsTagged(client: ApiClient, tag: string) {
  const all: Record<string, unknown>[] = [];
  let cursor: string | null = null;
  do {
    const response = await client.get(
      `/contacts?tag=${encodeURIComponent(tag)}&limit=200${cursor ? `&cursor=${cursor}` : ''}`,
    );
    expect(response.status, response.text).toBe(200);
    all.push(...response.body.items);
    cursor = response.body.nextCursor;
  } while (cursor);
  return all;
}

async function errorRows(url: string): Promise<Row[]> {
  const response = await fetch(url);
  expect(response.status).toBe(200);
  return parse(await response.text(), { columns: true }) as Row[];
}

const totalsAddUp = (view: Totals) =>
  expect(view.processedRows).toBe(view.created + view.updated + view.skipped + view.failed);

function people(tag: string, count: number, offset = 0): Row[] {
  return Array.from({ length: count }, (_, index) => ({
    firstName: `Ana${index + offset}`,
    lastName: 'Ruiz Gómez',
    email: `ana.${index + offset}.${tag}@example.com`,
    tags: tag,
  }));
}

describe('an import, start to end', () => {
  it('creates contacts from an uploaded file, lists the bad rows in the error CSV and notifies the owner', async () => {
    const tag = unique('imp');
    const rows = [
      ...people(tag, 3),
      { firstName: 'Bad', email: 'not-an-email', tags: tag },
      { email: `x.${tag}@example.com`, tags: tag },
    ];
    const csv = csvOf(['firstName', 'lastName', 'email', 'tags'], rows);
    const started = await startImport(world.admin.client, { entity: 'contacts' });
    expect(started).toMatchObject({ status: 'uploading', maxBytes: 50 * 1024 * 1024 });
    await upload(started.uploadUrl, csv);
    const view = await finished(world.admin.client, started.id);
    expect(view).toMatchObject({
      status: 'done',
      totalRows: 5,
      processedRows: 5,
      created: 3,
      failed: 2,
      encoding: 'utf-8',
      delimiter: ',',
    });
    expect(view.columns.map((column: { field: string }) => column.field)).toEqual([
      'firstName',
      'lastName',
      'email',
      'tags',
    ]);
    const stored = await contactsTagged(world.admin.client, tag);
    expect(stored.map((contact) => contact.email).sort()).toEqual(
      rows
        .slice(0, 3)
        .map((row) => row.email)
        .sort(),
    );
    // Exactly what POST /contacts writes: owner, team, status, search by any word of the name.
    expect(stored[0]).toMatchObject({
      ownerId: world.admin.id,
      marketingStatus: 'subscribed',
      version: 1,
      archived: false,
    });
    const search = await world.admin.client.get(`/contacts?q=gomez`);
    expect(search.body.items.some((contact: { tags: string[] }) => contact.tags.includes(tag))).toBe(true);

    const errors = await errorRows(view.errorsUrl);
    expect(errors.map((error) => error.row)).toEqual(['5', '6']);
    expect(errors[0]).toMatchObject({ column: 'email', value: 'not-an-email' });
    expect(errors[1]?.column).toBe('firstName');
    for (const error of errors) expect(String(error.reason).length).toBeGreaterThan(3);

    await eventually(async () => {
      const notes = await world.admin.client.get('/me/notifications');
      const note = notes.body.items.find(
        (item: { record?: { id: string } }) => item.record?.id === started.id,
      );
      expect(note).toMatchObject({ kind: 'import_finished', record: { type: 'import', id: started.id } });
      expect(note.title).toContain('3 created');
    });
  });

  it('fails a file that is empty, finishes a header-only file with no rows, and refuses a file over the limit', async () => {
    const empty = await finished(
      world.admin.client,
      await importCsv(world.admin.client, { entity: 'contacts' }, ''),
    );
    expect(empty).toMatchObject({ status: 'failed', totalRows: 0, processedRows: 0 });
    expect(empty.error).toMatch(/empty/i);
    expect(empty.finishedAt).toEqual(expect.any(String));

    const headerOnly = await finished(
      world.admin.client,
      await importCsv(world.admin.client, { entity: 'contacts' }, 'firstName,lastName,email\r\n'),
    );
    expect(headerOnly).toMatchObject({
      status: 'done',
      totalRows: 0,
      processedRows: 0,
      created: 0,
      failed: 0,
      errorsUrl: null,
    });

    const started = await startImport(world.admin.client, { entity: 'contacts' });
    const big = new Uint8Array(started.maxBytes + 1).fill(0x61);
    await upload(started.uploadUrl, big);
    const tooBig = await finished(world.admin.client, started.id);
    expect(tooBig).toMatchObject({ status: 'failed', processedRows: 0 });
    expect(tooBig.error).toMatch(/50(\.0)? MB.*largest accepted is 50 MB/);
  });

  it('writes nothing but the import in a dry run, counting what it would do', async () => {
    const tag = unique('dry');
    const csv = csvOf(
      ['firstName', 'email', 'tags'],
      [...people(tag, 4), { firstName: 'Bad', email: 'nope', tags: tag }],
    );
    const view = await finished(
      world.admin.client,
      await importCsv(world.admin.client, { entity: 'contacts', dryRun: true }, csv),
    );
    expect(view).toMatchObject({ status: 'done', dryRun: true, totalRows: 5, created: 4, failed: 1 });
    expect(await contactsTagged(world.admin.client, tag)).toEqual([]);
    expect((await errorRows(view.errorsUrl)).map((error) => error.row)).toEqual(['6']);
  });
});

describe('references', () => {
  it('links companies by domain or name and owners by email; one not found is left out with a note', async () => {
    const tag = unique('ref');
    const domain = `${tag}.example`.toLowerCase();
    const company = await world.admin.client.post('/companies', { name: `Acme ${tag}`, domain });
    expect(company.status).toBe(201);
    const repEmail = `rep-red@${world.tenant}.test`;
    const csv = csvOf(
      ['firstName', 'email', 'company', 'owner', 'tags'],
      [
        ...people(tag, 3).map((row) => ({ ...row, company: domain, owner: repEmail })),
        { firstName: 'Named', email: `named.${tag}@example.com`, company: `acme ${tag}`, tags: tag },
        { firstName: 'Lost', email: `lost.${tag}@example.com`, company: `nowhere-${domain}`, tags: tag },
        {
          firstName: 'Nobody',
          email: `nobody.${tag}@example.com`,
          owner: `nobody@${world.tenant}.test`,
          tags: tag,
        },
      ],
    );
    const view = await finished(
      world.admin.client,
      await importCsv(world.admin.client, { entity: 'contacts' }, csv),
    );
    expect(view).toMatchObject({ status: 'done', created: 6, failed: 0, notes: 2, processedRows: 6 });
    totalsAddUp(view);
    const stored = await contactsTagged(world.admin.client, tag);
    expect(stored).toHaveLength(6);
    const byName = new Map(stored.map((contact) => [contact.firstName, contact]));
    expect(stored.filter((contact) => contact.companyId === company.body.id)).toHaveLength(4);
    expect(byName.get('Lost')).not.toHaveProperty('companyId');
    expect(byName.get('Nobody')).toMatchObject({ ownerId: world.admin.id });
    expect(
      stored.filter((contact) => contact.ownerId === world.repRed.id && contact.teamId === world.teams.red),
    ).toHaveLength(3);
    expect(await errorRows(view.errorsUrl)).toEqual([
      {
        row: '6',
        column: 'company',
        value: `nowhere-${domain}`,
        reason: `company "nowhere-${domain}" not found; the contact is imported without it (import companies first to link them)`,
      },
      {
        row: '7',
        column: 'owner',
        value: `nobody@${world.tenant}.test`,
        reason: `owner "nobody@${world.tenant}.test" is not an active user here; the record is yours`,
      },
    ]);

    // An upsert naming an owner who is not here keeps the record's owner, with a note.
    const again = await finished(
      world.admin.client,
      await importCsv(
        world.admin.client,
        { entity: 'contacts', mode: 'upsert' },
        csvOf(
          ['email', 'lastName', 'owner'],
          [{ email: `ana.0.${tag}@example.com`, lastName: 'Moved', owner: 'left@elsewhere.test' }],
        ),
      ),
    );
    expect(again).toMatchObject({ status: 'done', updated: 1, failed: 0, notes: 1 });
    const moved = (await contactsTagged(world.admin.client, tag)).find(
      (contact) => contact.lastName === 'Moved',
    );
    expect(moved).toMatchObject({ ownerId: world.repRed.id });
    expect((await errorRows(again.errorsUrl))[0]?.reason).toMatch(/the record keeps its owner/);
  });
});

describe('custom fields', () => {
  it("reads columns named by a custom field's key or label and checks values against its definition", async () => {
    const client = api(await tokenFor({ tenant: `${world.tenant}-cf`, role: 'admin', user: 'cf-admin' }));
    const defined = await client.put('/settings/fields/contacts', [
      { key: 'tier', label: 'Customer tier', type: 'select', options: ['gold', 'silver'] },
      { key: 'since', label: 'Customer since', type: 'date' },
    ]);
    expect(defined.status, defined.text).toBe(200);
    const tag = unique('cf');
    const csv = csvOf(
      ['firstName', 'email', 'Customer tier', 'since', 'tags'],
      [
        {
          firstName: 'Gold',
          email: `gold.${tag}@example.com`,
          'Customer tier': 'Gold',
          since: '01/03/2026',
          tags: tag,
        },
        { firstName: 'Bronze', email: `bronze.${tag}@example.com`, 'Customer tier': 'bronze', tags: tag },
      ],
    );
    const view = await finished(client, await importCsv(client, { entity: 'contacts' }, csv));
    expect(view).toMatchObject({ status: 'done', created: 1, failed: 1 });
    expect(view.mapping).toMatchObject({ 'Customer tier': 'customFields.tier', since: 'customFields.since' });
    const [gold] = await contactsTagged(client, tag);
    expect(gold?.customFields).toEqual({ tier: 'gold', since: '2026-03-01' });
    const errors = await errorRows(view.errorsUrl);
    expect(errors).toEqual([expect.objectContaining({ row: '3', column: 'Customer tier', value: 'bronze' })]);
  });
});

describe('create and upsert', () => {
  it('updates contacts by email and companies by domain; unchanged rows are skipped, duplicates in the file too', async () => {
    const tag = unique('ups');
    const existing = await world.admin.client.post('/contacts', {
      firstName: 'Old',
      email: `keep.${tag}@example.com`,
      tags: [tag],
    });
    expect(existing.status).toBe(201);
    const same = await world.admin.client.post('/contacts', {
      firstName: 'Same',
      email: `same.${tag}@example.com`,
      tags: [tag],
    });
    const csv = csvOf(
      ['firstName', 'email', 'city', 'tags'],
      [
        { firstName: 'New', email: `KEEP.${tag}@Example.com`, city: 'Bilbao', tags: tag },
        { firstName: 'Same', email: `same.${tag}@example.com`, tags: tag },
        { firstName: 'Fresh', email: `fresh.${tag}@example.com`, tags: tag },
        { firstName: 'Fresher', email: `fresh.${tag}@example.com`, city: 'Vigo', tags: tag },
      ],
    );
    const view = await finished(
      world.admin.client,
      await importCsv(world.admin.client, { entity: 'contacts', mode: 'upsert' }, csv),
    );
    expect(view).toMatchObject({
      status: 'done',
      processedRows: 4,
      created: 1,
      updated: 2,
      skipped: 1,
      failed: 0,
    });
    const updated = await world.admin.client.get(`/contacts/${existing.body.id}`);
    expect(updated.body).toMatchObject({
      firstName: 'New',
      city: 'Bilbao',
      version: 2,
      email: `keep.${tag}@example.com`,
    });
    expect((await world.admin.client.get(`/contacts/${same.body.id}`)).body.version).toBe(1);
    const fresh = (await contactsTagged(world.admin.client, tag)).filter((contact) =>
      String(contact.email).startsWith('fresh.'),
    );
    expect(fresh).toHaveLength(1);
    expect(fresh[0]).toMatchObject({ firstName: 'Fresher', city: 'Vigo' });

    // In create mode the same file's repeated email fails as a duplicate, an existing one as already there.
    const again = await finished(
      world.admin.client,
      await importCsv(world.admin.client, { entity: 'contacts' }, csv),
    );
    expect(again).toMatchObject({ created: 0, failed: 4, processedRows: 4 });
    const reasons = (await errorRows(again.errorsUrl)).map((error) => String(error.reason));
    expect(reasons.filter((reason) => /already exists/.test(reason))).toHaveLength(3);
    expect(reasons).toContain('duplicate of row 4');

    const domain = `${tag}.example`.toLowerCase();
    const company = await world.admin.client.post('/companies', { name: 'Before', domain });
    const companies = csvOf(
      ['name', 'domain', 'industry'],
      [
        { name: 'After', domain: domain.toUpperCase(), industry: 'Retail' },
        { name: `Other ${tag}`, domain: `other-${domain}` },
      ],
    );
    const byDomain = await finished(
      world.admin.client,
      await importCsv(world.admin.client, { entity: 'companies', mode: 'upsert' }, companies),
    );
    expect(byDomain).toMatchObject({ status: 'done', created: 1, updated: 1, failed: 0 });
    expect((await world.admin.client.get(`/companies/${company.body.id}`)).body).toMatchObject({
      name: 'After',
      industry: 'Retail',
    });
  });

  it('updates leads by email (one lead per email)', async () => {
    const tag = unique('lead');
    const lead = await world.admin.client.post('/leads', {
      firstName: 'Lía',
      email: `lia.${tag}@example.com`,
    });
    expect(lead.status).toBe(201);
    for (let n = 0; n < 2; n++)
      expect(
        (await world.admin.client.post('/leads', { firstName: 'Twin', email: `twin.${tag}@example.com` }))
          .status,
      ).toBe(201);
    const csv = csvOf(
      ['firstName', 'email', 'companyName'],
      [
        { firstName: 'Lía', email: `LIA.${tag}@example.com`, companyName: 'Cádiz SL' },
        { firstName: 'Twin', email: `twin.${tag}@example.com`, companyName: 'Vigo SL' },
        { firstName: 'Nueva', email: `nueva.${tag}@example.com` },
        { firstName: 'Nueva', email: `nueva.${tag}@example.com`, companyName: 'Jaén SL' },
      ],
    );
    const view = await finished(
      world.admin.client,
      await importCsv(world.admin.client, { entity: 'leads', mode: 'upsert' }, csv),
    );
    expect(view).toMatchObject({ status: 'done', created: 1, updated: 2, failed: 1, processedRows: 4 });
    expect((await world.admin.client.get(`/leads/${lead.body.id}`)).body).toMatchObject({
      companyName: 'Cádiz SL',
      version: 2,
      status: 'new',
    });
    const errors = await errorRows(view.errorsUrl);
    expect(errors).toEqual([
      expect.objectContaining({
        row: '3',
        column: 'email',
        reason: expect.stringMatching(/^2 leads have this email/),
      }),
    ]);
    const fresh = await world.admin.client.get(`/leads?q=nueva`);
    const nueva = fresh.body.items.filter(
      (item: { email: string }) => item.email === `nueva.${tag}@example.com`,
    );
    expect(nueva).toEqual([expect.objectContaining({ companyName: 'Jaén SL', status: 'new' })]);

    // Create mode creates leads as POST /leads does, whatever emails other leads have.
    const again = await finished(
      world.admin.client,
      await importCsv(
        world.admin.client,
        { entity: 'leads' },
        csvOf(['firstName', 'email'], [{ firstName: 'Lía', email: `lia.${tag}@example.com` }]),
      ),
    );
    expect(again).toMatchObject({ status: 'done', created: 1 });
  });

  it("imports a rep's rows as the rep's records and refuses, row by row, changes to another rep's", async () => {
    const tag = unique('rep');
    const theirs = await world.repRed2.client.post('/contacts', {
      firstName: 'Theirs',
      email: `theirs.${tag}@example.com`,
    });
    expect(theirs.status).toBe(201);
    const mine = await world.repRed.client.post('/contacts', {
      firstName: 'Mine',
      email: `mine.${tag}@example.com`,
    });
    const csv = csvOf(
      ['firstName', 'email', 'owner', 'tags'],
      [
        { firstName: 'Changed', email: `theirs.${tag}@example.com`, tags: tag },
        { firstName: 'Mine too', email: `mine.${tag}@example.com`, tags: tag },
        { firstName: 'New', email: `new.${tag}@example.com`, tags: tag },
        {
          firstName: 'Given',
          email: `given.${tag}@example.com`,
          owner: `rep-red-2@${world.tenant}.test`,
          tags: tag,
        },
        {
          firstName: 'Left',
          email: `left.${tag}@example.com`,
          owner: `gone@${world.tenant}.test`,
          tags: tag,
        },
      ],
    );
    const id = await importCsv(world.repRed.client, { entity: 'contacts', mode: 'upsert' }, csv);
    const view = await finished(world.repRed.client, id);
    expect(view).toMatchObject({
      status: 'done',
      ownerId: world.repRed.id,
      created: 2,
      updated: 1,
      failed: 2,
      notes: 1,
    });
    totalsAddUp(view);
    expect((await world.repRed2.client.get(`/contacts/${theirs.body.id}`)).body).toMatchObject({
      firstName: 'Theirs',
      version: 1,
    });
    expect((await world.repRed.client.get(`/contacts/${mine.body.id}`)).body.firstName).toBe('Mine too');
    const tagged = await contactsTagged(world.admin.client, tag);
    for (const prefix of ['new.', 'left.'])
      expect(tagged.find((contact) => String(contact.email).startsWith(prefix))).toMatchObject({
        ownerId: world.repRed.id,
        teamId: world.teams.red,
      });
    const errors = await errorRows(view.errorsUrl);
    expect(errors).toEqual([
      expect.objectContaining({ row: '2', column: 'email', reason: expect.stringMatching(/may not change/) }),
      expect.objectContaining({
        row: '5',
        column: 'owner',
        reason: expect.stringMatching(/only import records they own/),
      }),
      expect.objectContaining({
        row: '6',
        column: 'owner',
        reason: expect.stringMatching(/is not an active user here; the record is yours/),
      }),
    ]);

    // Another rep, another tenant: 404 on the import; the rep's list holds only their own.
    expect((await world.repBlue.client.get(`/imports/${id}`)).status).toBe(404);
    expect((await world.repRed2.client.get(`/imports/${id}`)).status).toBe(404);
    expect((await world.stranger.client.get(`/imports/${id}`)).status).toBe(404);
    expect((await world.managerRed.client.get(`/imports/${id}`)).status).toBe(200);
    const listed = await world.repRed.client.get('/imports');
    expect(listed.body.items.map((item: { id: string }) => item.id)).toContain(id);
    expect(listed.body.items.every((item: { ownerId: string }) => item.ownerId === world.repRed.id)).toBe(
      true,
    );
    expect(
      (await world.repRed2.client.get('/imports')).body.items.map((item: { id: string }) => item.id),
    ).not.toContain(id);
    expect((await world.stranger.client.get('/imports')).body.items).toEqual([]);
  });
});

describe('redelivery, crashes and concurrent imports never duplicate a row', () => {
  it('resumes after a crash between a group and the totals, and ignores redelivered messages', async () => {
    const tag = unique('crash');
    const rows = people(tag, 120);
    const { releaseImportLease, takeImportLease } = await import('#shared/store/imports');
    const { runImport } = await import('#shared/store/imports-run');
    const { getObjectStore } = await import('#shared/storage/select');
    const { handler } = await import('../../functions/queue/importChunks.ts');
    const started = await startImport(world.admin.client, { entity: 'contacts' });
    // Held here, so the upload's own message finds it busy while the faulty run goes first.
    const lease = await takeImportLease(world.tenant, started.id);
    expect(lease).toEqual(expect.any(String));
    await upload(started.uploadUrl, csvOf(['firstName', 'lastName', 'email', 'tags'], rows));
    let groups = 0;
    await expect(
      runImport(world.tenant, started.id, {
        store: await getObjectStore(),
        lease: lease as string,
        afterGroup: () => {
          groups++;
          throw new Error('crash after a group was written');
        },
      }),
    ).rejects.toThrow('crash after a group');
    await releaseImportLease(world.tenant, started.id, lease as string);
    expect(groups).toBeGreaterThan(0);
    const midway = (await world.admin.client.get(`/imports/${started.id}`)).body;
    expect(midway).toMatchObject({ status: 'processing', processedRows: 0, totalRows: 0 });
    expect((await contactsTagged(world.admin.client, tag)).length).toBeGreaterThan(0);

    const s3Event = JSON.stringify({
      Records: [
        { eventName: 'ObjectCreated:Put', s3: { object: { key: `${world.tenant}/${started.id}.csv` } } },
      ],
    });
    const sqs = (body: string) => ({ Records: [{ messageId: unique('m'), body }] }) as never;
    // The redelivered upload message resumes from the markers; while the upload's own message holds
    // the import it answers a retry of this one, as SQS would bring it back.
    await eventually(async () => expect((await handler(sqs(s3Event))).batchItemFailures).toEqual([]), {
      timeoutMs: 60_000,
      intervalMs: 250,
    });
    const view = await finished(world.admin.client, started.id);
    expect(view).toMatchObject({
      status: 'done',
      totalRows: 120,
      processedRows: 120,
      created: 120,
      failed: 0,
    });
    // Delivered again once done, the upload event and a continuation change nothing.
    const chunk = JSON.stringify({ kind: 'chunk', tenantId: world.tenant, importId: started.id, fromRow: 0 });
    for (const body of [s3Event, s3Event, chunk])
      expect((await handler(sqs(body))).batchItemFailures).toEqual([]);
    expect((await world.admin.client.get(`/imports/${started.id}`)).body).toEqual(view);
    const stored = await contactsTagged(world.admin.client, tag);
    expect(stored).toHaveLength(120);
    expect(new Set(stored.map((contact) => contact.email)).size).toBe(120);
  });

  it('marks an import failed, and tells its owner, when its runs keep ending on an unexpected error', async () => {
    const { runImport, MAX_FAILED_RUNS } = await import('#shared/store/imports-run');
    const { getObjectStore } = await import('#shared/storage/select');
    const { takeImportLease } = await import('#shared/store/imports');
    const started = await startImport(world.admin.client, { entity: 'contacts' });
    // Held here, so the upload's own message finds it busy while the faulty runs go.
    const lease = await takeImportLease(world.tenant, started.id);
    await upload(started.uploadUrl, csvOf(['firstName', 'email'], people(unique('faulty'), 5)));
    const faulty = {
      store: await getObjectStore(),
      lease: lease as string,
      customFields: async () => {
        throw new Error('the definitions cannot be read');
      },
    };
    for (let run = 1; run < MAX_FAILED_RUNS; run++) {
      await expect(runImport(world.tenant, started.id, faulty)).rejects.toThrow('cannot be read');
      expect((await world.admin.client.get(`/imports/${started.id}`)).body.status).toBe('uploading');
    }
    expect(await runImport(world.tenant, started.id, faulty)).toBe('failed');
    const view = (await world.admin.client.get(`/imports/${started.id}`)).body;
    expect(view).toMatchObject({ status: 'failed', processedRows: 0 });
    expect(view.error).toMatch(/unexpected error 3 times/);
    await eventually(async () => {
      const notifications = (await world.admin.client.get('/me/notifications')).body.items as {
        kind: string;
        record?: { id: string };
      }[];
      expect(
        notifications.some((entry) => entry.kind === 'import_finished' && entry.record?.id === started.id),
      ).toBe(true);
    });
  });

  it('imports the same file twice at once without a duplicate, every row accounted for', async () => {
    const tag = unique('twice');
    const csv = csvOf(['firstName', 'email', 'tags'], people(tag, 300));
    const [first, second] = await Promise.all([
      startImport(world.admin.client, { entity: 'contacts' }),
      startImport(world.admin.client, { entity: 'contacts', mode: 'upsert' }),
    ]);
    await Promise.all([upload(first.uploadUrl, csv), upload(second.uploadUrl, csv)]);
    const [a, b] = await Promise.all([
      finished(world.admin.client, first.id),
      finished(world.admin.client, second.id),
    ]);
    for (const view of [a, b]) {
      expect(view).toMatchObject({ status: 'done', totalRows: 300, processedRows: 300 });
      totalsAddUp(view);
    }
    const stored = await contactsTagged(world.admin.client, tag);
    expect(stored).toHaveLength(300);
    expect(a.created + b.created).toBe(300);
    // The create import fails what the upsert created; the upsert updates or skips what the create made.
    expect(a.failed).toBe(b.created);
    expect(b.updated + b.skipped).toBe(a.created);

    const [c, d] = await Promise.all([
      importCsv(
        world.admin.client,
        { entity: 'contacts' },
        csvOf(['firstName', 'email', 'tags'], people(`${tag}b`, 300)),
      ),
      importCsv(
        world.admin.client,
        { entity: 'contacts' },
        csvOf(['firstName', 'email', 'tags'], people(`${tag}b`, 300)),
      ),
    ]);
    const [cv, dv] = await Promise.all([finished(world.admin.client, c), finished(world.admin.client, d)]);
    expect(cv.created + dv.created).toBe(300);
    expect(cv.failed + dv.failed).toBe(300);
    expect(await contactsTagged(world.admin.client, `${tag}b`)).toHaveLength(300);
  });
});

describe('POST /imports mapping', () => {
  it('refuses at once a mapping that names a field the entity does not have', async () => {
    const client = api(await tokenFor({ tenant: `${world.tenant}-map`, role: 'admin', user: 'mapper' }));
    const defined = await client.put('/settings/fields/contacts', [
      { key: 'tier', label: 'Tier', type: 'select', options: ['gold'] },
    ]);
    expect(defined.status, defined.text).toBe(200);
    const refused = await client.post('/imports', {
      entity: 'contacts',
      mapping: {
        Colour: 'favouriteColour',
        Nope: 'customFields.nope',
        Level: 'customFields.tier',
        Mail: 'email',
        Notes: null,
        Other: '',
      },
    });
    expect(refused.status, refused.text).toBe(400);
    expect(refused.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(refused.body.errors).toEqual([
      {
        path: 'mapping.Colour',
        message: expect.stringMatching(
          /^contacts have no field "favouriteColour"; the fields are: firstName, .*customFields\.tier$/,
        ),
      },
      { path: 'mapping.Nope', message: expect.stringMatching(/^contacts have no field "customFields.nope"/) },
    ]);
    expect((await client.get('/imports')).body.items).toEqual([]);

    const accepted = await client.post('/imports', {
      entity: 'contacts',
      mapping: { Level: 'customFields.tier', Mail: 'email', Notes: null, Other: '' },
    });
    expect(accepted.status, accepted.text).toBe(201);
    const deals = await client.post('/imports', { entity: 'deals', mapping: { Level: 'customFields.tier' } });
    expect(deals.status).toBe(400);
    expect(deals.body.errors).toEqual([
      { path: 'mapping.Level', message: expect.stringMatching(/^deals have no field/) },
    ]);
  });
});

describe('GET /imports', () => {
  it('lists newest first with cursor paging, and another tenant sees none of them', async () => {
    const client = api(await tokenFor({ tenant: `${world.tenant}-list`, role: 'admin', user: 'lister' }));
    const ids: string[] = [];
    for (let n = 0; n < 3; n++) ids.push((await startImport(client, { entity: 'companies' })).id);
    const first = await client.get('/imports?limit=2');
    expect(first.body.items.map((item: { id: string }) => item.id)).toEqual([ids[2], ids[1]]);
    const second = await client.get(`/imports?limit=2&cursor=${first.body.nextCursor}`);
    expect(second.body).toMatchObject({
      items: [expect.objectContaining({ id: ids[0], status: 'uploading' })],
      nextCursor: null,
    });
    expect((await world.admin.client.get(`/imports/${ids[0]}`)).status).toBe(404);
    expect((await client.post('/imports', { entity: 'contacts', mode: 'merge' })).status).toBe(400);
  });
});

describe('the importer hears of an import once', () => {
  interface Notice {
    readonly kind: string;
    readonly record?: { readonly id: string };
  }
  const notices = async (member: World['admin']) =>
    (await member.client.get('/me/notifications')).body.items as Notice[];

  // Every record's row is written by the importing user as its owner: the notification rules
  // (shared/domain/notification-rules.ts) then tell nobody it was assigned to them. A row owned by
  // someone else still tells that someone, which shows the stream has reached the import's writes.
  it.each([
    ['an admin', () => world.admin],
    ['a rep', () => world.repRed],
  ])('sends %s one import_finished and no "assigned to you" for the 20 rows', async (_who, importer) => {
    const member = importer();
    const tag = unique('heard');
    const rows = people(tag, 20);
    const control =
      member === world.admin
        ? [
            {
              firstName: 'Handed',
              email: `handed.${tag}@example.com`,
              tags: tag,
              owner: `rep-blue@${world.tenant}.test`,
            },
          ]
        : [];
    const started = await startImport(member.client, { entity: 'contacts' });
    await upload(
      started.uploadUrl,
      csvOf(['firstName', 'lastName', 'email', 'tags', 'owner'], [...rows, ...control]),
    );
    expect(await finished(member.client, started.id)).toMatchObject({
      status: 'done',
      created: rows.length + control.length,
    });
    const stored = await contactsTagged(world.admin.client, tag);
    const mine = stored.filter((contact) => contact.ownerId === member.id);
    expect(mine).toHaveLength(20);
    if (control.length) {
      const handed = stored.find((contact) => contact.ownerId === world.repBlue.id);
      await eventually(async () => {
        expect(
          (await notices(world.repBlue)).filter((n) => n.kind === 'assigned' && n.record?.id === handed?.id),
        ).toHaveLength(1);
      });
    }
    // The stream's consumers run in order, timelines before notifications: every record created on
    // its timeline, then the notifications of those writes have been decided.
    await eventually(async () => {
      for (const contact of mine) {
        const timeline = await member.client.get(`/contacts/${contact.id}/timeline`);
        expect(timeline.body.items.map((item: { kind: string }) => item.kind)).toContain('created');
      }
    });
    const ids = new Set(stored.map((contact) => contact.id));
    await eventually(async () => {
      const heard = await notices(member);
      expect(heard.filter((n) => n.kind === 'import_finished' && n.record?.id === started.id)).toHaveLength(
        1,
      );
      expect(heard.filter((n) => n.record && ids.has(n.record.id))).toEqual([]);
    });
  });
});
