import { type Condition, MAX_LIST_VALUES, type SegmentFilter } from '../segment-filter.ts';
import { searchable } from '../text.ts';
import {
  calendarSpan,
  type DateSpec,
  type DateUnit,
  isoDate,
  monthSpan,
  monthStart,
  nextMonthStart,
  unitsAgo,
  windowDays,
  yearSpan,
} from './dates.ts';
import { type Concept, type Lang, lexicon, MAX_PHRASE_WORDS } from './lexicon.ts';
import type { Token } from './tokens.ts';
import {
  MAX_VALUE_WORDS,
  tolerance,
  typoDistance,
  type ValueKind,
  type ValueRef,
  type VocabularyIndex,
} from './values.ts';

/**
 * The grammar: tokens → recognised spans (keywords, vocabulary values, numbers,
 * dates) → claims (one concept each: a location, a tag, a date…) joined by
 * negation and connectives → conditions. Rules are tried at each position in a
 * fixed order (most specific first); a position no rule, negation, connective
 * or filler word takes is an unknown word. Work: at most MAX_TOKENS tokens ×
 * (keyword phrases of ≤ 4 words + values of ≤ 5 words), each a map look-up.
 */
export type FilterNode = Condition | SegmentFilter;

export interface BuildContext {
  readonly lang: Lang;
  readonly now: Date;
  readonly userId?: string | undefined;
  /** The sentence speaks of companies: locations are the company's. */
  readonly companies: boolean;
  readonly vocabulary: VocabularyIndex;
}

/** What a claim gives when built: a condition, nothing (an audience with no condition), or a reason it cannot. */
export type Built =
  | { readonly node: FilterNode; readonly note?: string }
  | { readonly none: true }
  /** Read, and used by another claim (a date field word before its phrase). */
  | { readonly silent: true }
  | { readonly problem: string };

/**
 * Something a contact did or that was done to it whose date the filter cannot
 * see (no field records when a contact unsubscribed, opened a campaign, entered
 * a deal stage…): a date phrase next to it is not about the contact's creation.
 */
export type DatelessEvent =
  | 'subscribed'
  | 'unsubscribed'
  | 'bounced'
  | 'complained'
  | 'opened'
  | 'clicked'
  | 'deal'
  | 'owner'
  | 'tag'
  | 'engaged';

const eventNames: Record<DatelessEvent, [string, string]> = {
  subscribed: ['suscribirse', 'subscribing'],
  unsubscribed: ['darse de baja', 'unsubscribing'],
  bounced: ['el rebote', 'bouncing'],
  complained: ['la queja', 'complaining'],
  opened: ['abrir una campaña', 'opening a campaign'],
  clicked: ['hacer clic en una campaña', 'clicking a campaign'],
  deal: ['la etapa de un negocio', 'a deal stage'],
  owner: ['la asignación a un propietario', 'the assignment to an owner'],
  tag: ['el etiquetado', 'tagging'],
  engaged: ['el engagement (una puntuación actual)', 'engagement (a current score)'],
};

/** Why a date phrase next to a dateless event is not read: in `lang`. */
export function datelessProblem(event: DatelessEvent, lang: Lang): string {
  const [es, en] = eventNames[event];
  return lang === 'es'
    ? `no hay fecha para ${es} (escribe «creados» para la fecha de alta)`
    : `there is no date for ${en} (write "created" for the creation date)`;
}

export interface Claim {
  readonly kind: string;
  /** The claim names a dateless event (see DatelessEvent). */
  readonly event?: DatelessEvent;
  readonly start: number;
  readonly end: number;
  build(negated: boolean, context: BuildContext): Built;
}

interface Match {
  readonly claim: Claim;
  readonly end: number;
}

export interface Parsed {
  readonly items: readonly ParsedItem[];
  /** Token spans no rule used: [start, end) in tokens. */
  readonly unknown: readonly (readonly [number, number])[];
}

/** Claims joined by or (one claim alone is the common case), or whole clauses joined by or. */
export type ParsedItem =
  | {
      readonly claims: readonly Claim[];
      /** Negation applied (the negation word's token index), per claim. */
      readonly negatedFrom: readonly (number | undefined)[];
    }
  | { readonly clauses: readonly (readonly ParsedItem[])[] };

interface OpenItem {
  claims: Claim[];
  negatedFrom: (number | undefined)[];
}

const presenceFields: readonly Concept[] = [
  'presence:email',
  'presence:phone',
  'presence:companyId',
  'presence:title',
];

const numberWords: Record<string, number> = {
  un: 1,
  una: 1,
  uno: 1,
  one: 1,
  a: 1,
  an: 1,
  dos: 2,
  two: 2,
  tres: 3,
  three: 3,
  cuatro: 4,
  four: 4,
  cinco: 5,
  five: 5,
  seis: 6,
  six: 6,
  siete: 7,
  seven: 7,
  ocho: 8,
  eight: 8,
  nueve: 9,
  nine: 9,
  diez: 10,
  ten: 10,
  once: 11,
  eleven: 11,
  doce: 12,
  twelve: 12,
  quince: 15,
  fifteen: 15,
  veinte: 20,
  twenty: 20,
  treinta: 30,
  thirty: 30,
  sesenta: 60,
  sixty: 60,
  noventa: 90,
  ninety: 90,
};

/** Tokens a negation may reach over (fillers and unknown words) before it is reported as unused. */
const MAX_NEGATION_GAP = 4;

// Conditions helpers -------------------------------------------------------

const condition = (field: string, op: Condition['op'], value?: unknown): Condition =>
  value === undefined ? { field, op } : { field, op, value };

/** eq/neq for one value, in/nin (sorted, unique) for several. */
export function oneOrMany(field: string, values: readonly string[], negated: boolean): Condition {
  const unique = [...new Set(values)].sort();
  if (unique.length === 1) return condition(field, negated ? 'neq' : 'eq', unique[0]);
  return condition(field, negated ? 'nin' : 'in', unique);
}

const group = (kind: 'all' | 'any', nodes: FilterNode[]): FilterNode =>
  nodes.length === 1 ? (nodes[0] as FilterNode) : kind === 'all' ? { all: nodes } : { any: nodes };

// The parser ---------------------------------------------------------------

export class Parser {
  private readonly norms: string[];

  constructor(
    private readonly tokens: readonly Token[],
    norms: readonly string[],
    private readonly vocabulary: VocabularyIndex,
    /** Relative dates count from here (UTC). */
    private readonly now: Date,
    /** Token spans of names the vocabulary does not hold, reported whole (see opaqueNames). */
    private readonly opaque: readonly (readonly [number, number])[] = [],
  ) {
    this.norms = [...norms];
  }

  /** Longest keyword phrase at i carrying `concept`: its end, or -1. */
  lex(i: number, concept: Concept): number {
    for (let n = Math.min(MAX_PHRASE_WORDS, this.tokens.length - i); n >= 1; n--) {
      const form = this.phraseAt(i, n);
      if (form !== undefined && lexicon.phrases.get(form)?.has(concept)) return i + n;
    }
    return -1;
  }

  lexAny(i: number, concepts: readonly Concept[]): { end: number; concept: Concept } | undefined {
    let best: { end: number; concept: Concept } | undefined;
    for (const concept of concepts) {
      const end = this.lex(i, concept);
      if (end > (best?.end ?? -1)) best = { end, concept };
    }
    return best && best.end > i ? best : undefined;
  }

  /** Skip optional keywords of these concepts. */
  skip(i: number, concepts: readonly Concept[]): number {
    let at = i;
    for (;;) {
      const found = this.lexAny(at, concepts);
      if (!found) return at;
      at = found.end;
    }
  }

  private phraseAt(i: number, n: number): string | undefined {
    const words: string[] = [];
    for (let k = i; k < i + n; k++) {
      const token = this.tokens[k];
      if (!token || token.kind === 'phrase' || token.kind === 'date') return undefined;
      words.push(this.norms[k] as string);
    }
    return words.join(' ');
  }

