import type middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { logger } from './logger.ts';

/** Correlation keys of one invocation; undefined values are left out. */
export type CorrelationKeys = Readonly<Record<string, string | undefined>>;

/**
 * Starts an invocation's logging: draws the debug sample, adds the Lambda
 * context (`function_request_id` is its awsRequestId, plus cold start and
 * function name) when there is one (tests and the local runtime may call a
 * handler without it) and appends the correlation keys.
 */
function begin(context: Context | undefined, keys: CorrelationKeys): void {
  logger.refreshSampleRateCalculation();
  if (context?.awsRequestId) logger.addContext(context);
  correlate(keys);
}

/**
 * What every invocation ends with, registered by the modules that need it:
 * metrics.ts registers its flush when it is loaded, so a function that records
 * no metric does not carry the metrics library (about 11 kB of every bundle).
 */
const endings: (() => void)[] = [];

/** Runs `work` at the end of every invocation from now on, thrown or not. */
export function atInvocationEnd(work: () => void): void {
  endings.push(work);
}

/** Ends an invocation: runs the registered endings (the metrics' flush) and clears its keys, so none leaks into the next one. */
function end(): void {
  try {
    for (const work of endings) work();
  } finally {
    logger.resetKeys();
  }
}

/**
 * Adds keys to every line logged for the rest of this invocation (a tenant
 * found once the event is read, say). Lambda runs one invocation per
 * environment at a time (Powertools scopes the keys per invocation where it
 * runs several), so they are the invocation's own; the local runtime runs
 * many at once in one process, where a line may carry a concurrent one's.
 */
export function correlate(keys: CorrelationKeys): void {
  const defined = Object.entries(keys).filter((entry): entry is [string, string] => entry[1] !== undefined);
  if (defined.length > 0) logger.appendKeys(Object.fromEntries(defined));
}

/**
 * Wraps a schedule, queue or events handler: the invocation's logs carry the
 * Lambda request id and whatever `keysOf` finds in the event (the tenant when
 * the event names one); its metrics are flushed when it ends, thrown or not.
 * `keysOf` must accept any event, malformed ones included.
 */
export function observed<E, R>(
  handler: (event: E, context?: Context) => Promise<R>,
  keysOf: (event: E) => CorrelationKeys = () => ({}),
): (event: E, context?: Context) => Promise<R> {
  return async (event, context) => {
    begin(context, keysOf(event));
    try {
      return await handler(event, context);
    } finally {
      end();
    }
  };
}

/** The tenant named by a schedule's or event's payload, if it names one as a string. */
export function tenantOf(event: unknown): CorrelationKeys {
  const tenantId = (event as { tenantId?: unknown } | null | undefined)?.tenantId;
  return { tenantId: typeof tenantId === 'string' ? tenantId : undefined };
}

/**
 * The same for a middy handler: `keysOf` reads the event's own correlation
 * ids before the handler runs (the caller is added by the handler once it is
 * authenticated, with correlate).
 */
export function observability<E, R>(
  keysOf: (event: E, context: Context) => CorrelationKeys,
): middy.MiddlewareObj<E, R, Error, Context> {
  return {
    before: (request) => {
      begin(request.context, keysOf(request.event, request.context));
    },
    after: () => {
      end();
    },
    onError: () => {
      end();
    },
  };
}
