import { describe, expect, it } from 'vitest';
import { httpFunctions } from '#shared/api/catalogue';
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

  it('renders the reference for people at /docs', async () => {
    const response = await anonymous.get('/docs');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
    expect(response.text).toContain('/contacts/{id}');
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

  it('answers 401 for a token that is expired', async () => {
    const token = await tokenFor({ tenant: uniqueTenant(), role: 'admin', ttlSeconds: -60 });
    expect((await api(token).get('/me')).status).toBe(401);
  });
});
