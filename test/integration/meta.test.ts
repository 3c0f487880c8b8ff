import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { importPKCS8, SignJWT } from 'jose';
import { describe, expect, inject, it } from 'vitest';
import { httpFunctions } from '#shared/api/catalogue';
import { loadOrCreateDevTokenKeys } from '../../infra/local/dev-secrets.ts';
import { LOCAL_TOKEN_AUDIENCE, LOCAL_TOKEN_ISSUER } from '../../infra/local/tokens.ts';
import { api, tokenFor, uniqueTenant } from '../support/api.ts';

const anonymous = api(undefined);

describe('public routes', () => {
  it('answers /health without a token', async () => {
    const response = await anonymous.get('/health');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: 'ok' });
  });

  it('describes every route in an OpenAPI 3.1 document generated from the schemas', async () => {
    const response = await anonymous.get('/openapi.json');
    expect(response.status).toBe(200);
    expect(response.body.openapi).toBe('3.1.0');
    for (const routes of Object.values(httpFunctions)) {
      for (const route of routes) {
        const operation = response.body.paths[route.path]?.[route.method.toLowerCase()];
        expect(operation, `${route.method} ${route.path}`).toBeDefined();
        expect(operation.operationId).toBe(route.operationId);
      }
    }
    const create = response.body.paths['/contacts'].post;
    expect(create.requestBody.content['application/json'].schema.required).toEqual(['firstName']);
    expect(create.responses['400'].content['application/problem+json']).toBeDefined();
  });

  it('documents 401 as it comes back: the gateway body, WWW-Authenticate, and problem+json from a function', async () => {
    const document = (await anonymous.get('/openapi.json')).body;
    expect(document.paths['/contacts'].get.responses['401']).toEqual({
      $ref: '#/components/responses/Unauthorized',
    });
    const unauthorized = document.components.responses.Unauthorized;
    expect(unauthorized.content['application/json'].schema).toEqual({
      type: 'object',
      required: ['message'],
      properties: { message: { const: 'Unauthorized' } },
    });
    expect(unauthorized.content['application/problem+json']).toBeDefined();
    expect(unauthorized.headers['WWW-Authenticate'].description).toContain('error="invalid_token"');
    expect(document.paths['/health'].get.responses['401']).toBeUndefined();
  });

  it('documents the export files, the 202 export job and the custom field filters by their pattern', async () => {
    const document = (await anonymous.get('/openapi.json')).body;
    for (const [path, types] of [
      ['/contacts/export', ['application/json', 'text/csv', 'text/vcard']],
      ['/leads/export', ['application/json', 'text/csv', 'text/vcard']],
      ['/segments/{id}/export', ['application/json', 'text/csv', 'text/vcard']],
      ['/companies/export', ['application/json', 'text/csv']],
      ['/deals/export', ['application/json', 'text/csv']],
    ] as const) {
      const responses = document.paths[path].get.responses;
      expect(Object.keys(responses['200'].content).sort(), path).toEqual(types);
      expect(responses['200'].content['application/json'].schema.type, path).toBe('array');
      expect(responses['200'].content['text/csv'].schema.type, path).toBe('string');
      expect(responses['202'].content['application/json'].schema.required, path).toEqual(
        expect.arrayContaining(['id', 'status', 'format', 'href', 'createdAt']),
      );
      expect(responses['202'].headers.Location, path).toBeDefined();
    }
    const filters = document.paths['/contacts/export'].get['x-query-parameter-patterns'];
    expect(filters).toEqual([
      {
        pattern: '^customFields\\.([A-Za-z][A-Za-z0-9_]{0,63})$',
        in: 'query',
        required: false,
        schema: { type: 'string' },
      },
    ]);
    expect(new RegExp(filters[0].pattern).test('customFields.tier')).toBe(true);
    expect(document.paths['/contacts'].get['x-query-parameter-patterns']).toEqual(filters);
    expect(document.paths['/segments/{id}/export'].get['x-query-parameter-patterns']).toBeUndefined();
    expect(document.paths['/exports/{id}'].get.responses['202']).toBeUndefined();
    expect(document.paths['/t/o/{token}'].get.responses['202']).toBeUndefined();
  });

  it('answers / with links to the reference, the OpenAPI document and the local inbox', async () => {
    const page = await anonymous.get('/');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.headers.get('vary')).toBe('Accept');
    const apiUrl = inject('apiUrl');
    expect(page.text).toContain(`<a href="${apiUrl}/docs">`);
    expect(page.text).toContain(`<a href="${apiUrl}/openapi.json">`);
    expect(page.text).toContain(`<a href="${inject('inboxUrl')}">`);

    const documented = (await anonymous.get('/openapi.json')).body.paths['/'].get;
    expect(documented).toMatchObject({ operationId: 'getIndex', security: [], tags: ['api'] });

    const json = await anonymous.get('/', { accept: 'application/json' });
    expect(json.headers.get('content-type')).toContain('application/json');
    expect(json.body.links).toEqual([
      { rel: 'docs', href: `${apiUrl}/docs`, title: 'API reference' },
      { rel: 'openapi', href: `${apiUrl}/openapi.json`, title: 'OpenAPI 3.1 document' },
      { rel: 'health', href: `${apiUrl}/health`, title: 'Health check' },
      { rel: 'inbox', href: inject('inboxUrl'), title: 'Local email inbox (every email sent)' },
    ]);
    for (const link of json.body.links.filter((link: { rel: string }) => link.rel !== 'inbox'))
      expect((await fetch(link.href)).status, link.href).toBe(200);
    expect((await fetch(inject('inboxUrl'))).status).toBe(200);
  });

  it('serves the reference at /docs: Swagger UI from this API, no inline script, a strict CSP', async () => {
    const response = await anonymous.get('/docs');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-cache');
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self';");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain("frame-ancestors 'none'");
    // Every script is a file of this API; none is written into the page.
    const scripts = [...response.text.matchAll(/<script([^>]*)>/g)].map((match) => match[1]);
    expect(scripts.length).toBe(2);
    for (const attributes of scripts) expect(attributes).toMatch(/^ src="docs\/[\w.-]+\?v=[0-9a-f]{16}"$/);
    expect(response.text).not.toMatch(/https?:\/\//);

    const assets = [...response.text.matchAll(/(?:src|href)="(docs\/[^"]+)"/g)].map(
      (match) => match[1] as string,
    );
    const types: Record<string, string> = {
      'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
      'swagger-ui.css': 'text/css; charset=utf-8',
      'docs.js': 'text/javascript; charset=utf-8',
    };
    expect(assets.map((asset) => asset.replace(/^docs\/|\?.*$/g, '')).sort()).toEqual(
      Object.keys(types).sort(),
    );
    for (const asset of assets) {
      const file = asset.replace(/^docs\/|\?.*$/g, '');
      // fetch asks for gzip and undoes it, as a browser does.
      const answer = await fetch(new URL(`/${asset}`, inject('apiUrl')));
      expect(answer.status, asset).toBe(200);
      expect(answer.headers.get('content-type'), asset).toBe(types[file]);
      expect(answer.headers.get('content-encoding'), asset).toBe('gzip');
      expect(answer.headers.get('cache-control'), asset).toBe('public, max-age=31536000, immutable');
      const body = Buffer.from(await answer.arrayBuffer());
      expect(createHash('sha256').update(body).digest('hex').slice(0, 16), asset).toBe(asset.split('?v=')[1]);
      if (file !== 'docs.js')
        expect(
          body.equals(readFileSync(createRequire(import.meta.url).resolve(`swagger-ui-dist/${file}`))),
          asset,
        ).toBe(true);
    }
    const plain = await anonymous.get('/docs/swagger-ui.css', { 'accept-encoding': 'identity' });
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect(plain.text.length).toBeGreaterThan(100_000);
    for (const path of ['/docs/openapi.js', '/docs/..%2Fpackage.json', '/docs/docs.js.map'])
      expect((await anonymous.get(path)).status, path).toBe(404);
  });

  it('points the document at the API it came from, so try-it-out calls it', async () => {
    const document = (await anonymous.get('/openapi.json')).body;
    expect(document.servers).toEqual([{ url: inject('apiUrl').replace(/\/$/, ''), description: 'This API' }]);
    expect(document.components.securitySchemes.bearer.description).toContain('npm run token');
    expect(document.info.description).toContain('Cognito');
    expect(document.paths['/contacts'].post.requestBody.content['application/json'].example.firstName).toBe(
      'Ana',
    );
  });
});

