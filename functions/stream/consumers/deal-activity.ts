import { moveForward } from '#shared/store/forward-stamps';
import type { Image } from '../pipeline/change.ts';
import { perRecordConsumer } from '../pipeline/per-record.ts';

const str = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);

export interface DealActivityUpdate {
  readonly tenantId: string;
  readonly dealId: string;
  /** ISO time the deal's `lastActivityAt` moves to, if later than what it holds. */
  readonly at: string;
}

/**
 * The `lastActivityAt` of a deal a change implies (what stale-deal alerts
 * measure, shared/domain/alerts.ts): an activity about the deal created (its
 * creation, or completion when created done) or completed; the deal's own
 * stage change (its `updatedAt`); or a deal whose write dropped the value (a
 * user's write replaces the whole item from what it read, so a value set in
 * between is lost: it is put back).
 */
export function dealActivityUpdate(
  before: Image | undefined,
  after: Image | undefined,
): DealActivityUpdate | undefined {
  const tenantId = str(after?.tenantId);
  if (!after || !tenantId) return undefined;
  if (after.entity === 'deal') {
    const dealId = str(after.id);
    if (!dealId || !before) return undefined;
    const lost = str(before.lastActivityAt);
    const now = str(after.lastActivityAt);
    const moved = before.stageId !== after.stageId ? str(after.updatedAt) : undefined;
    const at = [lost, moved]
      .filter((value): value is string => value !== undefined)
      .sort()
      .at(-1);
    return at && (!now || now < at) ? { tenantId, dealId, at } : undefined;
  }
  if (after.entity !== 'activity') return undefined;
  const related = after.related as { type?: unknown; id?: unknown } | undefined;
  const dealId = related?.type === 'deal' ? str(related.id) : undefined;
  if (!dealId) return undefined;
  const completed = after.status === 'done' && before?.status !== 'done';
  if (!before) {
    const at = (completed ? str(after.completedAt) : undefined) ?? str(after.createdAt);
    return at ? { tenantId, dealId, at } : undefined;
  }
  if (!completed) return undefined;
  const at = str(after.completedAt) ?? str(after.updatedAt);
  return at ? { tenantId, dealId, at } : undefined;
}

export const dealActivity = perRecordConsumer('deal activity', dealActivityUpdate, (update) =>
  moveForward({
    tenantId: update.tenantId,
    type: 'DEAL',
    id: update.dealId,
    clock: 'lastActivityAt',
    fields: { lastActivityAt: update.at },
  }),
);
