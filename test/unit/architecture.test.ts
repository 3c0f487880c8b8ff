import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type Architecture,
  buildImportGraph,
  type ImportEdge,
  type ImportGraph,
  importCycles,
  importSpecifiers,
  layerViolations,
  resolveImport,
} from '../support/import-graph.ts';

const root = join(import.meta.dirname, '..', '..');

/** A Lambda entry exports its `handler`; the other files beside entries are their helpers. */
const exportsHandler = (file: string): boolean =>
  /^export\s+(const|let|async\s+function|function)\s+handler\b|^export\s*\{[^}]*\bhandler\b/m.test(
    readFileSync(join(root, file), 'utf8'),
  );

/**
 * The layers of the codebase, bottom to top (the README's architecture section shows the same
 * table). The domain knows nothing of storage, schemas, HTTP or AWS; ports and adapters build on
 * it; the store on those; the HTTP layer on the store; functions on everything shared; infra (the
 * CDK app and the local runtime) on top. Above infra, the tools: the contract of the bench's unit
 * counts (bench/unit-counts.ts) and the cost model (cost/), which reads it and the catalogue. Tests
 * and the rest of the bench sit above all and are not checked.
 */
const crm: Architecture = {
  layers: [
    [{ name: 'shared/domain', paths: ['shared/domain/'] }],
    [{ name: 'shared/config', paths: ['shared/config.ts', 'shared/env.ts'] }],
    [{ name: 'shared/observability', paths: ['shared/observability/'] }],
    [
      { name: 'shared/secrets', paths: ['shared/secrets.ts'] },
      { name: 'shared/schemas', paths: ['shared/schemas/'] },
      { name: 'shared/schedule', paths: ['shared/schedule/'] },
      { name: 'shared/queue', paths: ['shared/queue/'] },
      { name: 'shared/events', paths: ['shared/events/'] },
      { name: 'shared/storage', paths: ['shared/storage/'] },
      { name: 'shared/identity', paths: ['shared/identity/'] },
      { name: 'shared/language-model', paths: ['shared/language-model/'] },
    ],
    [{ name: 'shared/store', paths: ['shared/store/'] }],
    [
      { name: 'shared/mail', paths: ['shared/mail/'] },
      { name: 'shared/webhooks', paths: ['shared/webhooks/'] },
    ],
    [{ name: 'shared/api', paths: ['shared/api/'] }],
    [{ name: 'shared/http', paths: ['shared/http/'] }],
    [{ name: 'functions', paths: ['functions/'] }],
    [{ name: 'infra', paths: ['infra/'] }],
    [{ name: 'bench/unit-counts', paths: ['bench/unit-counts.ts'] }],
    [{ name: 'cost', paths: ['cost/'] }],
  ],
  entryFolders: ['functions/'],
  isEntry: exportsHandler,
  forbiddenPackages: [
    {
      paths: ['shared/domain/'],
      packages: ['@aws-sdk/', 'aws-sdk', '@aws-lambda-powertools/', 'aws-lambda', 'aws-cdk-lib'],
      reason: 'shared/domain holds pure rules and imports no AWS package',
    },
    {
      paths: ['cost/'],
      packages: ['@aws-sdk/', 'aws-sdk'],
      reason: 'the cost model prices measured counts and calls no AWS service',
    },
    {
      paths: ['shared/', 'functions/', 'infra/local/'],
      packages: ['aws-cdk-lib', 'constructs', 'cdk-nag'],
      reason: 'CDK is for deployment only: no Lambda bundle and no local run loads it',
    },
  ],
};

