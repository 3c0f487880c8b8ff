import type { Context } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { defineRoutes } from '#shared/api/route';
import { httpHandler } from '#shared/http/handler';
import { ok } from '#shared/http/results';
import { observed, tenantOf } from '#shared/observability/invocation';
import { logger } from '#shared/observability/logger';
import { httpEvent, testContext } from '../support/http-event.ts';
import { logOutput } from '../support/log-output.ts';

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  vi.resetModules();
});

/** The JSON lines written since `log` started capturing. */
const lines = (log: ReturnType<typeof logOutput>) =>
  log.mock.calls.map(([line]) => JSON.parse(line) as Record<string, unknown>);

const routes = defineRoutes([
  { method: 'GET', path: '/probe', operationId: 'probe', summary: 'logs one line', status: 200 },
  { method: 'GET', path: '/broken', operationId: 'broken', summary: 'fails', status: 200 },
]);
const handler = httpHandler(routes, {
  probe: async () => {
    logger.info('probing', { detail: 1 });
    return ok({});
  },
  broken: async () => {
    throw new Error('disk on fire');
  },
});

const asTenant = (routeKey: string, tenantId: string, userId: string, requestId: string) => {
  const event = httpEvent(routeKey, routeKey.split(' ')[1] ?? '/');
  const claims = event.requestContext.authorizer.jwt.claims;
  claims['custom:tenantId'] = tenantId;
  claims.sub = userId;
  return { ...event, requestContext: { ...event.requestContext, requestId } };
};

describe('logging: correlation ids', () => {
  it('tags every line of an HTTP invocation with its request ids, tenant and user', async () => {
    const log = logOutput();
    const context = { ...testContext, awsRequestId: 'lambda-req-7' } as Context;
    const response = await handler(asTenant('GET /probe', 'acme', 'u1', 'api-req-7'), context);
    expect(response.statusCode).toBe(200);
    expect(lines(log)).toContainEqual(
      expect.objectContaining({
        level: 'INFO',
        message: 'probing',
        detail: 1,
        requestId: 'lambda-req-7',
        function_request_id: 'lambda-req-7',
        apiRequestId: 'api-req-7',
        tenantId: 'acme',
        userId: 'u1',
      }),
    );
  });

  it("logs an unexpected failure with the invocation's ids, and none of them leak into the next one", async () => {
    const log = logOutput();
    const failed = await handler(asTenant('GET /broken', 'acme', 'u1', 'api-1'), testContext);
    expect(failed.statusCode).toBe(500);
    await handler(asTenant('GET /probe', 'globex', 'u2', 'api-2'), testContext);
    const [error, probe] = lines(log);
    expect(error).toMatchObject({
      level: 'ERROR',
      routeKey: 'GET /broken',
      tenantId: 'acme',
      apiRequestId: 'api-1',
      error: { name: 'Error', message: 'disk on fire' },
    });
    expect(probe).toMatchObject({
      message: 'probing',
      tenantId: 'globex',
      userId: 'u2',
      apiRequestId: 'api-2',
    });
    logger.info('between invocations');
    expect(lines(log)[2]).not.toHaveProperty('tenantId');
    expect(lines(log)[2]).not.toHaveProperty('apiRequestId');
  });

  it("tags a scheduled invocation's lines with the tenant its event names, then forgets it", async () => {
    const log = logOutput();
    const job = observed(async (event: { tenantId?: unknown }) => {
      logger.warn('working', { step: 2 });
      return event.tenantId;
    }, tenantOf);
    await job({ tenantId: 'acme' }, testContext);
    await expect(job({ tenantId: 42 })).resolves.toBe(42);
    const [first, second] = lines(log);
    expect(first).toMatchObject({
      message: 'working',
      step: 2,
      tenantId: 'acme',
      function_request_id: 'req-1',
    });
    expect(second).toMatchObject({ message: 'working' });
    expect(second).not.toHaveProperty('tenantId');
  });
});

describe('metrics', () => {
  const load = () => import('#shared/observability/metrics');

  it('writes one EMF line per invocation with what it recorded, where metrics are enabled', async () => {
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
    vi.stubEnv('POWERTOOLS_METRICS_NAMESPACE', 'CrmTest');
    const { emailSent, flushMetrics } = await load();
    const log = logOutput();
    emailSent();
    emailSent();
    flushMetrics();
    flushMetrics();
    const emf = lines(log);
    expect(emf).toHaveLength(1);
    // One value per email; CloudWatch sums them.
    expect(emf[0]).toMatchObject({
      EmailsSent: [1, 1],
      _aws: {
        CloudWatchMetrics: [{ Namespace: 'CrmTest', Metrics: [{ Name: 'EmailsSent', Unit: 'Count' }] }],
      },
    });
  });

  it('flushes at the end of every observed invocation, thrown or not', async () => {
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
    const { emailSent } = await load();
    const { observed: observedHere } = await import('#shared/observability/invocation');
    const log = logOutput();
    const send = observedHere(async (fail: boolean) => {
      emailSent();
      if (fail) throw new Error('after the send');
    });
    await send(false);
    await expect(send(true)).rejects.toThrow('after the send');
    expect(lines(log).map((line) => line.EmailsSent)).toEqual([1, 1]);
  });

  it('records how far behind the table each stream batch runs, from its oldest record', async () => {
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
    const { handler: tableChanges } = await import('#functions/stream/tableChanges');
    const now = Math.floor(Date.now() / 1000);
    // Records without an event id are read for their age but applied by no consumer.
    const aged = (secondsAgo: number) => ({
      dynamodb: { ApproximateCreationDateTime: now - secondsAgo, SequenceNumber: String(secondsAgo) },
    });
    const log = logOutput();
    await tableChanges({ Records: [aged(5), aged(90), aged(30)] });
    const [emf] = lines(log).filter((line) => 'StreamLag' in line);
    expect(emf?.StreamLag).toBeGreaterThanOrEqual(90_000);
    expect(emf?.StreamLag).toBeLessThan(95_000 + 60_000);
  });

  it('writes nothing outside Lambda even after 100 values, where Powertools would write by itself', async () => {
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', undefined);
    vi.stubEnv('AWS_LAMBDA_FUNCTION_NAME', undefined);
    const { emailSent, flushMetrics } = await load();
    const log = logOutput();
    for (let email = 0; email < 250; email++) emailSent();
    flushMetrics();
    expect(log).not.toHaveBeenCalled();
  });

  it('writes nothing outside Lambda unless asked to, and never for an invocation without metrics', async () => {
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', undefined);
    vi.stubEnv('AWS_LAMBDA_FUNCTION_NAME', undefined);
    const { streamLag, importedRecords, flushMetrics } = await load();
    const log = logOutput();
    flushMetrics();
    streamLag(1_500);
    importedRecords(3);
    flushMetrics();
    expect(log).not.toHaveBeenCalled();
  });
});
