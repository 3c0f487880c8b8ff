/**
 * Sign-in through the Cognito hosted UI with the authorization code grant and PKCE (RFC 7636):
 * no client secret in the browser, the code useless without the verifier kept in this tab.
 * Endpoints: https://docs.aws.amazon.com/cognito/latest/developerguide/authorization-endpoint.html
 * and token-endpoint.html.
 */
import type { AuthConfig } from '../config.ts';

type CognitoConfig = Extract<AuthConfig, { mode: 'cognito' }>;
const VERIFIER_KEY = 'crm.pkce.verifier';
const STATE_KEY = 'crm.pkce.state';
const RETURN_KEY = 'crm.pkce.return';

function base64Url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** 32 random bytes as base64url: 43 characters, within RFC 7636's 43–128. */
export function randomVerifier(): string {
  return base64Url(crypto.getRandomValues(new Uint8Array(32)));
}

/** S256 challenge: base64url(SHA-256(verifier)). */
export async function challengeOf(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return base64Url(new Uint8Array(digest));
}

/** Sends the browser to the hosted UI; `returnTo` is where it lands after the callback. */
export async function startHostedSignIn(config: CognitoConfig, returnTo: string): Promise<void> {
  const verifier = randomVerifier();
  const state = randomVerifier();
  sessionStorage.setItem(VERIFIER_KEY, verifier);
  sessionStorage.setItem(STATE_KEY, state);
  sessionStorage.setItem(RETURN_KEY, returnTo);
  const url = new URL('/oauth2/authorize', config.domain);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: config.clientId,
    redirect_uri: config.redirectUri,
    scope: config.scopes.join(' '),
    state,
    code_challenge_method: 'S256',
    code_challenge: await challengeOf(verifier),
  }).toString();
  location.assign(url.toString());
}

/**
 * Completes the callback: checks `state`, trades the code and the verifier for tokens and returns
 * the ID token (the API's JWT authorizer reads its tenant and group claims) and where to go next.
 * Throws with a readable message on a mismatched state or a refused code.
 */
export async function finishHostedSignIn(
  config: CognitoConfig,
  query: URLSearchParams,
): Promise<{ idToken: string; returnTo: string }> {
  const error = query.get('error');
  if (error) throw new Error(query.get('error_description') ?? error);
  const code = query.get('code');
  const verifier = sessionStorage.getItem(VERIFIER_KEY);
  const expectedState = sessionStorage.getItem(STATE_KEY);
  const returnTo = sessionStorage.getItem(RETURN_KEY) ?? '/app/';
  sessionStorage.removeItem(VERIFIER_KEY);
  sessionStorage.removeItem(STATE_KEY);
  sessionStorage.removeItem(RETURN_KEY);
  if (!code || !verifier || !expectedState || query.get('state') !== expectedState)
    throw new Error('The sign-in answer does not belong to this tab; please sign in again.');
  const response = await fetch(new URL('/oauth2/token', config.domain), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: config.clientId,
      code,
      redirect_uri: config.redirectUri,
      code_verifier: verifier,
    }),
  });
  const body = (await response.json().catch(() => ({}))) as { id_token?: string; error?: string };
  if (!response.ok || !body.id_token) throw new Error(`Sign-in failed: ${body.error ?? response.status}`);
  return { idToken: body.id_token, returnTo: returnTo.startsWith('/app') ? returnTo : '/app/' };
}

/** The hosted UI's sign-out, which also ends its own session, then back to the console. */
export function hostedSignOutUrl(config: CognitoConfig): string {
  const url = new URL('/logout', config.domain);
  url.search = new URLSearchParams({
    client_id: config.clientId,
    logout_uri: new URL('/app/', config.redirectUri).toString(),
  }).toString();
  return url.toString();
}