describe('architecture of functions/, shared/, infra/ and cost/', () => {
  // Of the bench, only the unit counts contract is code others import (the cost model).
  const bench = buildImportGraph(root, ['bench']);
  const graph: ImportGraph = new Map([
    ...buildImportGraph(root, ['functions', 'shared', 'infra', 'cost']),
    ...[...bench].filter(([file]) => file === 'bench/unit-counts.ts'),
  ]);

  it('reads the real tree', () => {
    // Guards the checks below against passing on an empty or misread graph.
    expect(graph.size).toBeGreaterThan(100);
    const edges = [...graph.values()].flat();
    expect(edges.some((edge) => edge.kind === 'type')).toBe(true);
    expect(edges.some((edge) => edge.kind === 'dynamic')).toBe(true);
    expect(edges.some((edge) => edge.target === 'shared/domain/access.ts')).toBe(true);
    // Every import of a file resolves to a scanned file, so none escapes the rules below.
    const unresolved = edges.filter((edge) => !edge.target.startsWith('package:') && !graph.has(edge.target));
    expect(unresolved.map((edge) => `${edge.from} → ${edge.specifier}`)).toEqual([]);
  });

  it('imports only down the layers, entries only within their folder, no AWS package in the domain', () => {
    expect(layerViolations(graph, crm)).toEqual([]);
  });

  it('has no import cycle', () => {
    expect(importCycles(graph).map((cycle) => cycle.join(' → '))).toEqual([]);
  });
});

/** A graph from `file: [specifier, ...]`, imports resolved as in the real tree. */
const fakeGraph = (files: Record<string, readonly (string | [string, ImportEdge['kind']])[]>): ImportGraph =>
  new Map(
    Object.entries(files).map(([from, imports]) => [
      from,
      imports.map((entry) => {
        const [specifier, kind] = typeof entry === 'string' ? [entry, 'static' as const] : entry;
        return { from, specifier, kind, target: resolveImport(from, specifier) };
      }),
    ]),
  );

const tiny: Architecture = {
  layers: [
    [{ name: 'domain', paths: ['shared/domain/'] }],
    [
      { name: 'store', paths: ['shared/store/'] },
      { name: 'schemas', paths: ['shared/schemas/'] },
    ],
    [{ name: 'http', paths: ['shared/http/'] }],
    [{ name: 'functions', paths: ['functions/'] }],
  ],
  entryFolders: ['functions/'],
  isEntry: (file) => !file.endsWith('helper.ts'),
  forbiddenPackages: [{ paths: ['shared/domain/'], packages: ['@aws-sdk/'], reason: 'no AWS in the domain' }],
};

