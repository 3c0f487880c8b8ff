import type { SegmentVocabulary } from '../domain/segment-language/vocabulary.ts';

/**
 * The port through which a language model suggests a segment filter for a
 * sentence the rules did not fully read (`POST /segments/interpret`). Only
 * the AWS deployment has one (bedrock.ts, selected by NL_MODEL_ID); the
 * answer is untrusted input that the caller validates before showing it.
 */
export interface SuggestionRequest {
  /** The user's sentence, as sent (1-500 characters). */
  readonly text: string;
  readonly lang: 'es' | 'en';
  /** Today for relative dates (UTC). */
  readonly now: Date;
  /** The tenant's values: the only ones a suggestion may use. */
  readonly vocabulary: SegmentVocabulary;
  /** The caller, for "my contacts". */
  readonly userId?: string;
}

export interface SegmentSuggester {
  /**
   * The model's filter for the sentence, as the model gave it (unvalidated).
   * Throws on any failure: throttling, timeout, access denied, no answer in
   * the expected shape.
   */
  suggest(request: SuggestionRequest): Promise<unknown>;
}
