import { type SegmentFilter, validateFilter } from '../segment-filter.ts';
import { correctedMark, describe } from './explain.ts';
import {
  type BuildContext,
  type Built,
  type Claim,
  type FilterNode,
  type ParsedItem,
  Parser,
} from './grammar.ts';
import { type Concept, type Lang, lexicon } from './lexicon.ts';
import { type Token, tokenise } from './tokens.ts';
import { correctWord, indexVocabulary } from './values.ts';
import type { SegmentVocabulary } from './vocabulary.ts';

export type SegmentLanguage = Lang;

export interface InterpretOptions {
  /** Absent: detected from the words (ties: 'es'). */
  readonly lang?: SegmentLanguage;
  /** Relative dates count from here (UTC). */
  readonly now: Date;
  /** The caller: "mis contactos" / "my contacts" → ownerId eq userId. */
  readonly userId?: string;
}

export interface Interpretation {
  /** The filter read from the sentence, valid by validateFilter; null when no condition could be read. */
  readonly filter: SegmentFilter | null;
  /** One line per interpretation made, in `lang`, naming the words and what they became. */
  readonly explanation: readonly string[];
  /** Words or phrases of the sentence not used, or ambiguous ("Ana: Ana García / Ana Torres?"). */
  readonly unmatched: readonly string[];
  readonly lang: SegmentLanguage;
}

/**
 * Reads a plain-language sentence (Spanish or English) as a segment filter
 * over the tenant's own vocabulary, offline and deterministically; the
 * contract is the plain-language section of SPEC.md.
 *
 * Steps: tokenise (tokens.ts) → correct typos of unknown words towards the
 * known words of the lexicon and the vocabulary (values.ts: ≤ 3 letters exact,
 * 4–7 one edit, ≥ 8 two; an adjacent swap is one edit) → detect the language
 * → the grammar (grammar.ts) claims spans → claims are built with their
 * negation, "o/or" groups become `any` (same field eq → `in`) → `{all: [...]}`.
 *
 * Choices where the contract is silent: a bare word that is only an industry
 * reads as the industry (like a bare tag); "activos"/"active" alone means
 * some activity (`lastActivityAt exists`); "hace N meses"/"N months ago" and
 * "for N months" mean since then (`gte`); "en el último año"/"in the last
 * year" is rolling (365 days), "el año pasado"/"last year" the calendar year;
 * "inactive for N months" is the "no activity since" rule.
 *
 * Where a default would change the meaning, the words are reported instead:
 * - A date phrase with no field word is the creation date (said in the explanation),
 *   except next to a claim whose event has no date of its own (unsubscribed,
 *   subscribed, bounced, complained, opened, clicked, a deal stage, an owner, a
 *   tag: "unsubscribed in the last 30 days"): then it is unmatched with the reason;
 *   a field word ("created", "creados") still names the date.
 * - A negation reaches its concept over fillers and unknown words (up to 4 tokens):
 *   "no han firmado actividad en 2 meses" is negated activity with "firmado" unmatched,
 *   never the positive reading.
 * - A run of capitalised words holding a word the vocabulary and lexicon cannot use
 *   alone ("Nueva York", "Madrid Centro") is one unmatched name; no keyword inside it
 *   is read. Runs that are values or part of one value ("Black Friday") are read.
 * - After opened/clicked (and after a deal word for stages), words that are all part of
 *   exactly one stored name match it, with a note in the explanation; part of several
 *   names, or one name stored for two campaigns, is ambiguous and unmatched.
 *
 * Never evaluates the text; values come only from `vocabulary`, numbers and
 * dates from the sentence. Bounded work: at most 100 tokens (the rest is
 * reported unmatched), keyword phrases of ≤ 4 words and values of ≤ 5 words,
 * at most 2,000 values of each vocabulary kind; typo correction compares each
 * unknown word with the known words once (≤ 100 × the known words, each a
 * bounded edit distance); a capitalised run is compared with the indexed value forms
 * once, a partial name with the ≤ 2,000 campaigns or stages over ≤ 5 words.
 */
