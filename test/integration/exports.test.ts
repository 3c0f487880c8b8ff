import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { parse } from 'csv-parse/sync';
import vCardParser from 'vcf';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { recordKey } from '#shared/store/keys';
import { type ApiClient, type ApiResponse, eventually } from '../support/api.ts';
import { dynamoClient, useTestTable } from '../support/dynamo.ts';
import { routeFor, shapeErrors } from '../support/response-shape.ts';
import { createWorld, unique, type World } from './world.ts';

/**
 * Exports against the real handlers, DynamoDB Local and the local S3 and
 * queue: each format's content, formula injection, the list's filters and
 * rights, segments, the export job with its presigned download, bad queries.
 * Small lists are streamed; `async=true` takes the job path without
 * thousands of records (the streaming limit itself is tested in
 * test/unit/exports-stream.test.ts).
 */
let world: World;
/** A tag only this file's records carry, so every list is exact. */
const TAG = `exp-${Date.now().toString(36)}`;
let companyId: string;
let domain: string;
const ids: Record<string, string> = {};

const created = async (client: ApiClient, path: string, body: Record<string, unknown>) => {
  const response = await client.post(path, body);
  expect(response.status, response.text).toBe(201);
  return response.body as { id: string; ownerId: string; name?: string };
};

/** Every item of a list route, paging with a small limit (cursors included in the check). */
async function listAll(client: ApiClient, path: string): Promise<{ id: string }[]> {
  const items: { id: string }[] = [];
  let cursor: string | null = null;
  do {
    const separator = path.includes('?') ? '&' : '?';
    const page: ApiResponse = await client.get(
      `${path}${separator}limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    expect(page.status, page.text).toBe(200);
    items.push(...page.body.items);
    cursor = page.body.nextCursor;
  } while (cursor);
  return items;
}

/** CSV rows as objects keyed by the header. */
function csvRecords(text: string): Record<string, string>[] {
  return parse(text, { bom: true, columns: true }) as Record<string, string>[];
}

/** A job followed until it finishes, then its file downloaded through the presigned link. */
async function downloaded(
  client: ApiClient,
  started: ApiResponse,
): Promise<{ job: Record<string, unknown>; text: string; bytes: Buffer; response: Response }> {
  expect(started.status, started.text).toBe(202);
  expect(started.headers.get('location')).toBe(`/exports/${started.body.id}`);
  const job = await eventually(async () => {
    const response = await client.get(started.body.href);
    expect(response.status, response.text).toBe(200);
    expect(response.body.status).toBe('done');
    // The documented shape, and nothing of the job's storage (requester's rights, lease).
    expect(shapeErrors(routeFor('GET', started.body.href), response.body)).toEqual([]);
    return response.body as Record<string, unknown>;
  });
  const response = await fetch(String(job.downloadUrl));
  expect(response.status).toBe(200);
  const bytes = Buffer.from(await response.arrayBuffer());
  return { job, text: new TextDecoder().decode(bytes), bytes, response };
}

beforeAll(async () => {
  world = await createWorld();
  domain = `${unique('alvarez')}.example`;
  companyId = (
    await created(world.repRed.client, '/companies', {
      name: 'Álvarez "Logística", S.L.',
      domain,
      country: 'ES',
      tags: [TAG],
    })
  ).id;
  const contact = async (key: string, client: ApiClient, body: Record<string, unknown>) => {
    ids[key] = (await created(client, '/contacts', { tags: [TAG], ...body })).id;
  };
  await contact('marta', world.repRed.client, {
    firstName: 'Marta',
    lastName: 'Gómez "la jefa"',
    email: `${unique('marta')}@alvarez.example`,
    phone: '+34 600 000 000',
    companyId,
    title: 'Jefa de operaciones',
    city: 'Cádiz',
    country: 'ES',
    tags: [TAG, 'vip'],
    customFields: { score: -5, note: '=HYPERLINK("http://evil.example")', vip: true },
  });
  // A title stored before single-line text refused line breaks: the exports still write it whole.
  useTestTable();
  await dynamoClient().send(
    new UpdateItemCommand({
      TableName: inject('tableName'),
      Key: marshall(recordKey(world.tenant, 'CONTACT', ids.marta as string)),
      UpdateExpression: 'SET title = :title',
      ExpressionAttributeValues: marshall({ ':title': 'Jefa\nde operaciones, Norte; Sur' }),
    }),
  );
  await contact('iker', world.repRed2.client, {
    firstName: '@Iker',
    lastName: 'Ruiz',
    email: `${unique('iker')}@ruiz.example`,
  });
  await contact('bea', world.repBlue.client, {
    firstName: 'Bea',
    lastName: 'Blue',
    email: `${unique('bea')}@blue.example`,
  });
  await contact('admin', world.admin.client, { firstName: '-Zoe', email: `${unique('zoe')}@admin.example` });
});

describe('contacts as CSV', () => {
  it('answers a small list in the response: the list’s records, references by name, formulas neutralised', async () => {
    const response = await world.admin.client.get(`/contacts/export?format=csv&tag=${TAG}`);
    expect(response.status, response.text).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toMatch(
      /^attachment; filename="contacts-\d{8}\.csv"$/,
    );
    // (fetch's text() drops the byte order mark; the job test below checks the bytes.)
    const header = (parse(response.text, { bom: true, to_line: 1 }) as string[][])[0] as string[];
    expect(header.slice(-3)).toEqual(['id', 'createdAt', 'updatedAt']);
    for (const column of ['firstName', 'lastName', 'email', 'phone', 'company', 'tags', 'owner'])
      expect(header).toContain(column);
    const rows = csvRecords(response.text);
    const listed = await listAll(world.admin.client, `/contacts?tag=${TAG}`);
    expect(rows.map((row) => row.id)).toEqual(listed.map((item) => item.id));
    const marta = rows.find((row) => row.id === ids.marta) as Record<string, string>;
    expect(marta.lastName).toBe('Gómez "la jefa"');
    expect(marta.title).toBe('Jefa\nde operaciones, Norte; Sur');
    expect(marta.city).toBe('Cádiz');
    expect(marta.company).toBe(domain);
    expect(marta.owner).toBe(`rep-red@${world.tenant}.test`);
    expect(marta.tags).toBe(`${TAG};vip`);
    // Formula injection: every cell starting with = + - @ gets a leading quote.
    expect(marta.phone).toBe("'+34 600 000 000");
    expect(rows.find((row) => row.id === ids.iker)?.firstName).toBe("'@Iker");
    expect(rows.find((row) => row.id === ids.admin)?.firstName).toBe("'-Zoe");
    // An owner without a user item is named by id.
    expect(rows.find((row) => row.id === ids.admin)?.owner).toBe(world.admin.id);
    const full = listed.find((item) => item.id === ids.marta) as unknown as {
      createdAt: string;
      updatedAt: string;
    };
    expect([marta.createdAt, marta.updatedAt]).toEqual([full.createdAt, full.updatedAt]);
  });

  it('holds exactly the list’s records for each filter (tag, ownerId, q by name and by email, companyId)', async () => {
    const martaEmail = ((await world.admin.client.get(`/contacts/${ids.marta}`)).body as { email: string })
      .email;
    const filters = [
      `tag=${TAG}`,
      `tag=vip&ownerId=${world.repRed.id}`,
      `ownerId=${world.repRed2.id}`,
      'q=marta',
      `q=${encodeURIComponent(martaEmail.toUpperCase())}`,
      `companyId=${companyId}`,
      'archived=true',
    ];
    for (const filter of filters) {
      const exported = await world.admin.client.get(`/contacts/export?format=json&${filter}`);
      expect(exported.status, `${filter}: ${exported.text}`).toBe(200);
      const listed = await listAll(world.admin.client, `/contacts?${filter}`);
      expect(
        (exported.body as { id: string }[]).map((item) => item.id),
        filter,
      ).toEqual(listed.map((item) => item.id));
    }
  });
});

describe('JSON and vCard', () => {
  it('JSON is an array of the objects the list returns', async () => {
    const response = await world.admin.client.get(`/contacts/export?format=json&tag=${TAG}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.headers.get('content-disposition')).toMatch(/filename="contacts-\d{8}\.json"/);
    expect(response.body).toEqual(await listAll(world.admin.client, `/contacts?tag=${TAG}`));
    // Not a spreadsheet: no neutralisation.
    const marta = (response.body as { id: string; customFields: Record<string, unknown> }[]).find(
      (item) => item.id === ids.marta,
    );
    expect(marta?.customFields.note).toBe('=HYPERLINK("http://evil.example")');
  });

  it('vCard: one card per contact, values escaped and folded (RFC 6350)', async () => {
    const response = await world.admin.client.get(`/contacts/export?format=vcf&tag=${TAG}`);
    expect(response.status, response.text).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/vcard; charset=utf-8');
    const text = response.text;
    for (const line of text.split('\r\n')) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(75);
    const cards = vCardParser.parse(text);
    expect(cards).toHaveLength(4);
    const unfolded = text.replace(/\r\n /g, '');
    expect(unfolded).toContain(
      `UID;VALUE=text:${ids.marta}\r\nFN:Marta Gómez "la jefa"\r\nN:Gómez "la jefa";Marta;;;\r\n`,
    );
    expect(unfolded).toContain('TITLE:Jefa\\nde operaciones\\, Norte\\; Sur\r\n');
    expect(unfolded).toContain('ORG:Álvarez "Logística"\\, S.L.\r\n');
    expect(unfolded).toContain(`CATEGORIES:${TAG},vip\r\n`);
    expect(unfolded).toContain('ADR;TYPE=work:;;;Cádiz;;;ES\r\n');
  });

  it('vCard only for people: companies and deals answer 400', async () => {
    for (const path of ['/companies/export?format=vcf', '/deals/export?format=vcf']) {
      const response = await world.admin.client.get(path);
      expect(response.status, path).toBe(400);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      expect(response.body.errors).toEqual([expect.objectContaining({ path: 'format' })]);
    }
    const leads = await world.admin.client.get('/leads/export?format=vcf');
    expect(leads.status).toBe(200);
  });
});

