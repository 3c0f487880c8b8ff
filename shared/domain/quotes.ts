/**
 * The life of a quote: draft → sent → accepted | rejected, and a sent quote
 * past its `validUntil` is expired. Expiry is a matter of time, not of a write,
 * so the status is computed whenever a quote is read.
 */
export const quoteStatuses = ['draft', 'sent', 'accepted', 'rejected', 'expired'] as const;
export type QuoteStatus = (typeof quoteStatuses)[number];

export type QuoteAction = 'send' | 'accept' | 'reject';

/** When each move happened, kept on the quote. */
export type QuoteStamp = 'sentAt' | 'acceptedAt' | 'rejectedAt';

export interface QuoteState {
  readonly status: QuoteStatus;
  readonly validUntil?: string;
}

const moves: Record<QuoteAction, { from: QuoteStatus; to: QuoteStatus; stamp: QuoteStamp }> = {
  send: { from: 'draft', to: 'sent', stamp: 'sentAt' },
  accept: { from: 'sent', to: 'accepted', stamp: 'acceptedAt' },
  reject: { from: 'sent', to: 'rejected', stamp: 'rejectedAt' },
};

const passed = (validUntil: string | undefined, now: Date) =>
  validUntil !== undefined && Date.parse(validUntil) <= now.getTime();

/** The status a client sees: a sent quote whose validity has passed is expired. */
export const effectiveStatus = (quote: QuoteState, now: Date): QuoteStatus =>
  quote.status === 'sent' && passed(quote.validUntil, now) ? 'expired' : quote.status;

export const withEffectiveStatus = <T extends QuoteState>(quote: T, now = new Date()): T => {
  const status = effectiveStatus(quote, now);
  return status === quote.status ? quote : { ...quote, status };
};

export type QuoteMove =
  | { readonly ok: true; readonly status: QuoteStatus; readonly stamp: QuoteStamp }
  | { readonly ok: false; readonly message: string; readonly expired: boolean };

/** Whether `action` may happen to `quote` now; a refusal is a 409. */
export function quoteMove(quote: QuoteState, action: QuoteAction, now: Date): QuoteMove {
  const move = moves[action];
  const status = effectiveStatus(quote, now);
  if (status === 'expired')
    return { ok: false, expired: true, message: `The quote expired at ${quote.validUntil}` };
  if (status !== move.from)
    return {
      ok: false,
      expired: false,
      message: `Only a ${move.from} quote can be ${move.to}; this one is ${status}`,
    };
  if (action === 'send' && passed(quote.validUntil, now))
    return { ok: false, expired: false, message: 'validUntil has passed; set a later one before sending' };
  return { ok: true, status: move.to, stamp: move.stamp };
}

/**
 * The instant a quote stops being valid, as an ISO timestamp (UTC). A date
 * without a time means the whole day, UTC.
 */
export const validityEnd = (validUntil: string): string =>
  /^\d{4}-\d{2}-\d{2}$/.test(validUntil) ? `${validUntil}T23:59:59.999Z` : new Date(validUntil).toISOString();
