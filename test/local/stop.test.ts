import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { localScheduler } from '#shared/schedule/local-scheduler';
import type { HttpHandler } from '../../infra/local/handler-loader.ts';
import { startLocalRuntime } from '../../infra/local/runtime.ts';
import type { LoadScheduleHandler } from '../../infra/local/scheduler.ts';
import { collectingLogger, tempDir } from './helpers.ts';

const noHttp = async (): Promise<HttpHandler> => {
  throw new Error('no HTTP handlers in this test');
};

describe('stopping the runtime while a handler is busy', () => {
  it('does not wait for the handler: it leaves it behind after the grace period and says so', async () => {
    const dir = await tempDir();
    const log = collectingLogger();
    let entered: () => void = () => undefined;
    const handlerEntered = new Promise<void>((resolve) => {
      entered = resolve;
    });
    // A schedule target that never finishes, like a 10,000-recipient campaign start on a slow day.
    const hanging: LoadScheduleHandler = async () => async () => {
      entered();
      await new Promise(() => undefined);
    };
    const runtime = await startLocalRuntime({
      dataDir: dir.path,
      inMemory: true,
      port: 0,
      log,
      routes: [],
      loadHttpHandler: noHttp,
      loadScheduleHandler: hanging,
      schedulerPollMs: 50,
      stopGraceMs: 100,
    });
    const client = new DynamoDBClient({
      endpoint: runtime.dynamoEndpoint,
      region: runtime.region,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    try {
      await localScheduler({ client, tableName: runtime.scheduleTableName }).schedule({
        name: 'reminder-busy',
        at: new Date('2020-01-01T00:00:00.000Z'),
        target: 'reminder',
        payload: { tenantId: 'busy', activityId: 'a1' },
      });
      await handlerEntered;
    } finally {
      client.destroy();
      // Resolves although the handler never will; the test's timeout is the only bound.
      await runtime.stop();
      await dir.remove();
    }
    expect(log.infos).toContain(
      'Local runtime: the scheduler was still busy after 100 ms; left as a crash would leave it, for the next start',
    );
  });
});