describe('other lists', () => {
  it("companies and deals: a deal's pipeline, stage, company and contacts by name and email", async () => {
    const pipelines = await world.admin.client.get('/pipelines');
    const pipeline = pipelines.body.items[0] as {
      id: string;
      name: string;
      stages: { id: string; name: string }[];
    };
    const stage = pipeline.stages.find((candidate) => candidate.name === 'proposal') as {
      id: string;
      name: string;
    };
    const martaEmail = ((await world.admin.client.get(`/contacts/${ids.marta}`)).body as { email: string })
      .email;
    const deal = await created(world.repRed.client, '/deals', {
      name: `Fleet ${TAG}`,
      amount: 18000.5,
      currency: 'EUR',
      pipelineId: pipeline.id,
      stageId: stage.id,
      companyId,
      contactIds: [ids.marta, ids.iker],
    });
    const deals = await world.admin.client.get(`/deals/export?companyId=${companyId}`);
    expect(deals.status, deals.text).toBe(200);
    const [row] = csvRecords(deals.text);
    expect(row).toMatchObject({
      id: deal.id,
      name: `Fleet ${TAG}`,
      amount: '18000.5',
      currency: 'EUR',
      pipeline: pipeline.name,
      stage: 'proposal',
      company: domain,
    });
    const ikerEmail = ((await world.admin.client.get(`/contacts/${ids.iker}`)).body as { email: string })
      .email;
    expect(row?.contacts).toBe(`${martaEmail};${ikerEmail}`);
    const companies = await world.admin.client.get(`/companies/export?tag=${TAG}`);
    expect(csvRecords(companies.text)).toEqual([
      expect.objectContaining({ id: companyId, name: 'Álvarez "Logística", S.L.', domain }),
    ]);
  });
});

