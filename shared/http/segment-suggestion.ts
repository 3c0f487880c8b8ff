import { type SegmentFilter, validateFilter } from '../domain/segment-filter.ts';
import { suggestionProblems } from '../domain/segment-suggestion.ts';
import type { SegmentSuggester, SuggestionRequest } from '../language-model/segment-suggester.ts';
import { logger } from '../observability/logger.ts';
import { previewSegment } from '../store/segment-resolution.ts';
import type { Caller } from './auth.ts';
import { segmentCustomFieldErrors } from './custom-fields.ts';
import { actorOf } from './records.ts';

/**
 * A language model's filter for a sentence (`suggestion` of `POST
 * /segments/interpret`), accepted only when it is a valid filter, passes the
 * custom-field check and uses only the tenant's values, the caller or words
 * of the sentence (segment-suggestion.ts in the domain); counted as the
 * caller may read, like the rules' own filter.
 */

export interface Suggestion {
  readonly filter: SegmentFilter;
  readonly count: number;
}

/** Whether a filter may be resolved: validateFilter and the custom-field check find nothing. */
export async function usable(caller: Caller, filter: SegmentFilter): Promise<boolean> {
  if (validateFilter(filter).length > 0) return false;
  return (await segmentCustomFieldErrors(caller, filter)).length === 0;
}

/** The live contacts matching `filter` that the caller may read (as GET /segments/{id}/preview counts). */
export async function readableCount(caller: Caller, filter: SegmentFilter, now: Date): Promise<number> {
  return (await previewSegment(caller.tenantId, filter, { reader: actorOf(caller), now, sampleSize: 0 }))
    .count;
}

/**
 * The model's filter when it is valid, uses only the tenant's values (or the
 * caller, or words of the sentence) and passes the custom-field check;
 * undefined otherwise. Never throws: a failure is logged as a warning.
 */
export async function suggestion(
  caller: Caller,
  suggester: SegmentSuggester,
  request: Omit<SuggestionRequest, 'userId'>,
): Promise<Suggestion | undefined> {
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