  numberAt(i: number): number | undefined {
    const token = this.tokens[i];
    if (token?.kind === 'number') return token.value;
    if (token?.kind === 'word') return numberWords[this.norms[i] as string];
    return undefined;
  }

  /** A vocabulary value of these kinds at i, longest first. */
  valueAt(i: number, kinds: readonly ValueKind[]): { refs: ValueRef[]; end: number } | undefined {
    const token = this.tokens[i];
    if (!token || token.kind === 'symbol' || token.kind === 'date') return undefined;
    if (token.kind === 'phrase') {
      const refs = (this.vocabulary.byForm.get(token.norm) ?? []).filter((ref) => kinds.includes(ref.kind));
      return refs.length > 0 ? { refs, end: i + 1 } : undefined;
    }
    const code = token.text.replace(/[.\s]/g, '');
    if (kinds.includes('country') && /^[A-Z]{2}$/.test(code)) {
      const forms = this.vocabulary.countryForms.get(code);
      if (forms) return { refs: [{ kind: 'country', value: forms[0] as string, code }], end: i + 1 };
    }
    for (let n = Math.min(MAX_VALUE_WORDS, this.tokens.length - i); n >= 1; n--) {
      const form = this.phraseAt(i, n);
      if (form === undefined) continue;
      const refs = (this.vocabulary.byForm.get(form) ?? []).filter((ref) => kinds.includes(ref.kind));
      if (refs.length > 0) return { refs, end: i + n };
    }
    return undefined;
  }

  /**
   * Part of a stored name typed after its cue ("clicked Black Friday" for "Black Friday
   * 2025", "abrieron Webinar" for "Webinar IA"): the longest run of words at i (≤ MAX_VALUE_WORDS,
   * the first a letter word) each of which is a word of the same names (typos as for values),
   * with at least one word that is not a keyword (a month or "campaign" alone names nothing).
   * Returns the names that hold every word (one: a match; several: ambiguous, for the caller to
   * report) with their ids (a name in several pipelines: each id), or undefined when none.
   */
  partialName(
    i: number,
    entries: readonly { readonly id: string; readonly name: string }[],
  ): { ids: string[]; names: string[]; end: number } | undefined {
    const named = entries.slice(0, 2_000).map((entry) => ({
      ...entry,
      words: searchable(entry.name).split(/[\s-]+/),
    }));
    const fits = (typed: string, word: string) =>
      typed === word ||
      (tolerance(typed) > 0 && typoDistance(typed, word, tolerance(typed)) <= tolerance(typed));
    if (this.tokens[i]?.kind !== 'word' || !/\p{L}/u.test(this.norms[i] as string)) return undefined;
    let candidates = named;
    let end = i;
    let distinctive = false;
    while (end < this.tokens.length && end - i < MAX_VALUE_WORDS) {
      const token = this.tokens[end];
      if (token?.kind !== 'word' && token?.kind !== 'number') break;
      const typed = this.norms[end] as string;
      const next = candidates.filter((entry) => entry.words.some((word) => fits(typed, word)));
      if (next.length === 0) break;
      candidates = next;
      if (!lexicon.words.has(typed)) distinctive = true;
      end++;
    }
    if (end === i || !distinctive) return undefined;
    const names = [...new Set(candidates.map((entry) => entry.name))].sort();
    return { ids: candidates.map((entry) => entry.id), names, end };
  }

  /**
   * Whether a capitalised run is read after all: keywords, then values ("Opened Black Friday
   * 2025", "Customers In New York"), or part of one value right after a verb or deal word
   * ("Clicked Black Friday"). "Nueva York" is not: "York" is only part of "New York" and
   * "Nueva" is no cue for it.
   */
  private readableName(start: number, end: number): boolean {
    let cue = false;
    for (let at = start; at < end; at++) {
      if (this.valuesCover(at, end)) return true;
      if (this.partOfOneValue(at, end) && (at === start || cue)) return true;
      const norm = this.norms[at] as string;
      if (!lexicon.phrases.has(norm)) return false;
      if (this.lexAny(at, ['verb:opened', 'verb:clicked', 'word:deal', 'word:campaign', 'word:stage']))
        cue = true;
    }
    return false;
  }

  /** Whether every word of [start, end) is a word of one same vocabulary value ("Black Friday" of "Black Friday 2025"). */
  private partOfOneValue(start: number, end: number): boolean {
    const typed = this.norms.slice(start, end);
    for (const form of this.vocabulary.byForm.keys()) {
      const words = form.split(' ');
      if (typed.every((word) => words.includes(word))) return true;
    }
    return false;
  }

  /** Whether vocabulary values, one after another, cover the tokens [start, end) (the last may go on: "Black Friday 2025"). */
  private valuesCover(start: number, end: number): boolean {
    let at = start;
    while (at < end) {
      const value = this.valueAt(at, ['city', 'country', 'tag', 'industry', 'stage', 'campaign', 'owner']);
      if (!value) return false;
      at = value.end;
    }
    return true;
  }

  /**
   * Values joined by "," / y / and / o / or, each optionally repeating the cue
   * ("de Madrid o de Sevilla"); `or` when any joiner was o/or.
   */
  valueList(
    i: number,
    kinds: readonly ValueKind[],
    repeat: readonly Concept[] = [],
  ): { items: { refs: ValueRef[]; start: number; end: number }[]; or: boolean; end: number } | undefined {
    const first = this.valueAt(i, kinds);
    if (!first) return undefined;
    const items = [{ refs: first.refs, start: i, end: first.end }];
    let end = first.end;
    let or = false;
    for (;;) {
      const joiner =
        this.lexAny(end, ['or', 'and']) ??
        (this.tokens[end]?.text === ',' ? { end: end + 1, concept: 'and' as Concept } : undefined);
      if (!joiner) break;
      let at = this.skip(joiner.end, repeat);
      at = this.skip(at, ['article']);
      const next = this.valueAt(at, kinds);
      if (!next) break;
      items.push({ refs: next.refs, start: at, end: next.end });
      if (joiner.concept === 'or') or = true;
      end = next.end;
    }
    return { items, or, end };
  }

  // Rules -----------------------------------------------------------------

  private readonly rules: readonly ((i: number) => Match | undefined)[] = [
    (i) => this.inactive(i),
    (i) => this.comparison(i),
    (i) => this.dateRule(i),
    (i) => this.title(i),
    (i) => withEvent(this.engagementLevel(i), 'engaged'),
    (i) => this.status(i),
    (i) => this.presence(i),
    (i) => withEvent(this.tag(i), 'tag'),
    (i) => this.industry(i),
    (i) => withEvent(this.owner(i), 'owner'),
    (i) => this.mine(i),
    (i) => withEvent(this.deal(i), 'deal'),
    (i) => this.engagementVerbEvent(this.engagementVerb(i)),
    (i) => this.audience(i),
    (i) => this.location(i),
    (i) => this.bareValue(i),
  ];

  /** A negation waits for the next claim: presence words need a cue ("con", "with") or a negation. */
  private negationPending = false;