export function interpretSegment(
  input: string,
  vocabulary: SegmentVocabulary,
  options: InterpretOptions,
): Interpretation {
  const index = indexVocabulary(vocabulary);
  const text = normaliseText(input);
  const { tokens, rest } = tokenise(text);
  const known = new Set([...lexicon.words, ...index.words]);
  // Typos are corrected only into content words: never into a function word ("Bern" is not
  // "been"), and a short word (≤ 4 letters) only into a vocabulary value ("Peru" is not "pero").
  const targets = [...lexicon.words].filter((word) => !lexicon.functionWords.has(word));
  // Known words by length: a typo is only compared with words within the tolerance in length.
  const byLength = new Map<number, string[]>();
  for (const word of new Set([...targets, ...index.words])) {
    const bucket = byLength.get(word.length);
    if (bucket) bucket.push(word);
    else byLength.set(word.length, [word]);
  }
  const near = (word: string): string[] =>
    [-2, -1, 0, 1, 2].flatMap((delta) => byLength.get(word.length + delta) ?? []);
  const corrected = new Set<number>();
  const norms = tokens.map((token, position) => {
    if (token.kind !== 'word' || known.has(token.norm) || /^[A-Z]{2}$/.test(token.text)) return token.norm;
    const candidates = near(token.norm).filter((word) => token.norm.length > 4 || index.words.has(word));
    const fixed = correctWord(token.norm, candidates);
    if (fixed === undefined) return token.norm;
    corrected.add(position);
    return fixed;
  });
  const lang = options.lang ?? detectLanguage(norms);
  // A word that cannot stand for itself inside a capitalised name: unknown (or only a typo of a
  // keyword), or a word of multi-word values only ("York" of "New York").
  const loose = (position: number) => {
    const token = tokens[position];
    if (token?.kind !== 'word') return false;
    const norm = norms[position] as string;
    if (corrected.has(position)) return !index.words.has(norm);
    if (!known.has(norm)) return true;
    return index.words.has(norm) && !index.byForm.has(norm) && !lexicon.words.has(norm);
  };
  const valuePart = (position: number) => {
    const norm = norms[position] as string;
    return (
      tokens[position]?.kind === 'word' &&
      !corrected.has(position) &&
      index.words.has(norm) &&
      !index.byForm.has(norm) &&
      !lexicon.words.has(norm)
    );
  };
  const parser = new Parser(tokens, norms, index, options.now, opaqueNames(tokens, norms, loose, valuePart));
  const parsed = parser.parse();

  const claimsOf = (items: readonly ParsedItem[]): Claim[] =>
    items.flatMap((item) => ('clauses' in item ? item.clauses.flatMap(claimsOf) : [...item.claims]));
  const companies = claimsOf(parsed.items).some((claim) => claim.kind === 'companies');
  const context: BuildContext = {
    lang,
    now: options.now,
    userId: options.userId,
    companies,
    vocabulary: index,
  };
  const names = new Map<string, string>([
    ...vocabulary.campaigns.map((campaign) => [campaign.id, campaign.name] as [string, string]),
    ...vocabulary.owners.map((owner) => [owner.id, owner.name] as [string, string]),
    ...vocabulary.stages.map((stage) => [stage.id, `${stage.name} (${stage.pipeline})`] as [string, string]),
  ]);
  const spanText = (start: number, end: number) => {
    const covered = tokens.slice(start, end);
    const from = Math.min(...covered.map((token) => token.start));
    const to = Math.max(...covered.map((token) => token.end));
    return text.slice(from, to);
  };

  const explanation: string[] = [];
  const unmatched: { at: number; text: string }[] = parsed.unknown.map(([start, end]) => ({
    at: start,
    text: spanText(start, end),
  }));
  const audienceOnly: string[] = [];
  const buildItems = (items: readonly ParsedItem[]): FilterNode[] => {
    const nodes: FilterNode[] = [];
    // A condition said twice ("spain spain", "customers customers") is one condition.
    const seen = new Set<string>();
    for (const item of items) {
      if ('clauses' in item) {
        const clauses = item.clauses.map((clause) => buildItems(clause)).filter((each) => each.length > 0);
        const groups = clauses.map((each) => (each.length === 1 ? (each[0] as FilterNode) : { all: each }));
        const node = groups.length === 1 ? (groups[0] as FilterNode) : { any: groups };
        if (groups.length > 0 && !seen.has(canonicalKey(node))) {
          seen.add(canonicalKey(node));
          nodes.push(node);
        }
        continue;
      }
      const built: { node: FilterNode; start: number; end: number; note?: string }[] = [];
      for (const [position, claim] of item.claims.entries()) {
        const negatedFrom = item.negatedFrom[position];
        const start = negatedFrom ?? claim.start;
        const result: Built = claim.build(negatedFrom !== undefined, context);
        if ('problem' in result)
          unmatched.push({ at: start, text: `${spanText(start, claim.end)}: ${result.problem}` });
        else if ('none' in result) audienceOnly.push(spanText(start, claim.end));
        else if ('silent' in result) continue;
        else
          built.push({
            node: result.node,
            start,
            end: claim.end,
            ...(result.note ? { note: result.note } : {}),
          });
      }
      if (built.length === 0) continue;
      const node =
        built.length === 1 ? (built[0]?.node as FilterNode) : mergeOr(built.map((each) => each.node));
      if (seen.has(canonicalKey(node))) continue;
      seen.add(canonicalKey(node));
      const start = Math.min(...built.map((each) => each.start));
      const end = Math.max(...built.map((each) => each.end));
      const typo = [...corrected].some((position) => position >= start && position < end);
      const notes = built.flatMap((each) => (each.note ? [each.note] : []));
      explanation.push(
        `"${spanText(start, end)}" → ${describe(node, lang, names)}${notes.length > 0 ? ` (${notes.join('; ')})` : ''}${typo ? correctedMark(lang) : ''}`,
      );
      nodes.push(node);
    }
    return nodes;
  };
  const nodes = buildItems(parsed.items);
  if (rest) unmatched.push({ at: tokens.length, text: rest });
  if (nodes.length === 0 && audienceOnly.length > 0)
    unmatched.push({
      at: Number.MAX_SAFE_INTEGER,
      text: `${audienceOnly.join(', ')}: ${lang === 'es' ? 'un segmento necesita al menos una condición' : 'a segment needs at least one condition'}`,
    });

  const flatKeys = new Set<string>();
  const flat = nodes
    .flatMap((node) => ('all' in node && node.all && !('any' in node) ? [...node.all] : [node]))
    .filter((node) => !flatKeys.has(canonicalKey(node)) && Boolean(flatKeys.add(canonicalKey(node))));
  let filter: SegmentFilter | null = flat.length > 0 ? { all: flat.slice(0, 100) } : null;
  // Every built condition is valid by construction; this keeps the promise whatever the input.
  if (filter && validateFilter(filter).length > 0) {
    filter = null;
    unmatched.push({
      at: -1,
      text: `${text.trim()}: ${lang === 'es' ? 'no se pudo leer' : 'could not be read'}`,
    });
  }
  return {
    filter,
    explanation: filter ? explanation : [],
    unmatched: unmatched.sort((a, b) => a.at - b.at).map((each) => each.text),
    lang,
  };
}