describe('the architecture checker', () => {
  it('accepts imports down the layers and within a part', () => {
    const graph = fakeGraph({
      'shared/domain/a.ts': ['./b.ts', 'node:crypto'],
      'shared/domain/b.ts': [],
      'shared/store/s.ts': ['../domain/a.ts', '@aws-sdk/client-dynamodb'],
      'shared/http/h.ts': ['#shared/store/s', '#shared/domain/b'],
      'functions/http/x.ts': ['#shared/http/h', './helper.ts', './y.ts'],
      'functions/http/y.ts': [],
      'functions/http/helper.ts': [],
      'functions/stream/z.ts': ['../http/helper.ts'],
    });
    expect(layerViolations(graph, tiny)).toEqual([]);
    expect(importCycles(graph)).toEqual([]);
  });

  it('names the file, the import and the rule of an import that points up a layer', () => {
    const graph = fakeGraph({
      'shared/domain/a.ts': [['../store/s.ts', 'type']],
      'shared/store/s.ts': ['#shared/http/h'],
      'shared/http/h.ts': [],
    });
    expect(layerViolations(graph, tiny)).toEqual([
      'shared/domain/a.ts → ../store/s.ts: domain (layer 0) may not import store (layer 1, above it)',
      'shared/store/s.ts → #shared/http/h: store (layer 1) may not import http (layer 2, above it)',
    ]);
  });

  it('refuses imports between parts of one layer', () => {
    const graph = fakeGraph({ 'shared/schemas/c.ts': ['../store/s.ts'], 'shared/store/s.ts': [] });
    expect(layerViolations(graph, tiny)).toEqual([
      'shared/schemas/c.ts → ../store/s.ts: schemas and store share a layer (store, schemas) and may not import each other',
    ]);
  });

  it("refuses a function importing another folder's entry module, also dynamically", () => {
    const graph = fakeGraph({
      'functions/stream/z.ts': [['../http/x.ts', 'dynamic']],
      'functions/http/x.ts': [],
    });
    expect(layerViolations(graph, tiny)).toEqual([
      "functions/stream/z.ts → ../http/x.ts: a function may import another function's entry module only in its own folder",
    ]);
  });

  it('refuses an AWS SDK package in the domain and a file outside every layer', () => {
    const graph = fakeGraph({
      'shared/domain/a.ts': ['@aws-sdk/client-sesv2'],
      'shared/stray.ts': [],
    });
    expect(layerViolations(graph, tiny)).toEqual([
      'shared/domain/a.ts → @aws-sdk/client-sesv2: no AWS in the domain',
      'shared/stray.ts: belongs to no layer (add its folder to the architecture)',
    ]);
  });

  it('prints each import cycle, type-only and dynamic imports included', () => {
    const graph = fakeGraph({
      'shared/store/a.ts': ['./b.ts'],
      'shared/store/b.ts': [['./c.ts', 'type']],
      'shared/store/c.ts': [['./a.ts', 'dynamic']],
      'shared/store/d.ts': ['./d.ts'],
      'shared/store/e.ts': ['./a.ts'],
    });
    expect(importCycles(graph)).toEqual(
      expect.arrayContaining([
        ['shared/store/a.ts', 'shared/store/b.ts', 'shared/store/c.ts', 'shared/store/a.ts'],
        ['shared/store/d.ts', 'shared/store/d.ts'],
      ]),
    );
    expect(importCycles(graph)).toHaveLength(2);
  });
});

describe('reading imports', () => {
  it('finds static, type-only, side-effect, re-export and literal dynamic imports, not comments', () => {
    const source = [
      "import { a, type B } from './a.ts';",
      "import type {\n  C,\n  D,\n} from '#shared/domain/c';",
      "import './side-effect.ts';",
      "export { e } from '../e.ts';",
      "export type { F } from '@aws-sdk/client-sqs';",
      "export * from 'node:fs';",
      'import g, { h } from "ulid";',
      "// import { no } from './commented.ts';",
      "/* import('./block-commented.ts') */",
      "/**\n * import { no } from './doc.ts';\n */",
      "export const glob = '**/*.ts';",
      "export const later = () => import('./lazy.ts');",
      'const computed = (name: string) => import(name);',
      "export type Kind = 'a' | 'b';",
    ].join('\n');
    expect(importSpecifiers(source)).toEqual([
      { specifier: './a.ts', kind: 'static' },
      { specifier: '#shared/domain/c', kind: 'type' },
      { specifier: './side-effect.ts', kind: 'static' },
      { specifier: '../e.ts', kind: 'static' },
      { specifier: '@aws-sdk/client-sqs', kind: 'type' },
      { specifier: 'node:fs', kind: 'static' },
      { specifier: 'ulid', kind: 'static' },
      { specifier: './lazy.ts', kind: 'dynamic' },
    ]);
  });

  it('resolves the package.json aliases, relative paths and package names', () => {
    expect(resolveImport('functions/http/x.ts', '#shared/store/page')).toBe('shared/store/page.ts');
    expect(resolveImport('infra/local/y.ts', '#functions/stream/aggregates')).toBe(
      'functions/stream/aggregates.ts',
    );
    expect(resolveImport('shared/http/cursor.ts', '../store/page.ts')).toBe('shared/store/page.ts');
    expect(resolveImport('shared/http/cursor.ts', './problem.ts')).toBe('shared/http/problem.ts');
    expect(resolveImport('shared/x.ts', '@aws-sdk/lib-dynamodb')).toBe('package:@aws-sdk/lib-dynamodb');
    expect(resolveImport('shared/x.ts', 'zod/mini')).toBe('package:zod');
  });
});