  parse(): Parsed {
    // Items of the sentence; once clauses are joined by or ("clientes de Madrid o leads de Sevilla"),
    // `clauses` holds them and later items go to the last clause.
    const top: (OpenItem | { clauses: OpenItem[][] })[] = [];
    let clauses: OpenItem[][] | undefined;
    const current = (): OpenItem[] =>
      clauses ? (clauses[clauses.length - 1] as OpenItem[]) : (top as OpenItem[]);
    const unknown: [number, number][] = [];
    let negation: number | undefined;
    let or = false;
    let orAt: number | undefined;
    let unknownSinceClaim = false;
    let i = 0;
    const names = this.opaque.filter(([start, end]) => !this.readableName(start, end));
    const addUnknown = (start: number, end: number) => {
      const last = unknown[unknown.length - 1];
      if (last && last[1] === start) last[1] = end;
      else unknown.push([start, end]);
    };
    while (i < this.tokens.length) {
      const name = names.find(([start]) => start === i);
      if (name) {
        if (negation !== undefined) addUnknown(negation, i);
        negation = undefined;
        addUnknown(name[0], name[1]);
        // An unknown name is an unknown operand too: no "or" joins over it.
        or = false;
        orAt = undefined;
        unknownSinceClaim = true;
        i = name[1];
        continue;
      }
      this.negationPending = negation !== undefined;
      let matched: Match | undefined;
      for (const rule of this.rules) {
        matched = rule(i);
        // A claim may not take part of an unknown name ("from Madrid" in "from Madrid Centro").
        if (matched && names.some(([start, end]) => i < end && (matched as Match).end > start))
          matched = undefined;
        if (matched) break;
      }
      if (matched) {
        unknownSinceClaim = false;
        this.sequence.push(matched.claim);
        const items = current();
        const previous = items[items.length - 1];
        const item: OpenItem = { claims: [matched.claim], negatedFrom: [negation] };
        // Parallel clauses: the claim after "or" is of the kind that opened the clause, which has several claims.
        const opener = items[0];
        if (
          or &&
          opener &&
          items.length > 1 &&
          opener.claims[0]?.kind === matched.claim.kind &&
          matched.claim.kind !== 'companies'
        ) {
          if (clauses) clauses.push([item]);
          else {
            clauses = [top.splice(0, top.length) as OpenItem[], [item]];
            top.push({ clauses });
          }
        } else if (or && previous && orJoins(previous.claims, matched.claim)) {
          previous.claims.push(matched.claim);
          previous.negatedFrom.push(negation);
        } else {
          // An "or" between an audience and another concept joins nothing: reported, not guessed.
          if (or && orAt !== undefined) addUnknown(orAt, orAt + 1);
          items.push(item);
        }
        negation = undefined;
        or = false;
        orAt = undefined;
        i = matched.end;
        continue;
      }
      const neg = this.lex(i, 'neg');
      if (neg > i) {
        negation ??= i;
        i = neg;
        continue;
      }
      const orEnd = this.lex(i, 'or');
      if (orEnd > i) {
        // An "or" joins only the claim right before it (no unknown word between) to the next.
        or = current().length > 0 && !unknownSinceClaim;
        orAt = i;
        i = orEnd;
        continue;
      }
      const filler = this.lexAny(i, ['and', 'filler', 'article']);
      if (filler) {
        i = filler.end;
        continue;
      }
      if (this.tokens[i]?.text === ',') {
        i++;
        continue;
      }
      // An unknown operand: the "or" before it joins nothing, and nothing after it joins by it.
      or = false;
      orAt = undefined;
      unknownSinceClaim = true;
      // An unknown word between a negation and its concept (a verb the lexicon lacks: "no han
      // firmado nada de Madrid") keeps the negation for the next concept, as the user meant
      // it: dropping it would read that concept positively, the opposite. The word itself is reported.
      if (negation !== undefined && i - negation > MAX_NEGATION_GAP) {
        addUnknown(negation, i);
        negation = undefined;
      }
      addUnknown(i, i + 1);
      i++;
    }
    if (negation !== undefined) addUnknown(negation, this.tokens.length);
    return { items: top, unknown };
  }

  private claim(
    kind: string,
    start: number,
    end: number,
    build: Claim['build'],
    event?: DatelessEvent,
  ): Match {
    return { claim: event ? { kind, start, end, build, event } : { kind, start, end, build }, end };
  }

  /** Every claim matched, in sentence order (a date phrase looks at its neighbours). */
  private readonly sequence: Claim[] = [];

  /**
   * The dateless event of the claim just before or just after `claim` (the one before first),
   * audience nouns aside ("unsubscribed contacts since March").
   */
  private eventNextTo(claim: Claim): DatelessEvent | undefined {
    const others = this.sequence.filter((each) => each.kind !== 'audience' && each.kind !== 'companies');
    const at = others.indexOf(claim);
    if (at < 0) return undefined;
    return others[at - 1]?.event ?? others[at + 1]?.event;
  }

  // Dates --------------------------------------------------------------------

