import { useCallback, useEffect, useState } from 'preact/hooks';
import { ErrorBoundary, LocationProvider, Route, Router, useLocation } from 'preact-iso';
import { api, asProblem, configureApi, ok } from './api/client.ts';
import type { ApiProblem } from './api/problem.ts';
import { session } from './auth/session.ts';
import { BASE, type ConsoleConfig } from './config.ts';
import { type Lang, langs, setLang, t, useLang } from './i18n/index.ts';
import { type Me, SessionContext } from './me.ts';
import { adminRoutes } from './pages/admin/routes.ts';
import { dashboardRoutes } from './pages/dashboard/routes.ts';
import { marketingRoutes } from './pages/marketing/routes.ts';
import { pipelineRoutes } from './pages/pipeline/routes.ts';
import { recordsRoutes } from './pages/records/routes.ts';
import type { PageRoute } from './pages/routes.ts';
import { tablesRoutes } from './pages/tables/routes.ts';
import { workRoutes } from './pages/work/routes.ts';
import { SignIn } from './sign-in.tsx';
import { Loading, ProblemBanner } from './ui/feedback.tsx';

const pages: readonly PageRoute[] = [
  ...dashboardRoutes,
  ...tablesRoutes,
  ...recordsRoutes,
  ...pipelineRoutes,
  ...workRoutes,
  ...marketingRoutes,
  ...adminRoutes,
];

/**
 * Starts loading the chunk of the page at `path` (main.tsx calls it before config.json and /me
 * answer, so the three load side by side instead of one after the other).
 */
export function preloadPage(path: string): void {
  const page = pages.find((candidate) => matches(path, candidate.path));
  const component = page?.component as { preload?: () => Promise<unknown> } | undefined;
  // A failed load is shown (and retried) when the router renders the page.
  component?.preload?.().catch(() => undefined);
}

/** The routes' patterns as the router reads them: segments equal, or `:name` for any one segment. */
function matches(path: string, pattern: string): boolean {
  const segments = path.split('/').filter(Boolean);
  const parts = pattern.split('/').filter(Boolean);
  return (
    segments.length === parts.length &&
    parts.every((part, index) => part.startsWith(':') || part === segments[index])
  );
}

interface NavItem {
  readonly href: string;
  readonly label: string;
  readonly roles?: readonly Me['role'][];
}

const navItems: readonly NavItem[] = [
  { href: `${BASE}/`, label: 'nav.dashboard' },
  { href: `${BASE}/contacts`, label: 'nav.contacts' },
  { href: `${BASE}/companies`, label: 'nav.companies' },
  { href: `${BASE}/leads`, label: 'nav.leads' },
  { href: `${BASE}/deals`, label: 'nav.deals' },
  { href: `${BASE}/pipeline`, label: 'nav.pipeline' },
  { href: `${BASE}/agenda`, label: 'nav.agenda' },
  { href: `${BASE}/cases`, label: 'nav.cases' },
  { href: `${BASE}/segments`, label: 'nav.segments' },
  { href: `${BASE}/templates`, label: 'nav.templates' },
  { href: `${BASE}/campaigns`, label: 'nav.campaigns' },
  { href: `${BASE}/imports`, label: 'nav.imports' },
  { href: `${BASE}/admin/users`, label: 'nav.users', roles: ['admin'] },
  { href: `${BASE}/admin/teams`, label: 'nav.teams', roles: ['admin'] },
];

/** The whole console: the sign-in page until there is a session, then the layout and its pages. */
export function App({ config }: { readonly config: ConsoleConfig }) {
  const [signedIn, setSignedIn] = useState(() => session.token() !== undefined);
  useLang();
  // Why the sign-in page shows again when the API refused the session (401): said there, not silent.
  const [refused, setRefused] = useState(false);
  const signOut = useCallback(() => {
    session.signOut();
    setRefused(false);
    setSignedIn(false);
  }, []);
  const sessionRefused = useCallback(() => {
    session.signOut();
    setRefused(true);
    setSignedIn(false);
  }, []);
  useEffect(() => {
    configureApi(config.apiUrl, sessionRefused);
  }, [config, sessionRefused]);
  configureApi(config.apiUrl, sessionRefused);
  return (
    <LocationProvider scope={BASE}>
      {signedIn ? (
        <SignedIn config={config} onSignOut={signOut} />
      ) : (
        <SignIn config={config} refused={refused} onSignedIn={() => setSignedIn(true)} />
      )}
    </LocationProvider>
  );
}