describe('authentication', () => {
  it('answers 401 without a token, with a malformed one, or with one signed by someone else', async () => {
    expect((await anonymous.get('/contacts')).status).toBe(401);
    expect((await api('not-a-jwt').get('/contacts')).status).toBe(401);
    const token = await tokenFor({ tenant: uniqueTenant(), role: 'admin' });
    const [header, payload] = token.split('.');
    const forged = `${header}.${payload}.${Buffer.from('forged-signature').toString('base64url')}`;
    expect((await api(forged).get('/contacts')).status).toBe(401);
  });

  it('answers 401 for a token that is expired, saying so in WWW-Authenticate', async () => {
    const token = await tokenFor({ tenant: uniqueTenant(), role: 'admin', ttlSeconds: -60 });
    const response = await api(token).get('/me');
    expect(response.status).toBe(401);
    expect(response.text).toBe('{"message":"Unauthorized"}');
    expect(response.headers.get('www-authenticate')).toBe(
      'Bearer scope="" error="invalid_token" error_description="the token has expired"',
    );
  });

  it('answers a verified token without a tenant or role with problem+json 401 and a challenge', async () => {
    const keys = await loadOrCreateDevTokenKeys(inject('dataDir'));
    const privateKey = await importPKCS8(keys.privateKeyPem, 'RS256');
    const now = Math.floor(Date.now() / 1000);
    const sign = (claims: Record<string, unknown>) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', kid: keys.kid })
        .setSubject('someone')
        .setIssuer(LOCAL_TOKEN_ISSUER)
        .setAudience(LOCAL_TOKEN_AUDIENCE)
        .setIssuedAt(now)
        .setExpirationTime(now + 600)
        .sign(privateKey);
    for (const claims of [{ 'cognito:groups': ['admin'] }, { 'custom:tenantId': uniqueTenant() }]) {
      const response = await api(await sign(claims)).get('/me');
      expect(response.status).toBe(401);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      expect(response.body).toMatchObject({ status: 401, title: 'Unauthorized' });
      expect(response.headers.get('www-authenticate')).toBe(
        `Bearer scope="" error="invalid_token" error_description="${response.body.detail}"`,
      );
    }
  });
});
