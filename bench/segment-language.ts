import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { interpretSegment } from '#shared/domain/segment-language/interpret';
import { indexVocabulary, MAX_VALUES_PER_KIND } from '#shared/domain/segment-language/values';
import type { SegmentVocabulary } from '#shared/domain/segment-language/vocabulary';
import { searchable } from '#shared/domain/text';
import { MAX_CAMPAIGNS, MAX_OWNERS } from '#shared/store/segment-vocabulary';
import {
  type EvalSummary,
  evaluateSegmentSet,
  readSegmentEvalSet,
  type SegmentEvalSet,
} from '../test/eval/segment-eval.ts';
import { benchLog, runWhenMain, sectionRun } from './bench-env.ts';
import { median, percentile } from './stats.ts';

/**
 * Plain-language segments in the bench: the pure interpreter
 * (`interpretSegment`, shared/domain/segment-language/interpret.ts) timed per
 * sentence over every sentence of the evaluation set, with the evaluation's
 * vocabulary and with a large one (MAX_VALUES_PER_KIND cities, tags and
 * industries, MAX_OWNERS owners, MAX_CAMPAIGNS campaigns: the bounds the store
 * reads); the vocabulary index (built inside every call) timed alone; and the
 * evaluation's exact-match figures of the main and the held-out set, scored by
 * test/eval/segment-eval.ts as `npm run eval:segments` scores them.
 *
 * One section of BENCHMARKS.md. `npm run bench` runs it with the rest;
 * `npm run bench:segment-language` runs only this section (no DynamoDB) and
 * rewrites only this section of BENCHMARKS.md. How many timed passes over the
 * set each vocabulary gets, per mode (and BENCH_LANGUAGE_PASSES): bench/mode.ts.
 */

export const SECTION_START = '<!-- segment-language-bench: bench/segment-language.ts writes this section -->';
export const SECTION_END = '<!-- /segment-language-bench -->';

export interface TimeFigures {
  readonly calls: number;
  readonly medianMs: number;
  readonly p95Ms: number;
  readonly maxMs: number;
}

export interface VocabularyRun {
  readonly name: string;
  /** Values per kind, as given to the interpreter. */
  readonly sizes: Readonly<Record<keyof SegmentVocabulary, number>>;
  /** One interpretSegment call, the vocabulary index included. */
  readonly perSentence: TimeFigures;
  /** indexVocabulary alone. */
  readonly index: TimeFigures;
  /** The main set scored with this vocabulary. */
  readonly summary: EvalSummary;
  /** Ids of the main set's sentences not read exactly with this vocabulary. */
  readonly misses: readonly string[];
}

export interface SegmentLanguageReport {
  readonly sentences: number;
  readonly passes: number;
  readonly runs: readonly VocabularyRun[];
  readonly main: EvalSummary;
  readonly heldOut: EvalSummary;
  readonly heldOutSentences: number;
}

const figures = (samples: readonly number[]): TimeFigures => ({
  calls: samples.length,
  medianMs: median(samples),
  p95Ms: percentile(samples, 95),
  maxMs: Math.max(...samples),
});

/** A deterministic generator (mulberry32), so every run times the same vocabulary. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const syllables = [
  'ba',
  'ren',
  'tor',
  'vil',
  'mar',
  'quen',
  'dal',
  'sor',
  'lin',
  'ka',
  'ster',
  'gor',
  'ne',
  'pra',
  'ul',
  'zan',
];

/**
 * `count` values: `given` first, then generated names of two or three
 * syllables (one or two words, some with a suffix), distinct once folded
 * (searchable()), as a tenant's free-text values are.
 */
function valuesOf(
  given: readonly string[],
  count: number,
  next: () => number,
  suffixes: readonly string[],
): string[] {
  const seen = new Set(given.map(searchable));
  const out = [...given];
  const pick = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)] as T;
  const word = () => {
    const parts = 2 + Math.floor(next() * 2);
    const text = Array.from({ length: parts }, () => pick(syllables)).join('');
    return text.charAt(0).toUpperCase() + text.slice(1);
  };
  while (out.length < count) {
    const value = [word(), ...(next() < 0.3 ? [word()] : []), ...(next() < 0.3 ? [pick(suffixes)] : [])].join(
      ' ',
    );
    if (seen.has(searchable(value))) continue;
    seen.add(searchable(value));
    out.push(value);
  }
  return out;
}

