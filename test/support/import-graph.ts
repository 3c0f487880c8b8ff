import { readdirSync, readFileSync } from 'node:fs';
import { join, posix, relative } from 'node:path';

/** How a module is imported: `import`/`export … from`, `import type`/`export type`, or `import('…')`. */
export type ImportKind = 'static' | 'type' | 'dynamic';

/** One import of one source file. */
export interface ImportEdge {
  /** The importing file, relative to the repository root with `/` separators (`shared/http/cursor.ts`). */
  readonly from: string;
  /** The specifier as written (`#shared/store/page`, `../store/keys.ts`, `@aws-sdk/client-dynamodb`). */
  readonly specifier: string;
  readonly kind: ImportKind;
  /** The imported file (repository-relative) or, for a package, `package:<name>` (`package:node:fs`). */
  readonly target: string;
}

/** Every scanned file and its imports, keyed by repository-relative path. */
export type ImportGraph = ReadonlyMap<string, readonly ImportEdge[]>;

// Import declarations start a statement (so at the start of a line in formatted code); `[^;]*?` lets
// a multi-line `{ a, b }` clause through. Dynamic imports count only with a literal specifier.
const DECLARATION = /^\s*(import|export)\s+(type\s+)?(?:[^;'"]*?\s+from\s*)?['"]([^'"]+)['"]/gm;
const DYNAMIC = /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;
// A block comment opens after whitespace, so `'**/*.ts'` in a string is not taken for one.
const BLOCK_COMMENT = /(^|\s)\/\*[\s\S]*?\*\//g;
const LINE_COMMENT = /^\s*\/\/.*$/gm;

/**
 * The import specifiers of one TypeScript source, in order of appearance: static declarations,
 * type-only declarations and dynamic `import()` with a string literal. Comments are ignored;
 * specifiers built at run time (`import(url)`) cannot be known and are not reported.
 */
export function importSpecifiers(source: string): { specifier: string; kind: ImportKind }[] {
  const code = source.replace(BLOCK_COMMENT, '$1').replace(LINE_COMMENT, '');
  const found: { at: number; specifier: string; kind: ImportKind }[] = [];
  for (const match of code.matchAll(DECLARATION)) {
    const [, , typeOnly, specifier = ''] = match;
    // `export const x = …` and friends match `export\s+` but carry no specifier before a `;`.
    if (!/^\s*(import|export)\s+(type\s+)?(\{|\*|[\w$]+\s*(,|from)|['"])/.test(match[0])) continue;
    found.push({ at: match.index, specifier, kind: typeOnly ? 'type' : 'static' });
  }
  for (const match of code.matchAll(DYNAMIC)) {
    found.push({ at: match.index, specifier: match[1] ?? '', kind: 'dynamic' });
  }
  return found.sort((a, b) => a.at - b.at).map(({ specifier, kind }) => ({ specifier, kind }));
}

/** The package a bare specifier names: `@aws-sdk/client-sqs/dist` → `@aws-sdk/client-sqs`. */
const packageName = (specifier: string): string => {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
};

/**
 * Where `specifier`, imported by `from`, points: a repository-relative file for relative paths and
 * the package.json aliases (`#shared/*` → `shared/*.ts`, `#functions/*` → `functions/*.ts`), else
 * `package:<name>`.
 */
export function resolveImport(from: string, specifier: string): string {
  const alias = /^#(shared|functions)\/(.+)$/.exec(specifier);
  if (alias) return `${alias[1]}/${alias[2]?.replace(/\.ts$/, '')}.ts`;
  if (specifier.startsWith('.')) return posix.normalize(posix.join(posix.dirname(from), specifier));
  return `package:${packageName(specifier)}`;
}

const sourceFiles = (root: string, dir: string): string[] =>
  readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(root, path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });

/** The import graph of every `.ts` file under `dirs` (repository-relative folders) of `root`. */
export function buildImportGraph(root: string, dirs: readonly string[]): ImportGraph {
  const graph = new Map<string, ImportEdge[]>();
  for (const file of dirs.flatMap((dir) => sourceFiles(root, dir))) {
    const from = relative(root, join(root, file)).split(/[\\/]/).join('/');
    const source = readFileSync(join(root, file), 'utf8');
    graph.set(
      from,
      importSpecifiers(source).map(({ specifier, kind }) => ({
        from,
        specifier,
        kind,
        target: resolveImport(from, specifier),
      })),
    );
  }
  return graph;
}

/** A folder or file (repository-relative prefix) that belongs to a layer, with a name for messages. */
export interface LayerPart {
  readonly name: string;
  /** `shared/domain/` (a folder, trailing slash) or `shared/config.ts` (one file). */
  readonly paths: readonly string[];
}

/**
 * The architecture's rules. `layers` go bottom to top; a file may import files of its own part, or
 * of any part in a lower layer, never one in its own layer's other parts or above.
 */
export interface Architecture {
  readonly layers: readonly (readonly LayerPart[])[];
  /** Folders of Lambda entries: a file there may import another folder's entry module only from its own folder. */
  readonly entryFolders: readonly string[];
  /** Whether a file is a Lambda entry (it exports `handler`), as opposed to a helper beside them. */
  readonly isEntry: (file: string) => boolean;
  /** Packages files under `paths` must not import (prefix match: `@aws-sdk/` covers every client). */
  readonly forbiddenPackages: readonly {
    readonly paths: readonly string[];
    readonly packages: readonly string[];
    readonly reason: string;
  }[];
}

interface Placement {
  readonly layer: number;
  readonly part: LayerPart;
}

/** The layer and part a file belongs to (the longest matching path wins), or undefined. */
export function placeOf(architecture: Architecture, file: string): Placement | undefined {
  let best: (Placement & { length: number }) | undefined;
  architecture.layers.forEach((parts, layer) => {
    for (const part of parts) {
      for (const path of part.paths) {
        const matches = path.endsWith('/') ? file.startsWith(path) : file === path;
        if (matches && (!best || path.length > best.length)) best = { layer, part, length: path.length };
      }
    }
  });
  return best && { layer: best.layer, part: best.part };
}

const describeEdge = (edge: ImportEdge): string => `${edge.from} → ${edge.specifier}`;

/**
 * Every rule `graph` breaks, one message per offending import (`file → import: rule`), sorted.
 * Rules: imports point down the layers (or stay within one part); an entry module is imported by
 * other functions only from its own folder; no file imports a package forbidden to its folder;
 * every file sits in some part.
 */
export function layerViolations(graph: ImportGraph, architecture: Architecture): string[] {
  const messages: string[] = [];
  const layerName = (layer: number) => architecture.layers[layer]?.map((part) => part.name).join(', ');
  for (const [file, edges] of graph) {
    const from = placeOf(architecture, file);
    if (!from) {
      messages.push(`${file}: belongs to no layer (add its folder to the architecture)`);
      continue;
    }
    for (const edge of edges) {
      if (edge.target.startsWith('package:')) {
        const name = edge.target.slice('package:'.length);
        for (const rule of architecture.forbiddenPackages) {
          if (
            rule.paths.some((path) => file.startsWith(path)) &&
            rule.packages.some((prefix) => name === prefix || name.startsWith(prefix))
          ) {
            messages.push(`${describeEdge(edge)}: ${rule.reason}`);
          }
        }
        continue;
      }
      const to = placeOf(architecture, edge.target);
      if (!to) continue; // outside the scanned folders (tests, bench); those sit on top of everything
      if (to.part !== from.part && to.layer >= from.layer) {
        const rule =
          to.layer === from.layer
            ? `${from.part.name} and ${to.part.name} share a layer (${layerName(to.layer)}) and may not import each other`
            : `${from.part.name} (layer ${from.layer}) may not import ${to.part.name} (layer ${to.layer}, above it)`;
        messages.push(`${describeEdge(edge)}: ${rule}`);
      }
      const inEntryFolder = (path: string) =>
        architecture.entryFolders.some((folder) => path.startsWith(folder));
      if (
        inEntryFolder(file) &&
        inEntryFolder(edge.target) &&
        architecture.isEntry(edge.target) &&
        posix.dirname(edge.target) !== posix.dirname(file)
      ) {
        messages.push(
          `${describeEdge(edge)}: a function may import another function's entry module only in its own folder`,
        );
      }
    }
  }
  return messages.sort();
}

/**
 * The import cycles among the graph's files, one per strongly connected component, each as the
 * files along it with the first repeated at the end (`a.ts → b.ts → a.ts`). Packages are ignored.
 */
export function importCycles(graph: ImportGraph): string[][] {
  // Tarjan's algorithm; its recursion is at most as deep as the graph has files (a few hundred).
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const next = (file: string) =>
    [...new Set((graph.get(file) ?? []).map((edge) => edge.target))].filter((target) => graph.has(target));
  const visit = (file: string) => {
    index.set(file, index.size);
    low.set(file, index.get(file) ?? 0);
    stack.push(file);
    onStack.add(file);
    for (const target of next(file)) {
      if (!index.has(target)) {
        visit(target);
        low.set(file, Math.min(low.get(file) ?? 0, low.get(target) ?? 0));
      } else if (onStack.has(target)) {
        low.set(file, Math.min(low.get(file) ?? 0, index.get(target) ?? 0));
      }
    }
    if (low.get(file) === index.get(file)) {
      const component: string[] = [];
      let member: string | undefined;
      do {
        member = stack.pop();
        if (member === undefined) break;
        onStack.delete(member);
        component.push(member);
      } while (member !== file);
      const selfLoop = next(file).includes(file);
      if (component.length > 1 || selfLoop) components.push(component);
    }
  };
  for (const file of [...graph.keys()].sort()) if (!index.has(file)) visit(file);
  return components.map((component) => cycleThrough(component, next));
}

/** One concrete cycle inside a strongly connected component, found by breadth-first search. */
function cycleThrough(component: string[], next: (file: string) => string[]): string[] {
  const members = new Set(component);
  const start = [...component].sort()[0] ?? '';
  const parent = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const file = queue.shift() ?? '';
    for (const target of next(file).filter((t) => members.has(t))) {
      if (target === start) {
        const path = [file];
        while (path[0] !== start) path.unshift(parent.get(path[0] ?? '') ?? start);
        return [...path, start];
      }
      if (!parent.has(target)) {
        parent.set(target, file);
        queue.push(target);
      }
    }
  }
  return [start, start];
}
