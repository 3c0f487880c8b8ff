import type { APIGatewayProxyEventV2WithJWTAuthorizer, Context } from 'aws-lambda';

/** A Lambda context for handlers invoked directly in unit tests. */
export const testContext = {
  awsRequestId: 'req-1',
  getRemainingTimeInMillis: () => 10_000,
} as unknown as Context;

/**
 * An API Gateway (HTTP API 2.0) event as an admin of tenant `acme` (user `u1`),
 * for unit tests that call a handler without the local runtime.
 */
export function httpEvent(
  routeKey: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): APIGatewayProxyEventV2WithJWTAuthorizer {
  return {
    version: '2.0',
    routeKey,
    rawPath: path,
    rawQueryString: '',
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    pathParameters: routeKey.includes('{id}') ? { id: path.split('/')[2] ?? '' } : undefined,
    body: body === undefined ? undefined : JSON.stringify(body),
    isBase64Encoded: false,
    requestContext: {
      authorizer: {
        jwt: { claims: { sub: 'u1', 'custom:tenantId': 'acme', 'cognito:groups': '[admin]' }, scopes: null },
        principalId: '',
        integrationLatency: 0,
      },
    },
  } as unknown as APIGatewayProxyEventV2WithJWTAuthorizer;
}
