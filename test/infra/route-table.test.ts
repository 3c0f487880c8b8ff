import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { httpFunctionNames } from '#shared/api/catalogue';
import { openApiDocument } from '#shared/api/openapi';
import { queueNames } from '#shared/queue/queue';
import { scheduleTargets } from '#shared/schedule/scheduler';
import { projectRoot } from '../../infra/bundling.ts';
import { lambdas, lambdasOf } from '../../infra/lambdas.ts';
import { formatRouteTable, routeRows } from '../../infra/route-table.ts';

/** `npm run routes` as a user runs it: its standard output, split into lines. */
function printedLines(): string[] {
  const output = execFileSync('npx', ['tsx', 'infra/routes-cli.ts'], {
    cwd: projectRoot,
    encoding: 'utf8',
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  });
  return output.trimEnd().split('\n');
}

/** A printed line as its columns (no cell holds two spaces in a row). */
const columnsOf = (line: string): string[] => line.trim().split(/\s{2,}/);

describe('npm run routes', () => {
  const lines = printedLines();
  const rows = lines.slice(1).map(columnsOf);
  const find = (method: string, path: string) => rows.filter((row) => row[0] === method && row[1] === path);

  it('prints a header and one aligned line per route', () => {
    expect(columnsOf(lines[0] ?? '')).toEqual(['METHOD', 'PATH', 'OPERATION', 'FUNCTION', 'ENTRY', 'ROLE']);
    const operationColumn = (lines[0] ?? '').indexOf('OPERATION');
    for (const line of lines.slice(1)) {
      expect(line.slice(operationColumn - 2, operationColumn), line).toBe('  ');
      expect(line[operationColumn], line).not.toBe(' ');
    }
    expect(lines.join('\n')).toBe(formatRouteTable(routeRows()));
  });

  it('names operation, function, entry and role of known routes', () => {
    expect(find('GET', '/health')).toEqual([
      ['GET', '/health', 'getHealth', 'meta', 'functions/http/meta.ts', 'public'],
    ]);
    expect(find('POST', '/users')).toEqual([
      ['POST', '/users', 'createUser', 'users', 'functions/http/users.ts', 'admin'],
    ]);
    expect(find('GET', '/contacts/{id}')).toEqual([
      ['GET', '/contacts/{id}', 'getContact', 'contacts', 'functions/http/contacts.ts', 'any'],
    ]);
    expect(find('DELETE', '/contacts/{id}')).toEqual([
      [
        'DELETE',
        '/contacts/{id}',
        'deleteContact',
        'contacts',
        'functions/http/contacts.ts',
        'admin (erase=true)',
      ],
    ]);
    expect(find('GET', '/reports/overview')).toEqual([
      ['GET', '/reports/overview', 'getOverview', 'reports', 'functions/http/reports.ts', 'manager'],
    ]);
  });

  it('lists the comment and follow routes built from the collaboration template', () => {
    expect(find('POST', '/deals/{id}/comments')).toEqual([
      [
        'POST',
        '/deals/{id}/comments',
        'dealsComment',
        'collaboration',
        'functions/http/collaboration.ts',
        'any',
      ],
    ]);
    expect(find('POST', '/cases/{id}/follow')).toEqual([
      [
        'POST',
        '/cases/{id}/follow',
        'casesFollow',
        'collaboration',
        'functions/http/collaboration.ts',
        'any',
      ],
    ]);
    expect(find('DELETE', '/companies/{id}/follow')).toEqual([
      [
        'DELETE',
        '/companies/{id}/follow',
        'companiesUnfollow',
        'collaboration',
        'functions/http/collaboration.ts',
        'any',
      ],
    ]);
  });

  it('prints every operation of the OpenAPI document exactly once, and nothing else', () => {
    const paths = openApiDocument().paths as Record<string, Record<string, { operationId: string }>>;
    const documented = Object.entries(paths).flatMap(([path, operations]) =>
      Object.entries(operations).map(([method, operation]) =>
        [method.toUpperCase(), path, operation.operationId].join(' '),
      ),
    );
    const printed = rows.map((row) => row.slice(0, 3).join(' '));
    expect(new Set(printed).size).toBe(printed.length);
    expect([...printed].sort()).toEqual([...documented].sort());
  });
});

describe('the Lambda catalogue', () => {
  it('names each function once, and each entry file exists', () => {
    const names = lambdas.map((spec) => spec.name);
    expect(new Set(names).size).toBe(names.length);
    for (const spec of lambdas) expect(existsSync(join(projectRoot, spec.entry)), spec.entry).toBe(true);
  });

  it('has exactly one HTTP function per function of the route catalogue', () => {
    expect(lambdasOf('http').map((spec) => spec.name)).toEqual(httpFunctionNames);
  });

  it('has exactly one function per schedule target and per queue, one stream consumer and one SES handler', () => {
    expect(lambdasOf('schedule').map((spec) => spec.trigger.target)).toEqual([...scheduleTargets]);
    expect(lambdasOf('queue').map((spec) => spec.trigger.queue)).toEqual([...queueNames]);
    expect(lambdasOf('stream')).toHaveLength(1);
    expect(lambdasOf('events')).toHaveLength(1);
  });
});
