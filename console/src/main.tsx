import { render } from 'preact';
import { App, preloadPage } from './app.tsx';
import { session } from './auth/session.ts';
import { loadConfig } from './config.ts';
import './styles.css';

const root = document.getElementById('app');
if (root) {
  // A signed-in visit's page chunk loads beside config.json and /me, not after them.
  if (session.token() !== undefined) preloadPage(location.pathname);
  try {
    const config = await loadConfig();
    if (config.auth.mode === 'cognito' && location.pathname === '/app/callback') {
      // The hosted UI's answer: trade the code for tokens, then continue where sign-in started.
      const { finishHostedSignIn } = await import('./auth/cognito.ts');

      try {
        const { idToken, returnTo } = await finishHostedSignIn(
          config.auth,
          new URLSearchParams(location.search),
        );
        session.signIn(idToken);
        history.replaceState(null, '', returnTo);
      } catch (error) {
        history.replaceState(null, '', '/app/');
        alert((error as Error).message);
      }
    }
    // index.html's first paint goes; the console draws the page in its place.
    root.replaceChildren();
    render(<App config={config} />, root);
  } catch (error) {
    root.textContent = `The console could not start: ${(error as Error).message}`;
  }
}
