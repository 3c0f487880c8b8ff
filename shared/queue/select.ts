import { config } from '../config.ts';
import type { Queue } from './queue.ts';

let queue: Promise<Queue> | undefined;

/**
 * The local stand-in's module, named through a variable so that bundlers do not follow it
 * (a Lambda bundle, QUEUE=sqs, never loads it): see shared/schedule/select.ts.
 */
const localQueueModule = './local-queue.ts';

/** The queue of this environment, loaded on first use: SQS in AWS (`QUEUE=sqs`), the local stand-in otherwise. */
export function getQueue(): Promise<Queue> {
  queue ??=
    config.queue === 'sqs'
      ? import('./sqs-queue.ts').then((module) => module.sqsQueue())
      : (import(localQueueModule) as Promise<typeof import('./local-queue.ts')>).then((module) =>
          module.localQueue(),
        );
  return queue;
}
