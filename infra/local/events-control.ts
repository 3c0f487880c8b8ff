import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { isDomainEventType } from '#shared/domain/domain-events';
import { recordedEvents } from '#shared/events/local-bus';
import { type Caller, callerFrom } from '#shared/http/auth';
import type { HttpHandler } from './handler-loader.ts';
import { type LocalRoute, localRoute } from './routes.ts';

/**
 * The local route of the event bus stand-in (shared/events/local-bus.ts): what
 * the stream would have put on the EventBridge bus. Local only, like the
 * scheduler's control routes: not in the route catalogue, so never in CDK,
 * OpenAPI or AWS. It takes an admin's dev token and sees only the caller's
 * tenant (`custom:tenantId`): events carry every record of the tenant,
 * whoever's they are, so, like webhooks, they are for admins (403 otherwise).
 *
 *   GET /__local/events?type=<event type>
 *     The caller's events, oldest first:
 *     200 {"items": [{sentAt, source, detailType, detail}]}, `detail` the event
 *     ({id, type, tenantId, occurredAt, data}); 400 for an unknown type; 403 for a
 *     manager or a rep.
 */
export const EVENTS_CONTROL_FUNCTION = '__local-events';

export const eventsControlRoutes: readonly LocalRoute[] = [
  localRoute(EVENTS_CONTROL_FUNCTION, { method: 'GET', path: '/__local/events' }),
];

/** The route's handler, reading the stand-in's file (`events.jsonl` in the data folder). */
export function eventsControlHandler(file: string): HttpHandler {
  return async (event: APIGatewayProxyEventV2WithJWTAuthorizer) => {
    let caller: Caller;
    try {
      caller = callerFrom(event);
    } catch (error) {
      return json(401, { message: (error as Error).message });
    }
    if (caller.role !== 'admin') return json(403, { message: 'Only an admin may read the events' });
    const { tenantId } = caller;
    const type = event.queryStringParameters?.type;
    if (type !== undefined && !isDomainEventType(type))
      return json(400, { message: `"type" must be a domain event type, such as contact.created` });
    const items = await recordedEvents({ tenantId, ...(type ? { type } : {}) }, file);
    return json(200, { items });
  };
}

function json(statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 {
  return { statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}
