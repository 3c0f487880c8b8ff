import { type CampaignCounts, campaignStats, emptyCounts } from '../campaign.ts';
import type { Counters } from './aggregate.ts';
import { casesRow } from './cases.ts';
import { addCounters, moneyByCurrency } from './figures.ts';
import { leadsRow } from './leads.ts';
import { winRateRow } from './win-rate.ts';

/**
 * The dashboard's figures (`GET /reports/kpis`), each for the period asked
 * and for the period of equal length before it (SPEC "Reports").
 *
 * Flow figures come from the same aggregates as their reports, summed over
 * the period: won amount (sales), win rate, deal size and cycle (win-rate,
 * by the day deals closed), new leads and their conversion (leads, by the day
 * they were created), SLA breach rate and CSAT (cases, by the day they were
 * opened), human open and click rates (campaigns started in the period).
 * `openCases` counts the cases opened in the period that are still open.
 *
 * The open pipeline and its weighted value are the state now, kept by the
 * forecast aggregate (every open deal): no earlier state is kept, so their
 * `previous` is null.
 */

/** What one period's figures are computed from: the aggregate items of each report, read for the period. */
export interface PeriodInputs {
  /** Items of the sales report's `month` dimension in the period. */
  readonly sales: ReadonlyMap<string, Counters>;
  readonly winRate: ReadonlyMap<string, Counters>;
  readonly leads: ReadonlyMap<string, Counters>;
  readonly cases: ReadonlyMap<string, Counters>;
  /** Counters of the campaigns started in the period. */
  readonly campaigns: readonly CampaignCounts[];
}

export interface PeriodFigures {
  readonly wonAmount: Record<string, number>;
  readonly wonDeals: number;
  readonly winRate: number;
  readonly avgDealSize: Record<string, number>;
  readonly salesCycleDays: number | null;
  readonly newLeads: number;
  readonly leadConversionRate: number;
  readonly openCases: number;
  readonly slaBreachRate: number;
  readonly csatAverage: number | null;
  readonly campaignOpenRate: number;
  readonly campaignClickRate: number;
}

export interface Figure<T> {
  readonly value: T;
  readonly previous: T | null;
}

export type Kpis = { [Name in keyof PeriodFigures]: Figure<PeriodFigures[Name]> } & {
  readonly openPipeline: Figure<Record<string, number>>;
  readonly weightedPipeline: Figure<Record<string, number>>;
};

const total = (items: ReadonlyMap<string, Counters>): Counters => {
  const sum: Record<string, number> = {};
  for (const counters of items.values()) addCounters(sum, counters);
  return sum;
};

/** One period's flow figures. */
export function periodFigures(inputs: PeriodInputs): PeriodFigures {
  const sales = total(inputs.sales);
  const winRate = winRateRow('all', total(inputs.winRate));
  const leads = leadsRow('all', total(inputs.leads));
  const cases = casesRow('all', total(inputs.cases));
  const counts = emptyCounts();
  for (const campaign of inputs.campaigns)
    for (const name of Object.keys(counts) as (keyof CampaignCounts)[]) counts[name] += campaign[name];
  const campaigns = campaignStats(counts);
  return {
    wonAmount: moneyByCurrency(sales, 'amount'),
    wonDeals: sales.count ?? 0,
    winRate: winRate.winRate,
    avgDealSize: winRate.avgDealSize,
    salesCycleDays: winRate.avgCycleDays,
    newLeads: leads.created,
    leadConversionRate: leads.conversionRate,
    openCases: cases.opened - cases.resolved,
    slaBreachRate: cases.slaBreachRate,
    csatAverage: cases.csatAvg,
    campaignOpenRate: campaigns.openRate,
    campaignClickRate: campaigns.clickRate,
  };
}

/**
 * The KPIs from this period's and the previous period's figures and the
 * forecast items (every open deal, amounts and probability-weighted amounts).
 */
export function kpis(
  current: PeriodFigures,
  previous: PeriodFigures,
  openDeals: ReadonlyMap<string, Counters>,
): Kpis {
  const open = total(openDeals);
  const figures = Object.fromEntries(
    (Object.keys(current) as (keyof PeriodFigures)[]).map((name) => [
      name,
      { value: current[name], previous: previous[name] },
    ]),
  ) as { [Name in keyof PeriodFigures]: Figure<PeriodFigures[Name]> };
  return {
    openPipeline: { value: moneyByCurrency(open, 'amount'), previous: null },
    // Weighted counters hold minor units × probability percent.
    weightedPipeline: { value: moneyByCurrency(open, 'weighted', 100), previous: null },
    ...figures,
  };
}
