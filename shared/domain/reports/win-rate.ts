import { fromMinor } from '../money.ts';
import { type Counters, isLive, type ReportAggregate } from './aggregate.ts';
import { customGroupContributions } from './custom-groups.ts';
import { average, counter, moneyByCurrency, rate, SECONDS_PER_DAY } from './figures.ts';
import { dayOf, money, moneyCounter, secondsBetween, text } from './image.ts';
import { periodContributions } from './periods.ts';
import { UNASSIGNED } from './sales.ts';

/**
 * Win rate (`GET /reports/win-rate?groupBy=`): closed deals (won or lost, live)
 * by the day they closed, keyed `<dimension>#<closedAt day>[#<value>]` for
 * `month` (no value), `owner` and `source` (`none` when the deal has none).
 * Counters: `won`, `lost`; of won deals `amount#<CUR>` (minor units) with
 * `won#<CUR>` (how many won deals in that currency, for the average deal
 * size), and `cycled`/`cycleSeconds` (won deals whose createdAt and closedAt
 * are known, and the seconds between them).
 */
export const winRateDimensions = ['month', 'owner', 'source'] as const;
export type WinRateDimension = (typeof winRateDimensions)[number];

export const WIN_RATE_REPORT = 'win-rate';

export const winRateAggregate: ReportAggregate = {
  report: WIN_RATE_REPORT,
  entities: ['deal'],
  contribute(image) {
    if (!isLive(image, ['deal'])) return [];
    const status = image.status;
    if (status !== 'won' && status !== 'lost') return [];
    const day = dayOf(text(image, 'closedAt'));
    if (!day) return [];
    let counters: Record<string, number> = { lost: 1 };
    if (status === 'won') {
      const deal = money(image);
      const cycle = secondsBetween(text(image, 'createdAt'), text(image, 'closedAt'));
      counters = {
        won: 1,
        ...(deal
          ? { [moneyCounter('amount', deal.currency)]: deal.minor, [moneyCounter('won', deal.currency)]: 1 }
          : {}),
        ...(cycle !== undefined ? { cycled: 1, cycleSeconds: cycle } : {}),
      };
    }
    return [
      ...periodContributions(WIN_RATE_REPORT, day, counters, {
        owner: text(image, 'ownerId') ?? UNASSIGNED,
        source: text(image, 'source') ?? UNASSIGNED,
      }),
      ...customGroupContributions(WIN_RATE_REPORT, image, day, counters),
    ];
  },
};

/** One row of `GET /reports/win-rate`. */
export interface WinRateRow {
  readonly key: string;
  readonly won: number;
  readonly lost: number;
  /** won / (won + lost), 4 digits. */
  readonly winRate: number;
  /** Per currency: the average amount of the won deals in that currency. */
  readonly avgDealSize: Record<string, number>;
  /** Average days from creation to closing of won deals, 1 decimal; null without any. */
  readonly avgCycleDays: number | null;
}

export function winRateRow(key: string, counters: Counters): WinRateRow {
  const won = counter(counters, 'won');
  const lost = counter(counters, 'lost');
  const avgDealSize: Record<string, number> = {};
  for (const currency of Object.keys(moneyByCurrency(counters, 'amount'))) {
    const deals = counter(counters, moneyCounter('won', currency));
    const minor = counter(counters, moneyCounter('amount', currency));
    if (deals > 0) avgDealSize[currency] = fromMinor(Math.round(minor / deals));
  }
  return {
    key,
    won,
    lost,
    winRate: rate(won, won + lost),
    avgDealSize,
    avgCycleDays: average(counter(counters, 'cycleSeconds') / SECONDS_PER_DAY, counter(counters, 'cycled')),
  };
}
