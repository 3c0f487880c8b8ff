import { randomBytes, randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, Context } from 'aws-lambda';
import type { Role } from '#shared/domain/access';

/**
 * Events shaped as API Gateway (HTTP API, payload 2.0) delivers them; stream
 * batches come from test/support/stream-records.ts, shared with the tests.
 */

export const REGION = 'eu-west-1';
const ACCOUNT = '000000000000';

export interface BenchCaller {
  readonly tenantId: string;
  readonly userId: string;
  readonly role: Role;
  readonly teamId?: string;
  readonly email: string;
}

export interface HttpRequest {
  readonly query?: Record<string, string>;
  readonly params?: Record<string, string>;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

/** The claims API Gateway's JWT authorizer passes on: strings, groups flattened to `[admin]`. */
function claimsOf(caller: BenchCaller): Record<string, string> {
  const now = Math.floor(Date.now() / 1000);
  return {
    sub: caller.userId,
    'custom:tenantId': caller.tenantId,
    ...(caller.teamId ? { 'custom:teamId': caller.teamId } : {}),
    email: caller.email,
    'cognito:groups': `[${caller.role}]`,
    'cognito:username': caller.userId,
    iss: `https://cognito-idp.${REGION}.amazonaws.com/${REGION}_bench`,
    aud: 'benchclient',
    token_use: 'id',
    auth_time: String(now),
    iat: String(now),
    exp: String(now + 3600),
  };
}

export function httpEvent(
  routeKey: string,
  caller: BenchCaller,
  request: HttpRequest = {},
): APIGatewayProxyEventV2WithJWTAuthorizer {
  const [method = 'GET', template = '/'] = routeKey.split(' ');
  const params = request.params ?? {};
  const rawPath = template.replace(/\{(\w+)\}/g, (_, name: string) => params[name] ?? '');
  const query = request.query;
  const rawQueryString = query ? new URLSearchParams(query).toString() : '';
  const body = request.body === undefined ? undefined : JSON.stringify(request.body);
  const now = new Date();
  const headers: Record<string, string> = {
    accept: 'application/json',
    authorization: 'Bearer bench',
    host: 'api.bench.local',
    'user-agent': 'crm-bench',
    'x-forwarded-for': '127.0.0.1',
    'x-forwarded-port': '443',
    'x-forwarded-proto': 'https',
    ...(body === undefined
      ? {}
      : { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) }),
    ...request.headers,
  };
  return {
    version: '2.0',
    routeKey,
    rawPath,
    rawQueryString,
    headers,
    ...(query ? { queryStringParameters: { ...query } } : {}),
    ...(Object.keys(params).length > 0 ? { pathParameters: { ...params } } : {}),
    requestContext: {
      accountId: ACCOUNT,
      apiId: 'bench',
      domainName: 'api.bench.local',
      domainPrefix: 'api',
      http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'crm-bench' },
      requestId: randomBytes(10).toString('base64'),
      routeKey,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
      authorizer: { jwt: { claims: claimsOf(caller), scopes: [] }, principalId: '', integrationLatency: 0 },
    },
    ...(body === undefined ? {} : { body }),
    isBase64Encoded: false,
  };
}

export function lambdaContext(functionName: string): Context {
  const unsupported = () => {
    throw new Error('not supported in the bench');
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'bench',
    getRemainingTimeInMillis: () => 30_000,
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  };
}
