/**
 * Role rules of the spec. admin: everything in the tenant. manager: reads the
 * tenant, writes its team's records. rep: reads its team's and its own
 * records, writes only its own.
 */
export const roles = ['admin', 'manager', 'rep'] as const;
export type Role = (typeof roles)[number];

/** A user's role and team: what their rights depend on. */
export interface Rights {
  readonly role: Role;
  readonly teamId?: string;
}

export interface Actor extends Rights {
  readonly userId: string;
}

export interface Owned {
  readonly ownerId: string;
  readonly teamId?: string;
}

const sameTeam = (actor: Actor, record: Owned) =>
  actor.teamId !== undefined && record.teamId === actor.teamId;

export function canRead(actor: Actor, record: Owned): boolean {
  if (actor.role !== 'rep') return true;
  return record.ownerId === actor.userId || sameTeam(actor, record);
}

export function canWrite(actor: Actor, record: Owned): boolean {
  switch (actor.role) {
    case 'admin':
      return true;
    case 'manager':
      return record.ownerId === actor.userId || sameTeam(actor, record);
    case 'rep':
      return record.ownerId === actor.userId;
  }
}

/** Whether the actor may make `owner` (a user on `ownerTeamId`) the owner of a record. */
export function canAssignTo(actor: Actor, owner: { userId: string; teamId?: string }): boolean {
  if (owner.userId === actor.userId) return true;
  switch (actor.role) {
    case 'admin':
      return true;
    case 'manager':
      return actor.teamId !== undefined && owner.teamId === actor.teamId;
    case 'rep':
      return false;
  }
}
