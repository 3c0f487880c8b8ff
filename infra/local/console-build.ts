import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from './logger.ts';

/** The console's sources and its build output (console/dist). */
export const consoleDir = fileURLToPath(new URL('../../console', import.meta.url));
export const consoleDistDir = join(consoleDir, 'dist');

async function newestMtime(path: string): Promise<number> {
  const info = await stat(path).catch(() => undefined);
  if (!info) return 0;
  if (!info.isDirectory()) return info.mtimeMs;
  const entries = await readdir(path);
  const times = await Promise.all(entries.map((entry) => newestMtime(join(path, entry))));
  return Math.max(info.mtimeMs, ...times);
}

/** True when console/dist is missing or older than any source, the page or the build config. */
export async function consoleBuildIsStale(): Promise<boolean> {
  const built = (await stat(join(consoleDistDir, 'index.html')).catch(() => undefined))?.mtimeMs ?? 0;
  if (!built) return true;
  const sources = await Promise.all(
    ['src', 'index.html', 'vite.config.ts', 'public'].map((entry) => newestMtime(join(consoleDir, entry))),
  );
  return Math.max(...sources) > built;
}

/**
 * Builds the console with Vite when its build is missing or stale (a few seconds) and returns
 * console/dist; `npm start` serves it at /app. Vite is a dev dependency, loaded only here.
 */
export async function ensureConsoleBuilt(log: Logger, force = false): Promise<string> {
  if (!force && !(await consoleBuildIsStale())) return consoleDistDir;
  const started = Date.now();
  const { build } = await import('vite');
  await build({ configFile: join(consoleDir, 'vite.config.ts'), logLevel: 'warn' });
  log.info(`Built the web console in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return consoleDistDir;
}
