import { config } from '#shared/config';
import { recipientStatus } from '#shared/domain/delivery';
import type { Pipeline } from '#shared/domain/records';
import { actingAs } from '#shared/store/actor';
import { type Campaign, campaigns } from '#shared/store/campaigns';
import { dealHistoryItem } from '#shared/store/deals';
import {
  claimDelivery,
  markSent,
  putNewDeliveries,
  recordEngagement,
  statusIndex,
} from '#shared/store/deliveries';
import {
  activities,
  cases,
  companies,
  contacts,
  deals,
  leads,
  products,
  quotes,
} from '#shared/store/entities';
import { acceptedQuoteKey } from '#shared/store/keys';
import { addSuppression, changeMarketingStatus, recordEngagementItem } from '#shared/store/marketing';
import { createItems, createRecord, type EntitySpec, type StoredRecord } from '#shared/store/records';
import { type TransactItem, transact } from '#shared/store/transactions';
import type { PlannedDeal, PlannedDelivery, SeedPlan } from './plan.ts';

/**
 * Writes a seed plan through the store functions the handlers use (entity
 * specs, unique reservations, search words, deal history, deliveries), each
 * record in the name of its owner and with its backdated stamps, so the table
 * stream sees what it would have seen had people done it. Nothing is sent:
 * the campaign's deliveries are written as the sender and the trackers would
 * have left them.
 */

/** One unit of work done, for the progress line. */
export type Tick = (what: string) => void;

/** How many writes are in flight at once: enough to keep DynamoDB Local busy, few enough not to throttle it. */
const CONCURRENCY = 8;

async function inParallel<T>(items: readonly T[], work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, items.length) }, worker));
}

async function create<T extends StoredRecord>(
  spec: EntitySpec<T>,
  tenantId: string,
  record: T,
): Promise<void> {
  const outcome = await actingAs(record.ownerId, () => createRecord(spec, tenantId, record));
  if (!outcome.ok) throw new Error(`Could not write ${spec.label} ${record.id}: ${JSON.stringify(outcome)}`);
}

async function mustCommit(items: TransactItem[], what: string): Promise<void> {
  const outcome = await transact(items);
  if (!outcome.ok)
    throw new Error(`Could not write ${what}: conditions ${outcome.failedConditions.join(', ')} failed`);
}

/**
 * A deal as it stands now, with one history entry per stage it entered (at
 * the time it entered it) and, when won through a quote, the accepted quote
 * and the deal's accepted-quote marker: one transaction, as acceptance does.
 */
