import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRuntime, startLocalRuntime } from '../../infra/local/runtime.ts';
import { mintToken } from '../../infra/local/tokens.ts';
import { CHUNK_ROWS } from '../../shared/store/imports-run.ts';
import { eventually } from '../support/api.ts';
import { collectingLogger, tempDir } from './helpers.ts';

/**
 * A contacts file of several chunks with a few bad rows through the whole local
 * pipeline (POST /imports, a PUT to the presigned URL, the upload event on
 * the importChunks queue, the worker), in a runtime of its own: its new
 * records keep this runtime's stream busy for a while, which would
 * otherwise slow the stream-driven checks of every other test file.
 * Two full chunks and a partial last one, a bad row in each, are what the
 * worker's paths depend on (chunks, their markers, the error CSV gathered
 * across them, the last short chunk); the 10,000- and 100,000-row files and
 * their throughput belong to `npm run bench:imports`.
 */
const ROWS = 2 * CHUNK_ROWS + 200;
let dir: Awaited<ReturnType<typeof tempDir>>;
let runtime: LocalRuntime;
let token: string;

beforeAll(async () => {
  dir = await tempDir();
  runtime = await startLocalRuntime({ dataDir: dir.path, inMemory: true, port: 0, log: collectingLogger() });
  token = await mintToken(runtime.dataDir, { tenant: 'bulk', role: 'admin', user: 'bulk-admin' });
});

afterAll(async () => {
  await runtime?.stop();
  await dir?.remove();
});

async function call(method: string, path: string, body?: unknown) {
  const response = await fetch(`${runtime.apiUrl}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('a file of several chunks', () => {
  it('imports whole, with its few bad rows in the error CSV', async () => {
    // One bad row in the first chunk, one in the second, the file's last row in the partial last chunk.
    const bad = [17, CHUNK_ROWS + 100, ROWS - 1];
    // First names only: each row is its contact, its email's constraint and the suppression check,
    // which keeps this test's time (DynamoDB Local writes every item of a transaction in turn) reasonable.
    const lines = ['First Name,E-mail,Tags'];
    for (let index = 0; index < ROWS; index++)
      lines.push(`Ana${index},${bad.includes(index) ? `broken-${index}` : `ana.${index}@example.com`},bulk`);
    const began = Date.now();
    const started = await call('POST', '/imports', { entity: 'contacts' });
    expect(started.status).toBe(201);
    const upload = await fetch(String(started.body.uploadUrl), { method: 'PUT', body: lines.join('\r\n') });
    expect(upload.status).toBe(200);
    // The upload's event, the runs and their continuations: all through the local queue.
    await eventually(async () => expect(await runtime.queues.drained('importChunks')).toBe(false), {
      timeoutMs: 10_000,
      intervalMs: 20,
    }).catch(() => undefined);
    await eventually(async () => expect(await runtime.queues.drained('importChunks')).toBe(true), {
      timeoutMs: 300_000,
      intervalMs: 250,
    });
    const view = await eventually(
      async () => {
        const { body } = await call('GET', `/imports/${String(started.body.id)}`);
        expect(body.status).toBe('done');
        return body;
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    const seconds = (Date.now() - began) / 1000;
    console.info(`${ROWS}-row import: ${seconds.toFixed(1)} s, ${Math.round(ROWS / seconds)} rows/s`);
    expect(view).toMatchObject({
      status: 'done',
      totalRows: ROWS,
      processedRows: ROWS,
      created: ROWS - bad.length,
      failed: 3,
    });
    expect(view.mapping).toEqual({ 'First Name': 'firstName', 'E-mail': 'email', Tags: 'tags' });
    const errors = parse(await (await fetch(String(view.errorsUrl))).text(), { columns: true }) as Record<
      string,
      string
    >[];
    expect(errors.map((error) => [Number(error.row), error.column, error.value])).toEqual(
      bad.map((index) => [index + 2, 'E-mail', `broken-${index}`]),
    );
    let listed = 0;
    let cursor: unknown = null;
    do {
      const page = await call(
        'GET',
        `/contacts?tag=bulk&limit=200${cursor ? `&cursor=${String(cursor)}` : ''}`,
      );
      listed += (page.body.items as unknown[]).length;
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(listed).toBe(ROWS - bad.length);
  }, 360_000);
});
