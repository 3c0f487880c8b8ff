import type { SegmentFilter } from '../domain/segment-filter.ts';
import { validateFilter } from '../domain/segment-filter.ts';
import { interpretSegment, type SegmentLanguage } from '../domain/segment-language/interpret.ts';
import type { SegmentVocabulary } from '../domain/segment-language/vocabulary.ts';
import { suggestionProblems } from '../domain/segment-suggestion.ts';
import type { SegmentSuggester } from '../language-model/segment-suggester.ts';
import { logger } from '../observability/logger.ts';
import { resolveSegment } from '../store/segment-resolution.ts';
import { readSegmentVocabulary } from '../store/segment-vocabulary.ts';
import type { Caller } from './auth.ts';
import { segmentCustomFieldErrors } from './custom-fields.ts';
import { actorOf } from './records.ts';

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
  readonly suggestion?: { readonly filter: SegmentFilter; readonly count: number };
}

/** Whether a filter may be resolved: validateFilter and the custom-field check find nothing. */
async function usable(caller: Caller, filter: SegmentFilter): Promise<boolean> {
  if (validateFilter(filter).length > 0) return false;
  return (await segmentCustomFieldErrors(caller, filter)).length === 0;
}

/** The live contacts matching `filter` that the caller may read (as GET /segments/{id}/preview counts). */
export async function readableCount(caller: Caller, filter: SegmentFilter, now: Date): Promise<number> {
  let count = 0;
  for await (const page of resolveSegment(caller.tenantId, filter, { reader: actorOf(caller), now }))
    count += page.length;
  return count;
}

/**
 * The model's filter when it is valid, uses only the tenant's values (or the
 * caller, or words of the sentence) and passes the custom-field check;
 * undefined otherwise. Never throws: a failure is logged as a warning.
 */
async function suggestion(
  caller: Caller,
  suggester: SegmentSuggester,
  request: { text: string; lang: SegmentLanguage; now: Date; vocabulary: SegmentVocabulary },
): Promise<SegmentInterpretation['suggestion']> {
  const context = { tenantId: caller.tenantId, lang: request.lang };
  try {
    const proposed = await suggester.suggest({ ...request, userId: caller.userId });
    const invalid = validateFilter(proposed);
    if (invalid.length > 0) {
      logger.warn('segment suggestion dropped: invalid filter', { ...context, errors: invalid.slice(0, 5) });
      return undefined;
    }
    const filter = proposed as SegmentFilter;
    const invented = suggestionProblems(filter, request.vocabulary, {
      text: request.text,
      userId: caller.userId,
    });
    if (invented.length > 0) {
      logger.warn('segment suggestion dropped: values outside the vocabulary', {
        ...context,
        problems: invented.slice(0, 5),
      });
      return undefined;
    }
    if (!(await usable(caller, filter))) {
      logger.warn('segment suggestion dropped: custom fields', context);
      return undefined;
    }
    return { filter, count: await readableCount(caller, filter, request.now) };
  } catch (error) {
    logger.warn('segment suggestion failed', {
      ...context,
      error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    });
    return undefined;
  }
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