  /** A date phrase at i: its meaning and end. */
  datePhrase(i: number, now: Date): { spec: DateSpec; end: number } | undefined {
    const unitAt = (at: number): { unit: DateUnit; end: number } | undefined => {
      for (const unit of ['day', 'week', 'month', 'quarter', 'year'] as const) {
        const end = this.lex(at, `unit:${unit}`);
        if (end > at) return { unit, end };
      }
      return undefined;
    };
    const monthAt = (at: number): { month: number; year?: number; end: number } | undefined => {
      for (let month = 1; month <= 12; month++) {
        const end = this.lex(at, `month:${month}`);
        if (end > at) {
          const ofEnd = this.skip(end, ['date:of']);
          const year = this.yearAt(ofEnd);
          return year === undefined ? { month, end } : { month, year, end: ofEnd + 1 };
        }
      }
      return undefined;
    };
    const dayPoint = (date: Date, end: number) => ({
      start: date,
      next: isoDate(new Date(date.getTime() + 86_400_000)),
      end,
      day: true,
    });
    // A day with its month's name: "1 de marzo de 2026", "1 March 2026", "March 1, 2026" (no year: that of the month).
    const namedDayAt = (at: number) => {
      const day = this.tokens[at]?.kind === 'number' ? this.numberAt(at) : undefined;
      if (day !== undefined && day >= 1 && day <= 31) {
        const month = monthAt(this.skip(at + 1, ['date:of']));
        if (month) return calendarDay(month.month, day, month.year, month.end);
      }
      const month = monthAt(at);
      if (!month || month.year !== undefined || this.tokens[month.end]?.kind !== 'number') return undefined;
      const after = this.numberAt(month.end) as number;
      if (after < 1 || after > 31) return undefined;
      const comma = this.tokens[month.end + 1]?.text === ',' ? month.end + 2 : month.end + 1;
      const year = this.yearAt(comma);
      return calendarDay(month.month, after, year, year === undefined ? month.end + 1 : comma + 1);
    };
    const calendarDay = (month: number, day: number, year: number | undefined, end: number) => {
      const first = monthStart(now, month, year);
      const date = new Date(Date.UTC(first.getUTCFullYear(), month - 1, day));
      return date.getUTCMonth() === month - 1 ? dayPoint(date, end) : undefined;
    };
    // A calendar quarter: "Q1 2026", "T3" (no year: the latest such quarter that has begun).
    const quarterAt = (at: number) => {
      const quarter = /^[qt]([1-4])$/.exec(
        this.tokens[at]?.kind === 'word' ? (this.norms[at] as string) : '',
      );
      if (!quarter) return undefined;
      const month = (Number(quarter[1]) - 1) * 3;
      const year =
        this.yearAt(at + 1) ?? (month <= now.getUTCMonth() ? now.getUTCFullYear() : now.getUTCFullYear() - 1);
      const start = new Date(Date.UTC(year, month, 1));
      return {
        start,
        next: isoDate(new Date(Date.UTC(year, month + 3, 1))),
        end: this.yearAt(at + 1) ? at + 2 : at + 1,
      };
    };
    const pointAt = (at: number): { start: Date; next: string; end: number; day?: boolean } | undefined => {
      const token = this.tokens[at];
      if (token?.kind === 'date') {
        const date = new Date(`${token.text}T00:00:00Z`);
        if (Number.isNaN(date.getTime()) || isoDate(date) !== token.text) return undefined;
        return dayPoint(date, at + 1);
      }
      const named = namedDayAt(at) ?? quarterAt(at);
      if (named) return named;
      const month = monthAt(at);
      if (month) {
        const start = monthStart(now, month.month, month.year);
        return { start, next: nextMonthStart(start), end: month.end };
      }
      const year = this.yearAt(at);
      if (year !== undefined)
        return { start: new Date(Date.UTC(year, 0, 1)), next: `${year + 1}-01-01`, end: at + 1 };
      return undefined;
    };

    // entre D1 y D2 / between D1 and D2: from the first's start to before the second's end
    const between = this.lex(i, 'cmp:between');
    if (between > i) {
      const first = pointAt(this.skip(between, ['date:the']));
      const and = first ? this.lexAny(first.end, ['and']) : undefined;
      const second = and ? pointAt(this.skip(and.end, ['date:the'])) : undefined;
      if (first && second)
        return { spec: { kind: 'range', gte: isoDate(first.start), lt: second.next }, end: second.end };
    }
    // before / after / since D
    const bound = this.lexAny(i, ['date:before', 'date:after', 'date:since']);
    if (bound) {
      const at = this.skip(bound.end, ['date:the']);
      const point = pointAt(at);
      if (point) {
        const start = isoDate(point.start);
        if (bound.concept === 'date:before') return { spec: { kind: 'range', lt: start }, end: point.end };
        if (bound.concept === 'date:since') return { spec: { kind: 'range', gte: start }, end: point.end };
        return {
          spec: point.day ? { kind: 'range', gt: start } : { kind: 'range', gte: point.next },
          end: point.end,
        };
      }
    }
    // hace más de N unidades / more than N units ago
    const hace = this.lex(i, 'date:agoPrefix');
    const sinceHace = bound?.concept === 'date:since' ? this.lex(bound.end, 'date:agoPrefix') : -1;
    const afterHace = sinceHace > 0 ? sinceHace : hace;
    if (afterHace > i) {
      const more = this.lex(afterHace, 'cmp:gt');
      const at = more > 0 ? more : afterHace;
      const n = this.numberAt(at);
      const unit = n === undefined ? undefined : unitAt(at + 1);
      if (n !== undefined && n > 0 && unit)
        return { spec: { kind: more > 0 ? 'olderThan' : 'since', n, unit: unit.unit }, end: unit.end };
    }
    {
      const more = this.lex(i, 'cmp:gt');
      const at = more > 0 ? more : i;
      const n = this.numberAt(at);
      const unit = n === undefined ? undefined : unitAt(at + 1);
      const ago = unit ? this.lex(unit.end, 'date:ago') : -1;
      if (n !== undefined && n > 0 && unit && ago > 0)
        return { spec: { kind: more > 0 ? 'olderThan' : 'since', n, unit: unit.unit }, end: ago };
    }
    // (en) los últimos N días / in the last N days / en el último mes / in the past week
    const inEnd = this.lex(i, 'date:in');
    const hasIn = inEnd > i;
    let at = this.skip(hasIn ? inEnd : i, ['date:the']);
    const lastEnd = this.lex(at, 'date:lastN');
    if (lastEnd > at) {
      const n = this.numberAt(lastEnd);
      if (n !== undefined && n > 0) {
        const unit = unitAt(lastEnd + 1);
        if (unit) return { spec: { kind: 'within', n, unit: unit.unit }, end: unit.end };
      }
      const unit = unitAt(lastEnd);
      if (unit && unit.unit !== 'quarter' && unit.unit !== 'day') {
        if (hasIn || this.norms[at] === 'past')
          return { spec: { kind: 'within', n: 1, unit: unit.unit }, end: unit.end };
        return { spec: calendarSpan(now, unit.unit, 'previous'), end: unit.end };
      }
      if (unit) return { spec: calendarSpan(now, unit.unit, 'previous'), end: unit.end };
    }
    // "for N units" / "durante N días" (a span back from now)
    const forEnd = this.lex(i, 'date:for');
    if (forEnd > i) {
      const after = this.skip(forEnd, ['date:the', 'date:lastN']);
      const n = this.numberAt(after);
      const unit = n === undefined ? undefined : unitAt(after + 1);
      if (n !== undefined && n > 0 && unit)
        return { spec: { kind: 'since', n, unit: unit.unit }, end: unit.end };
    }
    at = hasIn ? this.skip(inEnd, ['date:the']) : this.skip(i, ['date:the']);
    if (this.lex(at, 'date:today') > at) return { spec: calendarSpan(now, 'day', 'this'), end: at + 1 };
    if (this.lex(at, 'date:yesterday') > at)
      return { spec: calendarSpan(now, 'day', 'previous'), end: at + 1 };
    const thisEnd = this.lex(at, 'date:this');
    if (thisEnd > at) {
      const unit = unitAt(thisEnd);
      if (unit) return { spec: calendarSpan(now, unit.unit, 'this'), end: unit.end };
    }
    {
      const unit = unitAt(at);
      const previous = unit ? this.lex(unit.end, 'date:previous') : -1;
      if (unit && previous > 0 && unit.unit !== 'day')
        return { spec: calendarSpan(now, unit.unit, 'previous'), end: previous };
    }
    {
      const previous = this.lex(at, 'date:previous');
      const unit = previous > 0 ? unitAt(previous) : undefined;
      if (unit && unit.unit !== 'day')
        return { spec: calendarSpan(now, unit.unit, 'previous'), end: unit.end };
    }
    // "on 2026-03-05", "el 5 de marzo de 2026", "in Q1 2026": that day or quarter.
    if (hasIn || at > i) {
      const point = pointAt(at);
      if (point && (point.day || quarterAt(at)))
        return { spec: { kind: 'range', gte: isoDate(point.start), lt: point.next }, end: point.end };
    }
    if (hasIn) {
      const month = monthAt(at);
      if (month) return { spec: monthSpan(now, month.month, month.year), end: month.end };
      const year = this.yearAt(at);
      if (year !== undefined) return { spec: yearSpan(year), end: at + 1 };
    }
    return undefined;
  }

  /**
   * A date the user wrote in a form not read (a numeric day "31/12/2025", an impossible
   * ISO date "2026-02-31", "the last 0 days"), after its optional cue: its end and why, so
   * the sentence says the date was not understood instead of losing it.
   */
  dateProblem(i: number): { end: number; problem: (lang: Lang) => string } | undefined {
    const cue = this.lexAny(i, ['date:before', 'date:after', 'date:since', 'date:in', 'cmp:between']);
    let at = this.skip(cue ? cue.end : i, ['date:the']);
    const last = this.lex(at, 'date:lastN');
    if (last > at && this.numberAt(last) === 0) {
      const unit = this.lexAny(last + 1, [
        'unit:day',
        'unit:week',
        'unit:month',
        'unit:quarter',
        'unit:year',
      ]);
      if (unit)
        return {
          end: unit.end,
          problem: (lang) => (lang === 'es' ? 'el número debe ser 1 o más' : 'the number must be 1 or more'),
        };
    }
    at = this.skip(at, ['date:the']);
    const token = this.tokens[at];
    if (token?.kind === 'date')
      return {
        end: at + 1,
        problem: (lang) => (lang === 'es' ? 'no es una fecha del calendario' : 'not a calendar date'),
      };
    // d/m/y, d.m.y, d-m-y (or m/d/y): three numbers joined by one separator.
    const [a, sep1, b, sep2, c] = this.tokens.slice(at, at + 5);
    if (
      a?.kind === 'number' &&
      b?.kind === 'number' &&
      c?.kind === 'number' &&
      sep1?.kind === 'symbol' &&
      /^[/.-]$/.test(sep1.text) &&
      sep2?.text === sep1.text
    ) {
      return {
        end: at + 5,
        problem: (lang) => {
          const example = isoExample(a.value as number, b.value as number, c.value as number, lang);
          return lang === 'es' ? `escribe la fecha como ${example}` : `use a date such as ${example}`;
        },
      };
    }
    return undefined;
  }

  private yearAt(i: number): number | undefined {
    const token = this.tokens[i];
    return token?.kind === 'number' && token.value !== undefined && token.value >= 1900 && token.value <= 2100
      ? token.value
      : undefined;
  }

  private dateFieldAt(
    i: number,
  ): { field: 'createdAt' | 'lastActivityAt' | 'updatedAt'; end: number } | undefined {
    const found = this.lexAny(i, ['field:createdAt', 'field:lastActivityAt', 'field:updatedAt']);
    if (!found) return undefined;
    return { field: found.concept.slice(6) as 'createdAt' | 'lastActivityAt' | 'updatedAt', end: found.end };
  }

