import { logger } from '#shared/observability/logger';
import type { Consumer, FailedIds, Image, TableChange } from './change.ts';
import { describeError } from './isolation.ts';

/**
 * A consumer with one independent write per change: `effectOf` reads what a
 * change implies (or nothing), `apply` writes it. Writes run concurrently; a
 * failing one is logged and returned for the pipeline to retry or set aside,
 * and never fails the others.
 */
export function perRecordConsumer<T>(
  name: string,
  effectOf: (before: Image | undefined, after: Image | undefined) => T | undefined,
  apply: (effect: T) => Promise<void>,
): Consumer {
  return {
    name,
    async apply(changes: readonly TableChange[]): Promise<FailedIds> {
      const failed: FailedIds = new Map();
      await Promise.all(
        changes.map(async ({ eventId, old: before, new: after }) => {
          const effect = effectOf(before, after);
          if (effect === undefined) return;
          try {
            await apply(effect);
          } catch (error) {
            logger.error(`${name} failed`, { eventId, error: describeError(error) });
            failed.set(eventId, error);
          }
        }),
      );
      return failed;
    },
  };
}
