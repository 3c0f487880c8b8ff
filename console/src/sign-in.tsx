import { useState } from 'preact/hooks';
import { asProblem } from './api/client.ts';
import { type ApiProblem, problemFrom } from './api/problem.ts';
import { session } from './auth/session.ts';
import type { ConsoleConfig } from './config.ts';
import { t } from './i18n/index.ts';
import { ProblemBanner, Spinner } from './ui/feedback.tsx';
import { Field } from './ui/field.tsx';

/**
 * The sign-in page. In AWS: one button to the Cognito hosted UI (PKCE). Locally: a dev token for
 * the demo tenant in the chosen role, or a pasted token from `npm start` / `npm run token`.
 */
export function SignIn({
  config,
  refused = false,
  onSignedIn,
}: {
  readonly config: ConsoleConfig;
  /** The API refused the last session (401: expired, revoked or not signed by it). */
  readonly refused?: boolean;
  readonly onSignedIn: () => void;
}) {
  return (
    <main id="main" class="signin">
      <h1>{t('signin.title')}</h1>
      {refused && (
        <p class="banner banner-error" role="alert">
          {t('signin.refused')}
        </p>
      )}
      {config.auth.mode === 'cognito' ? (
        <HostedSignIn config={config} />
      ) : (
        <LocalSignIn tokenUrl={config.auth.tokenUrl} onSignedIn={onSignedIn} />
      )}
    </main>
  );
}

function HostedSignIn({ config }: { readonly config: ConsoleConfig }) {
  const [busy, setBusy] = useState(false);
  const auth = config.auth;
  if (auth.mode !== 'cognito') return null;
  return (
    <section class="card">
      <p>{t('signin.hostedHelp')}</p>
      <button
        type="button"
        class="button button-primary"
        disabled={busy}
        onClick={async () => {
          setBusy(true);
          const { startHostedSignIn } = await import('./auth/cognito.ts');
          await startHostedSignIn(auth, location.pathname + location.search);
        }}
      >
        {busy && <Spinner />} {t('signin.hosted')}
      </button>
    </section>
  );
}

function LocalSignIn({
  tokenUrl,
  onSignedIn,
}: {
  readonly tokenUrl: string;
  readonly onSignedIn: () => void;
}) {
  const [role, setRole] = useState<'admin' | 'manager' | 'rep'>('admin');
  const [user, setUser] = useState('');
  const [team, setTeam] = useState('');
  const [token, setToken] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ApiProblem | undefined>();
  const [tokenError, setTokenError] = useState(false);

  async function demo(event: Event) {
    event.preventDefault();
    setBusy(true);
    setProblem(undefined);
    try {
      const response = await fetch(tokenUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ role, ...(user ? { user } : {}), ...(team ? { team } : {}) }),
      });
      const body = (await response.json()) as { token?: string };
      if (!response.ok || !body.token) {
        throw await problemFrom(response, body);
      }
      session.signIn(body.token);
      onSignedIn();
    } catch (error) {
      setProblem(asProblem(error));
    } finally {
      setBusy(false);
    }
  }

  function paste(event: Event) {
    event.preventDefault();
    if (session.signIn(token)) onSignedIn();
    else setTokenError(true);
  }

  return (
    <>
      <form class="card" onSubmit={demo}>
        <h2>{t('signin.demo')}</h2>
        <p class="field-help">{t('signin.demoHelp')}</p>
        <ProblemBanner problem={problem} shownPaths={['role', 'user', 'team']} />
        <Field label={t('signin.role')} path="role" problem={problem}>
          {(control) => (
            <select
              {...control}
              value={role}
              onChange={(e) => setRole((e.target as HTMLSelectElement).value as typeof role)}
            >
              <option value="admin">{t('signin.role.admin')}</option>
              <option value="manager">{t('signin.role.manager')}</option>
              <option value="rep">{t('signin.role.rep')}</option>
            </select>
          )}
        </Field>
        <Field label={t('signin.user')} path="user" problem={problem}>
          {(control) => (
            <input
              {...control}
              value={user}
              placeholder={`${role}-demo`}
              onInput={(e) => setUser((e.target as HTMLInputElement).value)}
            />
          )}
        </Field>
        <Field label={t('signin.team')} path="team" problem={problem}>
          {(control) => (
            <input {...control} value={team} onInput={(e) => setTeam((e.target as HTMLInputElement).value)} />
          )}
        </Field>
        <button type="submit" class="button button-primary" disabled={busy}>
          {busy && <Spinner />} {t('signin.demo')}
        </button>
      </form>
      <form class="card" onSubmit={paste}>
        <Field label={t('signin.tokenLabel')} help={t('signin.tokenHelp')}>
          {(control) => (
            <textarea
              {...control}
              rows={3}
              value={token}
              aria-invalid={tokenError || undefined}
              onInput={(e) => {
                setToken((e.target as HTMLTextAreaElement).value);
                setTokenError(false);
              }}
            />
          )}
        </Field>
        {tokenError && (
          <p class="field-error" role="alert">
            {t('signin.badToken')}
          </p>
        )}
        <button type="submit" class="button">
          {t('signin.useToken')}
        </button>
      </form>
    </>
  );
}
