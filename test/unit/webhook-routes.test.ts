import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { routeExamples } from '../../shared/api/examples/routes/index.ts';
import type { RouteDef } from '../../shared/api/route.ts';
import { webhookRoutes } from '../../shared/api/webhooks.ts';
import { webhookSchemas } from '../../shared/schemas/webhooks.ts';

describe('webhook routes', () => {
  it('are for admins only, every one of them, each with examples its schemas accept', () => {
    for (const route of webhookRoutes as readonly RouteDef[]) {
      expect(route.role, route.operationId).toEqual({ least: 'admin' });
      if (route.status === 204) continue;
      expect(routeExamples[route.operationId]?.response, route.operationId).toBeDefined();
      if (route.response)
        expect(() =>
          z.parse(route.response?.() as z.ZodMiniType, routeExamples[route.operationId]?.response),
        ).not.toThrow();
      if (route.body)
        expect(() =>
          z.parse(route.body?.() as z.ZodMiniType, routeExamples[route.operationId]?.request),
        ).not.toThrow();
    }
  });

  it('lists each unknown event name at its index', () => {
    const result = z.safeParse(webhookSchemas().create, {
      url: 'https://hooks.example.com/',
      events: ['contact.created', 'contact.exploded', 'deal.won', 'nope'],
    });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.path.join('.'))).toEqual(['events.1', 'events.3']);
  });

  it('needs at least one event, each once', () => {
    expect(z.safeParse(webhookSchemas().create, { url: 'https://h.example.com/', events: [] }).success).toBe(
      false,
    );
    expect(
      z.safeParse(webhookSchemas().create, {
        url: 'https://h.example.com/',
        events: ['deal.won', 'deal.won'],
      }).success,
    ).toBe(false);
  });
});
