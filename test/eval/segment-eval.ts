import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Condition, SegmentFilter } from '#shared/domain/segment-filter';
import { validateFilter } from '#shared/domain/segment-filter';
import type { SegmentVocabulary } from '#shared/domain/segment-language/vocabulary';
import { searchable } from '#shared/domain/text';
import { canonicalFilter, sameFilter } from './canonical.ts';

/**
 * The evaluation of a plain-language segment interpreter against the set in
 * test/eval/segment-sentences.json, written against test/eval/segment-vocabulary.json.
 * The interpreter is a parameter typed from the contract (nl-contract: `interpretSegment`),
 * so a tiny fake can be evaluated as well as the real one.
 *
 * A sentence is an exact match when (1) the canonical filters are equal (canonical.ts),
 * (2) the completeness is the expected one (complete = filter !== null && unmatched is
 * empty), and (3) every word the set lists under `unmatched` is found, folded
 * (searchable()), inside some unmatched entry. A filter presented as understood
 * (complete) that differs from the expected one is a `wrongUnderstood`: the worst
 * failure, since the user would apply it without being warned.
 */

export type SegmentLanguage = 'es' | 'en';
export const languages: readonly SegmentLanguage[] = ['es', 'en'];

/** What the interpreter returns (the contract's `Interpretation`). */
export interface InterpretationResult {
  readonly filter: SegmentFilter | null;
  readonly explanation: readonly string[];
  readonly unmatched: readonly string[];
  readonly lang: SegmentLanguage;
}

/** The contract's `interpretSegment(text, vocabulary, options)`. */
export type SegmentInterpreter = (
  text: string,
  vocabulary: SegmentVocabulary,
  options: { readonly lang?: SegmentLanguage; readonly now: Date; readonly userId?: string },
) => InterpretationResult;

export interface EvalSentence {
  /** `es-001`, `en-042`: unique in the set. */
  readonly id: string;
  readonly lang: SegmentLanguage;
  /** What a user types. */
  readonly text: string;
  /** The filter the contract makes of it; null when no condition can be read. */
  readonly filter: SegmentFilter | null;
  /** Whether the interpretation must be complete (a filter and nothing unmatched). */
  readonly complete: boolean;
  /** Words that must appear (folded, as a part) in some entry of `unmatched`. */
  readonly unmatched?: readonly string[];
  /** Why the expected filter is what it is, when not obvious. */
  readonly note?: string;
  /** What the sentence exercises beyond its fields (typo, injection, any-group, ...). */
  readonly concepts?: readonly string[];
}

/** The set with its vocabulary and the clock and caller every sentence is interpreted with. */
export interface SegmentEvalSet {
  /** ISO date-time: relative dates in the expected filters count from here. */
  readonly now: string;
  /** The caller: "my contacts" is `ownerId eq userId`. */
  readonly userId: string;
  readonly vocabulary: SegmentVocabulary;
  readonly sentences: readonly EvalSentence[];
}

export interface SentenceResult {
  readonly sentence: EvalSentence;
  /** The interpretation, or undefined when the interpreter threw. */
  readonly got?: InterpretationResult;
  /** The interpreter's exception message, when it threw. */
  readonly error?: string;
  readonly filterEqual: boolean;
  readonly completeEqual: boolean;
  /** Listed words found in no unmatched entry. */
  readonly missingUnmatched: readonly string[];
  /** The returned filter fails validateFilter. */
  readonly invalidFilter: boolean;
  readonly exact: boolean;
  /** Presented as complete, with a filter that differs from the expected one. */
  readonly wrongUnderstood: boolean;
}

export interface LanguageScore {
  readonly total: number;
  readonly exact: number;
  /** exact / total as a percentage (0 for an empty language). */
  readonly percent: number;
}

export interface EvalSummary {
  readonly total: number;
  readonly exact: number;
  readonly percent: number;
  readonly byLang: Readonly<Record<SegmentLanguage, LanguageScore>>;
  readonly wrongUnderstood: number;
}

