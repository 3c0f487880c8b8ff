import { config } from '../config.ts';
import type { Scheduler } from './scheduler.ts';

let scheduler: Promise<Scheduler> | undefined;

/**
 * The local stand-in's module, named through a variable so that bundlers do not follow it:
 * a Lambda bundle (SCHEDULER=eventbridge) never loads it, and bundling it there made esbuild
 * wrap `@aws-sdk/client-dynamodb` for lazy loading, which keeps the whole client (every
 * command's schema, the aggregated client, the waiters: +48 kB). `npm start` and the tests
 * run the sources, where the import resolves as written.
 */
const localSchedulerModule = './local-scheduler.ts';

/**
 * The scheduler of this environment, loaded on first use: EventBridge
 * Scheduler in AWS (`SCHEDULER=eventbridge`), the local stand-in otherwise.
 */
export function getScheduler(): Promise<Scheduler> {
  scheduler ??=
    config.scheduler === 'eventbridge'
      ? import('./eventbridge-scheduler.ts').then((module) => module.eventBridgeScheduler())
      : (import(localSchedulerModule) as Promise<typeof import('./local-scheduler.ts')>).then((module) =>
          module.localScheduler(),
        );
  return scheduler;
}
