/** The signed-in user's part of `Me` that rights depend on (kept free of imports: unit-tested in Node). */
export interface Rights {
  readonly id: string;
  readonly role: 'admin' | 'manager' | 'rep';
  readonly teamId?: string;
}

/** What a record says about who owns it (every record of the API carries both). */
export interface OwnedRecord {
  readonly ownerId?: string;
  readonly teamId?: string | null;
}

/**
 * Whether the signed-in user may change (PATCH, DELETE, act on) a record they can read — the
 * API's rule: admins everything, managers their team's and their own, reps only their own. The
 * console hides what the API would refuse with 403 instead of offering it.
 */
export function canChange(me: Rights, record: OwnedRecord): boolean {
  if (me.role === 'admin') return true;
  if (record.ownerId === me.id) return true;
  return me.role === 'manager' && me.teamId !== undefined && record.teamId === me.teamId;
}
