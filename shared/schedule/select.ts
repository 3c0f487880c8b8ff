import { config } from '../config.ts';
import type { Scheduler } from './scheduler.ts';

let scheduler: Promise<Scheduler> | undefined;

/**
 * The scheduler of this environment, loaded on first use: EventBridge
 * Scheduler in AWS (`SCHEDULER=eventbridge`), the local stand-in otherwise.
 */
export function getScheduler(): Promise<Scheduler> {
  scheduler ??=
    config.scheduler === 'eventbridge'
      ? import('./eventbridge-scheduler.ts').then((module) => module.eventBridgeScheduler())
      : import('./local-scheduler.ts').then((module) => module.localScheduler());
  return scheduler;
}
