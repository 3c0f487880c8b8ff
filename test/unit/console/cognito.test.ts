import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { challengeOf, finishHostedSignIn, randomVerifier } from '../../../console/src/auth/cognito.ts';

const config = {
  mode: 'cognito',
  domain: 'https://crm-test.auth.eu-west-1.amazoncognito.com',
  clientId: 'client-123',
  redirectUri: 'https://d111.cloudfront.net/app/callback',
  scopes: ['openid', 'email', 'profile'],
} as const;

/** The browser's sessionStorage, as much of it as cognito.ts uses. */
class MemoryStorage {
  private readonly items = new Map<string, string>();
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.items.set(key, value);
  }
  removeItem(key: string): void {
    this.items.delete(key);
  }
}

describe('PKCE (RFC 7636)', () => {
  it("derives the S256 challenge of appendix B's verifier", async () => {
    expect(await challengeOf('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe(
      'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    );
  });

  it('makes 43-character base64url verifiers, a new one each time', () => {
    const verifier = randomVerifier();
    expect(verifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(randomVerifier()).not.toBe(verifier);
  });
});

describe('finishHostedSignIn', () => {
  let storage: MemoryStorage;
  const fetchStub = vi.fn<typeof fetch>();

  beforeEach(() => {
    storage = new MemoryStorage();
    storage.setItem('crm.pkce.verifier', 'the-verifier');
    storage.setItem('crm.pkce.state', 'the-state');
    storage.setItem('crm.pkce.return', '/app/deals');
    vi.stubGlobal('sessionStorage', storage);
    fetchStub.mockReset();
    fetchStub.mockResolvedValue(Response.json({ id_token: 'id.token.here', access_token: 'a' }));
    vi.stubGlobal('fetch', fetchStub);
  });
  afterEach(() => vi.unstubAllGlobals());

  it('trades the code and the verifier for the ID token when the state matches', async () => {
    const result = await finishHostedSignIn(
      config,
      new URLSearchParams({ code: 'the-code', state: 'the-state' }),
    );
    expect(result).toEqual({ idToken: 'id.token.here', returnTo: '/app/deals' });
    const [url, init] = fetchStub.mock.calls[0] ?? [];
    expect(String(url)).toBe('https://crm-test.auth.eu-west-1.amazoncognito.com/oauth2/token');
    expect(Object.fromEntries(new URLSearchParams(String(init?.body)))).toEqual({
      grant_type: 'authorization_code',
      client_id: 'client-123',
      code: 'the-code',
      redirect_uri: config.redirectUri,
      code_verifier: 'the-verifier',
    });
    // The verifier is single use.
    expect(storage.getItem('crm.pkce.verifier')).toBeNull();
  });

  it('refuses an answer whose state is not this tab’s, without asking for tokens', async () => {
    await expect(
      finishHostedSignIn(config, new URLSearchParams({ code: 'the-code', state: 'someone-else' })),
    ).rejects.toThrow(/does not belong to this tab/);
    await expect(finishHostedSignIn(config, new URLSearchParams({ code: 'the-code' }))).rejects.toThrow(
      /does not belong to this tab/,
    );
    expect(fetchStub).not.toHaveBeenCalled();
  });

  it("shows the hosted UI's error and a refused code", async () => {
    await expect(
      finishHostedSignIn(config, new URLSearchParams({ error: 'access_denied', error_description: 'No' })),
    ).rejects.toThrow('No');
    storage.setItem('crm.pkce.verifier', 'v');
    storage.setItem('crm.pkce.state', 's');
    fetchStub.mockResolvedValue(Response.json({ error: 'invalid_grant' }, { status: 400 }));
    await expect(finishHostedSignIn(config, new URLSearchParams({ code: 'c', state: 's' }))).rejects.toThrow(
      'Sign-in failed: invalid_grant',
    );
  });

  it('returns only to a console page', async () => {
    storage.setItem('crm.pkce.return', 'https://evil.example/app');
    const result = await finishHostedSignIn(config, new URLSearchParams({ code: 'c', state: 'the-state' }));
    expect(result.returnTo).toBe('/app/');
  });
});
