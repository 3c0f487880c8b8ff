import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postToTarget } from '../../shared/webhooks/post.ts';
import { checkTarget } from '../../shared/webhooks/target-guard.ts';

/**
 * What an attempt comes to against receivers that misbehave: the status line
 * settles it, whatever the body does afterwards; a redirect is not followed;
 * a connection dropped before any answer is told apart from one never made.
 */
const behaviours: Record<string, (request: IncomingMessage, response: ServerResponse) => void> = {
  // 200, then a body that never ends.
  '/stall': (_request, response) => {
    response.writeHead(200);
    response.flushHeaders();
  },
  // 200, then a megabyte a second, for ever.
  '/flood': (_request, response) => {
    response.writeHead(200);
    response.flushHeaders();
    const timer = setInterval(() => response.write(Buffer.alloc(1024 * 1024, 97)), 1000);
    response.on('close', () => clearInterval(timer));
  },
  '/redirect': (_request, response) =>
    response.writeHead(302, { Location: 'http://169.254.169.254/latest/meta-data/' }).end(),
  '/drop': (request) => request.socket.destroy(),
  '/gone': (_request, response) => response.writeHead(410).end('gone'),
  '/hang': () => {},
  // Not HTTP at all, and an answer whose headers overflow the parser.
  '/garbage': (request) => request.socket.end('HELLO THERE\r\n\r\n'),
  '/headers': (request) => request.socket.end(`HTTP/1.1 200 OK\r\nX-Big: ${'a'.repeat(100_000)}\r\n\r\n`),
};

describe('webhook POST: what an answer settles', () => {
  let server: Server;
  let port: number;
  const followed: string[] = [];
  beforeAll(async () => {
    server = createServer((request, response) => {
      request.resume();
      request.on('end', () => {
        const behave = behaviours[request.url ?? ''];
        if (behave) behave(request, response);
        else {
          followed.push(request.url ?? '');
          response.writeHead(204).end();
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });

  async function post(path: string, timeoutMs = 2000) {
    const check = await checkTarget(`http://127.0.0.1:${port}${path}`, {
      resolver: async () => [],
      localTargets: true,
    });
    if (!check.ok) throw new Error(check.refused);
    return postToTarget(check, '{}', { 'Content-Type': 'application/json' }, timeoutMs);
  }

  it('counts a 2xx whose body then stalls or floods as delivered, not as timed out', async () => {
    for (const path of ['/stall', '/flood'])
      expect(await post(path)).toEqual({ ok: true, statusCode: 200, durationMs: expect.any(Number) });
  });

  it('fails a redirect without following it, and a 410 with its status', async () => {
    expect(await post('/redirect')).toMatchObject({
      ok: false,
      statusCode: 302,
      error: 'answered 302 (redirects are not followed)',
    });
    expect(followed).toEqual([]);
    expect(await post('/gone')).toMatchObject({ ok: false, statusCode: 410, error: 'answered 410' });
  });

  it('tells a connection dropped before an answer from one never made, and times out a silent one', async () => {
    expect(await post('/drop')).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^connection dropped before an answer: /),
    });
    const closed = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = probe.address() as AddressInfo;
        probe.close(() => resolve(free));
      });
    });
    const check = await checkTarget(`http://127.0.0.1:${closed}/`, {
      resolver: async () => [],
      localTargets: true,
    });
    if (!check.ok) throw new Error(check.refused);
    expect(await postToTarget(check, '{}', {}, 2000)).toMatchObject({
      ok: false,
      error: 'could not connect: ECONNREFUSED',
    });
    expect(await post('/hang', 300)).toMatchObject({ ok: false, error: 'timed out after 300 ms' });
    for (const path of ['/garbage', '/headers'])
      expect(await post(path)).toMatchObject({
        ok: false,
        error: expect.stringMatching(/^answered something that is not HTTP: HPE_/),
      });
  });
});
