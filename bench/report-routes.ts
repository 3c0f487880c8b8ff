import type {
  APIGatewayProxyEventV2WithJWTAuthorizer,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import type { DynamoMeter, MeterSnapshot } from './dynamo-meter.ts';
import { type BenchCaller, type HttpRequest, httpEvent, lambdaContext } from './events.ts';
import { type LoadedTenant, loadTenant, type TenantSize } from './report-tenant.ts';
import { median } from './stats.ts';

/**
 * Every report route (and GET /contacts/{id}, which scores engagement) called
 * in process on two tenants of very different sizes, metered: what DynamoDB
 * is asked per call should not depend on how many records a tenant has,
 * since reports read aggregates kept from the stream, never the records.
 */

type HttpHandler = (
  event: APIGatewayProxyEventV2WithJWTAuthorizer,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2>;

export interface RouteCall {
  readonly name: string;
  readonly handler: 'reports' | 'contacts';
  readonly routeKey: string;
  readonly request: (tenant: LoadedTenant) => HttpRequest;
  /** What else than the records this route's reads grow with, when something does. */
  readonly growsWith?: string;
}

export interface RouteFigures {
  /** Requests per call by operation (the last call; every call of a route asks the same). */
  readonly requests: Record<string, number>;
  readonly readUnits: number;
  readonly itemsRead: number;
  readonly medianMs: number;
}

export interface SizedRun {
  readonly label: string;
  readonly size: TenantSize;
  readonly records: number;
  readonly loadSeconds: number;
  readonly routes: Record<string, RouteFigures>;
}

export interface RouteExpectation {
  readonly route: string;
  readonly ok: boolean;
  readonly detail: string;
}

export interface ReportRoutesReport {
  readonly calls: number;
  readonly runs: SizedRun[];
  readonly routes: readonly { readonly name: string; readonly growsWith?: string }[];
  readonly expectations: RouteExpectation[];
}

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
const twoYears = () => ({ from: day(-730), to: day(0) });
const lastQuarter = () => ({ from: day(-90), to: day(0) });

export const routeCalls: readonly RouteCall[] = [
  { name: 'overview', handler: 'reports', routeKey: 'GET /reports/overview', request: () => ({}) },
  ...(['month', 'owner', 'team', 'product', 'country'] as const).map(
    (groupBy): RouteCall => ({
      name: `sales by ${groupBy}`,
      handler: 'reports',
      routeKey: 'GET /reports/sales',
      request: () => ({ query: { ...twoYears(), groupBy } }),
    }),
  ),
  { name: 'pipeline', handler: 'reports', routeKey: 'GET /reports/pipeline', request: () => ({}) },
  {
    name: 'win-rate by owner',
    handler: 'reports',
    routeKey: 'GET /reports/win-rate',
    request: () => ({ query: { ...twoYears(), groupBy: 'owner' } }),
  },
  {
    name: 'leads by source',
    handler: 'reports',
    routeKey: 'GET /reports/leads',
    request: () => ({ query: { ...twoYears(), groupBy: 'source' } }),
  },
  {
    name: 'cases by type',
    handler: 'reports',
    routeKey: 'GET /reports/cases',
    request: () => ({ query: { ...twoYears(), groupBy: 'type' } }),
  },
  {
    name: 'activities by owner',
    handler: 'reports',
    routeKey: 'GET /reports/activities',
    request: () => ({ query: { ...twoYears(), groupBy: 'owner' } }),
  },
  {
    name: 'forecast (12 months)',
    handler: 'reports',
    routeKey: 'GET /reports/forecast',
    request: () => ({ query: { months: '12' } }),
  },
  {
    name: 'campaigns',
    handler: 'reports',
    routeKey: 'GET /reports/campaigns',
    request: () => ({ query: lastQuarter() }),
    growsWith: 'the campaigns started in the period (one here)',
  },
  {
    name: 'campaign timeseries by day',
    handler: 'reports',
    routeKey: 'GET /reports/campaigns/{id}/timeseries',
    request: (tenant) => ({ params: { id: tenant.campaignId }, query: { bucket: 'day' } }),
    growsWith: "the hours with activity in the campaign's life",
  },
  {
    name: 'kpis',
    handler: 'reports',
    routeKey: 'GET /reports/kpis',
    request: () => ({ query: lastQuarter() }),
  },
  {
    name: 'customers by value',
    handler: 'reports',
    routeKey: 'GET /reports/customers',
    request: () => ({ query: { sort: 'value' } }),
    growsWith: 'the companies and the days they bought',
  },
  {
    name: 'GET /contacts/{id} (engagement score)',
    handler: 'contacts',
    routeKey: 'GET /contacts/{id}',
    request: (tenant) => ({ params: { id: tenant.engagedContactId } }),
  },
];

const sumOf = (snapshot: MeterSnapshot, pick: (stats: MeterSnapshot[string]) => number) =>
  Object.values(snapshot).reduce((total, stats) => total + pick(stats), 0);

async function measure(
  meter: DynamoMeter,
  tenant: LoadedTenant,
  calls: number,
): Promise<Record<string, RouteFigures>> {
  const handlers: Record<RouteCall['handler'], HttpHandler> = {
    reports: (await import('#functions/http/reports')).handler as unknown as HttpHandler,
    contacts: (await import('#functions/http/contacts')).handler as unknown as HttpHandler,
  };
  const caller: BenchCaller = {
    tenantId: tenant.tenantId,
    userId: 'bench-admin',
    role: 'admin',
    email: 'admin@bench.example',
  };
  const figures: Record<string, RouteFigures> = {};
  for (const route of routeCalls) {
    const times: number[] = [];
    let snapshot: MeterSnapshot = {};
    // One warm-up call, then `calls` metered ones.
    for (let call = 0; call <= calls; call++) {
      meter.reset();
      meter.start();
      const started = performance.now();
      const response = await handlers[route.handler](
        httpEvent(route.routeKey, caller, route.request(tenant)),
        lambdaContext(route.handler),
      );
      const ms = performance.now() - started;
      meter.stop();
      if (response.statusCode !== 200)
        throw new Error(
          `${route.name} answered ${response.statusCode}: ${String(response.body).slice(0, 300)}`,
        );
      if (call > 0) times.push(ms);
      snapshot = meter.snapshot();
    }
    figures[route.name] = {
      requests: Object.fromEntries(
        Object.entries(snapshot).map(([operation, stats]) => [operation, stats.count]),
      ),
      readUnits: sumOf(snapshot, (stats) => stats.readUnits),
      itemsRead: sumOf(snapshot, (stats) => stats.itemsRead),
      medianMs: median(times),
    };
  }
  return figures;
}

export interface ReportRoutesSettings {
  readonly tableName: string;
  readonly sizes: readonly { readonly label: string; readonly size: TenantSize }[];
  readonly calls: number;
  readonly log: (line: string) => void;
}

export async function runReportRoutes(
  meter: DynamoMeter,
  settings: ReportRoutesSettings,
): Promise<ReportRoutesReport> {
  const runs: SizedRun[] = [];
  for (const { label, size } of settings.sizes) {
    const tenantId = `bench-routes-${label}-${Date.now().toString(36)}`;
    settings.log(`reports: loading the ${label} tenant (${JSON.stringify(size)})`);
    const tenant = await loadTenant(settings.tableName, tenantId, size, settings.log);
    settings.log(
      `reports: ${label} tenant: ${tenant.records} items in ${tenant.seconds.toFixed(0)} s; calling the routes`,
    );
    runs.push({
      label,
      size,
      records: tenant.records,
      loadSeconds: tenant.seconds,
      routes: await measure(meter, tenant, settings.calls),
    });
  }
  const expectations = routeCalls.map((route): RouteExpectation => {
    const queries = runs.map((run) => run.routes[route.name]?.requests.Query ?? 0);
    const same = queries.every((count) => count === queries[0]);
    return {
      route: route.name,
      ok: same || route.growsWith !== undefined,
      detail: `${queries.join(' vs ')} Queries${same ? '' : route.growsWith ? ` (grows with ${route.growsWith})` : ''}`,
    };
  });
  return {
    calls: settings.calls,
    runs,
    routes: routeCalls.map(({ name, growsWith }) => ({ name, ...(growsWith ? { growsWith } : {}) })),
    expectations,
  };
}

const requestsText = (requests: Record<string, number>) =>
  Object.entries(requests)
    .map(([operation, count]) => `${count} ${operation}`)
    .join(' + ') || 'none';

const sizeText = (size: TenantSize) =>
  `${size.contacts.toLocaleString('en')} contacts, ${size.companies.toLocaleString('en')} companies, ${size.deals.toLocaleString('en')} deals, ${size.leads.toLocaleString('en')} leads, ${size.cases.toLocaleString('en')} cases, ${size.activities.toLocaleString('en')} activities, 1 campaign with ${size.deliveries.toLocaleString('en')} deliveries`;

/** The markdown of this part of the reports section. */
export function renderReportRoutes(report: ReportRoutesReport): string[] {
  const { runs } = report;
  const heads = runs.flatMap((run) => [
    `${run.label}: requests`,
    `${run.label}: read units`,
    `${run.label}: items read`,
    `${run.label}: median ms`,
  ]);
  const expectations = new Map(report.expectations.map((entry) => [entry.route, entry]));
  return [
    '### Report routes: requests per call at two tenant sizes',
    '',
    'Every report route handler (`functions/http/reports.ts`) and `GET /contacts/{id}` (which scores the',
    "contact's engagement) called in process as an admin, on two tenants loaded into the same table",
    "(`bench/report-tenant.ts`: items built with the stores' `toItem`, written with BatchWriteItem, their images fed",
    'to the real aggregates consumer, `applyAggregates`; two years of history over 8 owners, 3 teams, 6 countries,',
    '3 currencies and every stage):',
    '',
    ...runs.map(
      (run) =>
        `- ${run.label}: ${sizeText(run.size)} (${run.records.toLocaleString('en')} items, loaded in ${run.loadSeconds.toFixed(0)} s)`,
    ),
    '',
    `Requests, read units (as DynamoDB Local reports them) and items read are those of one call (every call of a route asks the same);`,
    `the median is over ${report.calls} calls after a warm-up call. Expected: the same number of Queries at both sizes, except`,
    'where a route reads something that grows with other than records (named in the last column).',
    '',
    `| Route | ${heads.join(' | ')} | Queries equal? |`,
    `| --- | ${heads.map(() => '---').join(' | ')} | --- |`,
    ...report.routes.map((route) => {
      const cells = runs.flatMap((run) => {
        const figures = run.routes[route.name];
        return figures
          ? [
              requestsText(figures.requests),
              figures.readUnits.toFixed(1),
              String(figures.itemsRead),
              figures.medianMs.toFixed(1),
            ]
          : ['', '', '', ''];
      });
      const expectation = expectations.get(route.name);
      const queries = runs.map((run) => run.routes[route.name]?.requests.Query ?? 0);
      const same = queries.every((count) => count === queries[0]);
      const verdict = same
        ? 'yes'
        : route.growsWith
          ? `no: grows with ${route.growsWith}`
          : `**no** (${expectation?.detail ?? ''})`;
      return `| ${route.name} | ${cells.join(' | ')} | ${verdict} |`;
    }),
    '',
    ...growthNote(report),
  ];
}

/** What the table shows beyond the Query counts: the reads' growth, and how close a shard is to a second page. */
function growthNote(report: ReportRoutesReport): string[] {
  const first = report.runs[0];
  const last = report.runs.at(-1);
  if (!first || !last || first === last) return [];
  const equal = report.routes.filter((route) => {
    const queries = report.runs.map((run) => run.routes[route.name]?.requests.Query ?? 0);
    return queries.every((count) => count === queries[0]);
  });
  const growth = report.routes
    .map((route) => ({
      name: route.name,
      from: first.routes[route.name]?.itemsRead ?? 0,
      to: last.routes[route.name]?.itemsRead ?? 0,
    }))
    .sort((a, b) => b.to / Math.max(1, b.from) - a.to / Math.max(1, a.from))[0];
  const heaviest = report.routes
    .map((route) => {
      const figures = last.routes[route.name];
      const queries = figures?.requests.Query ?? 0;
      return { name: route.name, perQuery: queries > 0 ? (figures?.readUnits ?? 0) / queries : 0 };
    })
    .sort((a, b) => b.perQuery - a.perQuery)[0];
  return [
    `Queries per call are the same at both sizes for ${equal.length} of ${report.routes.length} routes. Read units and items read are not:`,
    "they count the aggregate items a report's period holds (one per day and group value, so bounded by the days times the",
    'values rather than by the records), which grew here by up to',
    `${growth ? `${(growth.to / Math.max(1, growth.from)).toFixed(0)}× (${growth.name}: ${growth.from} → ${growth.to} items)` : 'nothing'}.`,
    'Every page of a Query is counted above, and a page holds at most 1 MB: a route keeps its Query count only while each',
    `shard's part of the period fits in one page. The heaviest here read ${heaviest ? `${heaviest.perQuery.toFixed(1)} read units per Query (${heaviest.name}, ${last.label} tenant)` : 'nothing'}.`,
  ];
}
