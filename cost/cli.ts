import { readFile, writeFile } from 'node:fs/promises';
import { readUnitCounts, UNIT_COUNTS_FILE, type UnitCountsRun } from '../bench/unit-counts.ts';
import { bill, invocationsOf } from './bill.ts';
import { freeTiers, lambdaTraceSampling, prices, unpriced } from './prices.ts';
import { apiCategories, applyOverrides, flagFields, type Profile, parseProfile } from './profile.ts';
import { spliceBill } from './readme.ts';
import { priceTable, quantity, report } from './report.ts';
import { storedKinds, usageOf } from './usage.ts';
import { DERIVED_STREAM_UNIT, type MonthlyUnits, monthlyUnits } from './workload.ts';

/**
 * `npm run cost [-- --profile <file.json>] [--counts <unit-counts.json>] [--mode full|quick]
 * [--seats N --contacts N --api-calls N --emails N ...] [--tracing active] [--readme]`: the monthly AWS bill of a
 * workload from the bench's measured counts (`--readme` also writes it into README.md);
 * `npm run cost -- --prices`: the price table with each price's source. Exit codes: 0 printed, 1 the counts cannot price it, 2 bad arguments
 * or profile.
 */

const DEFAULT_PROFILE = 'cost/profiles/reference-team.json';

class UsageError extends Error {}

interface Args {
  profile: string;
  counts: string;
  mode: 'full' | 'quick' | undefined;
  /** Also write the bill into README.md's "What it costs" section. */
  readme: boolean;
  /** Print the price table with its sources instead of a bill. */
  prices: boolean;
  overrides: { path: string; value: number | string }[];
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = {
    profile: DEFAULT_PROFILE,
    counts: UNIT_COUNTS_FILE,
    mode: undefined,
    readme: false,
    prices: false,
    overrides: [],
  };
  for (let i = 0; i < argv.length; i += 1) {
    const flag = argv[i] ?? '';
    if (flag === '--readme' || flag === '--prices') {
      args[flag === '--readme' ? 'readme' : 'prices'] = true;
      continue;
    }
    const [name, inline] = flag.includes('=')
      ? (flag.split(/=(.*)/s, 2) as [string, string])
      : [flag, undefined];
    const value = inline ?? argv[++i];
    if (value === undefined) throw new UsageError(`${name}: needs a value`);
    if (name === '--profile') args.profile = value;
    else if (name === '--counts') args.counts = value;
    else if (name === '--mode') {
      if (value !== 'full' && value !== 'quick') throw new UsageError('--mode: full or quick');
      args.mode = value;
    } else if (flagFields[name]) {
      const n = Number(value);
      args.overrides.push({
        path: flagFields[name],
        value: value.trim() !== '' && Number.isFinite(n) ? n : value,
      });
    } else {
      throw new UsageError(
        `${name}: unknown flag (--profile, --counts, --mode, --readme, --prices, ${Object.keys(flagFields).join(', ')})`,
      );
    }
  }
  return args;
}

