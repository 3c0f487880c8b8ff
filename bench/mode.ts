import { intFromEnv } from './run-info.ts';

/**
 * The bench's two modes and every size of every section in each. `full` is what BENCHMARKS.md
 * publishes; `quick` measures every figure of the full run at smaller sizes, chosen so that each
 * expectation the full run checks is still checked (e.g. the rate-limited campaign still sends for
 * half a minute, so "no second above the rate" has seconds to look at), and meant to keep the whole
 * `npm run bench -- --quick` under 5 minutes on an idle 2-core machine (README: what each part took).
 *
 * The mode comes from `--quick` on the command line, else BENCH_MODE=quick (bench/run.ts sets it
 * for its child scripts, so one section run alone takes the same flag or variable). A BENCH_*
 * variable still overrides one size in either mode, and the section's mode line names it.
 */

export type BenchMode = 'full' | 'quick';

export interface SizeSpec {
  readonly full: number;
  readonly quick: number;
  /** The BENCH_* variable that overrides this size, if any; of several, the first one set. */
  readonly env?: string | readonly string[];
  /** What the number counts, as printed after it in a mode line ("30 calls per operation"). */
  readonly label: string;
}

export interface SectionPlan {
  readonly sizes: Readonly<Record<string, SizeSpec>>;
}

export const sections = {
  operations: {
    sizes: {
      iterations: { full: 200, quick: 20, env: 'BENCH_ITERATIONS', label: 'measured calls per operation' },
      warmup: { full: 20, quick: 3, label: 'warm-up calls' },
      listTenantContacts: { full: 500, quick: 500, label: 'contacts in the list tenant' },
    },
  },
  stream: {
    sizes: {
      batches: { full: 20, quick: 5, env: 'BENCH_STREAM_BATCHES', label: 'batches' },
      batchSize: { full: 100, quick: 100, label: 'records per batch' },
    },
  },
  segments: {
    sizes: {
      contacts: { full: 100_000, quick: 10_000, env: 'BENCH_SEGMENT_CONTACTS', label: 'contacts' },
    },
  },
  campaigns: {
    sizes: {
      recipients: {
        full: 10_000,
        quick: 1_000,
        env: 'BENCH_CAMPAIGN_RECIPIENTS',
        label: 'recipients with no limit',
      },
      // Quick: 30 s of sending at the rate, enough seconds for "no second above the rate" to mean something.
      rateRecipients: {
        full: 10_000,
        quick: 420,
        // BENCH_CAMPAIGN_RECIPIENTS alone sets both runs, as it always did.
        env: ['BENCH_CAMPAIGN_RATE_RECIPIENTS', 'BENCH_CAMPAIGN_RECIPIENTS'],
        label: 'recipients at the rate',
      },
      rate: { full: 14, quick: 14, label: 'emails per second in the limited run' },
    },
  },
  campaignSender: {
    sizes: {
      recipients: {
        full: 5_000,
        quick: 1_000,
        env: 'BENCH_SENDER_RECIPIENTS',
        label: 'recipients per run of 1, 2, 4 and 8 senders',
      },
      countRecipients: {
        full: 1_000,
        quick: 500,
        label: 'recipients counted with no limit and at 1,000/s',
      },
      // Quick: ten seconds at 14/s, still ten groups of 14 with a budget grant each.
      rateCountRecipients: { full: 500, quick: 140, label: 'recipients counted at 14/s' },
    },
  },
  bundles: {
    sizes: {
      initRuns: { full: 20, quick: 3, env: 'BENCH_INIT_RUNS', label: 'init runs per bundle' },
    },
  },
  reports: {
    sizes: {
      batches: { full: 20, quick: 5, env: 'BENCH_STREAM_BATCHES', label: 'mixed batches' },
      rebuildRecords: { full: 20_000, quick: 2_000, env: 'BENCH_REBUILD_RECORDS', label: 'records rebuilt' },
      // Quick: five times the small tenant's 1,000 contacts (its other records in proportion), so a
      // route whose Queries grew with the tenant still shows it.
      largeTenantContacts: {
        full: 100_000,
        quick: 5_000,
        env: 'BENCH_REPORT_CONTACTS',
        label: 'contacts in the large report tenant',
      },
      routeCalls: { full: 5, quick: 3, env: 'BENCH_REPORT_CALLS', label: 'calls per report route' },
    },
  },
  imports: {
    sizes: {
      // Quick: the import runs at about 90 rows/s locally (BENCHMARKS.md), so 2,000 rows and 200 take half a minute.
      rows: { full: 100_000, quick: 2_000, env: 'BENCH_IMPORT_ROWS', label: 'rows in the large import' },
    },
  },
  segmentLanguage: {
    sizes: {
      // Quick: one timed pass is still every sentence of the set (387 samples per vocabulary).
      passes: { full: 5, quick: 1, env: 'BENCH_LANGUAGE_PASSES', label: 'timed passes per vocabulary' },
    },
  },
  integrations: {
    sizes: {
      batches: { full: 20, quick: 5, env: 'BENCH_INTEGRATION_BATCHES', label: 'batches per mix' },
      deliveryBatches: { full: 5, quick: 2, env: 'BENCH_DELIVERY_BATCHES', label: 'delivery batches' },
    },
  },
  console: {
    sizes: {
      runs: { full: 3, quick: 1, env: 'BENCH_CONSOLE_RUNS', label: 'Lighthouse runs per page' },
    },
  },
} as const satisfies Record<string, SectionPlan>;