/** The evaluation's vocabulary grown to the bounds the store reads (see the module comment). */
export function largeVocabulary(base: SegmentVocabulary): SegmentVocabulary {
  const next = random(13);
  const owners = valuesOf(
    base.owners.map((owner) => owner.name),
    MAX_OWNERS,
    next,
    ['García', 'Smith', 'Müller'],
  );
  const campaigns = valuesOf(
    base.campaigns.map((campaign) => campaign.name),
    MAX_CAMPAIGNS,
    next,
    ['2026', 'Newsletter', 'Promo'],
  );
  return {
    cities: valuesOf(base.cities, MAX_VALUES_PER_KIND, next, ['City', 'del Mar', 'Norte']),
    countries: base.countries,
    // Generated tags are lower case, as tags usually are; the evaluation's are kept as they are.
    tags: valuesOf(base.tags, MAX_VALUES_PER_KIND, next, ['2025', 'lead', 'b2b']).map((tag, i) =>
      i < base.tags.length ? tag : tag.toLowerCase(),
    ),
    industries: valuesOf(base.industries, MAX_VALUES_PER_KIND, next, ['Services', 'Retail', 'Tech']),
    stages: base.stages,
    campaigns: [
      ...base.campaigns,
      ...campaigns.slice(base.campaigns.length).map((name, i) => ({
        id: `bench-campaign-${i}`,
        name,
        startedAt: new Date(Date.UTC(2025, 0, 1 + i)).toISOString(),
      })),
    ],
    owners: [
      ...base.owners,
      ...owners.slice(base.owners.length).map((name, i) => ({ id: `bench-user-${i}`, name })),
    ],
  };
}

const sizesOf = (vocabulary: SegmentVocabulary) =>
  Object.fromEntries(
    Object.entries(vocabulary).map(([kind, list]) => [kind, (list as unknown[]).length]),
  ) as Record<keyof SegmentVocabulary, number>;

/** Times every sentence of `set` with `vocabulary`: one untimed pass, then `passes` timed ones. */
function timeVocabulary(
  name: string,
  set: SegmentEvalSet,
  vocabulary: SegmentVocabulary,
  passes: number,
): VocabularyRun {
  const now = new Date(set.now);
  const call = (sentence: SegmentEvalSet['sentences'][number]) =>
    interpretSegment(sentence.text, vocabulary, { lang: sentence.lang, now, userId: set.userId });
  for (const sentence of set.sentences) call(sentence);
  const samples: number[] = [];
  for (let pass = 0; pass < passes; pass++) {
    for (const sentence of set.sentences) {
      const started = performance.now();
      call(sentence);
      samples.push(performance.now() - started);
    }
  }
  const scored = evaluateSegmentSet(interpretSegment, { ...set, vocabulary });
  const builds: number[] = [];
  for (let i = 0; i < 5 + passes * 5; i++) {
    const started = performance.now();
    indexVocabulary(vocabulary);
    if (i >= 5) builds.push(performance.now() - started);
  }
  return {
    name,
    sizes: sizesOf(vocabulary),
    perSentence: figures(samples),
    index: figures(builds),
    summary: scored.summary,
    misses: scored.results.filter((result) => !result.exact).map((result) => result.sentence.id),
  };
}

/** The held-out set (segment-sentences-holdout.json), written against the same vocabulary as the main set. */
function readHeldOutSet(main: SegmentEvalSet): SegmentEvalSet {
  const path = fileURLToPath(new URL('../test/eval/segment-sentences-holdout.json', import.meta.url));
  const file = JSON.parse(readFileSync(path, 'utf8')) as Omit<SegmentEvalSet, 'vocabulary'>;
  return { now: file.now, userId: file.userId, sentences: file.sentences, vocabulary: main.vocabulary };
}

export function runSegmentLanguageBench(passes: number, log: (line: string) => void): SegmentLanguageReport {
  const main = readSegmentEvalSet();
  const heldOut = readHeldOutSet(main);
  const runs = [
    timeVocabulary('the evaluation vocabulary', main, main.vocabulary, passes),
    timeVocabulary('a large vocabulary', main, largeVocabulary(main.vocabulary), passes),
  ];
  for (const run of runs)
    log(
      `interpreter, ${run.name}: median ${run.perSentence.medianMs.toFixed(3)} ms, p95 ${run.perSentence.p95Ms.toFixed(3)} ms, max ${run.perSentence.maxMs.toFixed(3)} ms per sentence; index ${run.index.medianMs.toFixed(3)} ms`,
    );
  return {
    sentences: main.sentences.length,
    passes,
    runs,
    main: evaluateSegmentSet(interpretSegment, main).summary,
    heldOut: evaluateSegmentSet(interpretSegment, heldOut).summary,
    heldOutSentences: heldOut.sentences.length,
  };
}