describe('rights', () => {
  it('a rep exports what their list shows, never another team’s records', async () => {
    for (const member of [world.repRed, world.repBlue, world.managerRed]) {
      const exported = await member.client.get(`/contacts/export?format=json&tag=${TAG}`);
      expect(exported.status).toBe(200);
      const listed = await listAll(member.client, `/contacts?tag=${TAG}`);
      expect((exported.body as { id: string }[]).map((item) => item.id)).toEqual(
        listed.map((item) => item.id),
      );
    }
    const blue = await world.repBlue.client.get(`/contacts/export?format=json&tag=${TAG}`);
    expect((blue.body as { id: string }[]).map((item) => item.id)).toEqual([ids.bea]);
  });

  it("a reference the reader may not read is left blank (a blue rep's deal at a red company)", async () => {
    const contact = await created(world.repBlue.client, '/contacts', {
      firstName: 'Blue',
      email: `${unique('blue')}@blue.example`,
      companyId,
      tags: [`${TAG}-blue`],
    });
    const rows = csvRecords((await world.repBlue.client.get(`/contacts/export?tag=${TAG}-blue`)).text);
    expect(rows).toEqual([expect.objectContaining({ id: contact.id, company: '' })]);
    const admin = csvRecords((await world.admin.client.get(`/contacts/export?tag=${TAG}-blue`)).text);
    expect(admin[0]?.company).toBe(domain);
  });

  it('another tenant sees none of it: lists export empty, segments and jobs are 404', async () => {
    const list = await world.stranger.client.get(`/contacts/export?format=json&tag=${TAG}`);
    expect(list.status).toBe(200);
    expect(list.body).toEqual([]);
    const segment = await created(world.admin.client, '/segments', {
      name: unique('Segment'),
      filter: { all: [{ field: 'tags', op: 'contains', value: TAG }] },
    });
    expect((await world.stranger.client.get(`/segments/${segment.id}/export`)).status).toBe(404);
    const job = await world.admin.client.get(`/contacts/export?tag=${TAG}&async=true`);
    expect(job.status).toBe(202);
    expect((await world.stranger.client.get(`/exports/${job.body.id}`)).status).toBe(404);
    // A rep sees only their own jobs; managers and admins the tenant's.
    expect((await world.repRed.client.get(`/exports/${job.body.id}`)).status).toBe(404);
    expect((await world.managerRed.client.get(`/exports/${job.body.id}`)).status).toBe(200);
    const own = await world.repRed.client.get(`/contacts/export?tag=${TAG}&async=true`);
    expect((await world.repRed.client.get(`/exports/${own.body.id}`)).status).toBe(200);
    expect((await world.repRed2.client.get(`/exports/${own.body.id}`)).status).toBe(404);
    expect((await world.admin.client.get('/exports/not-an-id')).status).toBe(404);
    expect((await world.admin.client.get('/exports/01J00000000000000000000000')).status).toBe(404);
  });
});