  private dateRule(i: number): Match | undefined {
    const field = this.dateFieldAt(i);
    if (field) {
      const at = this.skip(field.end, ['filler']);
      const phrase =
        this.datePhrase(field.end, this.now) ?? (at > field.end ? this.datePhrase(at, this.now) : undefined);
      if (phrase)
        return this.claim('date', i, phrase.end, (negated, context) =>
          dateNode(field.field, phrase.spec, negated, context),
        );
      const problem = this.dateProblem(field.end) ?? (at > field.end ? this.dateProblem(at) : undefined);
      if (problem)
        return this.claim('date', i, problem.end, (_negated, context) => ({
          problem: problem.problem(context.lang),
        }));
      if (field.field === 'lastActivityAt')
        return this.claim('activity', i, field.end, (negated) => ({
          node: condition('lastActivityAt', negated ? 'notExists' : 'exists'),
        }));
      // "new customers in the last month": the field word waits for a later date phrase.
      const pending = { field: field.field, used: false };
      this.pendingDateField = pending;
      return this.claim('dateField', i, field.end, (_negated, context) =>
        pending.used
          ? { silent: true }
          : { problem: context.lang === 'es' ? 'falta la fecha' : 'no date given' },
      );
    }
    const phrase = this.datePhrase(i, this.now);
    if (!phrase) {
      const problem = this.dateProblem(i);
      if (!problem) return undefined;
      // The date field word before it is answered by this problem, not by "no date given".
      if (this.pendingDateField) this.pendingDateField.used = true;
      this.pendingDateField = undefined;
      return this.claim('date', i, problem.end, (_negated, context) => ({
        problem: problem.problem(context.lang),
      }));
    }
    const pending = this.pendingDateField;
    this.pendingDateField = undefined;
    if (pending) {
      pending.used = true;
      return this.claim('date', i, phrase.end, (negated, context) =>
        dateNode(pending.field, phrase.spec, negated, context),
      );
    }
    // No field word: the contact's creation by default, except next to an event that has no date
    // of its own ("unsubscribed in the last 30 days" is not "created in the last 30 days").
    const match = this.claim('date', i, phrase.end, (negated, context) => {
      const event = this.eventNextTo(match.claim);
      if (event) return { problem: datelessProblem(event, context.lang) };
      const built = dateNode('createdAt', phrase.spec, negated, context);
      return 'node' in built
        ? {
            node: built.node,
            note: context.lang === 'es' ? 'fecha de alta, por defecto' : 'created, by default',
          }
        : built;
    });
    return match;
  }

  /** A date field word read before its date phrase ("new customers in the last month"). */
  private pendingDateField: { field: string; used: boolean } | undefined;

  private inactive(i: number): Match | undefined {
    const end = this.lex(i, 'field:inactive');
    if (end < 0) return undefined;
    const at = this.skip(end, ['filler']);
    const phrase = this.datePhrase(end, this.now) ?? this.datePhrase(at, this.now);
    if (phrase)
      return this.claim('date', i, phrase.end, (negated, context) =>
        dateNode('lastActivityAt', phrase.spec, !negated, context),
      );
    return this.claim('activity', i, end, (negated) => ({
      node: condition('lastActivityAt', negated ? 'exists' : 'notExists'),
    }));
  }

  // Numbers: company size and engagement score ------------------------------

  private comparison(i: number): Match | undefined {
    const engagementFirst = this.lex(i, 'word:engagement');
    const read =
      engagementFirst > i
        ? (this.numberRange(engagementFirst) ?? this.numberRange(this.skip(engagementFirst, ['filler'])))
        : this.numberRange(i);
    if (!read) return undefined;
    const nounEnd = this.skip(read.end, ['filler']);
    const employees = this.lex(read.end, 'word:employees');
    const employeesAfterFiller = employees > 0 ? employees : this.lex(nounEnd, 'word:employees');
    if (engagementFirst > i) {
      const ops = read.ops.filter(([op]) => op !== 'eq');
      if (ops.length === 0) return undefined;
      return this.claim('engagementScore', i, read.end, (negated) => ({
        node: group(
          'all',
          ops.map(([op, value]) => condition('engagementScore', negated ? invert(op) : op, value)),
        ),
      }));
    }
    if (employeesAfterFiller < 0) return undefined;
    // "20 empleados o menos" / "50 employees or more": the comparison after the noun.
    const orMore = read.bare ? this.lex(employeesAfterFiller, 'cmp:orMore') : -1;
    const orLess = read.bare ? this.lex(employeesAfterFiller, 'cmp:orLess') : -1;
    if (orMore > 0 || orLess > 0) {
      const ops: [Condition['op'], number][] = read.ops.map(([, value]) => [
        orMore > 0 ? 'gte' : 'lte',
        value,
      ]);
      return this.claim('size', i, Math.max(orMore, orLess), (negated) => ({
        node: group(
          'all',
          ops.map(([op, value]) => condition('company.size', negated ? invert(op) : op, value)),
        ),
      }));
    }
    if (read.bare && !read.withCue) return undefined;
    return this.claim('size', i, employeesAfterFiller, (negated) => ({
      node:
        negated && read.ops.length > 1
          ? { any: read.ops.map(([op, value]) => condition('company.size', invert(op), value)) }
          : group(
              'all',
              read.ops.map(([op, value]) => condition('company.size', negated ? invert(op) : op, value)),
            ),
    }));
  }

  /** "más de N", "N o más", "N+", "entre N y M", "de N", "with N": comparisons on a number. */
  private numberRange(
    i: number,
  ): { ops: [Condition['op'], number][]; end: number; bare: boolean; withCue: boolean } | undefined {
    const cmp = this.lexAny(i, ['cmp:gt', 'cmp:gte', 'cmp:lt', 'cmp:lte', 'cmp:between']);
    if (cmp) {
      const n = this.numberAt(cmp.end);
      if (n === undefined || this.tokens[cmp.end]?.kind !== 'number') return undefined;
      if (cmp.concept === 'cmp:between') {
        const and = this.lexAny(cmp.end + 1, ['and']);
        const m = and ? this.numberAt(and.end) : undefined;
        if (!and || m === undefined) return undefined;
        return {
          ops: [
            ['gte', Math.min(n, m)],
            ['lte', Math.max(n, m)],
          ],
          end: and.end + 1,
          bare: false,
          withCue: true,
        };
      }
      return {
        ops: [[cmp.concept.slice(4) as Condition['op'], n]],
        end: cmp.end + 1,
        bare: false,
        withCue: true,
      };
    }
    const cue = this.lexAny(i, ['cue:with', 'date:of']);
    const at = cue ? cue.end : i;
    const token = this.tokens[at];
    if (token?.kind !== 'number' || token.value === undefined) return undefined;
    const n = token.value;
    if (this.tokens[at + 1]?.text === '+')
      return { ops: [['gt', n]], end: at + 2, bare: false, withCue: true };
    const more = this.lex(at + 1, 'cmp:orMore');
    if (more > 0) return { ops: [['gte', n]], end: more, bare: false, withCue: true };
    const less = this.lex(at + 1, 'cmp:orLess');
    if (less > 0) return { ops: [['lte', n]], end: less, bare: false, withCue: true };
    return { ops: [['eq', n]], end: at + 1, bare: true, withCue: cue !== undefined };
  }

  private engagementLevel(i: number): Match | undefined {
    const found = this.lexAny(i, ['engaged:high', 'engaged:low']);
    if (!found) return undefined;
    const high = found.concept === 'engaged:high';
    // Negated: "not highly engaged" is below 60, "not disengaged" above 20.
    return this.claim('engagementScore', i, found.end, (negated) => ({
      node: high
        ? condition('engagementScore', negated ? 'lt' : 'gte', 60)
        : condition('engagementScore', negated ? 'gt' : 'lte', 20),
    }));
  }

  private status(i: number): Match | undefined {
    const found = this.lexAny(i, [
      'status:subscribed',
      'status:unsubscribed',
      'status:bounced',
      'status:complained',
    ]);
    if (!found) return undefined;
    const status = found.concept.slice(7);
    return this.claim(
      'status',
      i,
      found.end,
      (negated) => {
        if (status === 'subscribed' && negated)
          return { node: condition('marketingStatus', 'eq', 'unsubscribed') };
        return { node: condition('marketingStatus', negated ? 'neq' : 'eq', status) };
      },
      status as DatelessEvent,
    );
  }

