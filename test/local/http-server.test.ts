import { request as httpRequest } from 'node:http';
import type {
  APIGatewayProxyEventV2WithJWTAuthorizer,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningHttpServer } from '../../infra/local/http-server.ts';
import { mintToken } from '../../infra/local/tokens.ts';
import { collectingLogger, startTestGateway, tempDir } from './helpers.ts';

let dir: Awaited<ReturnType<typeof tempDir>>;
let gateway: RunningHttpServer;
const log = collectingLogger();
let lastEvent: APIGatewayProxyEventV2WithJWTAuthorizer | undefined;
let lastContext: Context | undefined;

const echo = async (event: APIGatewayProxyEventV2WithJWTAuthorizer, context: Context) => {
  lastEvent = event;
  lastContext = context;
  return {
    statusCode: 200,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ok: true }),
  };
};

beforeAll(async () => {
  dir = await tempDir();
  gateway = await startTestGateway({
    dataDir: dir.path,
    log,
    routes: {
      echo: [
        { method: 'GET', path: '/things' },
        { method: 'POST', path: '/things' },
        { method: 'GET', path: '/things/{id}' },
        { method: 'GET', path: '/things/special' },
        { method: 'GET', path: '/open/{token}', public: true },
      ],
      results: [
        { method: 'GET', path: '/result/{kind}', public: true },
        { method: 'POST', path: '/upload', public: true },
      ],
    },
    handlers: {
      echo,
      results: async (event): Promise<APIGatewayProxyStructuredResultV2> => {
        if (event.rawPath === '/upload') return { statusCode: 204 };
        switch (event.pathParameters?.kind) {
          case 'throw':
            throw new Error('secret database password in this message');
          case 'cookies':
            return {
              statusCode: 201,
              headers: { location: '/x/1', etag: '"3"', 'x-count': 7 },
              cookies: ['a=1; Path=/', 'b=2; HttpOnly'],
              body: '',
            };
          case 'binary':
            return {
              statusCode: 200,
              headers: { 'content-type': 'image/gif' },
              body: Buffer.from([0x47, 0x49, 0x46, 0x00, 0xff]).toString('base64'),
              isBase64Encoded: true,
            };
          case 'plain-object':
            return { hello: 'world' } as never;
          case 'invalid':
            return { statusCode: 'two hundred' } as never;
          default:
            return { statusCode: 418, body: 'teapot' };
        }
      },
    },
  });
});

afterAll(async () => {
  await gateway.close();
  await dir.remove();
});

const adminToken = () => mintToken(dir.path, { tenant: 'acme', role: 'admin', team: 'red' });

/** node:http, not fetch: repeated headers and raw bytes must reach the server as written. */
function send(
  method: string,
  path: string,
  options: { headers?: [string, string][]; body?: Buffer | string } = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(new URL(path, gateway.url), { method }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }),
      );
    });
    request.on('error', reject);
    for (const [name, value] of options.headers ?? []) request.appendHeader(name, value);
    request.end(options.body);
  });
}

