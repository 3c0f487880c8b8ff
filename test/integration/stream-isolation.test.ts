import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BatchWriteItemCommand, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { ulid } from 'ulid';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { STREAM_FAILURES_FILE } from '../../infra/local/runtime.ts';
import { api, eventually, tokenFor, uniqueTenant } from '../support/api.ts';
import { dynamoClient } from '../support/dynamo.ts';
import { createWorld, unique, type World } from './world.ts';

/**
 * A record the stream consumer cannot process must fail alone and be set
 * aside with its reason; records queued with it, above all another tenant's,
 * are processed as if it were not there.
 */
let world: World;
beforeAll(async () => {
  world = await createWorld();
});

type Entry = {
  kind: string;
  changes?: { field: string; from: unknown; to: unknown; summarised?: boolean }[];
};

/** What the stream poller and the consumer set aside, one JSON object a line. */
async function setAside(): Promise<Record<string, unknown>[]> {
  try {
    const text = await readFile(join(inject('dataDir'), STREAM_FAILURES_FILE), 'utf8');
    return text
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  } catch {
    return [];
  }
}

/** About 250 KB of custom fields: 100 fields of 1,250 two-byte characters. */
const bulkyFields = (letter: string) =>
  Object.fromEntries(
    Array.from({ length: 100 }, (_, index) => [`f${index}`, `${letter}${'ñ'.repeat(1249)}`]),
  );

describe('stream consumer: per-record isolation', () => {
  it("two 250 KB custom-field PATCHes get a bounded timeline entry; another tenant's new contacts in the same batch get theirs", async () => {
    const { admin, stranger } = world;
    const created = await admin.client.post('/contacts', {
      firstName: 'Bulky',
      email: `${unique('bulky')}@example.com`,
    });
    expect(created.status).toBe(201);
    const path = `/contacts/${created.body.id}`;
    const first = await admin.client.patch(path, { customFields: bulkyFields('a') });
    expect(first.status, first.text).toBe(200);
    // The second change carries 250 KB old and 250 KB new: more than one item may hold.
    const [second, ...others] = await Promise.all([
      admin.client.patch(path, { customFields: bulkyFields('b') }),
      ...['Ona', 'Pau', 'Quim'].map((firstName) => stranger.client.post('/contacts', { firstName })),
    ]);
    expect(second?.status, second?.text).toBe(200);
    for (const other of others) expect(other.status).toBe(201);

    for (const other of others)
      await eventually(
        async () => {
          const timeline = await stranger.client.get(`/contacts/${other.body.id}/timeline`);
          expect(timeline.body.items.map((entry: Entry) => entry.kind)).toEqual(['created']);
        },
        { timeoutMs: 30_000 },
      );
    const entries = await eventually(
      async () => {
        const timeline = await admin.client.get(`${path}/timeline`);
        expect(timeline.body.items.map((entry: Entry) => entry.kind)).toEqual([
          'updated',
          'updated',
          'created',
        ]);
        return timeline.body.items as Entry[];
      },
      { timeoutMs: 30_000 },
    );
    const change = entries[0]?.changes?.find((item) => item.field === 'customFields');
    expect(change?.summarised).toBe(true);
    expect(String(change?.from)).toMatch(/^\{"f\d+":"aññ.*… \(\d+(\.\d)? KB in all\)$/s);
    expect(String(change?.to)).toMatch(/^\{"f\d+":"bññ/);
    expect(JSON.stringify(entries[0]).length).toBeLessThan(40_000);
    const ids = new Set([created.body.id, ...others.map((other) => other.body.id)]);
    expect((await setAside()).filter((line) => JSON.stringify(line).match([...ids].join('|')))).toEqual([]);
  });

  it("sets aside a record no write can take, with the reason, and processes another tenant's record of the same batch", async () => {
    const { admin } = world;
    const otherTenant = uniqueTenant();
    const other = api(await tokenFor({ tenant: otherTenant, role: 'admin', user: 'other-admin' }));
    const neighbour = await other.post('/contacts', { firstName: 'Neighbour' });
    expect(neighbour.status).toBe(201);
    await eventually(async () => {
      const timeline = await other.get(`/contacts/${neighbour.body.id}/timeline`);
      expect(timeline.body.items).toHaveLength(1);
    });
    const contactsBefore = (await admin.client.get('/reports/overview')).body.contacts as number;
    const tableName = inject('tableName');
    const client = dynamoClient();
    const stored = await client.send(
      new GetItemCommand({
        TableName: tableName,
        Key: marshall({ pk: `T#${otherTenant}#CONTACT#${neighbour.body.id}`, sk: 'A' }),
        ConsistentRead: true,
      }),
    );
    const neighbourItem = unmarshall(stored.Item ?? {});
    expect(neighbourItem.id).toBe(neighbour.body.id);
    const changed = {
      ...neighbourItem,
      title: 'Head of Logistics',
      version: Number(neighbourItem.version) + 1,
      updatedAt: new Date().toISOString(),
    };
    // A contact item written outside the API whose company id is longer than a key may be:
    // its entry on the company's timeline can never be written.
    const poisonId = ulid();
    const at = new Date().toISOString();
    const poison = {
      pk: `T#${world.tenant}#CONTACT#${poisonId}`,
      sk: 'A',
      entity: 'contact',
      tenantId: world.tenant,
      id: poisonId,
      firstName: 'Poison',
      companyId: `C${'x'.repeat(3000)}`,
      ownerId: admin.id,
      createdBy: admin.id,
      updatedBy: admin.id,
      archived: false,
      version: 1,
      createdAt: at,
      updatedAt: at,
    };
    // One request, so both records reach the consumer in the same batch; the neighbour's comes first,
    // where a consumer that fails the batch together would have it skipped once retries run out.
    await client.send(
      new BatchWriteItemCommand({
        RequestItems: {
          [tableName]: [changed, poison].map((item) => ({
            PutRequest: { Item: marshall(item, { removeUndefinedValues: true }) },
          })),
        },
      }),
    );

    await eventually(
      async () => {
        const timeline = await other.get(`/contacts/${neighbour.body.id}/timeline`);
        expect(timeline.body.items.map((entry: Entry) => entry.kind)).toEqual(['updated', 'created']);
        expect(timeline.body.items[0].changes).toEqual([
          { field: 'title', from: null, to: 'Head of Logistics' },
        ]);
      },
      { timeoutMs: 30_000 },
    );
    const lines = await eventually(
      async () => {
        const found = (await setAside()).filter((line) => JSON.stringify(line).includes(poisonId));
        expect(found).toHaveLength(1);
        return found;
      },
      { timeoutMs: 30_000 },
    );
    expect(lines[0]).toMatchObject({
      tenantId: world.tenant,
      keys: { pk: poison.pk, sk: 'A' },
      reasons: { 'timeline and notifications': expect.stringContaining('ValidationException') },
    });
    expect((await setAside()).filter((line) => JSON.stringify(line).includes(neighbour.body.id))).toEqual([]);
    // Its other effects were applied: the tenant's overview counts it.
    await eventually(async () => {
      const overview = await admin.client.get('/reports/overview');
      expect(overview.body.contacts).toBe(contactsBefore + 1);
    });
  });
});