  private presence(i: number): Match | undefined {
    const cue = this.lex(i, 'cue:with');
    if (cue < 0 && !this.negationPending) return undefined;
    const at = this.skip(cue > 0 ? cue : i, ['article']);
    const found = this.lexAny(at, [
      'presence:email',
      'presence:phone',
      'presence:companyId',
      'presence:title',
    ]);
    if (!found) return undefined;
    // "con email y teléfono": each field; "with email or phone": any; "without email or phone": neither.
    const fields = [found.concept.slice(9)];
    let end = found.end;
    let or = false;
    for (;;) {
      const joiner = this.lexAny(end, ['and', 'or']);
      const next = joiner ? this.lexAny(this.skip(joiner.end, ['article']), presenceFields) : undefined;
      if (!joiner || !next) break;
      if (joiner.concept === 'or') or = true;
      fields.push(next.concept.slice(9));
      end = next.end;
    }
    return this.claim('presence', i, end, (negated) => ({
      node: group(
        or && !negated ? 'any' : 'all',
        fields.map((field) => condition(field, negated ? 'notExists' : 'exists')),
      ),
    }));
  }

  private title(i: number): Match | undefined {
    const cue = this.lex(i, 'cue:title');
    if (cue < 0) return undefined;
    const at = this.skip(cue, ['word:contains', 'article']);
    const token = this.tokens[at];
    if (!token || token.kind === 'symbol' || token.kind === 'date') return undefined;
    if (token.kind === 'word' && lexicon.phrases.has(this.norms[at] as string)) return undefined;
    const text = token.text.trim();
    if (text === '' || text.length > 200) return undefined;
    return this.claim('title', i, at + 1, (negated) =>
      negated ? { problem: text } : { node: condition('title', 'contains', text) },
    );
  }

  private tag(i: number): Match | undefined {
    const cue = this.lex(i, 'cue:tag');
    if (cue < 0) return undefined;
    const at = this.skip(cue, ['article']);
    const list = this.valueList(at, ['tag'], ['cue:tag']);
    if (!list) return undefined;
    return this.claim('tag', i, list.end, (negated) => ({
      node: listNode(
        'tags',
        list.items.map((item) => firstValue(item.refs)),
        list.or,
        negated,
      ),
    }));
  }

  private industry(i: number): Match | undefined {
    const lead = this.skip(i, ['cue:location', 'date:of', 'article']);
    const word = this.lex(lead, 'word:industry');
    if (word > 0) {
      const at = this.skip(word, ['date:of', 'article']);
      const list = this.valueList(at, ['industry'], ['word:industry', 'date:of']);
      if (list)
        return this.claim('industry', i, list.end, (negated) => ({
          node: oneOrMany(
            'company.industry',
            list.items.map((item) => firstValue(item.refs)),
            negated,
          ),
        }));
    }
    const list = this.valueList(lead, ['industry']);
    if (!list) return undefined;
    const after = this.lex(list.end, 'word:industry');
    if (after < 0 && lead === i) return undefined;
    if (after < 0) return undefined;
    return this.claim('industry', i, after, (negated) => ({
      node: oneOrMany(
        'company.industry',
        list.items.map((item) => firstValue(item.refs)),
        negated,
      ),
    }));
  }

  private owner(i: number): Match | undefined {
    const cue = this.lex(i, 'cue:owner');
    if (cue > 0) {
      const at = this.skip(cue, ['article', 'date:of']);
      const list = this.valueList(at, ['owner']);
      if (list)
        return this.claim('owner', i, list.end, (negated, context) =>
          ownerNode(list.items, negated, context),
        );
      return undefined;
    }
    const value = this.valueAt(i, ['owner']);
    if (value && this.lex(value.end, 'cue:ownerPossessive') > 0)
      return this.claim('owner', i, value.end + 1, (negated, context) =>
        ownerNode([{ refs: value.refs }], negated, context),
      );
    return undefined;
  }

  private mine(i: number): Match | undefined {
    const end = this.lex(i, 'mine');
    if (end < 0) return undefined;
    return this.claim('owner', i, end, (negated, context) => {
      if (!context.userId)
        return { problem: context.lang === 'es' ? 'sin usuario conocido' : 'no known user' };
      return { node: condition('ownerId', negated ? 'neq' : 'eq', context.userId) };
    });
  }

  private deal(i: number): Match | undefined {
    const start = this.skip(i, ['cue:with', 'article', 'word:any']);
    const dealWord = this.lex(start, 'word:deal');
    let at: number;
    if (dealWord > 0)
      at = this.skip(dealWord, ['cue:location', 'date:in', 'article', 'word:stage', 'date:of']);
    else {
      const cue = this.lex(i, 'cue:location');
      if (cue < 0) return undefined;
      at = this.skip(cue, ['article', 'word:stage', 'date:of']);
    }
    const list = this.valueList(at, ['stage']);
    if (!list) {
      // "with a deal in Renewal": part of one stage name, only after the deal word.
      if (dealWord < 0) return undefined;
      const stages = this.vocabulary.vocabulary.stages.map((stage) => ({ id: stage.id, name: stage.name }));
      const partial = this.partialName(at, stages);
      if (!partial) return undefined;
      const stageEnd = this.lex(partial.end, 'word:stage');
      return withEvent(
        this.claim('deal', i, stageEnd > 0 ? stageEnd : partial.end, (negated, context) =>
          partial.names.length > 1
            ? { problem: `${partial.names.join(' / ')}?` }
            : {
                node: oneOrMany('deals.stage', partial.ids, negated),
                note: partialNote(partial.names[0] as string, context.lang),
              },
        ),
        'deal',
      );
    }
    const stageAfter = this.lex(list.end, 'word:stage');
    const end = stageAfter > 0 ? stageAfter : list.end;
    return this.claim('deal', i, end, (negated) => {
      // A stage name in several pipelines means each of them.
      const ids = list.items.flatMap((item) => item.refs.map((ref) => ref.id as string));
      return { node: oneOrMany('deals.stage', ids, negated) };
    });
  }

  /** An opened/clicked claim names its event, for a date phrase next to it. */
  private engagementVerbEvent(match: Match | undefined): Match | undefined {
    return withEvent(match, this.lastEngagementField === 'engagement.clicked' ? 'clicked' : 'opened');
  }