async function writeDeal(tenantId: string, pipeline: Pipeline, planned: PlannedDeal): Promise<void> {
  const { deal, path, quote } = planned;
  await actingAs(deal.ownerId, async () => {
    const created = createItems(deals, tenantId, deal);
    const history = path.flatMap((_, index) => {
      const at = (n: number) => {
        const entered = path[n] as (typeof path)[number];
        return {
          deal: {
            ...deal,
            stageId: entered.stage.id,
            status: entered.stage.kind,
            probability: entered.stage.probability,
            stageEnteredAt: entered.at,
            updatedAt: entered.at,
          },
          pipeline,
        };
      };
      const item = dealHistoryItem(
        tenantId,
        index === 0 ? undefined : at(index - 1),
        at(index),
        deal.ownerId,
      );
      return item ? [item] : [];
    });
    const accepted: TransactItem[] = quote
      ? [
          ...createItems(quotes, tenantId, quote).items,
          {
            Put: {
              TableName: config.tableName,
              Item: {
                ...acceptedQuoteKey(tenantId, deal.id),
                entity: 'accepted-quote',
                tenantId,
                dealId: deal.id,
                quoteId: quote.id,
                acceptedAt: quote.acceptedAt,
              },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
        ]
      : [];
    await mustCommit([...created.items, ...history, ...accepted, ...created.words], `deal ${deal.id}`);
  });
}

/**
 * One campaign email's life: written pending at its send time, claimed and
 * marked sent, then each engagement moment set once as the SES events and
 * the trackers set it (bounce and delivery, a machine's and a person's
 * open, the click, the unsubscribe), with the contact's engagement items
 * that segments and scores read.
 */
async function writeDelivery(tenantId: string, campaign: Campaign, planned: PlannedDelivery): Promise<void> {
  const ref = { kind: 'campaign' as const, campaignId: campaign.id, contactId: planned.contactId };
  const sentAt = new Date(planned.sentAt);
  await putNewDeliveries(
    tenantId,
    [{ ref, email: planned.email, companyId: planned.companyId, status: 'pending' }],
    sentAt,
  );
  const claimed = await claimDelivery(tenantId, ref, sentAt);
  if (!claimed?.claimId) throw new Error(`Could not claim the delivery to ${planned.contactId}`);
  await markSent(tenantId, ref, claimed.claimId, `seed-${campaign.id}-${planned.contactId}`, sentAt);
  const moments = [
    ['bouncedAt', planned.bouncedAt],
    ['deliveredAt', planned.deliveredAt],
    ['machineOpenedAt', planned.machineOpenedAt],
    ['openedAt', planned.openedAt],
    ['clickedAt', planned.clickedAt],
    ['unsubscribedAt', planned.unsubscribedAt],
  ] as const;
  for (const [field, at] of moments) {
    if (!at) continue;
    // A bounce also moves the recipient to that list (`recipients?status=bounced`), as the SES event does.
    const listed =
      field === 'bouncedAt'
        ? { also: statusIndex(tenantId, ref, recipientStatus({ status: 'sent', bouncedAt: at })) }
        : {};
    await recordEngagement(tenantId, ref, field, new Date(at), listed);
  }
  // The contact follows, as after the SES event or the unsubscribe link.
  const optOut = planned.bouncedAt ? 'bounced' : planned.unsubscribedAt ? 'unsubscribed' : undefined;
  if (optOut) {
    const at = new Date((planned.bouncedAt ?? planned.unsubscribedAt) as string);
    await addSuppression(tenantId, planned.email, optOut, at);
    await changeMarketingStatus(tenantId, planned.contactId, optOut, { actor: 'system', now: at });
  }
  if (planned.openedAt)
    await recordEngagementItem(
      tenantId,
      campaign.id,
      'opened',
      planned.contactId,
      new Date(planned.openedAt),
    );
  if (planned.clickedAt)
    await recordEngagementItem(
      tenantId,
      campaign.id,
      'clicked',
      planned.contactId,
      new Date(planned.clickedAt),
    );
}

/** How many units of work `writePlan` reports through `tick`: one per record and per delivery. */
export const planSize = (plan: SeedPlan): number =>
  plan.companies.length +
  plan.contacts.length +
  plan.products.length +
  plan.leads.length +
  plan.deals.length +
  plan.activities.length +
  plan.cases.length +
  plan.campaigns.reduce((sum, { deliveries }) => sum + 1 + deliveries.length, 0);

/**
 * Writes every record of the plan: companies, contacts and products first
 * (what the others point at), then leads, deals with their history and
 * quotes, activities, cases and the campaigns with their deliveries. Throws on
 * the first write that fails.
 */
export async function writePlan(
  tenantId: string,
  pipeline: Pipeline,
  plan: SeedPlan,
  tick: Tick,
): Promise<void> {
  const records = async <T extends StoredRecord>(spec: EntitySpec<T>, items: readonly T[]) =>
    inParallel(items, async (record) => {
      await create(spec, tenantId, record);
      tick(spec.label);
    });
  await records(companies, plan.companies);
  await records(contacts, plan.contacts);
  await records(products, plan.products);
  await records(leads, plan.leads);
  await inParallel(plan.deals, async (planned) => {
    await writeDeal(tenantId, pipeline, planned);
    tick('deal');
  });
  await records(activities, plan.activities);
  await records(cases, plan.cases);
  // Oldest first, so a contact who bounced or unsubscribed is out before the next one.
  for (const { record, deliveries } of plan.campaigns) {
    await create(campaigns, tenantId, record);
    tick('campaign');
    await inParallel(deliveries, async (planned) => {
      await writeDelivery(tenantId, record, planned);
      tick('delivery');
    });
  }
}
