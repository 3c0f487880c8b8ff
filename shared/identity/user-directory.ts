import type { Role } from '../domain/access.ts';

/**
 * Where people sign in. In AWS that is the Cognito user pool, whose ID tokens
 * the API's JWT authorizer checks; under `npm start` the token CLI stands in for
 * sign-in, so the local directory only hands out ids.
 */
export interface NewDirectoryUser {
  readonly tenantId: string;
  readonly email: string;
  readonly name: string;
  readonly role: Role;
  readonly teamId?: string;
}

export interface DirectoryChange {
  readonly role?: { readonly from: Role; readonly to: Role };
  readonly teamId?: string | null;
  readonly active?: boolean;
}

export interface UserDirectory {
  /** Creates the sign-in identity and returns the user id (the token's `sub`). */
  createUser(user: NewDirectoryUser): Promise<string>;
  updateUser(userId: string, change: DirectoryChange): Promise<void>;
  /** Compensates a createUser whose record could not be written. */
  deleteUser(userId: string): Promise<void>;
}