  private engagementVerb(i: number): Match | undefined {
    const verb = this.lexAny(i, ['verb:opened', 'verb:clicked']);
    if (!verb) return undefined;
    const field = verb.concept === 'verb:opened' ? 'engagement.opened' : 'engagement.clicked';
    this.lastEngagementField = field;
    const afterVerb = this.skip(verb.end, ['filler']);
    const any = this.lex(afterVerb, 'word:any');
    if (any > 0 && this.lex(any, 'word:campaign') > 0) {
      const end = this.lex(any, 'word:campaign');
      return this.claim('campaign', i, end, (negated, context) => {
        // A list holds at most MAX_LIST_VALUES ids: the most recent campaigns, and the explanation says so.
        const started = context.vocabulary.startedCampaigns;
        const ids = started.slice(0, MAX_LIST_VALUES).map((campaign) => campaign.id);
        if (ids.length === 0)
          return {
            problem: context.lang === 'es' ? 'no hay campañas enviadas' : 'no campaign has been sent',
          };
        const node = condition(field, negated ? 'nin' : 'in', [...ids].sort());
        if (started.length <= MAX_LIST_VALUES) return { node };
        return {
          node,
          note:
            context.lang === 'es'
              ? `las ${MAX_LIST_VALUES} más recientes de ${started.length} campañas enviadas`
              : `the ${MAX_LIST_VALUES} most recent of ${started.length} sent campaigns`,
        };
      });
    }
    const at = this.skip(afterVerb, ['article']);
    // "la última campaña", "the last campaign", "la campaña más reciente"
    const campaignWord = this.lex(at, 'word:campaign');
    const last = this.lex(at, 'word:last');
    if (last > 0 && this.lex(last, 'word:campaign') > 0)
      return this.lastCampaign(i, field, this.lex(last, 'word:campaign'));
    if (campaignWord > 0) {
      const recent = this.lexAny(campaignWord, ['word:recent', 'word:last']);
      if (recent) return this.lastCampaign(i, field, recent.end);
    }
    const recent = this.lex(at, 'word:recent');
    if (recent > 0 && this.lex(recent, 'word:campaign') > 0)
      return this.lastCampaign(i, field, this.lex(recent, 'word:campaign'));
    const listAt = campaignWord > 0 ? this.skip(campaignWord, ['filler']) : at;
    const list = this.valueList(listAt, ['campaign'], ['word:campaign']);
    if (!list) {
      // "clicked Black Friday" (stored "Black Friday 2025"): part of exactly one campaign's name.
      const partial = this.partialName(listAt, this.vocabulary.vocabulary.campaigns);
      // The verb alone: reported, and still an event (a date next to it is not the creation date).
      if (!partial)
        return this.claim('campaignMissing', i, verb.end, (_negated, context) => ({
          problem: context.lang === 'es' ? '¿qué campaña?' : 'which campaign?',
        }));
      const after = this.lex(partial.end, 'word:campaign');
      return this.claim('campaign', i, after > 0 ? after : partial.end, (negated, context) =>
        partial.names.length > 1
          ? { problem: `${partial.names.join(' / ')}?` }
          : {
              node: oneOrMany(field, partial.ids, negated),
              note: partialNote(partial.names[0] as string, context.lang),
            },
      );
    }
    const after = this.lex(list.end, 'word:campaign');
    return this.claim('campaign', i, after > 0 ? after : list.end, (negated, context) =>
      campaignNode(field, list, negated, context.lang),
    );
  }

  private lastCampaign(i: number, field: string, end: number): Match {
    return this.claim('campaign', i, end, (negated, context) => {
      const latest = context.vocabulary.startedCampaigns[0];
      if (!latest)
        return { problem: context.lang === 'es' ? 'no hay campañas enviadas' : 'no campaign has been sent' };
      return { node: condition(field, negated ? 'neq' : 'eq', latest.id) };
    });
  }

  private audience(i: number): Match | undefined {
    const found = this.lexAny(i, [
      'aud:everyone',
      'aud:customer',
      'aud:lead',
      'aud:opportunity',
      'aud:subscriber',
      'aud:evangelist',
      'aud:company',
    ]);
    if (!found) return undefined;
    if (found.concept !== 'aud:company' && found.concept !== 'aud:everyone' && this.afterPlaceCue(i))
      return undefined;
    const stage = found.concept.slice(4);
    return this.claim(found.concept === 'aud:company' ? 'companies' : 'audience', i, found.end, (negated) => {
      if (stage === 'everyone' || stage === 'company') return { none: true };
      return { node: condition('lifecycleStage', negated ? 'neq' : 'eq', stage) };
    });
  }

  /**
   * Whether a place cue ends right before i: there a word is a place or nothing ("contacts in
   * Leads" is an unknown place, not the lead stage). Genitive "de"/"del" ("oportunidades de
   * empresas") counts only for a typo-corrected word ("de Leeds").
   */
  private afterPlaceCue(i: number): boolean {
    const corrected = this.tokens[i]?.norm !== this.norms[i];
    for (let n = 1; n <= Math.min(MAX_PHRASE_WORDS, i); n++) {
      const form = this.phraseAt(i - n, n);
      const concepts = form === undefined ? undefined : lexicon.phrases.get(form);
      if (!concepts?.has('cue:location') && !concepts?.has('cue:outside')) continue;
      if (corrected || (form !== 'de' && form !== 'del')) return true;
    }
    return false;
  }

  private location(i: number): Match | undefined {
    const outside = this.lex(i, 'cue:outside');
    const cue = outside > 0 ? outside : this.lex(i, 'cue:location');
    if (cue < 0) return undefined;
    const at = this.skip(cue, ['article']);
    const list = this.valueList(at, ['city', 'country'], ['cue:location']);
    if (!list) return undefined;
    return this.claim('location', i, list.end, (negated, context) =>
      locationNode(list.items, negated !== outside > 0, context),
    );
  }

  /** The field of the last opened/clicked verb, for "abrieron X pero no Y". */
  private lastEngagementField: string | undefined;

  private bareValue(i: number): Match | undefined {
    const value = this.valueAt(i, ['city', 'country', 'tag', 'industry']);
    // Ellipsis after an opened/clicked verb: a campaign name alone repeats the verb.
    const campaign = this.lastEngagementField ? this.valueAt(i, ['campaign']) : undefined;
    const field = this.lastEngagementField;
    if (campaign && field && campaign.end > (value?.end ?? i)) {
      const list = this.valueList(i, ['campaign'], ['word:campaign']);
      if (list)
        return this.engagementVerbEvent(
          this.claim('campaign', i, list.end, (negated, context) =>
            campaignNode(field, list, negated, context.lang),
          ),
        );
    }
    // "no abrieron Webinar IA ni Black Friday": part of a campaign name right after a campaign.
    if (!value && field && this.sequence[this.sequence.length - 1]?.kind === 'campaign') {
      const partial = this.partialName(i, this.vocabulary.vocabulary.campaigns);
      if (partial)
        return this.engagementVerbEvent(
          this.claim('campaign', i, partial.end, (negated, context) =>
            partial.names.length > 1
              ? { problem: `${partial.names.join(' / ')}?` }
              : {
                  node: oneOrMany(field, partial.ids, negated),
                  note: partialNote(partial.names[0] as string, context.lang),
                },
          ),
        );
    }
    if (!value) return undefined;
    const kinds = new Set(value.refs.map((ref) => ref.kind));
    const words = this.tokens
      .slice(i, value.end)
      .map((token) => token.text)
      .join(' ');
    if (kinds.size > 1)
      return this.claim('ambiguous', i, value.end, (_negated, context) => ({
        problem: `${words}: ${[...kinds].map((kind) => kindName(kind, context.lang)).join(context.lang === 'es' ? ' o ' : ' or ')}?`,
      }));
    const kind = [...kinds][0] as ValueKind;
    const list = this.valueList(i, [kind]) ?? {
      items: [{ refs: value.refs, start: i, end: value.end }],
      or: false,
      end: value.end,
    };
    // "the newsletter tag": the tag word after its value belongs to it.
    const tagWord = kind === 'tag' ? this.lex(list.end, 'word:tag') : -1;
    if (kind === 'tag')
      return this.claim('tag', i, tagWord > 0 ? tagWord : list.end, (negated) => ({
        node: listNode(
          'tags',
          list.items.map((item) => firstValue(item.refs)),
          list.or,
          negated,
        ),
      }));
    if (kind === 'industry')
      return this.claim('industry', i, list.end, (negated) => ({
        node: oneOrMany(
          'company.industry',
          list.items.map((item) => firstValue(item.refs)),
          negated,
        ),
      }));
    return this.claim('location', i, list.end, (negated, context) =>
      locationNode(list.items, negated, context),
    );
  }
}

/**
 * The ISO date a numeric day most likely means: day first (a first number over 12 is a day;
 * otherwise Spanish reads day/month, English month/day); "YYYY-MM-DD" when neither fits.
 */
function isoExample(a: number, b: number, year: number, lang: Lang): string {
  const dayFirst = a > 12 || (b <= 12 && lang === 'es');
  const [day, month] = dayFirst ? [a, b] : [b, a];
  const date = new Date(Date.UTC(year, month - 1, day));
  return year >= 1900 && year <= 2100 && date.getUTCMonth() === month - 1 && date.getUTCDate() === day
    ? isoDate(date)
    : 'YYYY-MM-DD';
}

