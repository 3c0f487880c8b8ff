import { beforeAll, describe, expect, it } from 'vitest';
import { type ApiClient, eventually } from '../support/api.ts';
import { createWorld, unique, type World } from './world.ts';

/**
 * CSV imports through the whole local pipeline: POST /imports, a PUT of the
 * file to the presigned URL (as curl would), S3's upload event on the
 * importChunks queue, the worker, GET /imports/{id}.
 */
let world: World;

beforeAll(async () => {
  world = await createWorld();
});

async function importCsv(client: ApiClient, body: Record<string, unknown>, csv: string | Uint8Array) {
  const created = await client.post('/imports', body);
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const upload = await fetch(created.body.uploadUrl as string, { method: 'PUT', body: csv });
  expect(upload.status).toBe(200);
  return created.body.id as string;
}

async function finished(client: ApiClient, id: string, timeoutMs = 60_000) {
  return eventually(
    async () => {
      const response = await client.get(`/imports/${id}`);
      expect(response.status).toBe(200);
      expect(['done', 'failed']).toContain(response.body.status);
      return response.body;
    },
    { timeoutMs, intervalMs: 200 },
  );
}

describe('CSV import', () => {
  it('creates contacts from an uploaded file and counts every row', async () => {
    const tag = unique('imp');
    const csv = ['firstName,lastName,email,tags', `Ana,Ruiz,ana.${tag}@example.com,${tag}`, `Luis,Gil,luis.${tag}@example.com,${tag}`, `Bad,Row,not-an-email,${tag}`].join('\n');
    const id = await importCsv(world.admin.client, { entity: 'contacts' }, csv);
    const view = await finished(world.admin.client, id);
    expect(view).toMatchObject({ status: 'done', totalRows: 3, processedRows: 3, created: 2, failed: 1 });
    const listed = await world.admin.client.get(`/contacts?tag=${tag}`);
    expect(listed.body.items).toHaveLength(2);
  });
});