export interface EvalReport {
  readonly results: readonly SentenceResult[];
  readonly summary: EvalSummary;
}

/** The targets of the issue: at least 90 % exact and no wrong filter presented as understood. */
export const TARGET_EXACT_PERCENT = 90;
export const TARGET_WRONG_UNDERSTOOD = 0;

const isComplete = (result: InterpretationResult): boolean =>
  result.filter !== null && result.unmatched.length === 0;

const percent = (part: number, whole: number): number => (whole === 0 ? 0 : (part / whole) * 100);

/** Scores one sentence's interpretation (or the interpreter's failure) against the set. */
export function scoreSentence(sentence: EvalSentence, got: InterpretationResult | Error): SentenceResult {
  if (got instanceof Error) {
    return {
      sentence,
      error: got.message,
      filterEqual: false,
      completeEqual: false,
      missingUnmatched: [...(sentence.unmatched ?? [])],
      invalidFilter: false,
      exact: false,
      wrongUnderstood: false,
    };
  }
  const filterEqual = sameFilter(sentence.filter, got.filter);
  const complete = isComplete(got);
  const completeEqual = complete === sentence.complete;
  const entries = got.unmatched.map(searchable);
  const missingUnmatched = (sentence.unmatched ?? []).filter(
    (word) => !entries.some((entry) => entry.includes(searchable(word))),
  );
  const invalidFilter = got.filter !== null && validateFilter(got.filter).length > 0;
  return {
    sentence,
    got,
    filterEqual,
    completeEqual,
    missingUnmatched,
    invalidFilter,
    exact: filterEqual && completeEqual && missingUnmatched.length === 0 && !invalidFilter,
    wrongUnderstood: complete && got.filter !== null && !filterEqual,
  };
}

/** Sums results into the totals, per language and overall. */
export function summarize(results: readonly SentenceResult[]): EvalSummary {
  const score = (list: readonly SentenceResult[]): LanguageScore => {
    const exact = list.filter((result) => result.exact).length;
    return { total: list.length, exact, percent: percent(exact, list.length) };
  };
  const overall = score(results);
  const byLang = {
    es: score(results.filter((result) => result.sentence.lang === 'es')),
    en: score(results.filter((result) => result.sentence.lang === 'en')),
  };
  return { ...overall, byLang, wrongUnderstood: results.filter((result) => result.wrongUnderstood).length };
}

/**
 * Interprets every sentence of the set with its language, the set's `now` and
 * `userId`, and scores it; an exception is a miss (never a wrong understanding).
 */
export function evaluateSegmentSet(interpret: SegmentInterpreter, set: SegmentEvalSet): EvalReport {
  const now = new Date(set.now);
  const results = set.sentences.map((sentence) => {
    let got: InterpretationResult | Error;
    try {
      got = interpret(sentence.text, set.vocabulary, { lang: sentence.lang, now, userId: set.userId });
    } catch (error) {
      got = error instanceof Error ? error : new Error(String(error));
    }
    return scoreSentence(sentence, got);
  });
  return { results, summary: summarize(results) };
}

/** Whether a summary meets both targets. */
export const meetsTargets = (summary: EvalSummary): boolean =>
  summary.percent >= TARGET_EXACT_PERCENT && summary.wrongUnderstood <= TARGET_WRONG_UNDERSTOOD;

const oneDecimal = (value: number): string => value.toFixed(1);

/** The one summary line, e.g. `Plain-language segments: 163/170 exact (95.9 %), es 96.5 %, en 95.3 %, 0 wrong filters presented as understood`. */
export function summaryLine(summary: EvalSummary, label = 'Plain-language segments'): string {
  const wrong = summary.wrongUnderstood;
  return (
    `${label}: ${summary.exact}/${summary.total} exact (${oneDecimal(summary.percent)} %), ` +
    `es ${oneDecimal(summary.byLang.es.percent)} %, en ${oneDecimal(summary.byLang.en.percent)} %, ` +
    `${wrong} wrong ${wrong === 1 ? 'filter' : 'filters'} presented as understood`
  );
}