const ms = (value: number) => value.toFixed(3);
const pct = (value: number) => `${value.toFixed(1)} %`;

export function renderSegmentLanguageSection(report: SegmentLanguageReport, header: string): string {
  const score = (name: string, summary: EvalSummary) =>
    `| ${name} | ${summary.total} | ${summary.exact} (${pct(summary.percent)}) | ${summary.byLang.es.exact}/${summary.byLang.es.total} (${pct(summary.byLang.es.percent)}) | ${summary.byLang.en.exact}/${summary.byLang.en.total} (${pct(summary.byLang.en.percent)}) | ${summary.wrongUnderstood} |`;
  const sizes = (run: VocabularyRun) =>
    `${run.sizes.cities} cities, ${run.sizes.countries} countries, ${run.sizes.tags} tags, ${run.sizes.industries} industries, ${run.sizes.stages} stages, ${run.sizes.campaigns} campaigns, ${run.sizes.owners} owners`;
  return [
    SECTION_START,
    '## Plain-language segments',
    '',
    header,
    '',
    '`interpretSegment` (shared/domain/segment-language/interpret.ts) called in process, without DynamoDB, on every',
    `sentence of test/eval/segment-sentences.json (${report.sentences}, Spanish and English) with its language, the set's clock and caller:`,
    `one untimed pass, then ${report.passes} timed passes; each figure is over every timed call. A call builds the vocabulary`,
    'index and the typo candidates itself (nothing is cached between requests), so the per-sentence time includes them; the',
    "index column is `indexVocabulary` alone. The large vocabulary is the evaluation's grown with generated names to the",
    'bounds the store reads (2,000 values per kind, 1,000 owners, 200 campaigns). `POST /segments/interpret` adds the',
    'vocabulary reads and the count to this (see "DynamoDB work per API operation").',
    '',
    '| Vocabulary | Values | Calls | Per sentence median (ms) | p95 (ms) | max (ms) | Index build median (ms) | Index p95 (ms) | Exact on the main set |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...report.runs.map(
      (run) =>
        `| ${run.name} | ${sizes(run)} | ${run.perSentence.calls} | ${ms(run.perSentence.medianMs)} | ${ms(run.perSentence.p95Ms)} | ${ms(run.perSentence.maxMs)} | ${ms(run.index.medianMs)} | ${ms(run.index.p95Ms)} | ${run.summary.exact}/${run.summary.total} (${pct(run.summary.percent)}) |`,
    ),
    ...report.runs.flatMap((run) =>
      run.misses.length > 0 ? ['', `Not read exactly with ${run.name}: ${run.misses.join(', ')}.`] : [],
    ),
    '',
    'Exact matches with the evaluation vocabulary, scored by test/eval/segment-eval.ts (`npm run eval:segments` scores the',
    'main set the same way): the canonical filter, the completeness and the listed unmatched words must all agree; a',
    '"wrong, presented as understood" is a complete interpretation whose filter differs from the expected one. The',
    `held-out set (test/eval/segment-sentences-holdout.json) holds ${report.heldOutSentences} further sentences against the same vocabulary.`,
    '',
    '| Set | Sentences | Exact | Spanish | English | Wrong, presented as understood |',
    '| --- | --- | --- | --- | --- | --- |',
    score('main (segment-sentences.json)', report.main),
    score('held-out (segment-sentences-holdout.json)', report.heldOut),
    SECTION_END,
  ].join('\n');
}

/** `npm run bench:segment-language [-- --quick]`: this section alone, spliced into BENCHMARKS.md. */
async function main(): Promise<number> {
  const run = sectionRun('segmentLanguage');
  const report = runSegmentLanguageBench(run.sizes.values.passes, benchLog);
  const header = `${run.modeLine()}\n\nWritten by bench/segment-language.ts (\`npm run bench\`, or this section alone: \`npm run bench:segment-language\`) on ${new Date().toISOString().slice(0, 10)}, Node.js ${process.version}; load average ${run.load()} (times are as noisy as the machine was busy; the exact-match figures are not).`;
  await run.write(renderSegmentLanguageSection(report, header), { start: SECTION_START, end: SECTION_END });
  benchLog('BENCHMARKS.md: the plain-language segments section rewritten');
  return 0;
}

runWhenMain(import.meta.url, main);
