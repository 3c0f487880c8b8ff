/**
 * Where the console finds the API and how it signs in. `config.json` sits beside index.html:
 * `npm start` answers it with the local API and local sign-in; in AWS the CrmConsole stack
 * writes it at deploy time with the API URL and the Cognito hosted UI's settings.
 */
export type AuthConfig =
  | {
      readonly mode: 'local';
      /** POST here with {role, user?, team?} for a dev token of the demo tenant (local runtime only). */
      readonly tokenUrl: string;
    }
  | {
      readonly mode: 'cognito';
      /** The hosted UI's base URL, e.g. https://crm-123.auth.eu-west-1.amazoncognito.com */
      readonly domain: string;
      readonly clientId: string;
      /** Where the hosted UI sends the browser back with ?code=...: the console's /app/callback. */
      readonly redirectUri: string;
      readonly scopes: readonly string[];
    };

export interface ConsoleConfig {
  /** The HTTP API's base URL without a trailing slash. */
  readonly apiUrl: string;
  readonly auth: AuthConfig;
}

export const BASE = '/app';

/** Loads config.json once; a missing or malformed file is a deployment fault shown on the page. */
export async function loadConfig(): Promise<ConsoleConfig> {
  const response = await fetch(`${BASE}/config.json`, { cache: 'no-store' });
  if (!response.ok) throw new Error(`config.json: HTTP ${response.status}`);
  const config = (await response.json()) as Partial<ConsoleConfig>;
  if (typeof config.apiUrl !== 'string' || !config.auth)
    throw new Error('config.json: apiUrl and auth are required');
  return { apiUrl: config.apiUrl.replace(/\/+$/, ''), auth: config.auth };
}
