import type { RouteDef } from '#shared/api/route';
import { lambdasOf } from './lambdas.ts';

/** One route as `npm run routes` prints it. */
export interface RouteRow {
  readonly method: RouteDef['method'];
  readonly path: string;
  readonly operationId: string;
  /** The catalogue name of the function behind it (infra/lambdas.ts). */
  readonly functionName: string;
  /** That function's entry file, relative to the repository root. */
  readonly entry: string;
  /** `public` (no token), `any` (every signed-in role), or the least role, e.g. `admin (erase=true)`. */
  readonly role: string;
}

const methodOrder: readonly RouteDef['method'][] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

/** What a route asks of its caller, in the words of the `role` column. */
export function requiredRole(route: Pick<RouteDef, 'public' | 'role'>): string {
  if (route.public) return 'public';
  if (!route.role) return 'any';
  return route.role.when ? `${route.role.least} (${route.role.when})` : route.role.least;
}

/**
 * Every route of every HTTP function of the catalogue (including the routes built from
 * templates, such as the comment and follow routes of shared/api/collaboration.ts), by
 * path, then method.
 */
export function routeRows(): RouteRow[] {
  const rows = lambdasOf('http').flatMap((spec) =>
    spec.trigger.routes.map((route) => ({
      method: route.method,
      path: route.path,
      operationId: route.operationId,
      functionName: spec.name,
      entry: spec.entry,
      role: requiredRole(route),
    })),
  );
  return rows.sort(
    (a, b) =>
      (a.path < b.path ? -1 : a.path > b.path ? 1 : 0) ||
      methodOrder.indexOf(a.method) - methodOrder.indexOf(b.method),
  );
}

const columns = [
  ['METHOD', (row: RouteRow) => row.method],
  ['PATH', (row: RouteRow) => row.path],
  ['OPERATION', (row: RouteRow) => row.operationId],
  ['FUNCTION', (row: RouteRow) => row.functionName],
  ['ENTRY', (row: RouteRow) => row.entry],
  ['ROLE', (row: RouteRow) => row.role],
] as const;

/** The rows as plain text: a header line, then one line per route, columns padded to align. */
export function formatRouteTable(rows: readonly RouteRow[]): string {
  const cells = [columns.map(([title]) => title), ...rows.map((row) => columns.map(([, cell]) => cell(row)))];
  const widths = columns.map((_, index) => Math.max(...cells.map((line) => line[index]?.length ?? 0)));
  return cells
    .map((line) =>
      line
        .map((cell, index) => (index === line.length - 1 ? cell : cell.padEnd(widths[index] ?? 0)))
        .join('  '),
    )
    .join('\n');
}