describe('segments', () => {
  it('exports the live contacts the preview resolves for the caller', async () => {
    const segment = await created(world.repRed.client, '/segments', {
      name: unique('Segment'),
      filter: { all: [{ field: 'tags', op: 'contains', value: TAG }] },
    });
    for (const member of [world.admin, world.repRed]) {
      const exported = await member.client.get(`/segments/${segment.id}/export?format=json`);
      expect(exported.status, exported.text).toBe(200);
      expect(exported.headers.get('content-disposition')).toMatch(
        // Saved under the segment's name.
        new RegExp(`^attachment; filename="${segment.name}-\\d{8}\\.json"$`),
      );
      const preview = await member.client.get(`/segments/${segment.id}/preview?limit=100`);
      const exportedIds = (exported.body as { id: string }[]).map((item) => item.id).sort();
      expect(exportedIds).toEqual((preview.body.sample as { id: string }[]).map((item) => item.id).sort());
    }
    // The blue rep may not read the red rep's segment.
    expect((await world.repBlue.client.get(`/segments/${segment.id}/export`)).status).toBe(404);
    const vcf = await world.admin.client.get(`/segments/${segment.id}/export?format=vcf`);
    expect(vcf.status).toBe(200);
    expect(vCardParser.parse(vcf.text).length).toBeGreaterThanOrEqual(4);
  });
});

