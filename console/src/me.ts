import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { components } from './api/client.ts';
import type { ConsoleConfig } from './config.ts';

type Schemas = components['schemas'];
/** `GET /me`: who is signed in (id, tenantId, role admin|manager|rep, teamId, name, email). */
export type Me = {
  readonly id: string;
  readonly tenantId: string;
  readonly role: 'admin' | 'manager' | 'rep';
  readonly teamId?: string;
  readonly name?: string;
  readonly email?: string;
};
export type { Schemas };

export interface Session {
  readonly me: Me;
  readonly config: ConsoleConfig;
  /** Refreshes the unread notification count in the header (after reading notifications). */
  readonly refreshUnread: () => void;
}

export const SessionContext = createContext<Session | undefined>(undefined);

/** The signed-in user and the console's config; only used inside the signed-in layout. */
export function useSession(): Session {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession() outside the signed-in layout');
  return value;
}
