import { randomBytes, randomUUID } from 'node:crypto';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type {
  APIGatewayProxyEventV2WithJWTAuthorizer,
  Context,
  DynamoDBRecord,
  DynamoDBStreamEvent,
} from 'aws-lambda';
import type { Role } from '#shared/domain/access';

/** Events shaped as API Gateway (HTTP API, payload 2.0) and the DynamoDB stream deliver them. */

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

let sequence = 10n ** 20n;

/** An INSERT stream record carrying a real table item as its new image. */
export function insertRecord(
  item: Record<string, unknown>,
  eventId: string,
  tableName: string,
): DynamoDBRecord {
  const image = marshall(item, { removeUndefinedValues: true }) as Record<string, AttributeValue>;
  sequence += 1n;
  return {
    eventID: eventId,
    eventName: 'INSERT',
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: REGION,
    dynamodb: {
      ApproximateCreationDateTime: Math.floor(Date.now() / 1000),
      Keys: marshall({ pk: item.pk, sk: item.sk }) as never,
      NewImage: image as never,
      SequenceNumber: sequence.toString(),
      SizeBytes: Buffer.byteLength(JSON.stringify(image)),
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
    eventSourceARN: `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${tableName}/stream/2025-01-01T00:00:00.000`,
  };
}

export const streamEvent = (records: DynamoDBRecord[]): DynamoDBStreamEvent => ({ Records: records });

/** A MODIFY stream record from two real item states. */
export function modifyRecord(
  before: Record<string, unknown>,
  after: Record<string, unknown>,
  eventId: string,
  tableName: string,
): DynamoDBRecord {
  const record = insertRecord(after, eventId, tableName);
  return {
    ...record,
    eventName: 'MODIFY',
    dynamodb: {
      ...record.dynamodb,
      OldImage: marshall(before, { removeUndefinedValues: true }) as never,
    },
  };
}
