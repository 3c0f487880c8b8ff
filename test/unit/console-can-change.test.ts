import { describe, expect, it } from 'vitest';
import { canChange } from '../../console/src/ui/can-change.ts';
import { canWrite } from '../../shared/domain/access.ts';

/** The console offers a change exactly when the API's rule lets it through. */
describe('canChange', () => {
  const users = [
    { id: 'a', role: 'admin' as const },
    { id: 'm', role: 'manager' as const, teamId: 't1' },
    { id: 'm0', role: 'manager' as const },
    { id: 'r', role: 'rep' as const, teamId: 't1' },
  ];
  const records = [
    { ownerId: 'a' },
    { ownerId: 'm', teamId: 't1' },
    { ownerId: 'x', teamId: 't1' },
    { ownerId: 'x', teamId: 't2' },
    { ownerId: 'r', teamId: 't1' },
    { ownerId: 'm0' },
  ];
  it('agrees with the API for every role and owner', () => {
    for (const me of users)
      for (const record of records)
        expect(canChange(me, record), `${me.id} on ${JSON.stringify(record)}`).toBe(
          canWrite({ userId: me.id, role: me.role, ...(me.teamId ? { teamId: me.teamId } : {}) }, record),
        );
  });
});
