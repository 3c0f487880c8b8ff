import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';

/**
 * What the built console (console/dist) makes a browser download: the files index.html loads
 * up front, and each lazy page chunk with the route it serves (from Vite's manifest and the
 * areas' routes.ts). Used by the console bench and the initial-bundle budget test.
 */

export interface AssetSize {
  /** Path inside dist, e.g. assets/index-abc.js. */
  readonly file: string;
  readonly bytes: number;
  /** gzip level 9, as Vite reports it. */
  readonly gzipBytes: number;
}

export interface AssetGroup {
  /** "initial", or the route a lazy chunk serves (or its source module when no route names it). */
  readonly name: string;
  readonly assets: readonly AssetSize[];
}

/** The JS index.html loads before any page chunk: its module scripts and modulepreload links (URLs as written). */
export function initialScripts(html: string): string[] {
  const urls = new Set<string>();
  for (const tag of html.match(/<(script|link)\b[^>]*>/g) ?? []) {
    const isModuleScript = tag.startsWith('<script') && /\btype="module"/.test(tag);
    const isPreload = tag.startsWith('<link') && /\brel="modulepreload"/.test(tag);
    const url = /\b(?:src|href)="([^"]+)"/.exec(tag)?.[1];
    if ((isModuleScript || isPreload) && url) urls.add(url);
  }
  return [...urls];
}

/** The stylesheets index.html links. */
export function initialStyles(html: string): string[] {
  return (html.match(/<link\b[^>]*\brel="stylesheet"[^>]*>/g) ?? []).flatMap(
    (tag) => /\bhref="([^"]+)"/.exec(tag)?.[1] ?? [],
  );
}

/** A URL of the built page (base /app/) as a path inside dist. */
export const distPath = (url: string) => url.replace(/^\/app\//, '');

export async function sizeOf(distDir: string, file: string): Promise<AssetSize> {
  const content = await readFile(join(distDir, file));
  return { file, bytes: content.length, gzipBytes: gzipSync(content, { level: 9 }).length };
}

export const totalGzip = (assets: readonly AssetSize[]) => assets.reduce((sum, a) => sum + a.gzipBytes, 0);
export const totalBytes = (assets: readonly AssetSize[]) => assets.reduce((sum, a) => sum + a.bytes, 0);

/** One entry of Vite's build manifest (dist/.vite/manifest.json). */
interface ManifestChunk {
  readonly file: string;
  readonly src?: string;
  readonly isEntry?: boolean;
  readonly isDynamicEntry?: boolean;
  readonly imports?: readonly string[];
  readonly css?: readonly string[];
}
type Manifest = Record<string, ManifestChunk>;

/**
 * Each area's routes: the page module a path lazily imports, read from the routes.ts files, keyed
 * by the module's path relative to the console folder, as the manifest names it. The import is in
 * the route (`component: lazy(() => import('./contacts-list.tsx')...)`) or in a constant the
 * route names (`const pages = () => import('./pages.tsx')`, `const Dashboard = lazy(...)`).
 */
export function routesByModule(consoleDir: string, routeFiles: readonly string[]): Map<string, string[]> {
  const routes = new Map<string, string[]>();
  for (const routeFile of routeFiles) {
    const source = readFileSync(routeFile, 'utf8');
    const bindings = new Map<string, string>();
    for (const [, name, module] of source.matchAll(
      /const\s+(\w+)\s*=[^;]*?import\(\s*['"]([^'"]+)['"]\s*\)[^;]*;/g,
    ))
      if (name && module) bindings.set(name, module);
    for (const [, path, component] of source.matchAll(
      /path:\s*['"]([^'"]+)['"]\s*,\s*component:([^}]*)\}/g,
    )) {
      if (!path || !component) continue;
      const module =
        /import\(\s*['"]([^'"]+)['"]\s*\)/.exec(component)?.[1] ??
        [...bindings].find(([name]) => new RegExp(`\\b${name}\\b`).test(component))?.[1];
      if (!module) continue;
      const key = relative(consoleDir, join(routeFile, '..', module));
      const paths = routes.get(key) ?? [];
      if (!paths.includes(path)) routes.set(key, [...paths, path]);
    }
  }
  return routes;
}

/** The files a chunk needs: itself, its static imports (transitively) and their CSS. */
function closure(manifest: Manifest, key: string, seen = new Set<string>()): Set<string> {
  if (seen.has(key)) return seen;
  seen.add(key);
  for (const imported of manifest[key]?.imports ?? []) closure(manifest, imported, seen);
  return seen;
}

function filesOf(manifest: Manifest, keys: Iterable<string>): string[] {
  const files = new Set<string>();
  for (const key of keys) {
    const chunk = manifest[key];
    if (!chunk) continue;
    files.add(chunk.file);
    for (const css of chunk.css ?? []) files.add(css);
  }
  return [...files];
}

/** A package a page imports on first use (`import('uplot')`), named as such rather than by its path. */
function libraryName(key: string): string | undefined {
  const name = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(key)?.[1];
  return name ? `${name} (a library a page loads on first use)` : undefined;
}

/**
 * The initial group (the entry and what it imports statically) and one group per lazy chunk,
 * named by its routes; a lazy chunk's group holds what it adds to the initial files (a chunk
 * two pages share appears under both).
 */
export async function groupAssets(
  distDir: string,
  consoleDir: string,
  routeFiles: readonly string[],
): Promise<AssetGroup[]> {
  const manifest = JSON.parse(await readFile(join(distDir, '.vite/manifest.json'), 'utf8')) as Manifest;
  const routes = routesByModule(consoleDir, routeFiles);
  const entries = Object.keys(manifest).filter((key) => manifest[key]?.isEntry);
  const initialKeys = new Set(entries.flatMap((key) => [...closure(manifest, key)]));
  const initialFiles = filesOf(manifest, initialKeys);
  const groups: AssetGroup[] = [
    { name: 'initial', assets: await Promise.all(initialFiles.map((file) => sizeOf(distDir, file))) },
  ];
  const lazy = Object.keys(manifest).filter((key) => manifest[key]?.isDynamicEntry && !initialKeys.has(key));
  const lazyGroups: AssetGroup[] = [];
  for (const key of lazy) {
    const added = [...closure(manifest, key)].filter((chunk) => !initialKeys.has(chunk));
    const files = filesOf(manifest, added).filter((file) => !initialFiles.includes(file));
    const name = routes.get(manifest[key]?.src ?? key)?.join(', ') ?? libraryName(key) ?? key;
    lazyGroups.push({ name, assets: await Promise.all(files.map((file) => sizeOf(distDir, file))) });
  }
  return [...groups, ...lazyGroups.sort((a, b) => a.name.localeCompare(b.name))];
}