describe('the API Gateway event', () => {
  it('carries the route, raw path and query, lowercase headers and cookies like payload 2.0', async () => {
    const token = await adminToken();
    const sentAt = Date.now();
    const response = await send('GET', '/things/a%20b%C3%A9?q=caf%C3%A9&tag=x&tag=y&plus=a+b&empty=', {
      headers: [
        ['Authorization', `Bearer ${token}`],
        ['X-Custom', 'one'],
        ['X-Custom', 'two'],
        ['Cookie', 'session=abc; theme=dark'],
        ['User-Agent', 'vitest-agent'],
      ],
    });
    const answeredAt = Date.now();
    expect(response.status).toBe(200);
    const event = lastEvent as APIGatewayProxyEventV2WithJWTAuthorizer;
    expect(event.version).toBe('2.0');
    expect(event.routeKey).toBe('GET /things/{id}');
    expect(event.rawPath).toBe('/things/a%20b%C3%A9');
    expect(event.rawQueryString).toBe('q=caf%C3%A9&tag=x&tag=y&plus=a+b&empty=');
    expect(event.pathParameters).toEqual({ id: 'a bé' });
    expect(event.queryStringParameters).toEqual({ q: 'café', tag: 'x,y', plus: 'a b', empty: '' });
    expect(event.headers['x-custom']).toBe('one,two');
    expect(event.headers['user-agent']).toBe('vitest-agent');
    expect(event.headers.cookie).toBeUndefined();
    expect(event.cookies).toEqual(['session=abc', 'theme=dark']);
    expect(event.body).toBeUndefined();
    expect(event.isBase64Encoded).toBe(false);
    expect(event.requestContext).toMatchObject({
      apiId: 'local',
      stage: '$default',
      routeKey: 'GET /things/{id}',
      http: { method: 'GET', path: '/things/a%20b%C3%A9', protocol: 'HTTP/1.1', userAgent: 'vitest-agent' },
    });
    expect(event.requestContext.requestId).toBe(response.headers['apigw-requestid']);
    expect(event.requestContext.time).toMatch(/^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/);
    expect(event.requestContext.timeEpoch).toBeGreaterThanOrEqual(sentAt);
    expect(event.requestContext.timeEpoch).toBeLessThanOrEqual(answeredAt);
  });

  it('passes the claims as API Gateway does for Cognito: strings, groups flattened to [role]', async () => {
    await send('GET', '/things', { headers: [['authorization', `Bearer ${await adminToken()}`]] });
    const claims = lastEvent?.requestContext.authorizer.jwt.claims ?? {};
    expect(claims).toMatchObject({
      sub: 'admin-acme',
      'custom:tenantId': 'acme',
      'custom:teamId': 'red',
      'cognito:groups': '[admin]',
      email: 'admin-acme@example.com',
    });
    expect(typeof claims.exp).toBe('string');
    expect(Object.values(claims).every((value) => typeof value === 'string')).toBe(true);
    expect(lastEvent?.requestContext.authorizer.jwt.scopes).toBeNull();
    expect(lastEvent?.queryStringParameters).toBeUndefined();
    expect(lastEvent?.pathParameters).toBeUndefined();
  });

  it('gives a public route no authorizer, even when a token is sent', async () => {
    await send('GET', '/open/abc', { headers: [['authorization', 'Bearer whatever']] });
    expect(lastEvent?.requestContext.authorizer).toBeUndefined();
    expect(lastEvent?.pathParameters).toEqual({ token: 'abc' });
  });

  it('passes text bodies as strings and binary ones as base64', async () => {
    const headers: [string, string][] = [['authorization', `Bearer ${await adminToken()}`]];
    await send('POST', '/things', {
      headers: [...headers, ['content-type', 'application/json; charset=utf-8']],
      body: '{"name":"Zoë"}',
    });
    expect(lastEvent?.body).toBe('{"name":"Zoë"}');
    expect(lastEvent?.isBase64Encoded).toBe(false);

    const bytes = Buffer.from([0, 1, 2, 250, 255]);
    await send('POST', '/things', {
      headers: [...headers, ['content-type', 'application/octet-stream']],
      body: bytes,
    });
    expect(lastEvent?.isBase64Encoded).toBe(true);
    expect(Buffer.from(lastEvent?.body ?? '', 'base64')).toEqual(bytes);

    await send('POST', '/things', { headers: [...headers, ['content-type', 'text/csv']], body: 'a,b\n1,2' });
    expect(lastEvent).toMatchObject({ body: 'a,b\n1,2', isBase64Encoded: false });
  });

  it('hands the handler a Lambda-like context', async () => {
    await send('GET', '/things', { headers: [['authorization', `Bearer ${await adminToken()}`]] });
    expect(lastContext?.functionName).toBe('echo');
    expect(lastContext?.awsRequestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(lastContext?.invokedFunctionArn).toBe('arn:aws:lambda:us-east-1:000000000000:function:echo');
    expect(lastContext?.getRemainingTimeInMillis()).toBeGreaterThan(0);
    // API Gateway's own limit, 30 s, is the default timeout of the local gateway.
    expect(lastContext?.getRemainingTimeInMillis()).toBeLessThanOrEqual(30_000);
  });
});

describe('the handler result', () => {
  it('writes status, headers, cookies as set-cookie and an empty body', async () => {
    const response = await send('GET', '/result/cookies');
    expect(response.status).toBe(201);
    expect(response.headers.location).toBe('/x/1');
    expect(response.headers.etag).toBe('"3"');
    expect(response.headers['x-count']).toBe('7');
    expect(response.headers['set-cookie']).toEqual(['a=1; Path=/', 'b=2; HttpOnly']);
    expect(response.body.length).toBe(0);
  });

  it('decodes base64 bodies', async () => {
    const response = await send('GET', '/result/binary');
    expect(response.headers['content-type']).toBe('image/gif');
    expect(response.body).toEqual(Buffer.from([0x47, 0x49, 0x46, 0x00, 0xff]));
  });

  it('treats a plain JSON value as a 200 JSON body, as payload 2.0 does', async () => {
    const response = await send('GET', '/result/plain-object');
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body.toString())).toEqual({ hello: 'world' });
  });

  it('answers 500 without details when the handler throws or returns garbage, and logs the error', async () => {
    for (const kind of ['throw', 'invalid']) {
      const response = await send('GET', `/result/${kind}`);
      expect(response.status).toBe(500);
      expect(JSON.parse(response.body.toString())).toEqual({ message: 'Internal Server Error' });
      expect(response.body.toString()).not.toContain('secret');
    }
    expect(
      log.errors.some(({ error }) => (error as Error)?.message?.includes('secret database password')),
    ).toBe(true);
  });

  it('answers 503 when the handler does not answer in time', async () => {
    // A handler that never answers: the outcome does not depend on how busy the machine is.
    const silent = await startTestGateway({
      dataDir: dir.path,
      handlerTimeoutMs: 50,
      routes: { silent: [{ method: 'GET', path: '/silent', public: true }] },
      handlers: { silent: () => new Promise<never>(() => undefined) },
    });
    try {
      const response = await fetch(`${silent.url}/silent`);
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({ message: 'Service Unavailable' });
    } finally {
      await silent.close();
    }
  });
});