async function loadProfile(args: Args): Promise<Profile> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(args.profile, 'utf8'));
  } catch (error) {
    throw new UsageError(`${args.profile}: ${(error as Error).message}`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw new UsageError(`${args.profile}: must be a JSON object`);
  const parsed = parseProfile(applyOverrides(json as Record<string, unknown>, args.overrides));
  if ('errors' in parsed) throw new UsageError(`${args.profile}:\n  ${parsed.errors.join('\n  ')}`);
  return parsed.profile;
}

function pickRun(file: Awaited<ReturnType<typeof readUnitCounts>>, mode: Args['mode'], path: string) {
  const run = mode ? file.runs[mode] : (file.runs.full ?? file.runs.quick);
  if (!run) {
    throw new Error(
      `${path} holds no ${mode ?? 'full or quick'} run: run \`npm run bench:units\` (or \`npm run bench\`) first`,
    );
  }
  const label =
    run.mode === 'full'
      ? 'the full run'
      : 'the quick run (no full run in the file: figures at smaller sizes)';
  return { run, label };
}

const pct = (share: number) => `${Math.round(share * 1000) / 10} %`;

function describe(profile: Profile, units: MonthlyUnits, run: UnitCountsRun): string[] {
  const lines = [
    profile.description,
    `${profile.seats} seats making ${quantity(profile.apiCallsPerMonth)} API calls a month:`,
  ];
  for (const category of apiCategories) {
    const spread = units.apiSpread.get(category);
    if (!spread) continue;
    lines.push(
      `  ${category} ${pct(profile.apiMix[category])} (${quantity(profile.apiCallsPerMonth * profile.apiMix[category])}): ${spread.join(', ')}`,
    );
  }
  const q = (id: string) => quantity(units.quantities.get(id) ?? 0);
  lines.push(
    `${quantity(profile.emailsPerMonth)} campaign emails a month; opened ${pct(profile.openRate)} (${q('tracking.open')} tracked opens), clicked ${pct(profile.clickRate)} (${q('tracking.click')} tracked clicks); ${profile.sesEventsPerEmail} SES events each (${q('ses.event')})`,
    `${quantity(profile.importRowsPerMonth)} imported rows, ${quantity(profile.remindersPerMonth)} reminders, ${quantity(profile.webhookDeliveriesPerMonth)} webhook deliveries, ${quantity(profile.sequenceStepsPerMonth)} sequence steps a month`,
    `${quantity(units.streamRecords)} stream records a month: ${quantity(units.quantities.get('stream.record') ?? 0)} of the writes above, ${quantity(units.quantities.get(DERIVED_STREAM_UNIT) ?? 0)} of the consumer's own items (stream.record writes ${quantity(run.units['stream.record']?.streamRecords ?? 0)} per record)`,
  );
  const stored = [
    ...Object.entries(profile.records).map(([kind, n]) => `${quantity(n)} ${kind}`),
    ...Object.entries(profile.monthlyRecords).map(([kind, n]) => `${quantity(n)} ${kind} a month`),
  ];
  lines.push(`stored: ${stored.join(', ')}; the tenant ${profile.retentionMonths} months in`);
  return lines;
}

async function main(argv: readonly string[]): Promise<string> {
  const args = parseArgs(argv);
  if (args.prices) return priceTable();
  const profile = await loadProfile(args);
  // The catalogue and the CDK settings load only for a valid request, so a bad one fails at once.
  const { fixedResources, logRetentionDays, memoryOf, metricSeries } = await import('./deployment.ts');
  const { run, label } = pickRun(await readUnitCounts(args.counts), args.mode, args.counts);
  const units = monthlyUnits(profile, run);
  const usage = usageOf(units.quantities, units.units, memoryOf, units.streamRecords);
  const running = new Set(usage.functions.filter((f) => f.invocations > 0).map((f) => f.function));
  const result = bill({
    usage,
    stored: storedKinds(profile, run.storage),
    fixed: fixedResources,
    activeUsers: profile.seats,
    metricSeries: metricSeries(running),
    logRetentionDays,
    tracing: profile.tracing,
  });
  const firstYear = freeTiers
    .filter((tier) => tier.term !== 'always')
    .map(
      (tier) =>
        `${prices[tier.price].service} ${prices[tier.price].item} (${quantity(tier.quantity)} a month)`,
    );
  const text = report(result, {
    counts: `${args.counts}, ${label} of ${run.date}, commit ${run.commit}`,
    workload: describe(profile, units, run),
    notes: [
      ...units.notes,
      `${quantity(invocationsOf(usage))} Lambda invocations; each SQS request and EventBridge entry is one 64 KB chunk (the messages carry ids and keys)`,
      profile.tracing === 'active'
        ? `X-Ray (tracing active, as deployed with -c tracing=active): an upper bound of ${quantity(result.activity.find((l) => l.price === 'xrayTraces')?.quantity ?? 0)} traces for ${quantity(invocationsOf(usage))} invocations; Lambda records the first request each second and 5 % of the rest (${lambdaTraceSampling.source.page}), and the bound counts every invocation as the first of its function in its second, so calls that crowd into the same seconds record fewer`
        : 'X-Ray: no traces, as deployed by default (--tracing active prices a deployment with -c tracing=active)',
      `not deducted: free tiers that end after the first 12 months: ${firstYear.join(', ')}`,
      'SES at its à la carte price; an account on the SES Essentials plan (the default for new accounts since 2026-07-21) pays $0.16 per 1,000 (AWS price list as transcribed at raw.githubusercontent.com/api-evangelist/amazon-ses/refs/heads/main/plans/amazon-ses-plans-pricing.yml)',
      `fixed resources the stacks create: ${fixedResources.secrets} secret, ${fixedResources.kmsKeys} KMS keys, ${fixedResources.alarms} alarms, ${fixedResources.dashboards} dashboards (test/unit/cost-deployment.test.ts reads infra/stacks for them)`,
    ],
    unpriced,
  });
  if (args.readme) {
    if (args.profile !== DEFAULT_PROFILE || args.overrides.length > 0)
      throw new UsageError('--readme: the README shows the reference team as profiled, without overrides');
    await writeFile('README.md', spliceBill(await readFile('README.md', 'utf8'), text));
  }
  return text;
}

main(process.argv.slice(2)).then(
  (text) => process.stdout.write(text),
  (error: unknown) => {
    process.stderr.write(`npm run cost: ${(error as Error).message}\n`);
    process.exitCode = error instanceof UsageError ? 2 : 1;
  },
);
