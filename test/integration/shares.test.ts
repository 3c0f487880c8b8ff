import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { BatchWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { parse } from 'csv-parse/sync';
import { monotonicFactory } from 'ulid';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { sharedListFields } from '#shared/domain/exports/index';
import { type ShareClaim, signShareToken, verifyShareToken } from '#shared/domain/share-token';
import { loadOrCreateSigningSecret } from '../../infra/local/dev-secrets.ts';
import { type ApiClient, api, eventually, tokenFor, uniqueTenant } from '../support/api.ts';
import { dynamoClient, useTestTable } from '../support/dynamo.ts';
import { routeFor, shapeErrors } from '../support/response-shape.ts';
import { createWorld, type Member, unique, type World } from './world.ts';

/**
 * Shared list links against the real handlers, DynamoDB Local and the local
 * S3 and queue: a partner downloads each format without a token; every way a
 * link can be wrong answers the same 404; revocation, archiving and a
 * deactivated creator end it; rights on sharing, listing, revoking and the
 * log; the download log; a list past the in-response limit through an export
 * job (202, then 302 to the file).
 */
let world: World;
let signingKey: Buffer;
const TAG = `shr-${Date.now().toString(36)}`;
/** repRed's segment (team red) and the admin's, both of every contact tagged TAG. */
let redSegment: string;
let adminSegment: string;
const contactIds: Record<string, string> = {};
/** The same contacts' emails: a shared list carries no ids. */
const emails: Record<string, string> = {};
const USER_AGENT = 'PartnerFetcher/1.0 (+https://partner.example)';

const filter = (tag: string) => ({ all: [{ field: 'tags', op: 'contains', value: tag }] });

/** The public link fetched as a partner would: no token, redirects not followed. */
async function partner(url: string): Promise<Response> {
  return fetch(url, { redirect: 'manual', headers: { 'user-agent': USER_AGENT } });
}

/** A link path on the test API for a raw token. */
const linkUrl = (token: string) => new URL(`/l/${token}`, inject('apiUrl')).toString();
const tokenOf = (url: string) => url.slice(url.lastIndexOf('/') + 1);

async function share(client: ApiClient, segmentId: string, body: Record<string, unknown>) {
  const response = await client.post(`/segments/${segmentId}/share`, body);
  expect(response.status, response.text).toBe(201);
  expect(shapeErrors(routeFor('POST', `/segments/${segmentId}/share`), response.body)).toEqual([]);
  return response.body as {
    id: string;
    url: string;
    format: string;
    expiresAt: string;
    downloads: number;
    label?: string;
  };
}

async function createdId(client: ApiClient, path: string, body: Record<string, unknown>): Promise<string> {
  const response = await client.post(path, body);
  expect(response.status, response.text).toBe(201);
  return response.body.id as string;
}

const csvRows = (text: string) => parse(text, { bom: true, columns: true }) as Record<string, string>[];

/** What every refused link answers: the same status and body, whatever the reason. */
let refusal: { status: number; body: string } | undefined;
async function expectRefused(url: string): Promise<void> {
  const response = await partner(url);
  const answer = { status: response.status, body: await response.text() };
  expect(answer.status).toBe(404);
  refusal ??= answer;
  expect(answer).toEqual(refusal);
}

beforeAll(async () => {
  world = await createWorld();
  signingKey = Buffer.from(await loadOrCreateSigningSecret(inject('dataDir')), 'utf8');
  for (const name of ['red', 'red2', 'blue']) emails[name] = `${unique(name)}@partner.example`;
  const company = await createdId(world.repRed.client, '/companies', { name: 'Norte SA' });
  contactIds.red = await createdId(world.repRed.client, '/contacts', {
    firstName: '=HYPERLINK("http://evil.example")',
    lastName: 'Roja',
    email: emails.red,
    phone: '+34 600 000 000',
    companyId: company,
    title: 'Buyer',
    city: 'Bilbao',
    country: 'ES',
    tags: [TAG],
    customFields: { internalScore: 7 },
  });
  contactIds.red2 = await createdId(world.repRed2.client, '/contacts', {
    firstName: 'Rosa',
    email: emails.red2,
    tags: [TAG],
  });
  contactIds.blue = await createdId(world.repBlue.client, '/contacts', {
    firstName: 'Azul',
    email: emails.blue,
    tags: [TAG],
  });
  redSegment = await createdId(world.repRed.client, '/segments', { name: `Red ${TAG}`, filter: filter(TAG) });
  adminSegment = await createdId(world.admin.client, '/segments', {
    name: `All ${TAG}`,
    filter: filter(TAG),
  });
});

describe('shared list links', () => {
  it('let a partner download CSV, JSON and vCard without a token: what the creator may read, now', async () => {
    const csv = await share(world.repRed.client, redSegment, {
      expiresInDays: 7,
      label: 'Distribuidor Norte',
    });
    expect(csv).toMatchObject({ format: 'csv', label: 'Distribuidor Norte', downloads: 0 });
    expect(csv.url).toMatch(/\/l\/[A-Za-z0-9_-]+$/);
    expect(Date.parse(csv.expiresAt) - Date.now()).toBeGreaterThan(7 * 86_400_000 - 60_000);

    const response = await partner(csv.url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    // Saved under the segment's name.
    expect(response.headers.get('content-disposition')).toMatch(
      new RegExp(`^attachment; filename="Red ${TAG}-\\d{8}\\.csv"$`),
    );
    expect(response.headers.get('cache-control')).toContain('no-store');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    const text = await response.text();
    const rows = csvRows(text);
    // Only the fields a partner needs: no ids, owners, teams, authors, versions or custom fields.
    expect(Object.keys(rows[0] ?? {})).toEqual([...sharedListFields]);
    expect(text).not.toContain(contactIds.red);
    expect(text).not.toContain(world.repRed.id);
    // The rep's rights: their own and their team's contacts, not the blue team's.
    expect(rows.map((row) => row.email).sort()).toEqual([emails.red, emails.red2].sort());
    expect(rows.find((row) => row.email === emails.red)).toEqual({
      firstName: `'=HYPERLINK("http://evil.example")`,
      lastName: 'Roja',
      email: emails.red,
      // The CSV neutralises a leading formula sign, as every export does.
      phone: `'+34 600 000 000`,
      company: 'Norte SA',
      title: 'Buyer',
      city: 'Bilbao',
      country: 'ES',
      tags: TAG,
    });

    const json = await share(world.repRed.client, redSegment, { expiresInDays: 1, format: 'json' });
    const jsonResponse = await partner(json.url);
    expect(jsonResponse.status).toBe(200);
    expect(jsonResponse.headers.get('content-type')).toMatch(/^application\/json/);
    const records = (await jsonResponse.json()) as Record<string, unknown>[];
    expect(shapeErrors(routeFor('GET', '/l/{token}'), records)).toEqual([]);
    expect(records.map((record) => record.email).sort()).toEqual([emails.red, emails.red2].sort());
    expect(records.find((record) => record.email === emails.red)).toEqual({
      firstName: '=HYPERLINK("http://evil.example")',
      lastName: 'Roja',
      email: emails.red,
      phone: '+34 600 000 000',
      company: 'Norte SA',
      title: 'Buyer',
      city: 'Bilbao',
      country: 'ES',
      tags: [TAG],
    });
    for (const record of records)
      expect(Object.keys(record).every((key) => (sharedListFields as readonly string[]).includes(key))).toBe(
        true,
      );

    const vcf = await share(world.repRed.client, redSegment, { expiresInDays: 90, format: 'vcf' });
    const vcfResponse = await partner(vcf.url);
    expect(vcfResponse.status).toBe(200);
    expect(vcfResponse.headers.get('content-type')).toMatch(/^text\/vcard/);
    expect(vcfResponse.headers.get('content-disposition')).toMatch(/\.vcf"$/);
    const cards = await vcfResponse.text();
    expect(cards.match(/BEGIN:VCARD/g)).toHaveLength(2);
    expect(cards).toContain('Rosa');
    expect(cards).not.toContain('Azul');
    // No record id (UID) or revision: the card holds what the CSV holds.
    expect(cards).not.toMatch(/^UID|^REV/m);
    expect(cards).not.toContain(contactIds.red);
    expect(cards).toContain('ORG:Norte SA');

    // The admin's link serves every match; a contact added later is in the next download.
    const all = await share(world.admin.client, adminSegment, { expiresInDays: 3 });
    expect(csvRows(await (await partner(all.url)).text())).toHaveLength(3);
    const laterEmail = `${unique('later')}@partner.example`;
    await createdId(world.repBlue.client, '/contacts', {
      firstName: 'Later',
      email: laterEmail,
      tags: [TAG],
    });
    const again = csvRows(await (await partner(all.url)).text());
    expect(again.map((row) => row.email)).toContain(laterEmail);
    expect(again).toHaveLength(4);
  });

  it('log every download, newest first, with its counter on the share', async () => {
    const link = await share(world.repRed.client, redSegment, { expiresInDays: 2, format: 'json' });
    for (let n = 0; n < 3; n++) expect((await partner(link.url)).status).toBe(200);
    const path = `/segments/${redSegment}/shares/${link.id}/downloads`;
    const log = await world.repRed.client.get(path);
    expect(log.status, log.text).toBe(200);
    expect(shapeErrors(routeFor('GET', path), log.body)).toEqual([]);
    expect(log.body.items).toHaveLength(3);
    const [newest] = log.body.items;
    expect(newest).toMatchObject({ format: 'json', outcome: 'inline', rows: 2, userAgent: USER_AGENT });
    expect(newest.bytes).toBeGreaterThan(10);
    expect(newest.ip).toMatch(/^[0-9a-f.:]+$/);
    const times = log.body.items.map((item: { at: string }) => item.at);
    expect(times).toEqual([...times].sort().reverse());

    // Cursor paging through the same log.
    const first = await world.repRed.client.get(`${path}?limit=2`);
    expect(first.body.items).toHaveLength(2);
    const second = await world.repRed.client.get(
      `${path}?limit=2&cursor=${encodeURIComponent(first.body.nextCursor)}`,
    );
    expect(second.body.items.map((item: { id: string }) => item.id)).toEqual([log.body.items[2].id]);

    const listed = await world.repRed.client.get(`/segments/${redSegment}/shares`);
    expect(listed.status).toBe(200);
    expect(shapeErrors(routeFor('GET', `/segments/${redSegment}/shares`), listed.body)).toEqual([]);
    const mine = listed.body.items.find((item: { id: string }) => item.id === link.id);
    expect(mine).toMatchObject({ downloads: 3, url: link.url });
    expect(mine.lastDownloadAt).toBe(newest.at);
  });

  it('answer the same 404 for a tampered, malformed, re-pointed or expired token', async () => {
    const link = await share(world.repRed.client, redSegment, { expiresInDays: 5 });
    const token = tokenOf(link.url);
    const claim = verifyShareToken(token, signingKey) as ShareClaim;
    expect(claim).toMatchObject({
      tenantId: world.tenant,
      segmentId: redSegment,
      shareId: link.id,
      format: 'csv',
    });
    expect((await partner(link.url)).status).toBe(200);

    // Every byte of the token changed in turn: version, segment, share, format, expiry, tenant, MAC.
    const bytes = Buffer.from(token, 'base64url');
    for (let index = 0; index < bytes.length; index++) {
      const changed = Buffer.from(bytes);
      changed[index] = (changed[index] ?? 0) ^ 0x01;
      await expectRefused(linkUrl(changed.toString('base64url')));
    }
    // Malformed.
    // Malformed, including tokens the path check refuses before any handler (too long, other characters).
    for (const bad of [
      'x',
      token.slice(0, -2),
      `${token}AA`,
      `${token}.gif`,
      'A'.repeat(600),
      'A'.repeat(5000),
      `${token.slice(0, 20)}~${token.slice(21)}`,
      `${token}.png`,
      '%00',
    ])
      await expectRefused(linkUrl(bad));
    expect(JSON.parse(refusal?.body ?? '{}')).toMatchObject({ status: 404, detail: 'Link not found' });
    // Genuinely signed, but for another tenant, segment, share, format or expiry than the share holds.
    const signed = (change: Partial<ShareClaim>) =>
      linkUrl(signShareToken({ ...claim, ...change }, signingKey));
    await expectRefused(signed({ tenantId: uniqueTenant() }));
    await expectRefused(signed({ segmentId: adminSegment }));
    await expectRefused(signed({ format: 'json' }));
    await expectRefused(signed({ format: 'vcf' }));
    await expectRefused(signed({ expiresAt: claim.expiresAt + 86_400 }));
    await expectRefused(signed({ shareId: '01JDZ8Q7P2M3N4P5Q6R7S8T9V0' }));
    // Expired: the token's own expiry past, and a share whose stored expiry has passed.
    await expectRefused(signed({ expiresAt: Math.floor(Date.now() / 1000) - 60 }));
    useTestTable();
    const past = new Date(Date.now() - 60_000);
    await dynamoClient().send(
      new UpdateItemCommand({
        TableName: inject('tableName'),
        Key: { pk: { S: `T#${world.tenant}#SHARES#${redSegment}` }, sk: { S: link.id } },
        UpdateExpression: 'SET linkExpiresAt = :past',
        ExpressionAttributeValues: { ':past': { S: past.toISOString() } },
      }),
    );
    await expectRefused(link.url);
    await expectRefused(signed({ expiresAt: Math.floor(past.getTime() / 1000) }));
    // The link still verifies (its own expiry is days away): the share's record ended it.
    expect(verifyShareToken(token, signingKey)).toBeDefined();
    const listed = await world.repRed.client.get(`/segments/${redSegment}/shares`);
    expect(listed.body.items.map((item: { id: string }) => item.id)).not.toContain(link.id);
  });

  it('end with revocation, an archived segment or a deactivated creator', async () => {
    const revoked = await share(world.repRed.client, redSegment, { expiresInDays: 5 });
    expect((await partner(revoked.url)).status).toBe(200);
    const path = `/segments/${redSegment}/shares/${revoked.id}`;
    expect((await world.repRed.client.delete(path)).status).toBe(204);
    await expectRefused(revoked.url);
    expect((await world.repRed.client.delete(path)).status).toBe(404);
    const listed = await world.repRed.client.get(`/segments/${redSegment}/shares`);
    expect(listed.body.items.map((item: { id: string }) => item.id)).not.toContain(revoked.id);
    // Its log stays readable by those who may manage it.
    expect((await world.repRed.client.get(`${path}/downloads`)).body.items).toHaveLength(1);

    const segment = await createdId(world.repRed.client, '/segments', {
      name: `Arch ${TAG}`,
      filter: filter(TAG),
    });
    const archived = await share(world.repRed.client, segment, { expiresInDays: 5 });
    expect((await partner(archived.url)).status).toBe(200);
    expect((await world.repRed.client.delete(`/segments/${segment}`)).status).toBe(204);
    await expectRefused(archived.url);
    expect((await world.repRed.client.post(`/segments/${segment}/share`, { expiresInDays: 1 })).status).toBe(
      409,
    );
    expect((await world.repRed.client.post(`/segments/${segment}/restore`, {})).status).toBe(200);
    expect((await partner(archived.url)).status).toBe(200);

    const email = `${unique('leaver')}@${world.tenant}.test`;
    const created = await world.admin.client.post('/users', {
      email,
      name: 'Leaver',
      role: 'rep',
      teamId: world.teams.red,
    });
    expect(created.status, created.text).toBe(201);
    const leaver: Member = {
      id: created.body.id,
      client: api(
        await tokenFor({
          tenant: world.tenant,
          role: 'rep',
          user: created.body.id,
          team: world.teams.red,
          email,
        }),
      ),
    };
    const own = await createdId(leaver.client, '/segments', { name: `Leaver ${TAG}`, filter: filter(TAG) });
    const left = await share(leaver.client, own, { expiresInDays: 5 });
    expect((await partner(left.url)).status).toBe(200);
    const deactivated = await world.admin.client.patch(`/users/${leaver.id}`, { active: false });
    expect(deactivated.status, deactivated.text).toBe(200);
    await expectRefused(left.url);
  });

  it('hold to the record rules: another tenant and another team see nothing; only the creator, an admin or their team’s manager revoke or audit', async () => {
    const link = await share(world.repRed.client, redSegment, { expiresInDays: 5 });
    const base = `/segments/${redSegment}`;
    const shareRoute = `${base}/shares/${link.id}`;
    // Another tenant's admin: every route 404, as for a segment that does not exist.
    for (const response of [
      await world.stranger.client.post(`${base}/share`, { expiresInDays: 1 }),
      await world.stranger.client.get(`${base}/shares`),
      await world.stranger.client.get(`${shareRoute}/downloads`),
      await world.stranger.client.delete(shareRoute),
    ])
      expect(response.status, response.text).toBe(404);
    // A rep of another team may not read the segment: 404 everywhere.
    for (const response of [
      await world.repBlue.client.post(`${base}/share`, { expiresInDays: 1 }),
      await world.repBlue.client.get(`${base}/shares`),
      await world.repBlue.client.get(`${shareRoute}/downloads`),
      await world.repBlue.client.delete(shareRoute),
    ])
      expect(response.status, response.text).toBe(404);
    // A teammate reads the segment and sees the share, but not its link, nor may revoke or audit it.
    const seen = await world.repRed2.client.get(`${base}/shares`);
    expect(seen.status).toBe(200);
    const teammateView = seen.body.items.find((item: { id: string }) => item.id === link.id);
    expect(teammateView).toBeDefined();
    expect(teammateView.url).toBeUndefined();
    expect((await world.repRed2.client.get(`${shareRoute}/downloads`)).status).toBe(403);
    expect((await world.repRed2.client.delete(shareRoute)).status).toBe(403);
    // A teammate may share the segment themselves: their link serves their own rights.
    await share(world.repRed2.client, redSegment, { expiresInDays: 1 });
    // An unknown share id, or one of another segment.
    expect(
      (await world.repRed.client.get(`${base}/shares/01JDZ8Q7P2M3N4P5Q6R7S8T9V0/downloads`)).status,
    ).toBe(404);
    expect(
      (await world.admin.client.get(`/segments/${adminSegment}/shares/${link.id}/downloads`)).status,
    ).toBe(404);
    // The creator's team manager and an admin may.
    expect((await world.managerRed.client.get(`${shareRoute}/downloads`)).status).toBe(200);
    expect((await world.admin.client.get(`${shareRoute}/downloads`)).status).toBe(200);
    const managerView = (await world.managerRed.client.get(`${base}/shares`)).body.items.find(
      (item: { id: string }) => item.id === link.id,
    );
    expect(managerView.url).toBe(link.url);
    expect((await world.managerRed.client.delete(shareRoute)).status).toBe(204);
    await expectRefused(link.url);
  });

  it('refuse bad input with a 400 that lists the field', async () => {
    for (const body of [
      {},
      { expiresInDays: 0 },
      { expiresInDays: 91 },
      { expiresInDays: 1.5 },
      { expiresInDays: '7' },
      { expiresInDays: 7, format: 'xlsx' },
      { expiresInDays: 7, label: '' },
      { expiresInDays: 7, label: 'x'.repeat(201) },
      { expiresInDays: 7, label: 'Partner\u0000' },
      { expiresInDays: 7, label: 'Partner\r\nX-Injected: 1' },
      { expiresInDays: 7, label: 'Partner \u0085 next' },
      { expiresInDays: 7, label: '\u202Egpj.exe' },
      { expiresInDays: 7, label: 'Partner \u2066isolated\u2069' },
      { expiresInDays: 7, extra: true },
    ]) {
      const response = await world.repRed.client.post(`/segments/${redSegment}/share`, body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
    }
    const link = await share(world.repRed.client, redSegment, { expiresInDays: 1 });
    const bad = await world.repRed.client.get(`/segments/${redSegment}/shares/${link.id}/downloads?limit=0`);
    expect(bad.status).toBe(400);
    expect(
      (await world.repRed.client.get(`/segments/${redSegment}/shares/${link.id}/downloads?cursor=x.y`))
        .status,
    ).toBe(400);
  });

  it('serve a list past the in-response limit through one export job: 202, then 302 to the file', async () => {
    useTestTable();
    const { toItem } = await import('#shared/store/records');
    const { contacts } = await import('#shared/store/entities');
    const { dynamo } = await import('#shared/store/client');
    const { BatchWriteCommand } = await import('@aws-sdk/lib-dynamodb');
    // A tag that does not hold TAG, so the other tests' segments (tags containing TAG) stay small.
    const tag = `big-${Date.now().toString(36)}`;
    const next = monotonicFactory();
    const now = new Date().toISOString();
    // One past STREAM_LIMITS.rows (1,000), written straight to the table (the API would take minutes).
    const items = Array.from({ length: 1001 }, (_, index) =>
      toItem(contacts, world.tenant, {
        id: next(),
        createdAt: now,
        updatedAt: now,
        version: 1,
        ownerId: world.admin.id,
        archived: false,
        firstName: `Partner ${index}`,
        email: `${tag}-${index}@partner.example`,
        tags: [tag],
        customFields: {},
        marketingStatus: 'subscribed',
      }),
    );
    const tableName = inject('tableName');
    await Promise.all(
      Array.from({ length: 4 }, async (_, worker) => {
        for (let start = worker * 25; start < items.length; start += 100) {
          let requests: NonNullable<BatchWriteCommandInput['RequestItems']>[string] = items
            .slice(start, start + 25)
            .map((Item) => ({ PutRequest: { Item } }));
          while (requests.length > 0) {
            const output = await dynamo.send(
              new BatchWriteCommand({ RequestItems: { [tableName]: requests } }),
            );
            requests = output.UnprocessedItems?.[tableName] ?? [];
          }
        }
      }),
    );
    const segment = await createdId(world.admin.client, '/segments', {
      name: `Big ${tag}`,
      filter: filter(tag),
    });
    const link = await share(world.admin.client, segment, { expiresInDays: 1 });

    const first = await partner(link.url);
    expect(first.status).toBe(202);
    expect(Number(first.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await first.json()).toMatchObject({ status: 'preparing' });

    const location = await eventually(
      async () => {
        const response = await partner(link.url);
        expect(response.status).toBe(302);
        return response.headers.get('location') as string;
      },
      { timeoutMs: 120_000, intervalMs: 500 },
    );
    const file = await fetch(location);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-disposition')).toMatch(
      new RegExp(`^attachment; filename="Big ${tag}-\\d{8}\\.csv"$`),
    );
    const rows = csvRows(await file.text());
    expect(rows).toHaveLength(1001);

    const log = await world.admin.client.get(`/segments/${segment}/shares/${link.id}/downloads?limit=200`);
    const outcomes = log.body.items.map((item: { outcome: string }) => item.outcome);
    expect(outcomes[0]).toBe('redirect');
    expect(outcomes.at(-1)).toBe('job');
    // One job for the share: every entry names the same export.
    const exports = new Set(log.body.items.map((item: { exportId?: string }) => item.exportId));
    expect(exports.size).toBe(1);
    expect(log.body.items[0]).toMatchObject({ rows: 1001 });

    // A job older than an hour is stale: the next download starts a new one rather than serve an old list.
    const [jobId] = exports as Set<string>;
    await dynamoClient().send(
      new UpdateItemCommand({
        TableName: tableName,
        Key: { pk: { S: `T#${world.tenant}#EXPORT#${jobId}` }, sk: { S: 'A' } },
        UpdateExpression: 'SET createdAt = :old',
        ExpressionAttributeValues: { ':old': { S: new Date(Date.now() - 2 * 3_600_000).toISOString() } },
      }),
    );
    expect((await partner(link.url)).status).toBe(202);
    const restarted = await world.admin.client.get(
      `/segments/${segment}/shares/${link.id}/downloads?limit=1`,
    );
    expect(restarted.body.items[0]).toMatchObject({ outcome: 'job' });
    expect(restarted.body.items[0].exportId).not.toBe(jobId);
    await eventually(async () => expect((await partner(link.url)).status).toBe(302), {
      timeoutMs: 120_000,
      intervalMs: 500,
    });
  }, 240_000);

  it('are documented as a public route answering 200, 202, 302 and 404 (and 429 when throttled)', async () => {
    const response = await fetch(new URL('/openapi.json', inject('apiUrl')));
    const document = (await response.json()) as {
      paths: Record<
        string,
        Record<string, { security?: unknown[]; responses: Record<string, { content?: object }> }>
      >;
    };
    const operation = document.paths['/l/{token}']?.get;
    expect(operation?.security).toEqual([]);
    expect(Object.keys(operation?.responses ?? {}).sort()).toEqual(['200', '202', '302', '404', '429']);
    expect(Object.keys(operation?.responses['200']?.content ?? {}).sort()).toEqual([
      'application/json',
      'text/csv',
      'text/vcard',
    ]);
  });
});

describe('shared list links and their creator', () => {
  /** A new rep of team red, with a user item the admin can change. */
  async function newRep(name: string): Promise<Member> {
    const email = `${unique(name)}@${world.tenant}.test`;
    const created = await world.admin.client.post('/users', {
      email,
      name,
      role: 'rep',
      teamId: world.teams.red,
    });
    expect(created.status, created.text).toBe(201);
    const token = await tokenFor({
      tenant: world.tenant,
      role: 'rep',
      user: created.body.id,
      team: world.teams.red,
      email,
    });
    return { id: created.body.id, client: api(token) };
  }

  const listedShare = async (segmentId: string, shareId: string) => {
    const listed = await world.admin.client.get(`/segments/${segmentId}/shares`);
    expect(listed.status, listed.text).toBe(200);
    expect(shapeErrors(routeFor('GET', `/segments/${segmentId}/shares`), listed.body)).toEqual([]);
    return listed.body.items.find((item: { id: string }) => item.id === shareId);
  };

  const emailsIn = async (url: string) => {
    const response = await partner(url);
    const text = await response.text();
    expect(response.status, text).toBe(200);
    return csvRows(text)
      .map((row) => row.email)
      .sort();
  };

  it('never serve more than the creator could read when they shared: a promotion does not widen a link', async () => {
    const rep = await newRep('Promoted');
    const link = await share(rep.client, redSegment, { expiresInDays: 2, format: 'csv' });
    const teamRed = [emails.red, emails.red2].sort();
    expect(await emailsIn(link.url)).toEqual(teamRed);
    const promoted = await world.admin.client.patch(`/users/${rep.id}`, { role: 'manager' });
    expect(promoted.status, promoted.text).toBe(200);
    // A manager reads every contact now, but the link keeps to what the rep could read.
    expect(await emailsIn(link.url)).toEqual(teamRed);
    // A link they make as a manager serves what a manager reads.
    const asManager = api(
      await tokenFor({ tenant: world.tenant, role: 'manager', user: rep.id, team: world.teams.red }),
    );
    const wider = await share(asManager, redSegment, { expiresInDays: 2 });
    expect(await emailsIn(wider.url)).toContain(emails.blue);
  });

  it('list each live share as active or suspended with its reason, as the link answers', async () => {
    const rep = await newRep('Mover');
    const link = await share(rep.client, redSegment, { expiresInDays: 2 });
    expect(await listedShare(redSegment, link.id)).toMatchObject({ state: 'active' });
    expect((await listedShare(redSegment, link.id)).reason).toBeUndefined();

    // Moved to team blue: the red segment is no longer theirs to read.
    expect((await world.admin.client.patch(`/users/${rep.id}`, { teamId: world.teams.blue })).status).toBe(
      200,
    );
    expect(await listedShare(redSegment, link.id)).toMatchObject({
      state: 'suspended',
      reason: 'creator-cannot-read-segment',
    });
    await expectRefused(link.url);
    // Back on red: it serves again.
    expect((await world.admin.client.patch(`/users/${rep.id}`, { teamId: world.teams.red })).status).toBe(
      200,
    );
    expect(await listedShare(redSegment, link.id)).toMatchObject({ state: 'active' });
    expect((await partner(link.url)).status).toBe(200);

    expect((await world.admin.client.patch(`/users/${rep.id}`, { active: false })).status).toBe(200);
    expect(await listedShare(redSegment, link.id)).toMatchObject({
      state: 'suspended',
      reason: 'creator-deactivated',
    });
    await expectRefused(link.url);

    const segment = await createdId(world.repRed.client, '/segments', {
      name: `Paused ${TAG}`,
      filter: filter(TAG),
    });
    const paused = await share(world.repRed.client, segment, { expiresInDays: 2 });
    expect((await world.repRed.client.delete(`/segments/${segment}`)).status).toBe(204);
    expect(await listedShare(segment, paused.id)).toMatchObject({
      state: 'suspended',
      reason: 'segment-archived',
    });
    await expectRefused(paused.url);
  });

  it('allow at most 50 live shares per segment: 409 beyond, saying to revoke one', async () => {
    const segment = await createdId(world.repRed.client, '/segments', {
      name: `Many ${TAG}`,
      filter: filter(TAG),
    });
    const made: string[] = [];
    for (let n = 0; n < 50; n++)
      made.push((await share(world.repRed.client, segment, { expiresInDays: 1 })).id);
    const refused = await world.repRed.client.post(`/segments/${segment}/share`, { expiresInDays: 1 });
    expect(refused.status, refused.text).toBe(409);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(refused.body.detail).toMatch(/50 live shared links; revoke one/);
    const listed = await world.repRed.client.get(`/segments/${segment}/shares`);
    expect(listed.body.items).toHaveLength(50);
    expect((await world.repRed.client.delete(`/segments/${segment}/shares/${made[0]}`)).status).toBe(204);
    await share(world.repRed.client, segment, { expiresInDays: 1 });
  });

  it('save the file under the segment’s name, ASCII and UTF-8, for a link and the signed-in export alike', async () => {
    const name = `Café «Nord» ${TAG}`;
    const segment = await createdId(world.repRed.client, '/segments', { name, filter: filter(TAG) });
    const day = '\\d{8}';
    const expected = new RegExp(
      `^attachment; filename="Cafe _Nord_ ${TAG}-${day}\\.csv"; ` +
        `filename\\*=UTF-8''Caf%C3%A9%20%C2%ABNord%C2%BB%20${TAG}-${day}\\.csv$`,
    );
    const link = await share(world.repRed.client, segment, { expiresInDays: 1 });
    expect((await partner(link.url)).headers.get('content-disposition')).toMatch(expected);
    const exported = await world.repRed.client.get(`/segments/${segment}/export?format=csv`);
    expect(exported.status).toBe(200);
    expect(exported.headers.get('content-disposition')).toMatch(expected);
  });
});
