import { moveForward } from '#shared/store/forward-stamps';
import type { Image } from '../pipeline/change.ts';
import { perRecordConsumer } from '../pipeline/per-record.ts';

const str = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);

/**
 * The `lastActivityAt` a change implies: an activity about a contact created
 * (its creation, or completion when created done) or completed; or a contact
 * whose write dropped the value (see healLost).
 */
export function lastActivityUpdate(
  before: Image | undefined,
  after: Image | undefined,
): { tenantId: string; contactId: string; at: string } | undefined {
  const tenantId = str(after?.tenantId);
  if (!after || !tenantId) return undefined;
  if (after.entity === 'contact') {
    // A user's write replaces the whole item from what it read, so a value set in between is lost: put it back.
    const lost = str(before?.lastActivityAt);
    const now = str(after.lastActivityAt);
    const id = str(after.id);
    return lost && id && (!now || now < lost) ? { tenantId, contactId: id, at: lost } : undefined;
  }
  if (after.entity !== 'activity') return undefined;
  const related = after.related as { type?: unknown; id?: unknown } | undefined;
  const contactId = related?.type === 'contact' ? str(related.id) : undefined;
  if (!contactId) return undefined;
  const completed = after.status === 'done' && before?.status !== 'done';
  if (!before) {
    const at = (completed ? str(after.completedAt) : undefined) ?? str(after.createdAt);
    return at ? { tenantId, contactId, at } : undefined;
  }
  if (!completed) return undefined;
  const at = str(after.completedAt) ?? str(after.updatedAt);
  return at ? { tenantId, contactId, at } : undefined;
}

export const contactActivity = perRecordConsumer('contact activity', lastActivityUpdate, (update) =>
  moveForward({
    tenantId: update.tenantId,
    type: 'CONTACT',
    id: update.contactId,
    clock: 'lastActivityAt',
    fields: { lastActivityAt: update.at },
  }),
);
