import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import type { JWTPayload } from 'jose';
import { LOCAL_ACCOUNT_ID } from './lambda-context.ts';
import type { RouteMatch } from './routes.ts';

/**
 * Builds the event API Gateway (HTTP API, payload format 2.0) hands to a Lambda,
 * so the handlers cannot tell the local server from AWS.
 */
export interface RequestFacts {
  readonly method: string;
  /** The request target as received: path plus optional `?query`. */
  readonly url: string;
  readonly httpVersion: string;
  /** Alternating names and values, as Node's `rawHeaders`. */
  readonly rawHeaders: readonly string[];
  readonly sourceIp: string;
  readonly body: Buffer;
  readonly receivedAt: Date;
  readonly requestId: string;
}

export function requestFacts(request: IncomingMessage, body: Buffer, requestId: string): RequestFacts {
  return {
    method: request.method ?? 'GET',
    url: request.url ?? '/',
    httpVersion: request.httpVersion,
    rawHeaders: request.rawHeaders,
    sourceIp: (request.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, ''),
    body,
    receivedAt: new Date(),
    requestId,
  };
}

/** API Gateway request ids look like `JKJaXmPLvHcESHA=`. */
export function newApiGatewayRequestId(): string {
  return randomBytes(10).toString('base64');
}

export function splitUrl(url: string): { rawPath: string; rawQueryString: string } {
  const queryStart = url.indexOf('?');
  return queryStart === -1
    ? { rawPath: url, rawQueryString: '' }
    : { rawPath: url.slice(0, queryStart), rawQueryString: url.slice(queryStart + 1) };
}

export function buildHttpApiEvent(
  facts: RequestFacts,
  match: RouteMatch,
  claims: JWTPayload | undefined,
  extra: { forwardedPort: number },
): APIGatewayProxyEventV2WithJWTAuthorizer {
  const { rawPath, rawQueryString } = splitUrl(facts.url);
  const { headers, cookies } = collectHeaders(facts.rawHeaders);
  const host = headers.host ?? 'localhost';
  headers['x-forwarded-for'] = facts.sourceIp;
  headers['x-forwarded-port'] = String(extra.forwardedPort);
  headers['x-forwarded-proto'] = 'http';
  headers['x-amzn-trace-id'] ??=
    `Root=1-${Math.floor(facts.receivedAt.getTime() / 1000).toString(16)}-${randomBytes(12).toString('hex')}`;
  const queryStringParameters = collectQuery(rawQueryString);
  const body = encodeBody(facts.body, headers['content-type']);
  const requestContext = {
    accountId: LOCAL_ACCOUNT_ID,
    apiId: 'local',
    domainName: host,
    domainPrefix: host.split(/[.:]/)[0] ?? host,
    http: {
      method: facts.method,
      path: rawPath,
      protocol: `HTTP/${facts.httpVersion}`,
      sourceIp: facts.sourceIp,
      userAgent: headers['user-agent'] ?? '',
    },
    requestId: facts.requestId,
    routeKey: match.route.routeKey,
    stage: '$default',
    time: apiGatewayTime(facts.receivedAt),
    timeEpoch: facts.receivedAt.getTime(),
  };
  return {
    version: '2.0',
    routeKey: match.route.routeKey,
    rawPath,
    rawQueryString,
    ...(cookies.length > 0 ? { cookies } : {}),
    headers,
    ...(queryStringParameters ? { queryStringParameters } : {}),
    // Routes without an authorizer get no `authorizer` at all, as in API Gateway.
    requestContext: (claims
      ? { ...requestContext, authorizer: { jwt: { claims: flattenClaims(claims), scopes: null } } }
      : requestContext) as APIGatewayProxyEventV2WithJWTAuthorizer['requestContext'],
    ...(Object.keys(match.pathParameters).length > 0 ? { pathParameters: { ...match.pathParameters } } : {}),
    ...(body ? { body: body.text } : {}),
    isBase64Encoded: body?.isBase64Encoded ?? false,
  };
}

/** Lowercase names, repeated headers joined by commas; cookies move to their own list (payload 2.0). */
function collectHeaders(rawHeaders: readonly string[]): {
  headers: Record<string, string>;
  cookies: string[];
} {
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = (rawHeaders[i] as string).toLowerCase();
    const value = rawHeaders[i + 1] as string;
    if (name === 'cookie') {
      cookies.push(
        ...value
          .split(';')
          .map((cookie) => cookie.trim())
          .filter(Boolean),
      );
      continue;
    }
    headers[name] = headers[name] === undefined ? value : `${headers[name]},${value}`;
  }
  return { headers, cookies };
}

/** Decoded values; a repeated key's values joined by commas. Undefined without a query, as in AWS. */
function collectQuery(rawQueryString: string): Record<string, string> | undefined {
  if (!rawQueryString) return undefined;
  // A Map, not assignment to a plain object: a parameter named `__proto__` or `constructor` stays an own key, as in AWS.
  const result = new Map<string, string>();
  for (const [key, value] of new URLSearchParams(rawQueryString)) {
    const was = result.get(key);
    result.set(key, was === undefined ? value : `${was},${value}`);
  }
  return result.size > 0 ? Object.fromEntries(result) : undefined;
}

const textContentType =
  /^(text\/|application\/(json|[\w.+-]+\+json|xml|[\w.+-]+\+xml|javascript|x-www-form-urlencoded|graphql|x-ndjson|csv)\b)/i;

/** Text bodies travel as strings; anything else (or no content type) is base64, as API Gateway does. */
function encodeBody(
  body: Buffer,
  contentType: string | undefined,
): { text: string; isBase64Encoded: boolean } | undefined {
  if (body.length === 0) return undefined;
  if (contentType && textContentType.test(contentType.trim()))
    return { text: body.toString('utf8'), isBase64Encoded: false };
  return { text: body.toString('base64'), isBase64Encoded: true };
}

/**
 * API Gateway's JWT authorizer hands claims over as strings: numbers and booleans
 * stringified, arrays flattened to `[a b]` (so `cognito:groups` arrives as `[admin]`).
 */
export function flattenClaims(claims: JWTPayload): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(claims)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) flat[name] = `[${value.map(String).join(' ')}]`;
    else if (value !== null && typeof value === 'object') flat[name] = JSON.stringify(value);
    else flat[name] = String(value);
  }
  return flat;
}

const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `12/Mar/2020:19:03:58 +0000`, API Gateway's `requestContext.time` format. */
export function apiGatewayTime(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(date.getUTCDate())}/${months[date.getUTCMonth()]}/${date.getUTCFullYear()}:${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`;
}
