import { config } from '../config.ts';
import { dealWriteItems } from './deals.ts';
import { type Deal, type Pipeline, type Product, products, type Quote, quotes } from './entities.ts';
import { acceptedQuoteKey } from './keys.ts';
import { getRecord, toItem } from './records.ts';
import { transact } from './transactions.ts';

/** The products quote lines name, by id (each read once; quotes name few). */
export async function productsById(tenantId: string, ids: readonly string[]): Promise<Map<string, Product>> {
  const found = await Promise.all([...new Set(ids)].map((id) => getRecord(products, tenantId, id)));
  return new Map(found.flatMap((product) => (product ? [[product.id, product] as const] : [])));
}

export type AcceptOutcome = { ok: true } | { ok: false; reason: 'already-accepted' | 'changed' };

/**
 * Accepts a quote in one TransactWriteItems:
 * 0. the quote, conditioned on its version and on still being sent;
 * 1. the deal's accepted-quote marker, conditioned on being absent, so a second
 *    accepted quote of the same deal fails even when two accepts race;
 * 2. the deal (amount, currency, won stage), conditioned on its version;
 * 3. the deal's history entry, when the deal changes stage.
 */
export async function writeAcceptance(
  tenantId: string,
  quote: { before: Quote; after: Quote },
  deal: { before: Deal; after: Deal; pipeline: Pipeline },
  actorId: string,
): Promise<AcceptOutcome> {
  const accepted = quote.after;
  const outcome = await transact([
    {
      Put: {
        TableName: config.tableName,
        Item: toItem(quotes, tenantId, accepted),
        ConditionExpression: 'version = :version AND #status = :sent',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':version': quote.before.version, ':sent': 'sent' },
      },
    },
    {
      Put: {
        TableName: config.tableName,
        Item: {
          ...acceptedQuoteKey(tenantId, accepted.dealId),
          entity: 'accepted-quote',
          tenantId,
          dealId: accepted.dealId,
          quoteId: accepted.id,
          acceptedAt: accepted.acceptedAt,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
    ...dealWriteItems(
      tenantId,
      { deal: deal.before, pipeline: deal.pipeline },
      { deal: deal.after, pipeline: deal.pipeline },
      actorId,
    ),
  ]);
  if (outcome.ok) return outcome;
  return { ok: false, reason: outcome.failedConditions.includes(1) ? 'already-accepted' : 'changed' };
}
