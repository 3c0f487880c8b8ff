import { quoteRoutes } from '#shared/api/quotes';
import { canRead } from '#shared/domain/access';
import { moveToStage } from '#shared/domain/deal';
import { acceptedProducts } from '#shared/domain/deal-products';
import { wonStage } from '#shared/domain/pipeline';
import { formatQuoteNumber, quoteYear } from '#shared/domain/quote-number';
import { type QuoteLineInput, type QuoteTotals, quoteTotals } from '#shared/domain/quote-totals';
import { type QuoteAction, quoteMove, validityEnd, withEffectiveStatus } from '#shared/domain/quotes';
import type { Caller } from '#shared/http/auth';
import { checkVersion } from '#shared/http/etag';
import { httpHandler } from '#shared/http/handler';
import { conflict, type FieldError, invalidFields, notFound } from '#shared/http/problem';
import { assertWritable, failWrite, listPage, newRecordBase, readable } from '#shared/http/records';
import { created, ok } from '#shared/http/results';
import { type Deal, deals, pipelines, type Quote, quotes } from '#shared/store/entities';
import { claimQuoteNumber, lastQuoteNumber } from '#shared/store/quote-numbers';
import { productsById, writeAcceptance } from '#shared/store/quotes';
import {
  assertRoomToGrow,
  createRecord,
  getRecord,
  replaceRecord,
  type WriteOutcome,
} from '#shared/store/records';
import { isTransactionConflict } from '#shared/store/transactions';

const MAX_ATTEMPTS = 3;
/** Creators racing for the next number: each round lets one through, so this many all finish. */
const MAX_NUMBER_ATTEMPTS = 25;

const ownerOf = (deal: Deal) => ({ ownerId: deal.ownerId, ...(deal.teamId ? { teamId: deal.teamId } : {}) });

/** Quotes are seen and changed through their deal: whoever cannot read the deal gets 404. */
async function visibleQuote(caller: Caller, id: string): Promise<{ quote: Quote; deal: Deal }> {
  const quote = await getRecord(quotes, caller.tenantId, id);
  const deal = quote && (await getRecord(deals, caller.tenantId, quote.dealId));
  if (!quote || !deal || !canRead(caller, deal)) throw notFound('Quote');
  return { quote, deal };
}

/**
 * Creates a quote with the next number of its year (shared/store/quote-numbers.ts):
 * read the counter, write quote and counter together, and on losing the
 * number to a concurrent creator read again, after a short jittered wait.
 */
async function createNumbered(caller: Caller, draft: Quote): Promise<Quote> {
  const year = quoteYear(draft.createdAt);
  for (let attempt = 1; attempt <= MAX_NUMBER_ATTEMPTS; attempt++) {
    const last = await lastQuoteNumber(caller.tenantId, year);
    const quote: Quote = { ...draft, number: formatQuoteNumber(year, last + 1) };
    assertRoomToGrow(quotes, caller.tenantId, quote);
    const outcome = await createRecord(quotes, caller.tenantId, quote, [
      claimQuoteNumber(caller.tenantId, year, last),
    ]).catch((error: unknown) => {
      if (isTransactionConflict(error)) return undefined;
      throw error;
    });
    if (outcome?.ok) return quote;
    if (outcome && outcome.reason !== 'check') failWrite(quotes, outcome);
    await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(100, 5 * 2 ** attempt)));
  }
  throw conflict('Too many quotes are being created at once; retry');
}

/** Lines priced line by line against live products of the quote's currency. */
async function productProblems(
  caller: Caller,
  lines: readonly QuoteLineInput[],
  currency: string | undefined,
): Promise<FieldError[]> {
  const ids = lines.flatMap((line) => (line.productId ? [line.productId] : []));
  const found = ids.length > 0 ? await productsById(caller.tenantId, ids) : new Map();
  return lines.flatMap((line, index): FieldError[] => {
    if (!line.productId) return [];
    const path = `lines.${index}.productId`;
    const product = found.get(line.productId);
    if (!product || product.archived) return [{ path, message: 'is not a live product of this tenant' }];
    if (currency && product.currency !== currency)
      return [{ path, message: `is priced in ${product.currency}, not ${currency}` }];
    return [];
  });
}

/** Exact totals of valid lines, or one 400 listing every problem (including `extra`). */
async function priced(
  caller: Caller,
  lines: readonly QuoteLineInput[],
  currency: string | undefined,
  extra: FieldError[] = [],
): Promise<QuoteTotals> {
  const result = quoteTotals(lines);
  const errors = [
    ...extra,
    ...(result.ok ? [] : result.errors),
    ...(await productProblems(caller, lines, currency)),
  ];
  if (!result.ok || errors.length > 0) throw invalidFields(errors);
  return result.totals;
}

/** The quote after `action`, or a 409; a refusal for expiry also stores the expired status. */
async function moved(caller: Caller, quote: Quote, action: QuoteAction, now: Date): Promise<Quote> {
  const move = quoteMove(quote, action, now);
  if (move.ok) return { ...quote, status: move.status, [move.stamp]: now.toISOString() };
  if (move.expired && quote.status === 'sent') {
    // Best effort: reads compute expiry anyway, so a lost race here changes nothing visible.
    await replaceRecord(quotes, caller.tenantId, quote, {
      ...quote,
      status: 'expired',
      version: quote.version + 1,
      updatedAt: now.toISOString(),
    });
  }
  throw conflict(move.message);
}

type QuoteWrite = (before: Quote, after: Quote, deal: Deal) => Promise<WriteOutcome>;