/**
 * The sentence as read: NFC (a letter typed as base + combining mark is one
 * letter, "Espan\u0303a" is "España") without invisible format characters
 * (zero-width spaces and joiners, soft hyphens, BOM, variation selectors).
 */
export function normaliseText(input: unknown): string {
  if (typeof input !== 'string') return '';
  return input.normalize('NFC').replace(/\p{Default_Ignorable_Code_Point}/gu, '');
}

/** A node's canonical JSON: group children and in/nin values sorted, one-child groups unwrapped. */
function canonicalKey(node: FilterNode): string {
  const canonical = (each: FilterNode): unknown => {
    if ('field' in each)
      return Array.isArray(each.value) ? { ...each, value: [...each.value].map(String).sort() } : each;
    const kind = each.any ? 'any' : 'all';
    const children = (each[kind] ?? []).map((child) => JSON.stringify(canonical(child))).sort();
    return children.length === 1 ? JSON.parse(children[0] as string) : { [kind]: children };
  };
  return JSON.stringify(canonical(node));
}

/** Words that may lead a capitalised run without belonging to the name ("De Nueva York", "Leads Foo"). */
const runLeaders: readonly Concept[] = [
  'filler',
  'article',
  'and',
  'or',
  'neg',
  'cue:location',
  'cue:outside',
  'aud:everyone',
  'aud:customer',
  'aud:lead',
  'aud:opportunity',
  'aud:subscriber',
  'aud:evangelist',
  'aud:company',
];

