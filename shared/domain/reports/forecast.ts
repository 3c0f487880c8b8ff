import { type Contribution, type Counters, groupKey, isLive, type ReportAggregate } from './aggregate.ts';
import { counter, moneyByCurrency } from './figures.ts';
import { money, moneyCounter, monthOf, number, text } from './image.ts';
import { UNASSIGNED } from './sales.ts';

/**
 * Forecast (`GET /reports/forecast?months=`): live open deals by expected
 * close month and owner, keyed `month#<YYYY-MM>#<ownerId>`, and those without
 * an `expectedCloseDate` under `undated#<ownerId>`. Counters: `count`,
 * `amount#<CUR>` (minor units), `weighted#<CUR>` (minor units × probability
 * percent). Which months are past is decided when the report is read, so a
 * deal becomes overdue without any write.
 */
export const FORECAST_REPORT = 'forecast';

export const MIN_FORECAST_MONTHS = 1;
export const MAX_FORECAST_MONTHS = 24;
export const DEFAULT_FORECAST_MONTHS = 12;

export const forecastAggregate: ReportAggregate = {
  report: FORECAST_REPORT,
  entities: ['deal'],
  contribute(image) {
    if (!isLive(image, ['deal']) || image.status !== 'open') return [];
    const owner = text(image, 'ownerId') ?? UNASSIGNED;
    const deal = money(image);
    const probability = number(image, 'probability') ?? 0;
    const weight = Number.isInteger(probability) && probability >= 0 && probability <= 100 ? probability : 0;
    const counters = {
      count: 1,
      ...(deal
        ? {
            [moneyCounter('amount', deal.currency)]: deal.minor,
            [moneyCounter('weighted', deal.currency)]: deal.minor * weight,
          }
        : {}),
    };
    const month = monthOf(text(image, 'expectedCloseDate'));
    const contribution: Contribution = {
      report: FORECAST_REPORT,
      key: month ? groupKey('month', month, owner) : groupKey('undated', owner),
      counters,
    };
    return [contribution];
  },
};

/** `YYYY-MM` plus `months` months. */
export function addMonths(month: string, months: number): string {
  const [year = 0, index = 1] = month.split('-').map(Number);
  const total = year * 12 + (index - 1) + months;
  return `${String(Math.floor(total / 12)).padStart(4, '0')}-${String((total % 12) + 1).padStart(2, '0')}`;
}

export interface ForecastFigures {
  readonly count: number;
  readonly amount: Record<string, number>;
  readonly weightedAmount: Record<string, number>;
}

export interface ForecastRow extends ForecastFigures {
  readonly month: string;
  readonly ownerId: string;
}

export interface OwnerRow extends ForecastFigures {
  readonly ownerId: string;
}

export interface Forecast {
  /** The first and last month covered, `YYYY-MM`. */
  readonly from: string;
  readonly to: string;
  readonly items: ForecastRow[];
  /** Open deals without an expected close date, per owner. */
  readonly undated: OwnerRow[];
  /** Open deals whose expected close month is before `from`, per owner. */
  readonly overdue: OwnerRow[];
}

const figures = (counters: Counters): ForecastFigures => ({
  count: counter(counters, 'count'),
  amount: moneyByCurrency(counters, 'amount'),
  weightedAmount: moneyByCurrency(counters, 'weighted', 100),
});

const byKey = <T extends { ownerId: string }>(rows: Map<string, T>) =>
  [...rows.values()].sort((a, b) => (a.ownerId < b.ownerId ? -1 : a.ownerId > b.ownerId ? 1 : 0));

/**
 * The forecast from every item of the report: `months` months from `current`
 * (`YYYY-MM`, this month) on, rows sorted by month then owner; months and
 * owners without open deals are left out.
 */
export function forecastOf(items: ReadonlyMap<string, Counters>, current: string, months: number): Forecast {
  const last = addMonths(current, months - 1);
  const rows: ForecastRow[] = [];
  const undated = new Map<string, Record<string, number>>();
  const overdue = new Map<string, Record<string, number>>();
  const add = (into: Map<string, Record<string, number>>, owner: string, counters: Counters) => {
    const sum = into.get(owner) ?? {};
    for (const [name, value] of Object.entries(counters)) sum[name] = (sum[name] ?? 0) + value;
    into.set(owner, sum);
  };
  for (const [key, counters] of items) {
    const [kind, first = '', ...rest] = key.split('#');
    if (kind === 'undated') add(undated, [first, ...rest].join('#'), counters);
    if (kind !== 'month') continue;
    const owner = rest.join('#');
    if (first < current) add(overdue, owner, counters);
    else if (first <= last) rows.push({ month: first, ownerId: owner, ...figures(counters) });
  }
  const ownerRows = (sums: Map<string, Record<string, number>>) =>
    byKey(new Map([...sums].map(([ownerId, counters]) => [ownerId, { ownerId, ...figures(counters) }])));
  rows.sort((a, b) =>
    a.month !== b.month
      ? a.month < b.month
        ? -1
        : 1
      : a.ownerId < b.ownerId
        ? -1
        : a.ownerId > b.ownerId
          ? 1
          : 0,
  );
  return { from: current, to: last, items: rows, undated: ownerRows(undated), overdue: ownerRows(overdue) };
}