/** A miss in a few lines: id, text, expected vs got (canonical JSON), completeness and unmatched. */
export function describeMiss(result: SentenceResult): string {
  const { sentence, got } = result;
  const lines = [
    `${result.wrongUnderstood ? 'WRONG' : 'miss'} ${sentence.id} (${sentence.lang}): ${JSON.stringify(sentence.text)}`,
    `  expected: ${JSON.stringify(canonicalFilter(sentence.filter))} ${sentence.complete ? 'complete' : 'incomplete'}` +
      (sentence.unmatched?.length ? `, unmatched ⊇ ${JSON.stringify(sentence.unmatched)}` : ''),
  ];
  if (!got) lines.push(`  threw:    ${result.error}`);
  else {
    lines.push(
      `  got:      ${JSON.stringify(canonicalFilter(got.filter))} ${isComplete(got) ? 'complete' : 'incomplete'}` +
        `, unmatched ${JSON.stringify(got.unmatched)}`,
    );
    if (result.invalidFilter) lines.push('  the returned filter fails validateFilter');
    if (result.missingUnmatched.length > 0)
      lines.push(`  not reported as unmatched: ${JSON.stringify(result.missingUnmatched)}`);
  }
  if (sentence.note) lines.push(`  note: ${sentence.note}`);
  return lines.join('\n');
}

// ---------------------------------------------------------------------------
// The set's own check: what the runner and the unit test rely on.

/** At least this many sentences, and each language between these shares of the set. */
export const MIN_SENTENCES = 170;
/** The held-out set (segment-sentences-holdout.json, written without seeing the interpreter) is smaller. */
export const HOLDOUT_MIN_SENTENCES = 80;
export const LANGUAGE_SHARE = { min: 0.45, max: 0.55 } as const;

/** Fields every language of the set must exercise: one per concept of the contract. */
export const REQUIRED_FIELDS: readonly string[] = [
  'lifecycleStage',
  'city',
  'country',
  'company.city',
  'company.country',
  'tags',
  'company.industry',
  'company.size',
  'createdAt',
  'lastActivityAt',
  'updatedAt',
  'engagement.opened',
  'engagement.clicked',
  'engagementScore',
  'marketingStatus',
  'email',
  'phone',
  'companyId',
  'title',
  'ownerId',
  'deals.stage',
];

/** Every condition of a filter, depth first. */
export function conditionsOf(filter: SegmentFilter | null): Condition[] {
  if (filter === null) return [];
  const out: Condition[] = [];
  const visit = (node: Condition | SegmentFilter) => {
    if ('field' in node) out.push(node as Condition);
    else for (const child of [...(node.all ?? []), ...(node.any ?? [])]) visit(child);
  };
  visit(filter);
  return out;
}

