import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { defineRoutes, pathParamNames } from '#shared/api/route';
import { callerFrom } from '#shared/http/auth';
import { decodeCursor, encodeCursor } from '#shared/http/cursor';
import { requiredVersion } from '#shared/http/etag';
import { httpHandler } from '#shared/http/handler';
import { HttpProblem } from '#shared/http/problem';
import { ok } from '#shared/http/results';
import { httpEvent, testContext } from '../support/http-event.ts';

const eventWith = (claims: Record<string, unknown>) =>
  ({
    requestContext: { authorizer: { jwt: { claims, scopes: null } } },
  }) as unknown as APIGatewayProxyEventV2WithJWTAuthorizer;

describe('caller from JWT claims', () => {
  it('reads API Gateway flattened groups and raw arrays alike', () => {
    const claims = { sub: 'u1', 'custom:tenantId': 'acme', 'custom:teamId': 'red', email: 'a@b.co' };
    expect(callerFrom(eventWith({ ...claims, 'cognito:groups': '[rep]' }))).toEqual({
      tenantId: 'acme',
      userId: 'u1',
      role: 'rep',
      teamId: 'red',
      email: 'a@b.co',
    });
    expect(callerFrom(eventWith({ ...claims, 'cognito:groups': ['manager', 'rep'] })).role).toBe('manager');
  });
  it('refuses tokens without a usable tenant, subject or role', () => {
    for (const claims of [
      { sub: 'u1', 'cognito:groups': '[admin]' },
      { sub: 'u1', 'custom:tenantId': 'a#b', 'cognito:groups': '[admin]' },
      { 'custom:tenantId': 'acme', 'cognito:groups': '[admin]' },
      { sub: 'u1', 'custom:tenantId': 'acme', 'cognito:groups': '[superuser]' },
    ]) {
      expect(() => callerFrom(eventWith(claims))).toThrow(expect.objectContaining({ status: 401 }));
    }
  });
});

describe('cursors', () => {
  const key = Buffer.from('secret');
  const pageKey = { pk: 'T#acme#CONTACT#1', sk: 'A', gsi1pk: 'T#acme#CONTACT', gsi1sk: '1' };
  it('round-trips for the same binding', () => {
    expect(decodeCursor(encodeCursor(pageKey, 'acme|list', key), 'acme|list', key)).toEqual(pageKey);
  });
  it('rejects a cursor from another tenant or query, a changed one, and garbage', () => {
    const cursor = encodeCursor(pageKey, 'acme|list', key);
    const forged = `${Buffer.from(JSON.stringify({ ...pageKey, pk: 'T#other#CONTACT#1' })).toString('base64url')}.${cursor.split('.')[1]}`;
    for (const [value, binding] of [
      [cursor, 'other|list'],
      [forged, 'acme|list'],
      ['abc', 'acme|list'],
      ['a.b.c', 'acme|list'],
    ] as const) {
      expect(() => decodeCursor(value, binding, key)).toThrow(HttpProblem);
    }
  });
});

describe('If-Match', () => {
  it('accepts strong and weak tags and ignores *', () => {
    expect(requiredVersion('"3"')).toBe(3);
    expect(requiredVersion('W/"12"')).toBe(12);
    expect(requiredVersion('*')).toBeUndefined();
    expect(requiredVersion(undefined)).toBeUndefined();
    expect(() => requiredVersion('3')).toThrow(expect.objectContaining({ status: 400 }));
  });
});

describe('path parameters', () => {
  it('are named by the route template, greedy ones without their +', () => {
    expect(pathParamNames('/sequences/{id}/enrollments/{contactId}')).toEqual(['id', 'contactId']);
    expect(pathParamNames('/t/{proxy+}')).toEqual(['proxy']);
    expect(pathParamNames('/contacts')).toEqual([]);
  });
  it('reach the implementation complete, and an event missing one is a 404', async () => {
    const routes = defineRoutes([
      {
        method: 'GET',
        path: '/echo/{token}',
        operationId: 'echo',
        summary: 'Echo',
        public: true,
        status: 200,
      },
    ]);
    const handler = httpHandler(routes, { echo: async ({ params }) => ok({ token: params.token }) });
    const filled = { ...httpEvent('GET /echo/{token}', '/echo/abc'), pathParameters: { token: 'abc' } };
    const answered = await handler(filled, testContext);
    expect(answered.statusCode).toBe(200);
    expect(JSON.parse(answered.body ?? '')).toEqual({ token: 'abc' });
    const missing = await handler(httpEvent('GET /echo/{token}', '/echo/abc'), testContext);
    expect(missing.statusCode).toBe(404);
  });
});