/** Opened/clicked the named campaigns; two campaigns under one name are ambiguous, never one of them picked. */
function campaignNode(
  field: string,
  list: { items: readonly { refs: readonly ValueRef[] }[]; or: boolean },
  negated: boolean,
  lang: Lang,
): Built {
  for (const item of list.items) {
    const ids = new Set(item.refs.map((ref) => ref.id));
    if (ids.size > 1)
      return {
        problem:
          lang === 'es'
            ? `«${item.refs[0]?.value}»: ${ids.size} campañas con ese nombre`
            : `«${item.refs[0]?.value}»: ${ids.size} campaigns have that name`,
      };
  }
  return {
    node: listNode(
      field,
      list.items.map((item) => item.refs[0]?.id as string),
      list.or,
      negated,
    ),
  };
}

/** The explanation's note for a name matched from part of it. */
function partialNote(name: string, lang: Lang): string {
  return lang === 'es' ? `nombre incompleto de «${name}»` : `partial name of «${name}»`;
}

/** The match with its claim marked as naming a dateless event. */
function withEvent(match: Match | undefined, event: DatelessEvent): Match | undefined {
  return match && { claim: { ...match.claim, event }, end: match.end };
}

const firstValue = (refs: readonly ValueRef[]) => refs[0]?.value as string;

const audienceKinds: ReadonlySet<string> = new Set(['audience', 'companies']);

/**
 * Whether "or" may join `next` to the claims before it: an audience noun only
 * with another ("clientes o leads"); other concepts with each other ("vip o de
 * Madrid"), never with an audience ("customers or Paris" is not a reading).
 */
function orJoins(previous: readonly Claim[], next: Claim): boolean {
  const audience = audienceKinds.has(next.kind);
  return previous.every((claim) => audienceKinds.has(claim.kind) === audience);
}

function kindName(kind: ValueKind, lang: Lang): string {
  const names: Record<ValueKind, [string, string]> = {
    city: ['ciudad', 'city'],
    country: ['país', 'country'],
    tag: ['etiqueta', 'tag'],
    industry: ['sector', 'industry'],
    stage: ['etapa', 'stage'],
    campaign: ['campaña', 'campaign'],
    owner: ['propietario', 'owner'],
  };
  return names[kind][lang === 'es' ? 0 : 1];
}

const invert = (op: Condition['op']): Condition['op'] =>
  (({ gt: 'lte', gte: 'lt', lt: 'gte', lte: 'gt', eq: 'neq', neq: 'eq' }) as Record<string, Condition['op']>)[
    op
  ] ?? op;

/** A list joined by and → one condition each (a contact has several tags); by or → `in`. */
function listNode(field: string, values: readonly string[], or: boolean, negated: boolean): FilterNode {
  const unique = [...new Set(values)];
  if (or || unique.length === 1) return oneOrMany(field, unique, negated);
  return { all: unique.sort().map((value) => condition(field, negated ? 'neq' : 'eq', value)) };
}

/** Owners listed when a name is ambiguous; the rest are counted. */
export const MAX_AMBIGUOUS_OWNERS = 5;

function ownerNode(items: readonly { refs: ValueRef[] }[], negated: boolean, context: BuildContext): Built {
  for (const item of items) {
    const owners = [...new Map(item.refs.map((ref) => [ref.id, ref])).values()];
    if (owners.length > 1) return { problem: ambiguousOwners(owners, context) };
  }
  return {
    node: oneOrMany(
      'ownerId',
      items.map((item) => item.refs[0]?.id as string),
      negated,
    ),
  };
}

/**
 * "Ana García / Ana Torres?", at most MAX_AMBIGUOUS_OWNERS names and "and N more"; owners
 * sharing one name are told apart by their email, else their team, else their id.
 */
function ambiguousOwners(owners: readonly ValueRef[], context: BuildContext): string {
  const stored = new Map(context.vocabulary.vocabulary.owners.map((owner) => [owner.id, owner]));
  const names = owners.map((ref) => ref.value);
  const labels = owners.map((ref) => {
    if (names.filter((name) => name === ref.value).length === 1) return ref.value;
    const owner = stored.get(ref.id as string);
    return `${ref.value} (${owner?.email ?? owner?.team ?? ref.id})`;
  });
  const shown = labels.slice(0, MAX_AMBIGUOUS_OWNERS).join(' / ');
  const more = labels.length - MAX_AMBIGUOUS_OWNERS;
  if (more <= 0) return `${shown}?`;
  return context.lang === 'es' ? `${shown} y ${more} más?` : `${shown} and ${more} more?`;
}

function locationNode(
  items: readonly { refs: ValueRef[] }[],
  negated: boolean,
  context: BuildContext,
): Built {
  // A place is the contact's, the company's after a company noun, and the company's when
  // only companies hold it (a contact's field would never match it).
  const { vocabulary } = context;
  const fields = { city: [] as string[], country: [] as string[] };
  const companyFields = { city: [] as string[], country: [] as string[] };
  let companyOnly = false;
  for (const item of items) {
    const kinds = new Set(item.refs.map((ref) => ref.kind));
    const ref = item.refs.find((each) => each.kind === 'city') ?? item.refs[0];
    if (!ref) continue;
    if (kinds.size > 1 && !kinds.has('city')) return { problem: ref.value };
    const onlyCompanies =
      ref.companyOnly === true || (ref.code !== undefined && vocabulary.companyOnlyCodes.has(ref.code));
    companyOnly ||= onlyCompanies && !context.companies;
    const target = context.companies || onlyCompanies ? companyFields : fields;
    if (ref.kind === 'city') target.city.push(ref.value);
    else if (ref.code)
      target.country.push(
        ...((context.companies ? vocabulary.companyCountryForms.get(ref.code) : undefined) ??
          vocabulary.countryForms.get(ref.code) ?? [ref.value]),
      );
    else target.country.push(ref.value);
  }
  const nodes: FilterNode[] = [];
  for (const [prefix, values] of [
    ['', fields],
    ['company.', companyFields],
  ] as const) {
    if (values.city.length > 0) nodes.push(oneOrMany(`${prefix}city`, values.city, negated));
    if (values.country.length > 0) nodes.push(oneOrMany(`${prefix}country`, values.country, negated));
  }
  if (nodes.length === 0) return { none: true };
  const node = group(negated ? 'all' : 'any', nodes);
  if (!companyOnly) return { node };
  return {
    node,
    note:
      context.lang === 'es'
        ? 'de la empresa: ningún contacto tiene ese lugar'
        : "the company's: no contact has that place",
  };
}

/** A date phrase bound to a field; negated activity over a span back from now means "no activity since D". */
export function dateNode(field: string, spec: DateSpec, negated: boolean, context: BuildContext): Built {
  const now = context.now;
  if (negated && field === 'lastActivityAt' && (spec.kind === 'within' || spec.kind === 'since')) {
    const since = unitsAgo(now, spec.n, spec.unit);
    return {
      node: {
        any: [
          condition('lastActivityAt', 'lt', since),
          { all: [condition('lastActivityAt', 'notExists'), condition('createdAt', 'lt', since)] },
        ],
      },
    };
  }
  switch (spec.kind) {
    case 'within':
      if (windowDays(spec.n, spec.unit) > 36_500)
        return { problem: context.lang === 'es' ? 'más de 100 años' : 'more than 100 years' };
      return negated
        ? { node: condition(field, 'lt', unitsAgo(now, windowDays(spec.n, spec.unit), 'day')) }
        : { node: condition(field, 'withinDays', windowDays(spec.n, spec.unit)) };
    case 'since':
      return { node: condition(field, negated ? 'lt' : 'gte', unitsAgo(now, spec.n, spec.unit)) };
    case 'olderThan':
      return { node: condition(field, negated ? 'gte' : 'lt', unitsAgo(now, spec.n, spec.unit)) };
    case 'range': {
      const bounds: [Condition['op'], string][] = [];
      if (spec.gte) bounds.push(['gte', spec.gte]);
      if (spec.gt) bounds.push(['gt', spec.gt]);
      if (spec.lt) bounds.push(['lt', spec.lt]);
      if (!negated)
        return {
          node: group(
            'all',
            bounds.map(([op, value]) => condition(field, op, value)),
          ),
        };
      return {
        node: group(
          'any',
          bounds.map(([op, value]) => condition(field, invert(op), value)),
        ),
      };
    }
  }
}