export type SectionName = keyof typeof sections;

/** One section's sizes in one mode, after the BENCH_* overrides. */
export interface SectionSizes<S extends SectionName> {
  readonly section: S;
  readonly mode: BenchMode;
  readonly values: { readonly [K in keyof (typeof sections)[S]['sizes']]: number };
  /** `NAME=value` for every size a BENCH_* variable set. */
  readonly overrides: readonly string[];
  /** The sizes as a mode line prints them: "30 measured calls per operation, 5 warm-up calls, ...". */
  readonly described: string;
}

/** The mode of this process: `--quick` among the arguments, else BENCH_MODE=quick, else full. */
export function benchMode(
  argv: readonly string[] = process.argv,
  env: NodeJS.ProcessEnv = process.env,
): BenchMode {
  return argv.includes('--quick') || env.BENCH_MODE === 'quick' ? 'quick' : 'full';
}

/** The sizes `section` runs at in `mode`; a set BENCH_* variable replaces its size and is listed. */
export function sectionSizes<S extends SectionName>(
  section: S,
  mode: BenchMode = benchMode(),
): SectionSizes<S> {
  const specs: Readonly<Record<string, SizeSpec>> = sections[section].sizes;
  const values: Record<string, number> = {};
  const overrides: string[] = [];
  const parts: string[] = [];
  for (const [key, spec] of Object.entries(specs)) {
    const planned = spec[mode];
    const names = spec.env === undefined ? [] : typeof spec.env === 'string' ? [spec.env] : spec.env;
    const setBy = names.find((name) => intFromEnv(name, 0) > 0);
    const value = setBy ? intFromEnv(setBy, planned) : planned;
    const override = `${setBy}=${value}`;
    if (setBy && value !== planned && !overrides.includes(override)) overrides.push(override);
    values[key] = value;
    parts.push(`${value.toLocaleString('en')} ${spec.label}`);
  }
  return {
    section,
    mode,
    values: values as SectionSizes<S>['values'],
    overrides,
    described: parts.join(', '),
  };
}

/** What a mode line records besides the sizes: the commit measured and when. */
export interface RunStamp {
  readonly commit: string;
  /** ISO 8601 time of the run. */
  readonly date: string;
}

/**
 * The line under a section's heading in BENCHMARKS.md, e.g.
 * `Mode: **quick**; sizes: 30 measured calls per operation, 5 warm-up calls; commit abc1234; 2026-11-30T12:00:00.000Z`.
 * An override shows as `**quick**, overridden by BENCH_ITERATIONS=50`. Parsed back by {@link parseModeLine}.
 */
export function modeLine(
  run: Pick<SectionSizes<SectionName>, 'mode' | 'overrides' | 'described'>,
  stamp: RunStamp,
): string {
  const overridden = run.overrides.length > 0 ? `, overridden by ${run.overrides.join(', ')}` : '';
  return `Mode: **${run.mode}**${overridden}; sizes: ${run.described}; commit ${stamp.commit}; ${stamp.date}`;
}

export interface ParsedModeLine {
  readonly mode: BenchMode;
  readonly overrides: readonly string[];
  readonly sizes: string;
  readonly commit: string;
  readonly date: string;
}

const MODE_LINE = /^Mode: \*\*(full|quick)\*\*(?:, overridden by ([^;]+))?; sizes: (.*); commit (.+); (\S+)$/;

/** The fields of a line {@link modeLine} wrote, or undefined for any other line. */
export function parseModeLine(line: string): ParsedModeLine | undefined {
  const match = MODE_LINE.exec(line.trim());
  if (!match) return undefined;
  const [, mode, overrides, sizes, commit, date] = match;
  return {
    mode: mode as BenchMode,
    overrides: overrides ? overrides.split(', ') : [],
    sizes: sizes ?? '',
    commit: commit ?? '',
    date: date ?? '',
  };
}
