import type { SegmentFilter } from '../domain/segment-filter.ts';
import { interpretSegment, type SegmentLanguage } from '../domain/segment-language/interpret.ts';
import type { SegmentSuggester } from '../language-model/segment-suggester.ts';
import { readSegmentVocabulary } from '../store/segment-vocabulary.ts';
import type { Caller } from './auth.ts';
import { readableCount, type Suggestion, suggestion, usable } from './segment-suggestion.ts';

/**
 * `POST /segments/interpret`: a sentence read into a segment filter against
 * the caller's tenant's vocabulary (shared/store/segment-vocabulary.ts) by
 * the rules (shared/domain/segment-language/interpret.ts), counted like a
 * segment preview, and, when the rules left words unmatched and a language
 * model is configured, the model's reading as a separate `suggestion`.
 */

export interface InterpretRequest {
  readonly text: string;
  readonly lang?: SegmentLanguage | undefined;
}

export interface SegmentInterpretation {
  readonly filter: SegmentFilter | null;
  readonly explanation: readonly string[];
  readonly unmatched: readonly string[];
  /** Contacts the caller may read that match `filter`; null without a usable filter. */
  readonly count: number | null;
  readonly lang: SegmentLanguage;
  readonly suggestion?: Suggestion;
}

/**
 * Interprets `request.text` for the caller. Reads the vocabulary (a handful
 * of Queries), resolves the filter once to count it, and asks the suggester
 * (if any) only when something was left unmatched. Throws only on store
 * failures of the rules' own path; the suggestion never makes it fail.
 */
export async function interpretForCaller(
  caller: Caller,
  request: InterpretRequest,
  suggester: SegmentSuggester | undefined,
  now = new Date(),
): Promise<SegmentInterpretation> {
  const vocabulary = await readSegmentVocabulary(caller.tenantId);
  const interpretation = interpretSegment(request.text, vocabulary, {
    ...(request.lang ? { lang: request.lang } : {}),
    now,
    userId: caller.userId,
  });
  const { filter, explanation, unmatched, lang } = interpretation;
  const count = filter && (await usable(caller, filter)) ? await readableCount(caller, filter, now) : null;
  const suggested =
    suggester && unmatched.length > 0
      ? await suggestion(caller, suggester, { text: request.text, lang, now, vocabulary })
      : undefined;
  return {
    filter,
    explanation,
    unmatched,
    count,
    lang,
    ...(suggested ? { suggestion: suggested } : {}),
  };
}
