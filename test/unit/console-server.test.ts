import { readFileSync } from 'node:fs';
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConsoleServerOptions, serveConsole } from '../../infra/local/console-server.ts';
import { silentLogger } from '../../infra/local/logger.ts';
import { tokenRequestProblem } from '../../infra/local/tokens.ts';

const distDir = fileURLToPath(new URL('../fixtures/console-dist', import.meta.url));
const apiUrl = 'http://localhost:4599';
const minted: unknown[] = [];
const options: ConsoleServerOptions = {
  distDir,
  apiUrl: () => apiUrl,
  mintDemoToken: async (request) => {
    minted.push(request);
    return `token-for-${request.role}`;
  },
  tokenRequestProblem,
  log: silentLogger,
};

let server: Server;
let port: number;

beforeAll(async () => {
  server = createServer((request, response) => {
    const rawPath = (request.url ?? '/').split('?')[0] ?? '/';
    void serveConsole(options, request, response, rawPath).then((handled) => {
      if (!handled) response.writeHead(418).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** A request with its path sent exactly as written (fetch would normalise `..`). */
function raw(method: string, path: string, body?: string) {
  return new Promise<{ status: number; headers: Record<string, string>; body: string }>((resolve, reject) => {
    const request = httpRequest({ host: '127.0.0.1', port, path, method }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          headers: response.headers as Record<string, string>,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
    });
    request.on('error', reject);
    if (body !== undefined) request.setHeader('content-type', 'application/json');
    request.end(body);
  });
}

const index = readFileSync(`${distDir}/index.html`, 'utf8');

describe('the console under /app (npm start)', () => {
  it('answers config.json with this API and local sign-in, never cached', async () => {
    const response = await raw('GET', '/app/config.json');
    expect(response.status).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(JSON.parse(response.body)).toEqual({
      apiUrl,
      auth: { mode: 'local', tokenUrl: '/app/local/token' },
    });
  });

  it('makes a demo token for a role, and refuses a bad role at `role`', async () => {
    const made = await raw('POST', '/app/local/token', JSON.stringify({ role: 'manager', team: 'north' }));
    expect(made.status).toBe(201);
    expect(made.headers['cache-control']).toBe('no-store');
    expect(JSON.parse(made.body)).toEqual({ token: 'token-for-manager', tenant: 'demo', role: 'manager' });
    expect(minted.at(-1)).toEqual({ role: 'manager', team: 'north' });

    const refused = await raw('POST', '/app/local/token', JSON.stringify({ role: 'owner' }));
    expect(refused.status).toBe(400);
    expect(refused.headers['content-type']).toBe('application/problem+json');
    expect(JSON.parse(refused.body).errors).toEqual([
      { path: 'role', message: 'must be admin, manager or rep' },
    ]);

    expect((await raw('GET', '/app/local/token')).status).toBe(405);
  });

  it('makes no token for a request from another machine', async () => {
    const request = Object.assign(Readable.from([Buffer.from('{"role":"admin"}')]), {
      method: 'POST',
      headers: {},
      socket: { remoteAddress: '192.168.1.20' },
    }) as unknown as IncomingMessage;
    const sent: { status?: number; body?: string } = {};
    const response = {
      writeHead(status: number) {
        sent.status = status;
        return this;
      },
      end(body?: string) {
        sent.body = body;
        return this;
      },
    } as unknown as ServerResponse;
    const before = minted.length;
    await serveConsole(options, request, response, '/app/local/token');
    expect(sent.status).toBe(403);
    expect(JSON.parse(sent.body ?? '{}').detail).toMatch(/this machine/);
    expect(minted).toHaveLength(before);
  });

  it('answers every page path with index.html, revalidated, with the security headers', async () => {
    for (const path of ['/app', '/app/', '/app/contacts', '/app/deals/01J8Z/edit']) {
      const response = await raw('GET', path);
      expect(response.status, path).toBe(200);
      expect(response.body, path).toBe(index);
      expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(response.headers['cache-control']).toBe('no-cache');
    }
    const { headers } = await raw('GET', '/app/contacts');
    const csp = headers['content-security-policy'] ?? '';
    expect(csp).toContain("script-src 'self';");
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    expect(csp).toContain(`connect-src 'self' ${apiUrl};`);
    expect(headers).toMatchObject({
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'referrer-policy': 'strict-origin-when-cross-origin',
    });
  });

  it('caches hashed assets for a year and answers a missing one with 404, not a page', async () => {
    const asset = await raw('GET', '/app/assets/index-fixture.js');
    expect(asset.status).toBe(200);
    expect(asset.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const missing = await raw('GET', '/app/assets/index-0ld0ne.js');
    expect(missing.status).toBe(404);
    expect(missing.body).not.toContain('<html');
  });

  it('gzips text assets for a browser that accepts it, as CloudFront does, and not for one that does not', async () => {
    const file = readFileSync(`${distDir}/assets/index-fixture.js`);
    const zipped = await new Promise<{ headers: Record<string, string>; body: Buffer }>((resolve, reject) => {
      const request = httpRequest(
        {
          host: '127.0.0.1',
          port,
          path: '/app/assets/index-fixture.js',
          headers: { 'accept-encoding': 'gzip, br' },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () =>
            resolve({ headers: response.headers as Record<string, string>, body: Buffer.concat(chunks) }),
          );
        },
      );
      request.on('error', reject);
      request.end();
    });
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(zipped.headers.vary).toContain('Accept-Encoding');
    expect(gunzipSync(zipped.body).equals(file)).toBe(true);
    const plain = await raw('GET', '/app/assets/index-fixture.js');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body).toBe(file.toString('utf8'));
  });

  it('refuses paths out of the build', async () => {
    for (const path of [
      '/app/..%2f..%2fpackage.json',
      '/app/..%2f..%2f..%2fpackage.json',
      '/app/%2e%2e/x.json',
    ]) {
      const response = await raw('GET', path);
      expect(response.status, path).toBe(404);
      expect(response.body, path).not.toContain('"name"');
    }
  });

  it('answers HEAD with the headers and no body, and other methods with 405', async () => {
    const head = await raw('HEAD', '/app/assets/index-fixture.js');
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    expect(head.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const page = await raw('HEAD', '/app/contacts');
    expect(page.status).toBe(200);
    expect(page.body).toBe('');
    expect((await raw('DELETE', '/app/contacts')).status).toBe(405);
  });

  it('leaves paths outside /app to the API', async () => {
    expect((await raw('GET', '/application')).status).toBe(418);
    expect((await raw('GET', '/contacts')).status).toBe(418);
  });
});
