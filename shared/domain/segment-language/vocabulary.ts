/**
 * A tenant's own values that a plain-language sentence may name, as stored:
 * the interpreter (interpret.ts) only ever puts these values, or numbers and
 * dates read from the sentence, into a filter. Built per request from the
 * tenant's records (shared/store/segment-vocabulary.ts), so one tenant's words
 * never reach another's interpretation.
 */
export interface SegmentVocabulary {
  /** Contacts' `city` values, e.g. "Madrid", "São Paulo". */
  readonly cities: readonly string[];
  /** Contacts' `country` values: names ("Spain", "España") or ISO codes ("ES"). */
  readonly countries: readonly string[];
  /** Companies' `city` values (a place only companies have is read as `company.city`). */
  readonly companyCities?: readonly string[];
  /** Companies' `country` values, names or ISO codes. */
  readonly companyCountries?: readonly string[];
  /** Contacts' tags. */
  readonly tags: readonly string[];
  /** Companies' `industry` values. */
  readonly industries: readonly string[];
  /** Deal stages of every pipeline; one name may appear in several pipelines. */
  readonly stages: readonly VocabularyStage[];
  /** Campaigns; `startedAt` is set once sending began ("the last campaign" is the latest of these). */
  readonly campaigns: readonly VocabularyCampaign[];
  /** Users who own records, by display name. */
  readonly owners: readonly VocabularyOwner[];
}

export interface VocabularyStage {
  readonly id: string;
  readonly name: string;
  readonly pipeline: string;
}

export interface VocabularyCampaign {
  readonly id: string;
  readonly name: string;
  /** ISO date-time when sending began; absent for drafts and scheduled campaigns. */
  readonly startedAt?: string;
}

export interface VocabularyOwner {
  readonly id: string;
  readonly name: string;
  /** Tells apart owners of one name when a sentence's name is ambiguous. */
  readonly email?: string;
  /** The owner's team (its name), when the user has one (the same use, when there is no email). */
  readonly team?: string;
}

export const emptyVocabulary = (): SegmentVocabulary => ({
  cities: [],
  countries: [],
  tags: [],
  industries: [],
  stages: [],
  campaigns: [],
  owners: [],
});
