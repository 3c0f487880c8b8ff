import type { Bill, BillLine } from './bill.ts';
import {
  freeTiers,
  lambdaTraceSampling,
  PRICE_REGION,
  PRICE_TABLE_DATE,
  type PriceSource,
  prices,
} from './prices.ts';

/** The bill as text: aligned columns, the idle section, the free tier credit, SES, then the one line for scripts. */

/** Dollars with cents; a positive amount under a cent shows as `<$0.01`, not as nothing. */
export function usd(amount: number): string {
  if (amount > 0 && amount < 0.005) return '<$0.01';
  return `$${amount.toFixed(2)}`;
}

/** A unit price as the page gives it: `$0.20 per 1M requests`, `$0.0000133334 per GB-seconds`. */
export function unitPrice(l: BillLine): string {
  const p = prices[l.price];
  const per =
    p.per === 1 ? '' : p.per >= 1_000_000 ? `${p.per / 1_000_000}M ` : `${p.per.toLocaleString('en-US')} `;
  const amount = p.usd >= 0.01 ? p.usd.toFixed(Math.max(2, decimals(p.usd))) : String(p.usd);
  return `$${amount} per ${per}${p.unit}`;
}

const decimals = (n: number): number => (String(n).split('.')[1] ?? '').length;

export function quantity(value: number): string {
  if (value === 0) return '0';
  if (Math.abs(value) >= 100) return Math.round(value).toLocaleString('en-US');
  return Number(value.toPrecision(3)).toLocaleString('en-US', { maximumFractionDigits: 6 });
}

/** Issue 16's target for the reference team: under $5 a month of AWS, SES apart. */
export const TARGET_USD = 5;

/** Whether `bill` is under the target at list price, and if not, its largest lines. */
export function targetLine(bill: Bill): string {
  const head = `Target, under ${usd(TARGET_USD)} a month plus SES:`;
  if (bill.listUsd < TARGET_USD) return `${head} met at list price (${usd(bill.listUsd)})`;
  const largest = [...bill.activity, ...bill.idle]
    .sort((a, b) => b.usd - a.usd)
    .slice(0, 4)
    .map((l) => `${l.service} ${l.item} ${usd(l.usd)}`);
  const afterFree = bill.listUsd - bill.creditUsd;
  return `${head} not met at list price (${usd(bill.listUsd)}; ${usd(afterFree)} after the always-free allowances${afterFree < TARGET_USD ? ', which meets it in an account with nothing else in it' : ''}); the largest lines: ${largest.join(', ')}`;
}

/** The last line of the output, the one scripts read. */
export function totalLine(awsUsd: number, sesUsd: number): string {
  return `AWS total: $${awsUsd.toFixed(2)} per month; SES: $${sesUsd.toFixed(2)} per month`;
}

function table(rows: readonly (readonly string[])[], rightAligned: ReadonlySet<number>): string[] {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => row[column]?.length ?? 0))) ?? [];
  return rows.map((row) =>
    row
      .map((cell, column) =>
        rightAligned.has(column) ? cell.padStart(widths[column] ?? 0) : cell.padEnd(widths[column] ?? 0),
      )
      .join('  ')
      .trimEnd(),
  );
}

const rowOf = (l: BillLine): string[] => [
  l.service,
  l.item,
  `${quantity(l.quantity)} ${l.unit}`,
  unitPrice(l),
  usd(l.usd),
];

export interface ReportContext {
  /** Where the counts came from: file, mode, date, commit. */
  readonly counts: string;
  readonly workload: readonly string[];
  readonly notes: readonly string[];
  readonly unpriced: readonly string[];
}

/** The whole report; its last line is `totalLine`. */
export function report(bill: Bill, context: ReportContext): string {
  const header = ['Service', 'Item', 'Quantity', 'Unit price', 'Cost'];
  const right = new Set([2, 4]);
  const activityUsd = bill.listUsd - bill.idleUsd;
  const out: string[] = [
    `Monthly AWS bill, ${PRICE_REGION} list prices of ${PRICE_TABLE_DATE} (cost/prices.ts: each price's page and copy)`,
    `Counts: ${context.counts}`,
    'Workload:',
    ...context.workload.map((w) => `  ${w}`),
    '',
    "What the month's work costs",
    ...table([header, ...bill.activity.map(rowOf), ['', '', '', 'activity', usd(activityUsd)]], right),
    '',
    'Idle: what this tenant costs with no activity at all (included in the total)',
    ...table([header, ...bill.idle.map(rowOf), ['', '', '', 'idle', usd(bill.idleUsd)]], right),
    '',
    `AWS at list price: ${usd(bill.listUsd)} per month`,
    `Always-free allowances (per account, shared with anything else in it): −${usd(bill.creditUsd).replace('<', '')}`,
    ...bill.credits.map(
      (c) =>
        `  ${prices[c.tier.price].service} ${prices[c.tier.price].item}: ${quantity(c.used)} of ${quantity(c.tier.quantity)} ${prices[c.tier.price].unit} free (−${usd(c.usd).replace('<', '')})`,
    ),
    `AWS after the always-free allowances: ${usd(Math.max(0, bill.listUsd - bill.creditUsd))} per month`,
    targetLine(bill),
    '',
    `SES, apart: ${quantity(bill.ses.quantity)} ${bill.ses.unit} at ${unitPrice(bill.ses)} = ${usd(bill.ses.usd)}`,
  ];
  if (context.notes.length > 0) out.push('', 'Notes:', ...context.notes.map((n) => `  - ${n}`));
  if (context.unpriced.length > 0)
    out.push('', 'Not in this bill:', ...context.unpriced.map((n) => `  - ${n}`));
  out.push('', totalLine(bill.listUsd, bill.ses.usd));
  return `${out.join('\n')}\n`;
}

const sourceLines = (source: PriceSource): string[] => [
  `    page: ${source.page}`,
  `    read at: ${source.seenAt} (${source.copyDate})`,
  `    says: "${source.quote}"`,
];

/** The price table with each price's source, for `npm run cost -- --prices`. */
export function priceTable(): string {
  const out = [`List prices, ${PRICE_REGION}, table of ${PRICE_TABLE_DATE} (cost/prices.ts)`, ''];
  for (const p of Object.values(prices)) {
    const per = p.per === 1 ? '' : `${p.per.toLocaleString('en-US')} `;
    out.push(`${p.service}, ${p.item}: $${p.usd} per ${per}${p.unit}`, ...sourceLines(p.source));
  }
  const { reservoirPerSecond, fixedRate } = lambdaTraceSampling;
  out.push(
    '',
    `X-Ray sampling of Lambda's active tracing: ${reservoirPerSecond} request a second, then ${fixedRate * 100} % of the rest`,
    ...sourceLines(lambdaTraceSampling.source),
  );
  out.push('', 'Free tiers');
  for (const tier of freeTiers) {
    const p = prices[tier.price];
    out.push(
      `${p.service}, ${p.item}: ${tier.quantity.toLocaleString('en-US')} ${p.unit} a month (${tier.term})`,
      ...sourceLines(tier.source),
    );
  }
  return `${out.join('\n')}\n`;
}
