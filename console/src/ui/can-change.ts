/**
 * The signed-in user's part of `Me` that rights depend on. Declared here rather than imported
 * from me.ts, so the rule stays free of DOM-typed imports and is unit-tested in Node.
 */
export interface Rights {
  readonly id: string;
  readonly role: 'admin' | 'manager' | 'rep';
  readonly teamId?: string;
}

/** A record's owner and team: what the API's write rule looks at. */
export interface OwnedRecord {
  readonly ownerId?: string;
  readonly teamId?: string | null;
}

/**
 * Whether the signed-in user may change a record, by the API's rule: an admin anything, a manager
 * their team's records and their own, a rep only their own. Pages use it to show a record as
 * read-only instead of offering edits the API would refuse with 403.
 */
export function canChange(me: Rights, record: OwnedRecord): boolean {
  if (me.role === 'admin') return true;
  if (record.ownerId !== undefined && record.ownerId === me.id) return true;
  return me.role === 'manager' && me.teamId !== undefined && record.teamId === me.teamId;
}