/**
 * Capitalised names the tenant's vocabulary does not hold ("Nueva York", "New Haven"):
 * runs of two or more capitalised words with at least one loose word (unknown, or a
 * part of multi-word values only); the grammar still reads a run that is a whole
 * vocabulary value ("New York", "Buenos Aires"). The grammar
 * reports each whole, as the user wrote it, instead of reading a keyword inside it
 * ("Nueva" is "new", a date field). Leading words that are connectives, cues or
 * audience nouns stay outside the run. In lower case, a keyword (not a connective, cue
 * or audience noun) right before a word that is only part of stored values (`valuePart`)
 * is taken with it and the loose words after it ("nueva york").
 * Returns [start, end) token spans.
 */
export function opaqueNames(
  tokens: readonly Token[],
  norms: readonly string[],
  loose: (position: number) => boolean,
  valuePart: (position: number) => boolean = () => false,
): [number, number][] {
  const capitalised = (position: number) => {
    const token = tokens[position];
    // Capitalised, not shouted: "UNION SELECT" is not a name.
    return token?.kind === 'word' && /^\p{Lu}/u.test(token.text) && !/^\p{Lu}{3,}$/u.test(token.text);
  };
  const leader = (position: number) =>
    [...(lexicon.phrases.get(norms[position] as string) ?? [])].some((concept) =>
      runLeaders.includes(concept),
    );
  const runs: [number, number][] = [];
  let i = 0;
  while (i < tokens.length) {
    if (!capitalised(i)) {
      i++;
      continue;
    }
    let end = i;
    while (capitalised(end)) end++;
    let start = i;
    while (start < end - 2 && leader(start) && !loose(start)) start++;
    if (end - start === 2 && leader(start) && !loose(start) && start > 0) start++;
    const hasUnknown = Array.from({ length: end - start }, (_, k) => start + k).some(loose);
    if (end - start >= 2 && hasUnknown) runs.push([start, end]);
    i = end;
  }
  // Written in lower case ("de nueva york"): a keyword right before a word that is only part
  // of a stored value is taken with it (the value in another form or language).
  const keyword = (position: number) =>
    tokens[position]?.kind === 'word' && lexicon.phrases.has(norms[position] as string);
  for (let at = 1; at < tokens.length; at++) {
    if (capitalised(at) || !valuePart(at) || loose(at - 1) || !keyword(at - 1) || leader(at - 1)) continue;
    if (runs.some(([start, end]) => at - 1 < end && at >= start)) continue;
    let end = at + 1;
    while (end < tokens.length && !capitalised(end) && loose(end)) end++;
    runs.push([at - 1, end]);
  }
  return runs.sort((a, b) => a[0] - b[0]);
}

/** "A o B": one `any`, except conditions eq/in on one field, which become one `in`. */
function mergeOr(nodes: readonly FilterNode[]): FilterNode {
  const conditions = nodes.filter(
    (node): node is { field: string; op: 'eq' | 'in'; value: unknown } => 'field' in node,
  );
  const field = conditions[0]?.field;
  if (
    conditions.length === nodes.length &&
    conditions.every((each) => each.field === field && (each.op === 'eq' || each.op === 'in'))
  ) {
    const values = [
      ...new Set(conditions.flatMap((each) => (Array.isArray(each.value) ? each.value : [each.value]))),
    ];
    return values.length === 1
      ? { field: field as string, op: 'eq', value: values[0] }
      : { field: field as string, op: 'in', value: values.sort() };
  }
  return { any: [...nodes] };
}

/** The language most of the one-language keywords belong to; ties (and none) are Spanish. */
export function detectLanguage(norms: readonly string[]): Lang {
  let es = 0;
  let en = 0;
  for (const norm of norms) {
    const lang = lexicon.languageOf.get(norm);
    if (lang === 'es') es++;
    else if (lang === 'en') en++;
  }
  return en > es ? 'en' : 'es';
}