describe('the gateway itself', () => {
  it('answers 404 {"message":"Not Found"} for an unknown route or method', async () => {
    for (const [method, path] of [
      ['GET', '/nope'],
      ['DELETE', '/things'],
      ['GET', '/things/1/2'],
    ] as const) {
      const response = await send(method, path);
      expect(response.status, `${method} ${path}`).toBe(404);
      expect(JSON.parse(response.body.toString())).toEqual({ message: 'Not Found' });
    }
  });

  it('prefers the literal route', async () => {
    await send('GET', '/things/special', { headers: [['authorization', `Bearer ${await adminToken()}`]] });
    expect(lastEvent?.routeKey).toBe('GET /things/special');
    expect(lastEvent?.pathParameters).toBeUndefined();
  });

  it('answers 413 for a body over 10 MB before any handler runs', async () => {
    const response = await send('POST', '/upload', {
      headers: [['content-type', 'application/octet-stream']],
      body: Buffer.alloc(10 * 1024 * 1024 + 1),
    });
    expect(response.status).toBe(413);
    expect(JSON.parse(response.body.toString())).toEqual({ message: 'Request Entity Too Large' });
    expect((await send('POST', '/upload', { body: Buffer.alloc(1024 * 1024) })).status).toBe(204);
  });

  it('answers CORS preflights and adds CORS headers', async () => {
    const preflight = await send('OPTIONS', '/things', {
      headers: [
        ['origin', 'http://localhost:5173'],
        ['access-control-request-method', 'POST'],
        ['access-control-request-headers', 'authorization,content-type'],
      ],
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe('http://localhost:5173');
    expect(preflight.headers['access-control-allow-methods']).toContain('PATCH');
    expect(preflight.headers['access-control-allow-headers']).toBe('authorization,content-type');
    const response = await send('GET', '/result/other', { headers: [['origin', 'http://localhost:5173']] });
    expect(response.status).toBe(418);
    expect(response.headers['access-control-allow-origin']).toBe('http://localhost:5173');
  });
});
