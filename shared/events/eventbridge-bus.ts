import {
  EventBridgeClient,
  PutEventsCommand,
  type PutEventsCommandOutput,
} from '@aws-sdk/client-eventbridge';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { config } from '../config.ts';
import type { DomainEvent } from '../domain/domain-events.ts';
import { logger } from '../observability/logger.ts';
import { type BusEntry, busEntry, callsOf, type EventBus, entrySize } from './bus.ts';

/** Calls of PutEvents per batch of entries before the ones still failing go to the DLQ. */
export const MAX_PUT_ATTEMPTS = 4;
/** Backoff between attempts: full jitter over 100 ms × 2^(attempt-1), at most 2 s. */
const BASE_DELAY_MS = 100;
const MAX_DELAY_MS = 2_000;
/** SendMessageBatch takes up to 10 messages. */
const DLQ_BATCH = 10;
const MAX_DLQ_ATTEMPTS = 4;

/** Entry error codes worth another attempt: the bus was busy, not the entry wrong. */
const retryableEntryCodes = new Set([
  'ThrottlingException',
  'InternalFailure',
  'InternalException',
  'ServiceUnavailable',
]);
/** Whole-call errors worth another attempt (after the SDK's own retries). */
const retryableCallNames = new Set([
  'ThrottlingException',
  'TooManyRequestsException',
  'InternalException',
  'InternalFailure',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'TimeoutError',
  'RequestTimeout',
]);

function retryableCall(error: unknown): boolean {
  const failure = error as { name?: string; $retryable?: unknown; $metadata?: { httpStatusCode?: number } };
  const status = failure?.$metadata?.httpStatusCode;
  return (
    retryableCallNames.has(String(failure?.name)) ||
    failure?.$retryable !== undefined ||
    (typeof status === 'number' && status >= 500) ||
    // No answer at all (connection reset, DNS): the call may work next time.
    (status === undefined && error instanceof Error && !(error as { $fault?: unknown }).$fault)
  );
}

export interface EventBridgeBusOptions {
  readonly eventBridge?: EventBridgeClient;
  readonly sqs?: SQSClient;
  /** The pause before attempt `attempt` (2, 3, ...); tests pass a no-op. */
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
}

interface Pending {
  readonly event: DomainEvent;
  readonly entry: BusEntry;
}

/** What the DLQ receives for an event the bus kept refusing: the event and why. */
export interface DeadLetter {
  readonly event: DomainEvent;
  readonly error: string;
  readonly attempts: number;
  readonly failedAt: string;
}

/** SQS's limit on a message body. */
const MAX_DLQ_MESSAGE_BYTES = 256 * 1024;

/** The letter, its event's data cut to `{id, truncated: true}` when the whole would not fit an SQS message. */
function deadLetter(letter: DeadLetter): DeadLetter {
  if (Buffer.byteLength(JSON.stringify(letter)) <= MAX_DLQ_MESSAGE_BYTES) return letter;
  return { ...letter, event: { ...letter.event, data: { id: letter.event.data.id, truncated: true } } };
}

let defaultEventBridge: EventBridgeClient | undefined;
let defaultSqs: SQSClient | undefined;

/**
 * The AWS adapter: PutEvents on the bus named in EVENT_BUS_NAME, calls of at
 * most 10 entries and 256 KB. Entries PutEvents reports as failed
 * (FailedEntryCount, Entries[i].ErrorCode) are retried alone with jittered
 * exponential backoff when the code says the bus was busy (throttling,
 * internal failure), as is a whole call that failed so (after the SDK's own
 * retries); after MAX_PUT_ATTEMPTS calls, or at once for an error no retry
 * mends (a malformed entry, a missing bus, a denied call), the events go to
 * the SQS queue in EVENT_BUS_DLQ_URL as {@link DeadLetter}s and are logged.
 * Rejects only when the DLQ refuses them too.
 */
