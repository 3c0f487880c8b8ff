import { sameWatch, type Watch, watchOf } from '#shared/domain/alerts';
import { logger } from '#shared/observability/logger';
import { deleteWatch, putWatch, registerAlertTenant } from '#shared/store/alerts';
import type { Consumer, FailedIds, Image, TableChange } from '../pipeline/change.ts';
import { describeError } from '../pipeline/isolation.ts';

/** What a change means for the alert job's watch items: put, delete, or nothing. */
export type WatchChange =
  | {
      readonly action: 'put';
      readonly tenantId: string;
      readonly watch: Watch;
      readonly version: number;
      readonly first: boolean;
    }
  | { readonly action: 'delete'; readonly tenantId: string; readonly watch: Watch; readonly version: number };

const versionOf = (image: Image | undefined): number =>
  typeof image?.version === 'number' && Number.isFinite(image.version) ? image.version : 0;

/**
 * The watch write a record's old and new image imply (shared/domain/alerts.ts
 * watchOf): a put when the record is watched with another due time than
 * before (`first` when it was not watched), a delete when it stops being
 * watched, nothing when its watch is unchanged (most writes).
 */
export function watchChange(before: Image | undefined, after: Image | undefined): WatchChange | undefined {
  const image = after ?? before;
  const tenantId = typeof image?.tenantId === 'string' ? image.tenantId : undefined;
  if (!tenantId) return undefined;
  const was = watchOf(before);
  const now = watchOf(after);
  if (sameWatch(was, now)) return undefined;
  if (now)
    return { action: 'put', tenantId, watch: now, version: versionOf(after), first: was === undefined };
  return was ? { action: 'delete', tenantId, watch: was, version: versionOf(after ?? before) } : undefined;
}

/**
 * Keeps one watch item per open deal and per unresolved, unbreached case (the
 * sparse index the alert job Queries), and lists a tenant for the job when its
 * first record is watched (once per tenant and container). Idempotent: the writes
 * are conditioned on the image's version, so a replay changes nothing.
 */
/** Tenants this container has listed: later batches skip the (conditional) write. */
const listedTenants = new Set<string>();

async function applyAlertWatches(changes: readonly TableChange[]): Promise<FailedIds> {
  const failed: FailedIds = new Map();
  const registered = new Map<string, Promise<void>>();
  // One record's changes in stream order (a delete must not overtake the put it undoes), records at once.
  const byRecord = new Map<string, TableChange[]>();
  for (const change of changes) {
    const key = change.keys ? JSON.stringify([change.keys.pk, change.keys.sk]) : change.eventId;
    byRecord.set(key, [...(byRecord.get(key) ?? []), change]);
  }
  const applyOne = async ({ eventId, old: before, new: after }: TableChange): Promise<void> => {
    const change = watchChange(before, after);
    if (!change) return;
    try {
      if (change.action === 'delete') {
        await deleteWatch(change.tenantId, change.watch.kind, change.watch.recordId, {
          upTo: change.version,
        });
        return;
      }
      if (change.first && !listedTenants.has(change.tenantId)) {
        let registering = registered.get(change.tenantId);
        if (!registering) {
          const tenantId = change.tenantId;
          registering = registerAlertTenant(tenantId).then(() => {
            listedTenants.add(tenantId);
          });
          registered.set(tenantId, registering);
        }
        await registering;
      }
      await putWatch(change.tenantId, change.watch, change.version);
    } catch (error) {
      logger.error('alert watch update failed', { eventId, error: describeError(error) });
      failed.set(eventId, error);
    }
  };
  await Promise.all(
    [...byRecord.values()].map(async (ordered) => {
      for (const change of ordered) await applyOne(change);
    }),
  );
  return failed;
}

export const alertWatches: Consumer = { name: 'alert watches', apply: applyAlertWatches };
