/**
 * The signed-in session: a bearer token (a local dev token or a Cognito ID token) kept in
 * sessionStorage, so it ends with the tab and never reaches another site. Claims are read
 * only to label the screen; the API checks every token itself.
 */
const KEY = 'crm.session';

export interface Claims {
  readonly sub: string;
  readonly email?: string;
  readonly tenant?: string;
  readonly team?: string;
  readonly groups: readonly string[];
  /** Seconds since the epoch. */
  readonly exp?: number;
}

function decodeClaims(token: string): Claims | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
    const raw = JSON.parse(decodeURIComponent(escape(json))) as Record<string, unknown>;
    if (typeof raw.sub !== 'string') return undefined;
    const groups = raw['cognito:groups'];
    return {
      sub: raw.sub,
      email: typeof raw.email === 'string' ? raw.email : undefined,
      tenant: typeof raw['custom:tenantId'] === 'string' ? raw['custom:tenantId'] : undefined,
      team: typeof raw['custom:teamId'] === 'string' ? raw['custom:teamId'] : undefined,
      groups: Array.isArray(groups) ? groups.filter((group) => typeof group === 'string') : [],
      exp: typeof raw.exp === 'number' ? raw.exp : undefined,
    };
  } catch {
    return undefined;
  }
}

export const session = {
  token(): string | undefined {
    const token = sessionStorage.getItem(KEY) ?? undefined;
    if (!token) return undefined;
    const claims = decodeClaims(token);
    if (!claims || (claims.exp !== undefined && claims.exp * 1000 <= Date.now())) {
      sessionStorage.removeItem(KEY);
      return undefined;
    }
    return token;
  },
  claims(): Claims | undefined {
    const token = session.token();
    return token ? decodeClaims(token) : undefined;
  },
  /** Returns false for a string that is not a usable JWT (malformed or expired). */
  signIn(token: string): boolean {
    const claims = decodeClaims(token.trim());
    if (!claims || (claims.exp !== undefined && claims.exp * 1000 <= Date.now())) return false;
    sessionStorage.setItem(KEY, token.trim());
    return true;
  },
  signOut(): void {
    sessionStorage.removeItem(KEY);
  },
};