export function eventBridgeBus(options: EventBridgeBusOptions = {}): EventBus {
  const eventBridge = () => {
    if (options.eventBridge) return options.eventBridge;
    defaultEventBridge ??= new EventBridgeClient({});
    return defaultEventBridge;
  };
  const sqs = () => {
    if (options.sqs) return options.sqs;
    defaultSqs ??= new SQSClient({});
    return defaultSqs;
  };
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = options.random ?? Math.random;
  const backoff = (attempt: number) =>
    sleep(Math.floor(random() * Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** (attempt - 1))));

  /** One call's entries until accepted; returns the events that never were, with the last error. */
  async function put(
    call: readonly Pending[],
  ): Promise<{ pending: Pending; error: string; attempts: number }[]> {
    const refused: { pending: Pending; error: string; attempts: number }[] = [];
    let remaining = [...call];
    let lastError = new Map<Pending, string>();
    let attempt = 0;
    while (remaining.length > 0 && attempt < MAX_PUT_ATTEMPTS) {
      attempt += 1;
      if (attempt > 1) await backoff(attempt);
      let output: PutEventsCommandOutput;
      try {
        output = await eventBridge().send(
          new PutEventsCommand({ Entries: remaining.map((item) => item.entry) }),
        );
      } catch (error) {
        const text = `${(error as Error)?.name ?? 'Error'}: ${(error as Error)?.message ?? String(error)}`;
        lastError = new Map(remaining.map((item) => [item, text]));
        if (!retryableCall(error)) break;
        continue;
      }
      if (!output.FailedEntryCount) return refused;
      const results = output.Entries ?? [];
      const retry: Pending[] = [];
      remaining.forEach((item, index) => {
        const result = results[index];
        if (result?.EventId && !result.ErrorCode) return;
        const code = result?.ErrorCode ?? 'Unknown';
        const text = `${code}: ${result?.ErrorMessage ?? 'no message'}`;
        if (retryableEntryCodes.has(code)) {
          lastError.set(item, text);
          retry.push(item);
        } else refused.push({ pending: item, error: text, attempts: attempt });
      });
      remaining = retry;
    }
    for (const item of remaining)
      refused.push({ pending: item, error: lastError.get(item) ?? 'Unknown', attempts: attempt });
    return refused;
  }

  async function sendToDlq(letters: readonly DeadLetter[]): Promise<void> {
    const url = config.eventBusDlqUrl;
    for (let start = 0; start < letters.length; start += DLQ_BATCH) {
      let entries = letters
        .slice(start, start + DLQ_BATCH)
        .map((letter, index) => ({ Id: String(index), MessageBody: JSON.stringify(letter) }));
      for (let attempt = 1; entries.length > 0; attempt++) {
        if (attempt > 1) await backoff(attempt);
        const output = await sqs().send(new SendMessageBatchCommand({ QueueUrl: url, Entries: entries }));
        const failed = new Set((output.Failed ?? []).map((entry) => entry.Id));
        entries = entries.filter((entry) => failed.has(entry.Id));
        if (entries.length > 0 && attempt >= MAX_DLQ_ATTEMPTS)
          throw new Error(`The event DLQ kept refusing ${entries.length} events`);
      }
    }
  }

  return {
    async publish(events) {
      if (events.length === 0) return;
      const busName = config.eventBusName;
      const pending: Pending[] = events.map((event) => {
        const { entry, truncated } = busEntry(event, busName);
        if (truncated)
          logger.warn('domain event sent without its data: over the 256 KB entry limit', {
            eventId: event.id,
            type: event.type,
          });
        return { event, entry };
      });
      const refused = [];
      for (const call of callsOf(pending, (item) => entrySize(item.entry)))
        refused.push(...(await put(call)));
      if (refused.length === 0) return;
      const failedAt = new Date().toISOString();
      const letters = refused.map(({ pending: item, error, attempts }) =>
        deadLetter({ event: item.event, error, attempts, failedAt }),
      );
      logger.error('domain events refused by the bus, sent to its DLQ', {
        count: letters.length,
        events: letters.map((letter) => ({
          id: letter.event.id,
          type: letter.event.type,
          error: letter.error,
        })),
      });
      await sendToDlq(letters);
    },
  };
}
