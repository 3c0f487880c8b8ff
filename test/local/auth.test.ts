import { importPKCS8, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOrCreateDevTokenKeys } from '../../infra/local/dev-secrets.ts';
import type { RunningHttpServer } from '../../infra/local/http-server.ts';
import { LOCAL_TOKEN_AUDIENCE, LOCAL_TOKEN_ISSUER, mintToken } from '../../infra/local/tokens.ts';
import { startTestGateway, tempDir } from './helpers.ts';

let dir: Awaited<ReturnType<typeof tempDir>>;
let otherDir: Awaited<ReturnType<typeof tempDir>>;
let gateway: RunningHttpServer;
let handlerCalls = 0;

beforeAll(async () => {
  dir = await tempDir();
  otherDir = await tempDir();
  gateway = await startTestGateway({
    dataDir: dir.path,
    routes: { secure: [{ method: 'GET', path: '/secure' }] },
    handlers: {
      secure: async () => {
        handlerCalls++;
        return { statusCode: 200, body: 'in' };
      },
    },
  });
});

afterAll(async () => {
  await gateway.close();
  await dir.remove();
  await otherDir.remove();
});

async function call(authorization?: string) {
  const response = await fetch(`${gateway.url}/secure`, {
    headers: authorization === undefined ? {} : { authorization },
  });
  return {
    status: response.status,
    challenge: response.headers.get('www-authenticate'),
    body: await response.text(),
  };
}

/** A token signed with the right key but claims of our choosing. */
async function signWith(claims: { iss?: string; aud?: string; exp?: number; sub?: string }) {
  const keys = await loadOrCreateDevTokenKeys(dir.path);
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ 'custom:tenantId': 'acme', 'cognito:groups': ['admin'] })
    .setProtectedHeader({ alg: 'RS256', kid: keys.kid })
    .setSubject(claims.sub ?? 'someone')
    .setIssuer(claims.iss ?? LOCAL_TOKEN_ISSUER)
    .setAudience(claims.aud ?? LOCAL_TOKEN_AUDIENCE)
    .setIssuedAt(now)
    .setExpirationTime(claims.exp ?? now + 600)
    .sign(await importPKCS8(keys.privateKeyPem, 'RS256'));
}

describe('the JWT authorizer stand-in', () => {
  it('lets a valid dev token through, with or without the Bearer prefix', async () => {
    const token = await mintToken(dir.path, { tenant: 'acme', role: 'rep' });
    expect(await call(`Bearer ${token}`)).toMatchObject({ status: 200, body: 'in' });
    expect((await call(`bearer ${token}`)).status).toBe(200);
    expect((await call(await signWith({}))).status).toBe(200);
  });

  it('answers 401 {"message":"Unauthorized"} and never reaches the handler otherwise', async () => {
    const before = handlerCalls;
    const valid = await mintToken(dir.path, { tenant: 'acme', role: 'admin' });
    const [header, payload] = valid.split('.');
    const tamperedPayload = Buffer.from(
      JSON.stringify({
        ...JSON.parse(Buffer.from(payload as string, 'base64url').toString()),
        'custom:tenantId': 'other',
      }),
    ).toString('base64url');
    const cases: Record<string, string | undefined> = {
      'no header': undefined,
      'empty bearer': 'Bearer ',
      'not a JWT': 'Bearer not-a-jwt',
      'signed by another key': `Bearer ${await mintToken(otherDir.path, { tenant: 'acme', role: 'admin' })}`,
      'changed claims': `Bearer ${header}.${tamperedPayload}.${valid.split('.')[2]}`,
      expired: `Bearer ${await mintToken(dir.path, { tenant: 'acme', role: 'admin', ttlSeconds: -60 })}`,
      'wrong issuer': `Bearer ${await signWith({ iss: 'https://cognito-idp.us-east-1.amazonaws.com/other' })}`,
      'wrong audience': `Bearer ${await signWith({ aud: 'another-app' })}`,
    };
    for (const [name, authorization] of Object.entries(cases)) {
      const response = await call(authorization);
      expect(response.status, name).toBe(401);
      expect(JSON.parse(response.body), name).toEqual({ message: 'Unauthorized' });
      expect(response.challenge, name).toMatch(/^Bearer/);
    }
    expect(handlerCalls).toBe(before);
  });

  it("says why in www-authenticate, in API Gateway's layout, for every reason a token is refused", async () => {
    const valid = await mintToken(dir.path, { tenant: 'acme', role: 'admin' });
    const [header, payload, signature] = valid.split('.') as [string, string, string];
    const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${payload}.`;
    const why = (description: string) =>
      `Bearer scope="" error="invalid_token" error_description="${description}"`;
    const cases: Record<string, [string | undefined, string]> = {
      // RFC 6750 §3.1: no credentials, no error code.
      missing: [undefined, 'Bearer'],
      'empty bearer': ['Bearer ', 'Bearer'],
      'bare scheme': ['Bearer', 'Bearer'],
      malformed: ['Bearer not-a-jwt', why('the token is malformed')],
      'three parts of nothing': ['Bearer abc.def.ghi', why('the token is malformed')],
      'another scheme': ['Basic dXNlcjpwYXNz', why('the token is malformed')],
      expired: [
        `Bearer ${await mintToken(dir.path, { tenant: 'acme', role: 'admin', ttlSeconds: -60 })}`,
        why('the token has expired'),
      ],
      'wrong signature': [
        `Bearer ${await mintToken(otherDir.path, { tenant: 'acme', role: 'admin' })}`,
        why('the token does not have a valid signature'),
      ],
      'forged signature': [
        `Bearer ${header}.${payload}.${signature.slice(0, -4)}AAAA`,
        why('the token does not have a valid signature'),
      ],
      unsigned: [`Bearer ${unsigned}`, why('the token is not signed with an allowed algorithm')],
      'wrong issuer': [
        `Bearer ${await signWith({ iss: 'https://cognito-idp.us-east-1.amazonaws.com/other' })}`,
        why('the token does not have a valid issuer'),
      ],
      // The one wording AWS documents, byte for byte.
      'wrong audience': [
        `Bearer ${await signWith({ aud: 'another-app' })}`,
        'Bearer scope="" error="invalid_token" error_description="the token does not have a valid audience"',
      ],
    };
    for (const [name, [authorization, challenge]] of Object.entries(cases)) {
      const response = await call(authorization);
      expect(response.status, name).toBe(401);
      expect(response.body, name).toBe('{"message":"Unauthorized"}');
      expect(response.challenge, name).toBe(challenge);
    }
  });
});
