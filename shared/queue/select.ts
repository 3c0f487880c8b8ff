import { config } from '../config.ts';
import type { Queue } from './queue.ts';

let queue: Promise<Queue> | undefined;

/** The queue of this environment, loaded on first use: SQS in AWS (`QUEUE=sqs`), the local stand-in otherwise. */
export function getQueue(): Promise<Queue> {
  queue ??=
    config.queue === 'sqs'
      ? import('./sqs-queue.ts').then((module) => module.sqsQueue())
      : import('./local-queue.ts').then((module) => module.localQueue());
  return queue;
}