/** The vocabulary values a field's condition may hold; undefined for fields whose values are free (numbers, dates, enums checked by validateFilter, title text). */
function allowedValues(field: string, set: SegmentEvalSet): readonly string[] | undefined {
  const { vocabulary } = set;
  switch (field) {
    case 'city':
    case 'company.city':
      return vocabulary.cities;
    case 'country':
    case 'company.country':
      return vocabulary.countries;
    case 'tags':
      return vocabulary.tags;
    case 'company.industry':
      return vocabulary.industries;
    case 'deals.stage':
      return vocabulary.stages.map((stage) => stage.id);
    case 'engagement.opened':
    case 'engagement.clicked':
      return vocabulary.campaigns.map((campaign) => campaign.id);
    case 'ownerId':
      return [...vocabulary.owners.map((owner) => owner.id), set.userId];
    default:
      return undefined;
  }
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATE_FIELDS = new Set(['createdAt', 'updatedAt', 'lastActivityAt']);

/**
 * Problems of the set itself, empty when sound: at least MIN_SENTENCES, ids
 * unique, languages balanced, every expected filter valid by validateFilter
 * and holding only vocabulary values (dates as ISO dates), `complete` consistent
 * with the filter and the listed unmatched words, and every REQUIRED_FIELDS
 * exercised in both languages. `minSentences`: MIN_SENTENCES for the main set,
 * HOLDOUT_MIN_SENTENCES for the held-out one.
 */
export function checkSegmentEvalSet(set: SegmentEvalSet, minSentences: number = MIN_SENTENCES): string[] {
  const problems: string[] = [];
  if (Number.isNaN(Date.parse(set.now))) problems.push(`now ${JSON.stringify(set.now)} is not a date-time`);
  if (set.sentences.length < minSentences)
    problems.push(`${set.sentences.length} sentences; at least ${minSentences} are needed`);
  const seen = new Set<string>();
  for (const sentence of set.sentences) {
    const at = `${sentence.id}`;
    if (seen.has(sentence.id)) problems.push(`${at}: duplicate id`);
    seen.add(sentence.id);
    if (!languages.includes(sentence.lang))
      problems.push(`${at}: unknown lang ${JSON.stringify(sentence.lang)}`);
    if (sentence.text.trim() === '') problems.push(`${at}: empty text`);
    if (sentence.complete && sentence.filter === null) problems.push(`${at}: complete without a filter`);
    if (sentence.complete && (sentence.unmatched?.length ?? 0) > 0)
      problems.push(`${at}: complete but lists unmatched words`);
    if (sentence.filter === null) continue;
    for (const error of validateFilter(sentence.filter))
      problems.push(`${at}: filter ${error.path || '(root)'} ${error.message}`);
    for (const condition of conditionsOf(sentence.filter)) {
      const allowed = allowedValues(condition.field, set);
      const values = Array.isArray(condition.value) ? condition.value : [condition.value];
      if (allowed)
        for (const value of values)
          if (!allowed.includes(value as string))
            problems.push(
              `${at}: ${condition.field} value ${JSON.stringify(value)} is not in the vocabulary`,
            );
      if (
        DATE_FIELDS.has(condition.field) &&
        typeof condition.value === 'string' &&
        !ISO_DATE.test(condition.value)
      )
        problems.push(`${at}: ${condition.field} bound ${condition.value} is not an ISO date (YYYY-MM-DD)`);
    }
  }
  for (const lang of languages) {
    const share =
      set.sentences.filter((sentence) => sentence.lang === lang).length / (set.sentences.length || 1);
    if (share < LANGUAGE_SHARE.min || share > LANGUAGE_SHARE.max)
      problems.push(`${lang} is ${(share * 100).toFixed(1)} % of the set; each language must be about half`);
    const fields = new Set(
      set.sentences
        .filter((sentence) => sentence.lang === lang)
        .flatMap((sentence) => conditionsOf(sentence.filter).map((condition) => condition.field)),
    );
    for (const field of REQUIRED_FIELDS)
      if (!fields.has(field)) problems.push(`${lang}: no sentence exercises ${field}`);
  }
  return problems;
}

// ---------------------------------------------------------------------------
// Reading the set from the repository.

const evalDir = import.meta.dirname;

/** The main set's file and the held-out set's (same format, same vocabulary). */
export const MAIN_SET_FILE = 'segment-sentences.json';
export const HOLDOUT_SET_FILE = 'segment-sentences-holdout.json';

/**
 * A set (`file`, the main segment-sentences.json by default) with its vocabulary
 * (segment-vocabulary.json) from test/eval. Throws with the file name when either is not JSON.
 */
export function readSegmentEvalSet(dir: string = evalDir, file: string = MAIN_SET_FILE): SegmentEvalSet {
  const read = (name: string): unknown => {
    const path = join(dir, name);
    try {
      return JSON.parse(readFileSync(path, 'utf8'));
    } catch (error) {
      throw new Error(`${path}: ${(error as Error).message}`);
    }
  };
  const sentences = read(file) as Omit<SegmentEvalSet, 'vocabulary'>;
  const vocabulary = read('segment-vocabulary.json') as SegmentVocabulary;
  return { now: sentences.now, userId: sentences.userId, sentences: sentences.sentences, vocabulary };
}