/**
 * Read, check rights, change, and write conditioned on the version read, like
 * update() in shared/http/records, except that rights come from the deal (the
 * quote's owner fields are the deal's, copied on every write). Without If-Match
 * a lost race re-applies the change to the fresh state.
 */
async function changeQuote(
  caller: Caller,
  id: string,
  ifMatch: number | undefined,
  change: (quote: Quote, deal: Deal, now: Date) => Promise<Quote>,
  write: QuoteWrite = (before, after) => replaceRecord(quotes, caller.tenantId, before, after),
): Promise<Quote> {
  for (let attempt = 1; ; attempt++) {
    const { quote, deal } = await visibleQuote(caller, id);
    assertWritable(caller, deal);
    checkVersion(ifMatch, quote.version);
    const now = new Date();
    const { ownerId: _owner, teamId: _team, ...changed } = await change(quote, deal, now);
    const next: Quote = {
      ...changed,
      ...ownerOf(deal),
      version: quote.version + 1,
      updatedAt: now.toISOString(),
    };
    const outcome = await write(quote, next, deal);
    if (outcome.ok) return withEffectiveStatus(next, now);
    if (outcome.reason !== 'version' || ifMatch !== undefined || attempt >= MAX_ATTEMPTS)
      failWrite(quotes, outcome);
  }
}

/** Accepting writes the quote, the deal's accepted-quote marker and the won deal in one transaction. */
function acceptance(caller: Caller): QuoteWrite {
  return async (before, after, deal) => {
    if (deal.archived) throw conflict('The deal is archived; restore it before accepting a quote');
    const pipeline = await getRecord(pipelines, caller.tenantId, deal.pipelineId);
    const won = pipeline && wonStage(pipeline);
    if (!pipeline || !won) throw conflict('The deal’s pipeline has no won stage');
    const stamp = after.updatedAt;
    const amounted: Deal = {
      ...deal,
      amount: after.total,
      currency: after.currency,
      ...acceptedProducts(after.lines),
      version: deal.version + 1,
      updatedAt: stamp,
    };
    const wonDeal = moveToStage(amounted, pipeline, won.id, stamp);
    if (!wonDeal.ok) throw conflict(wonDeal.message);
    const outcome = await writeAcceptance(
      caller.tenantId,
      { before, after },
      { before: deal, after: wonDeal.deal, pipeline },
      caller.userId,
    );
    if (outcome.ok) return outcome;
    if (outcome.reason === 'already-accepted') throw conflict('This deal already has an accepted quote');
    return { ok: false, reason: 'version' };
  };
}

export const handler = httpHandler(quoteRoutes, {
  async createQuote({ caller, params, body }) {
    const deal = await readable(deals, caller, params.id);
    assertWritable(caller, deal);
    if (deal.archived) throw conflict('The deal is archived; restore it before quoting');
    const currency = body.currency ?? deal.currency;
    const currencyErrors: FieldError[] = !currency
      ? [{ path: 'currency', message: 'is required when the deal has no currency' }]
      : deal.currency && currency !== deal.currency
        ? [{ path: 'currency', message: `must be the deal’s currency (${deal.currency})` }]
        : [];
    const totals = await priced(caller, body.lines, currency, currencyErrors);
    const quote: Quote = {
      ...newRecordBase(ownerOf(deal)),
      dealId: deal.id,
      status: 'draft',
      currency: currency as string, // priced() refused a missing one
      ...totals,
      ...(body.validUntil ? { validUntil: validityEnd(body.validUntil) } : {}),
    };
    const numbered = await createNumbered(caller, quote);
    return created(numbered, `/quotes/${numbered.id}`);
  },

  async listDealQuotes({ caller, params, page }) {
    const deal = await readable(deals, caller, params.id);
    const now = new Date();
    // Whoever reads the deal reads its quotes.
    return listPage(quotes, caller, page, {
      visibility: 'tenant',
      via: { pattern: 'byParent', parentId: deal.id },
      view: (quote) => withEffectiveStatus(quote, now),
    });
  },

  async getQuote({ caller, params }) {
    return ok(withEffectiveStatus((await visibleQuote(caller, params.id)).quote));
  },

  async updateQuote({ caller, params, body, ifMatch }) {
    const quote = await changeQuote(caller, params.id, ifMatch, async (current, _deal, now) => {
      if (current.status !== 'draft')
        throw conflict(
          `Only a draft quote can be changed; this one is ${withEffectiveStatus(current, now).status}`,
        );
      const totals = body.lines ? await priced(caller, body.lines, current.currency) : {};
      const { validUntil: _previous, ...rest } = current;
      const validUntil = body.validUntil === undefined ? current.validUntil : body.validUntil;
      return { ...rest, ...totals, ...(validUntil ? { validUntil: validityEnd(validUntil) } : {}) };
    });
    return ok(quote);
  },

  async sendQuote({ caller, params, ifMatch }) {
    return ok(
      await changeQuote(caller, params.id, ifMatch, (quote, _deal, now) => moved(caller, quote, 'send', now)),
    );
  },

  async acceptQuote({ caller, params, ifMatch }) {
    return ok(
      await changeQuote(
        caller,
        params.id,
        ifMatch,
        (quote, _deal, now) => moved(caller, quote, 'accept', now),
        acceptance(caller),
      ),
    );
  },

  async rejectQuote({ caller, params, ifMatch }) {
    return ok(
      await changeQuote(caller, params.id, ifMatch, (quote, _deal, now) =>
        moved(caller, quote, 'reject', now),
      ),
    );
  },
});
