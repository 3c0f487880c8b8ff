import { describe, expect, it } from 'vitest';
import { localRoute, matchRoute, routesFromCatalogue } from '../../infra/local/routes.ts';

const routes = [
  localRoute('contacts', { method: 'GET', path: '/contacts' }),
  localRoute('contacts', { method: 'GET', path: '/contacts/{id}' }),
  localRoute('contacts', { method: 'POST', path: '/contacts/{id}/restore' }),
  localRoute('contacts', { method: 'GET', path: '/contacts/export' }),
  localRoute('timeline', { method: 'GET', path: '/{resource}/{id}/timeline' }),
  localRoute('users', { method: 'GET', path: '/users/{id}' }),
  localRoute('users', { method: 'GET', path: '/me' }),
  localRoute('tracking', { method: 'GET', path: '/t/{proxy+}', public: true }),
  localRoute('tracking', { method: 'GET', path: '/t/o/{token}', public: true }),
];

describe('route matching', () => {
  it('prefers a literal segment over a parameter, whatever the declaration order', () => {
    expect(matchRoute(routes, 'GET', '/contacts/export')?.route.routeKey).toBe('GET /contacts/export');
    expect(matchRoute(routes, 'GET', '/contacts/01H')?.route.routeKey).toBe('GET /contacts/{id}');
    expect(matchRoute(routes, 'GET', '/contacts/01H/timeline')?.route.routeKey).toBe(
      'GET /{resource}/{id}/timeline',
    );
    expect(matchRoute(routes, 'GET', '/t/o/abc')?.route.routeKey).toBe('GET /t/o/{token}');
  });

  it('matches one segment per parameter and decodes parameter values', () => {
    const match = matchRoute(routes, 'GET', '/contacts/a%20b%2Fc');
    expect(match?.pathParameters).toEqual({ id: 'a b/c' });
    expect(matchRoute(routes, 'GET', '/contacts/a/b')).toBeUndefined();
    expect(matchRoute(routes, 'GET', '/contacts/')).toBeUndefined();
    expect(matchRoute(routes, 'GET', '/deals/7/timeline')?.pathParameters).toEqual({
      resource: 'deals',
      id: '7',
    });
  });

  it('lets a greedy parameter take the rest of the path, below any other route', () => {
    expect(matchRoute(routes, 'GET', '/t/c/x/y')?.pathParameters).toEqual({ proxy: 'c/x/y' });
    expect(matchRoute(routes, 'GET', '/t/')).toBeUndefined();
  });

  it('finds nothing for an unknown path or a method without a route (API Gateway answers 404, not 405)', () => {
    expect(matchRoute(routes, 'GET', '/nope')).toBeUndefined();
    expect(matchRoute(routes, 'DELETE', '/contacts')).toBeUndefined();
    expect(matchRoute(routes, 'GET', '/contacts/01H/restore')).toBeUndefined();
    expect(matchRoute(routes, 'POST', '/contacts/01H/restore')?.route.functionName).toBe('contacts');
  });

  it('routes every route of the catalogue to its own function', async () => {
    const { httpFunctions } = await import('#shared/api/catalogue');
    const all = routesFromCatalogue(httpFunctions);
    expect(new Set(all.map((route) => route.routeKey)).size).toBe(all.length);
    for (const route of all) {
      const samplePath = route.path.replace(/\{(\w+)\+?\}/g, 'sample-$1');
      const match = matchRoute(all, route.method, samplePath);
      expect(match?.route.routeKey, route.routeKey).toBe(route.routeKey);
      expect(match?.route.functionName).toBe(route.functionName);
    }
    expect(all.find((route) => route.path === '/health')?.public).toBe(true);
  });
});