describe('export jobs', () => {
  it('writes the same file as the streamed answer, behind a presigned link', async () => {
    const streamed = await world.admin.client.get(`/contacts/export?format=csv&tag=${TAG}`);
    const started = await world.admin.client.get(`/contacts/export?format=csv&tag=${TAG}&async=true`);
    expect(started.body).toMatchObject({
      status: 'processing',
      format: 'csv',
      entity: 'contacts',
      filters: { tag: TAG },
    });
    const { job, text, bytes, response } = await downloaded(world.admin.client, started);
    // A UTF-8 byte order mark first, so spreadsheet apps read the accents right.
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(response.headers.get('content-disposition')).toMatch(
      /^attachment; filename="contacts-\d{8}\.csv"$/,
    );
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(text).toBe(streamed.text);
    expect(job).toMatchObject({ rows: csvRecords(text).length, bytes: bytes.length });
    expect(typeof job.finishedAt).toBe('string');
  });

  it('runs a segment export as a job too', async () => {
    const segment = await created(world.admin.client, '/segments', {
      name: unique('Segment'),
      filter: { all: [{ field: 'tags', op: 'contains', value: TAG }] },
    });
    const started = await world.admin.client.get(`/segments/${segment.id}/export?format=json&async=true`);
    expect(started.body).toMatchObject({ segmentId: segment.id, format: 'json' });
    const { text } = await downloaded(world.admin.client, started);
    const streamed = await world.admin.client.get(`/segments/${segment.id}/export?format=json`);
    expect(JSON.parse(text)).toEqual(streamed.body);
  });
});

describe('bad queries', () => {
  it('answers 400 problem+json naming the parameter', async () => {
    const cases: [string, string][] = [
      ['/contacts/export?format=xlsx', 'format'],
      ['/contacts/export?colour=red', 'colour'],
      ['/contacts/export?limit=10', 'limit'],
      ['/contacts/export?cursor=abc', 'cursor'],
      ['/deals/export?status=maybe', 'status'],
      ['/contacts/export?async=yes', 'async'],
    ];
    for (const [path, parameter] of cases) {
      const response = await world.admin.client.get(path);
      expect(response.status, path).toBe(400);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      expect(JSON.stringify(response.body.errors), path).toContain(parameter);
    }
  });
});

describe('custom fields', () => {
  it('writes defined custom fields as customFields.<key> columns and filters by them as the list does', async () => {
    const put = await world.admin.client.put('/settings/fields/contacts', [
      { key: 'score', label: 'Score', type: 'number' },
      { key: 'note', label: 'Note', type: 'text' },
      { key: 'vip', label: 'VIP', type: 'boolean' },
    ]);
    expect(put.status, put.text).toBe(200);
    try {
      const response = await world.admin.client.get(`/contacts/export?tag=${TAG}`);
      expect(response.status, response.text).toBe(200);
      const header = (parse(response.text, { bom: true, to_line: 1 }) as string[][])[0] as string[];
      expect(header.slice(-6)).toEqual([
        'customFields.score',
        'customFields.note',
        'customFields.vip',
        'id',
        'createdAt',
        'updatedAt',
      ]);
      const marta = csvRecords(response.text).find((row) => row.id === ids.marta);
      expect(marta).toMatchObject({
        'customFields.score': "'-5",
        'customFields.note': `'=HYPERLINK("http://evil.example")`,
        'customFields.vip': 'true',
      });
      const filtered = await world.admin.client.get(
        `/contacts/export?format=json&tag=${TAG}&customFields.vip=true`,
      );
      expect(filtered.status, filtered.text).toBe(200);
      const listed = await listAll(world.admin.client, `/contacts?tag=${TAG}&customFields.vip=true`);
      expect((filtered.body as { id: string }[]).map((item) => item.id)).toEqual(
        listed.map((item) => item.id),
      );
      expect(listed.map((item) => item.id)).toEqual([ids.marta]);
      // A filter on a key without a definition is refused, as by the list.
      const unknown = await world.admin.client.get('/contacts/export?customFields.colour=red');
      expect(unknown.status).toBe(400);
      expect(JSON.stringify(unknown.body.errors)).toContain('customFields.colour');
      // The job reads the same filter.
      const started = await world.admin.client.get(
        `/contacts/export?format=json&tag=${TAG}&customFields.vip=true&async=true`,
      );
      const { text } = await downloaded(world.admin.client, started);
      expect((JSON.parse(text) as { id: string }[]).map((item) => item.id)).toEqual([ids.marta]);
    } finally {
      await world.admin.client.put('/settings/fields/contacts', []);
    }
  });
});
