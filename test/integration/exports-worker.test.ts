import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import type { Caller } from '../../shared/http/auth.ts';
import type * as ExportJobs from '../../shared/http/export-jobs.ts';
import type * as ExportStore from '../../shared/store/exports.ts';
import { type ApiClient, api, eventually, tokenFor } from '../support/api.ts';
import { dynamoClient, useTestTable } from '../support/dynamo.ts';
import { createWorld, type Member, unique, type World } from './world.ts';

/**
 * The export worker run directly (as the bench does), in this process, on the
 * test runtime's table and S3 server: a redelivered message rewrites the same
 * file and counts the same; a job holds what its requester may read both when
 * asking and when it runs; a job that cannot succeed fails with a reason.
 */
let world: World;
let jobs: typeof ExportJobs;
let store: typeof ExportStore;
const TAG = `expw-${Date.now().toString(36)}`;

async function readObject(key: string): Promise<string> {
  const { getObjectStore } = await import('../../shared/storage/select.ts');
  const stream = await (await getObjectStore()).read('exports', key);
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks).toString('utf8');
}

/** A rep of the red team with their own token, made for one test (their team or activity changes). */
async function newRep(): Promise<Member & { caller: Caller }> {
  const email = `${unique('rep')}@${world.tenant}.test`;
  const response = await world.admin.client.post('/users', {
    email,
    name: 'Rep',
    role: 'rep',
    teamId: world.teams.red,
  });
  expect(response.status, response.text).toBe(201);
  const id = response.body.id as string;
  const client: ApiClient = api(
    await tokenFor({ tenant: world.tenant, role: 'rep', user: id, team: world.teams.red, email }),
  );
  return { id, client, caller: { tenantId: world.tenant, userId: id, role: 'rep', teamId: world.teams.red } };
}

beforeAll(async () => {
  useTestTable();
  process.env.AWS_ENDPOINT_URL_S3 = inject('s3Endpoint');
  process.env.EXPORTS_BUCKET = inject('exportsBucket');
  process.env.IMPORTS_BUCKET = inject('importsBucket');
  jobs = await import('../../shared/http/export-jobs.ts');
  store = await import('../../shared/store/exports.ts');
  world = await createWorld();
  for (const [client, name] of [
    [world.repRed.client, 'Red'],
    [world.repBlue.client, 'Blue'],
    [world.admin.client, 'Admin'],
  ] as const) {
    const response = await client.post('/contacts', {
      firstName: name,
      email: `${unique(name)}@x.example`,
      tags: [TAG],
    });
    expect(response.status).toBe(201);
  }
});

