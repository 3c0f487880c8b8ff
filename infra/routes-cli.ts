import { formatRouteTable, routeRows } from './route-table.ts';

/**
 * `npm run routes`: every route of the API with its operationId, the function that serves
 * it (catalogue name and entry file) and the role it requires, one line each. Filter with grep:
 * `npm run --silent routes | grep contacts`.
 */
process.stdout.write(`${formatRouteTable(routeRows())}\n`);
