import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { HttpHandler } from './handler-loader.ts';
import { type LocalRoute, localRoute } from './routes.ts';
import type { LocalSchedulerControl } from './scheduler.ts';

/**
 * Local-only routes on the runtime's HTTP server, so tests in other processes can move the
 * scheduler's clock instead of sleeping. They exist only under `npm start` and in the test
 * runtime: not in the route catalogue, so never in CDK, OpenAPI or AWS. Each takes a dev
 * token and sees only the caller's tenant (`custom:tenantId`).
 *
 *   POST /__local/scheduler/run-due?now=<ISO 8601>&name=<schedule>
 *     Fires the caller's schedules due at `now` (default: the scheduler's clock), optionally only
 *     the one named, and answers when their targets have run:
 *     200 {"now": "...", "fired": [{name, target, tenantId, scheduledAt, outcome, attempts, error?}]}
 *     outcome: fired | retrying | failed (given up, written to schedule-failures.jsonl).
 *   GET /__local/scheduler/schedules
 *     The caller's pending schedules, by time:
 *     200 {"items": [{name, target, at, scheduledAt, payload, attempts, lastError?}]}
 *
 * The background loop keeps firing on the real clock meanwhile; passes never overlap.
 */
export const SCHEDULER_CONTROL_FUNCTION = '__local-scheduler';

export const schedulerControlRoutes: readonly LocalRoute[] = [
  localRoute(SCHEDULER_CONTROL_FUNCTION, { method: 'POST', path: '/__local/scheduler/run-due' }),
  localRoute(SCHEDULER_CONTROL_FUNCTION, { method: 'GET', path: '/__local/scheduler/schedules' }),
];

export function schedulerControlHandler(scheduler: () => LocalSchedulerControl): HttpHandler {
  return async (event: APIGatewayProxyEventV2WithJWTAuthorizer) => {
    const tenantId = event.requestContext.authorizer?.jwt?.claims?.['custom:tenantId'];
    if (typeof tenantId !== 'string' || tenantId === '') {
      return json(403, { message: 'The token carries no custom:tenantId' });
    }
    const query = event.queryStringParameters ?? {};
    if (event.routeKey === 'GET /__local/scheduler/schedules') {
      const items = await scheduler().pending({ tenantId });
      return json(200, {
        items: items.map(({ version: _version, ...schedule }) => schedule),
      });
    }
    let now: Date | undefined;
    if (query.now !== undefined) {
      now = new Date(query.now);
      if (Number.isNaN(now.getTime())) return json(400, { message: '"now" must be an ISO 8601 date-time' });
    }
    now ??= scheduler().now();
    const fired = await scheduler().fireDue({
      now,
      tenantId,
      ...(query.name ? { name: query.name } : {}),
    });
    return json(200, { now: now.toISOString(), fired });
  };
}

function json(statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 {
  return { statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}