function SignedIn({ config, onSignOut }: { readonly config: ConsoleConfig; readonly onSignOut: () => void }) {
  const [me, setMe] = useState<Me | undefined>();
  const [problem, setProblem] = useState<ApiProblem | undefined>();
  const [unread, setUnread] = useState(0);
  const load = useCallback(async () => {
    setProblem(undefined);
    try {
      setMe((await ok(api().GET('/me'))) as Me);
    } catch (error) {
      setProblem(asProblem(error));
    }
  }, []);
  const refreshUnread = useCallback(async () => {
    try {
      // The API has no count: one page of up to 100 unread says "99+" when there are more.
      const page = await ok(
        api().GET('/me/notifications', { params: { query: { unread: 'true', limit: '100' } } }),
      );
      setUnread(page.nextCursor ? 100 : page.items.length);
    } catch {
      // The count is a hint; the notifications page shows the real error.
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);
  useEffect(() => {
    if (!me) return;
    void refreshUnread();
    const timer = setInterval(() => void refreshUnread(), 60_000);
    return () => clearInterval(timer);
  }, [me, refreshUnread]);
  // The layout is drawn at once, at its final size; only the page waits for /me.
  if (!me)
    return (
      <Layout unread={unread} onSignOut={onSignOut}>
        {problem ? <ProblemBanner problem={problem} onRetry={load} /> : <Loading />}
      </Layout>
    );
  return (
    <SessionContext.Provider value={{ me, config, refreshUnread: () => void refreshUnread() }}>
      <Layout me={me} unread={unread} onSignOut={onSignOut}>
        <ErrorBoundary>
          <Router>
            {[
              ...pages.map((page) => <Route key={page.path} path={page.path} component={page.component} />),
              <Route key="404" default component={NotFound} />,
            ]}
          </Router>
        </ErrorBoundary>
      </Layout>
    </SessionContext.Provider>
  );
}

function Layout({
  me,
  unread,
  onSignOut,
  children,
}: {
  /** Undefined until /me answers: the role's own links and the name then join the bar. */
  readonly me?: Me;
  readonly unread: number;
  readonly onSignOut: () => void;
  readonly children: preact.ComponentChildren;
}) {
  const { path } = useLocation();
  const [menuOpen, setMenuOpen] = useState(false);
  const lang = useLang();
  // Moving to another page closes the phone menu and puts focus where the new page starts.
  useEffect(() => {
    setMenuOpen(false);
  }, [path]);
  const items = navItems.filter((item) => !item.roles || (me && item.roles.includes(me.role)));
  const isCurrent = (href: string) =>
    href === `${BASE}/` ? path === `${BASE}/` || path === BASE : path === href || path.startsWith(`${href}/`);
  return (
    <div class="shell">
      <a class="skip-link" href="#main">
        {t('app.skip')}
      </a>
      <header class="topbar">
        <button
          type="button"
          class="button menu-button"
          aria-expanded={menuOpen}
          aria-controls="nav"
          onClick={() => setMenuOpen(!menuOpen)}
        >
          {t('app.menu')}
        </button>
        <a class="brand" href={`${BASE}/`}>
          {t('app.name')}
        </a>
        <a class="notifications-link" href={`${BASE}/notifications`}>
          {/* The name is the visible text plus a hidden word: "Notifications 3 unread". */}
          {t('nav.notifications')}
          {unread > 0 && (
            <span class="badge">
              {unread > 99 ? '99+' : unread}
              <span class="visually-hidden"> {t('nav.unread')}</span>
            </span>
          )}
        </a>
        <label class="lang-switch">
          <span class="visually-hidden">{t('app.language')}</span>
          <select
            value={lang}
            onChange={(event) => setLang((event.target as HTMLSelectElement).value as Lang)}
          >
            {langs.map((code) => (
              <option key={code} value={code}>
                {code === 'en' ? 'English' : 'Español'}
              </option>
            ))}
          </select>
        </label>
        <span class="whoami">
          {me &&
            t('app.signedInAs', { user: me.name ?? me.email ?? me.id, role: t(`signin.role.${me.role}`) })}
        </span>
        <button type="button" class="button button-quiet" onClick={onSignOut}>
          {t('app.signOut')}
        </button>
      </header>
      <nav id="nav" class={`sidebar${menuOpen ? ' open' : ''}`} aria-label={t('nav.main')}>
        <ul>
          {items.map((item) => (
            <li key={item.href}>
              <a href={item.href} aria-current={isCurrent(item.href) ? 'page' : undefined}>
                {t(item.label)}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" class="page" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}

function NotFound() {
  return (
    <section>
      <h1>{t('common.pageNotFound')}</h1>
      <p>
        <a href={`${BASE}/`}>{t('common.backHome')}</a>
      </p>
    </section>
  );
}