describe('export worker', () => {
  it('a redelivered message rewrites the same file and counts the same', async () => {
    const started = await world.admin.client.get(`/contacts/export?tag=${TAG}&async=true`);
    expect(started.status).toBe(202);
    const first = await eventually(async () => {
      const job = await store.getExportJob(world.tenant, started.body.id);
      expect(job?.status).toBe('done');
      return job as ExportStore.ExportJob;
    });
    const key = `${world.tenant}/${first.id}.csv`;
    const file = await readObject(key);
    expect(first.rows).toBe(3);
    expect(first.bytes).toBe(Buffer.byteLength(file));
    // A run that wrote the file and stopped before marking the job done: the message comes back.
    await dynamoClient().send(
      new UpdateItemCommand({
        TableName: inject('tableName'),
        Key: { pk: { S: `T#${world.tenant}#EXPORT#${first.id}` }, sk: { S: 'A' } },
        UpdateExpression: 'SET #status = :processing REMOVE finishedAt, #rows, bytes',
        ExpressionAttributeNames: { '#status': 'status', '#rows': 'rows' },
        ExpressionAttributeValues: { ':processing': { S: 'processing' } },
      }),
    );
    const message = { tenantId: world.tenant, exportId: first.id };
    expect(await jobs.runExportJob(message)).toBe('done');
    const again = await store.getExportJob(world.tenant, first.id);
    expect(again).toMatchObject({ status: 'done', rows: first.rows, bytes: first.bytes });
    expect(await readObject(key)).toBe(file);
    // Once done, a further delivery does nothing.
    expect(await jobs.runExportJob(message)).toBe('skipped');
    // Another tenant's message names no job of theirs.
    expect(await jobs.runExportJob({ tenantId: `${world.tenant}-x`, exportId: first.id })).toBe('skipped');
  });

  it('holds only what the requester may read both when asking and when it runs: a rep moved to another team gets their own', async () => {
    const rep = await newRep();
    const own = await rep.client.post('/contacts', {
      firstName: 'Own',
      email: `${unique('own')}@x.example`,
      tags: [TAG],
    });
    const { job, message } = await jobs.startExportJob(rep.caller, 'json', {
      kind: 'list',
      entity: 'contacts',
      filters: { tag: TAG },
    });
    expect(job.status).toBe('processing');
    const moved = await world.admin.client.patch(`/users/${rep.id}`, { teamId: world.teams.blue });
    expect(moved.status, moved.text).toBe(200);
    // The stream moves the rep's records to the new team a moment later (as for their lists).
    await eventually(
      async () => {
        const contact = await world.admin.client.get(`/contacts/${own.body.id}`);
        expect(contact.body.teamId).toBe(world.teams.blue);
      },
      { timeoutMs: 150_000, intervalMs: 250 },
    );
    expect(await jobs.runExportJob(message)).toBe('done');
    const exported = JSON.parse(await readObject(`${world.tenant}/${job.id}.json`)) as {
      id: string;
      firstName: string;
    }[];
    // Their own contact moved with them; the blue team's was not theirs to read when they asked, the
    // red team's is no longer.
    expect(exported.map((contact) => contact.id)).toEqual([own.body.id]);
  });

  it('is not widened by a promotion between the request and the run', async () => {
    // Contacts of this test only, so no other test's team move can change what the red team reads.
    const tag = unique('promotion');
    const names: [ApiClient, string][] = [
      [world.repRed.client, 'Red'],
      [world.repBlue.client, 'Blue'],
      [world.admin.client, 'Admin'],
    ];
    for (const [client, name] of names) {
      const response = await client.post('/contacts', {
        firstName: name,
        email: `${unique(name)}@x.example`,
        tags: [tag],
      });
      expect(response.status).toBe(201);
    }
    const rep = await newRep();
    const { job, message } = await jobs.startExportJob(rep.caller, 'json', {
      kind: 'list',
      entity: 'contacts',
      filters: { tag },
    });
    const promoted = await world.admin.client.patch(`/users/${rep.id}`, { role: 'admin' });
    expect(promoted.status, promoted.text).toBe(200);
    expect(await jobs.runExportJob(message)).toBe('done');
    const exported = JSON.parse(await readObject(`${world.tenant}/${job.id}.json`)) as {
      firstName: string;
    }[];
    // What the red rep could read when asking: the red team's contact, not the blue team's nor the admin's.
    expect(exported.map((contact) => contact.firstName)).toEqual(['Red']);
  });

  it('fails a job whose requester was deactivated, saying why', async () => {
    const rep = await newRep();
    const { job, message } = await jobs.startExportJob(rep.caller, 'csv', {
      kind: 'list',
      entity: 'contacts',
      filters: {},
    });
    const deactivated = await world.admin.client.patch(`/users/${rep.id}`, { active: false });
    expect(deactivated.status, deactivated.text).toBe(200);
    expect(await jobs.runExportJob(message)).toBe('failed');
    const failed = await world.admin.client.get(`/exports/${job.id}`);
    expect(failed.body).toMatchObject({
      status: 'failed',
      error: 'The user who asked for this export is no longer active',
    });
    expect(failed.body.downloadUrl).toBeUndefined();
  });

  it('fails a segment export whose segment the requester may no longer read', async () => {
    const rep = await newRep();
    // A red teammate's segment: the rep reads it while in the red team.
    const segment = await world.repRed2.client.post('/segments', {
      name: unique('Segment'),
      filter: { all: [{ field: 'tags', op: 'contains', value: TAG }] },
    });
    expect(segment.status).toBe(201);
    const { job, message } = await jobs.startExportJob(rep.caller, 'csv', {
      kind: 'segment',
      segmentId: segment.body.id,
    });
    const moved = await world.admin.client.patch(`/users/${rep.id}`, { teamId: world.teams.blue });
    expect(moved.status).toBe(200);
    expect(await jobs.runExportJob(message)).toBe('failed');
    expect(await store.getExportJob(world.tenant, job.id)).toMatchObject({
      status: 'failed',
      error: 'The segment no longer exists, or its requester may no longer read it',
    });
    // Another tenant's job never reaches this tenant's segment.
    const stranger = await jobs.startExportJob(
      { tenantId: `${world.tenant}-other`, userId: 'someone', role: 'admin' },
      'csv',
      {
        kind: 'segment',
        segmentId: segment.body.id,
      },
    );
    expect(await jobs.runExportJob(stranger.message)).toBe('failed');
  });

  it('fails a job that cannot finish within one run instead of retrying it forever', async () => {
    const { job, message } = await jobs.startExportJob(
      { tenantId: world.tenant, userId: world.admin.id, role: 'admin' },
      'csv',
      { kind: 'list', entity: 'contacts', filters: { tag: TAG } },
    );
    expect(await jobs.runExportJob(message, { remainingMs: () => 1_000 })).toBe('failed');
    expect((await store.getExportJob(world.tenant, job.id))?.error).toMatch(/did not finish within one run/);
  });
});
