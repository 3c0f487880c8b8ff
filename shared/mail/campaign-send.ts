import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import { config } from '../config.ts';
import { type Actor, canRead } from '../domain/access.ts';
import type { Delivery, DeliveryRef } from '../domain/delivery.ts';
import { type CompiledTemplate, templateFromStored } from '../domain/template.ts';
import { logger } from '../observability/logger.ts';
import { queueConsumerTimeoutMs } from '../queue/queue.ts';
import { getSigningKey } from '../secrets.ts';
import type { CampaignSendMessage } from '../store/campaign-run.ts';
import { type Campaign, getCampaign, suppressedEmails } from '../store/campaigns.ts';
import { dynamo } from '../store/client.ts';
import { deliveryKey, settlePending } from '../store/deliveries.ts';
import type { Company, Contact } from '../store/entities.ts';
import { recordKey, storageAttributes } from '../store/keys.ts';
import { currentReader } from '../store/readers.ts';
import { composeEmail } from './compose.ts';
import {
  DeliveryOutcomeUnknown,
  type SendDeliveryOptions,
  type SettleOptions,
  sendDelivery,
  settleOpenClaim,
} from './deliver.ts';

/**
 * One send-queue message: up to 50 recipients of one campaign, sent in chunks.
 * The campaign's status is read again before every chunk, so a pause or cancel
 * takes effect within one chunk; the contact is read again at send time, so
 * someone who opted out after the list was frozen is not mailed. An A/B
 * campaign's held recipients (its rest) are claimed like pending ones once
 * its winner is written, and get the winner's subject; a canceled
 * campaign's are settled as canceled.
 */

/** The sender's Lambda timeout. */
export const CAMPAIGN_SEND_TIMEOUT_MS = queueConsumerTimeoutMs.campaignSend;
/** Recipients sent concurrently, and between two reads of the campaign's status. */
export const CHUNK = 10;
/** Stop starting chunks this long before the function times out; the rest is retried. */
const DEADLINE_MARGIN_MS = 20_000;

export type MessageOutcome =
  /** Everything in it is final, or was dropped on purpose (paused: resume puts it back). */
  | 'done'
  /** Something is left to do later (throttled, unknown outcome, out of time): redeliver it. */
  | 'retry';

export interface SendContext {
  readonly remainingMs?: () => number;
  readonly now?: () => Date;
  readonly delivery?: SendDeliveryOptions;
  /** How a delivery left `sending` by a dead sender is settled (SES's record). */
  readonly settle?: Pick<SettleOptions, 'ledger'>;
}

type Item = Record<string, unknown>;
const storage = new Set<string>(storageAttributes);
const strip = <T>(item: Item): T =>
  Object.fromEntries(Object.entries(item).filter(([name]) => !storage.has(name))) as T;

/** Items by key, in one BatchGetItem per 100 keys (strongly consistent). */
async function batchGet(keys: readonly Item[]): Promise<Item[]> {
  const found: Item[] = [];
  for (let start = 0; start < keys.length; start += 100) {
    let pending = keys.slice(start, start + 100);
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > 8) throw new Error('DynamoDB kept leaving reads unprocessed');
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(50 * 2 ** attempt, 2000)));
      const output = await dynamo.send(
        new BatchGetCommand({
          RequestItems: { [config.tableName]: { Keys: pending, ConsistentRead: true } },
        }),
      );
      found.push(...(output.Responses?.[config.tableName] ?? []));
      pending = (output.UnprocessedKeys?.[config.tableName]?.Keys ?? []) as Item[];
    }
  }
  return found;
}

/** Why a frozen recipient may not be mailed now, or undefined when it may. */
function unsendable(
  contact: Contact | undefined,
  email: string | undefined,
  suppressed: ReadonlySet<string>,
  reader: Actor | undefined,
): string | undefined {
  if (!email) return 'no_email';
  if (!contact || suppressed.has(email)) return 'suppressed';
  if (!reader || !canRead(reader, contact)) return 'not_readable';
  if (contact.marketingStatus !== 'subscribed') return 'not_subscribed';
  return undefined;
}

export async function processCampaignMessage(
  message: CampaignSendMessage,
  context: SendContext = {},
): Promise<MessageOutcome> {
  const now = context.now ?? (() => new Date());
  const { tenantId, campaignId } = message;
  const contactIds = [...new Set(message.contactIds)];
  let retry = false;
  for (let start = 0; start < contactIds.length; start += CHUNK) {
    if (context.remainingMs && context.remainingMs() < DEADLINE_MARGIN_MS) return 'retry';
    const campaign = await getCampaign(tenantId, campaignId);
    if (!campaign) return 'done';
    const chunk = contactIds.slice(start, start + CHUNK);
    if (campaign.status === 'canceled') {
      await Promise.all(
        chunk.map((contactId) =>
          settlePending(tenantId, { kind: 'campaign', campaignId, contactId }, 'canceled', 'canceled', now()),
        ),
      );
      continue;
    }
    // Paused (or not started): the recipients stay pending; resume puts them back on the queue.
    if (campaign.status !== 'sending' && campaign.status !== 'sent') return retry ? 'retry' : 'done';
    if (await sendChunk(tenantId, campaign, chunk, context, now)) retry = true;
  }
  return retry ? 'retry' : 'done';
}

/**
 * The campaign's template per A/B variant (undefined: the template's own
 * subject), from the compiled form frozen with it (Campaign.compiled), each
 * turned into render functions once per container. Throws while a content
 * frozen from a template version saved before templates were compiled on save
 * has none yet: the message is retried once `npm run templates:compile` has run.
 */
function compiledTemplates(
  tenantId: string,
  campaign: Campaign,
): (variant: number | undefined) => CompiledTemplate {
  if (!campaign.snapshot) throw new Error(`Campaign ${campaign.id} is sending without a snapshot`);
  const stored = campaign.compiled?.template;
  if (!stored)
    throw new Error(`Campaign ${campaign.id} has no compiled template yet; run npm run templates:compile`);
  const variantSubjects = campaign.compiled?.variantSubjects;
  if (campaign.variants?.length && variantSubjects?.length !== campaign.variants.length)
    throw new Error(
      `Campaign ${campaign.id} has no compiled variant subjects yet; run npm run templates:compile`,
    );
  const run = `${tenantId}#CAMPAIGN#${campaign.id}#${campaign.runId ?? campaign.startedAt ?? ''}`;
  // An A/B recipient gets its variant's subject with the rest of the template unchanged.
  return (variant) => {
    const subject = variant === undefined ? undefined : variantSubjects?.[variant];
    return subject === undefined
      ? templateFromStored(run, stored)
      : templateFromStored(`${run}#${variant}`, stored, subject);
  };
}

/** Sends a chunk; true when some recipient must be tried again later. */
async function sendChunk(
  tenantId: string,
  campaign: Campaign,
  contactIds: readonly string[],
  context: SendContext,
  now: () => Date,
): Promise<boolean> {
  const refs = contactIds.map(
    (contactId): DeliveryRef => ({ kind: 'campaign', campaignId: campaign.id, contactId }),
  );
  const deliveries = new Map(
    (await batchGet(refs.map((ref) => deliveryKey(tenantId, ref)))).map((item) => {
      const delivery = strip<Delivery>(item);
      return [delivery.contactId, delivery] as const;
    }),
  );
  let retry = false;
  const pending: DeliveryRef[] = [];
  // An A/B campaign's rest is claimed straight from `held` once the winner is written.
  const winner = campaign.winner?.index;
  for (const ref of refs) {
    const delivery = deliveries.get(ref.contactId);
    if (delivery?.status === 'pending' || (delivery?.status === 'held' && winner !== undefined))
      pending.push(ref);
    else if (delivery?.status === 'sending') {
      // Claimed by a sender that is at it, or died at it: SES's record decides (settleOpenClaim).
      const settled = await settleOpenClaim(tenantId, ref, delivery, { ...context.settle, now });
      if (settled.state === 'pending') {
        pending.push(ref);
        deliveries.set(ref.contactId, { ...delivery, status: 'pending' });
      } else if (settled.state === 'sending') retry = true; // look again later
    }
  }
  if (pending.length === 0) return retry;

  const contacts = new Map(
    (await batchGet(pending.map((ref) => recordKey(tenantId, 'CONTACT', ref.contactId)))).map((item) => {
      const contact = strip<Contact>(item);
      return [contact.id, contact] as const;
    }),
  );
  const companyIds = [...new Set([...contacts.values()].flatMap((contact) => contact.companyId ?? []))];
  const companies = new Map(
    (await batchGet(companyIds.map((id) => recordKey(tenantId, 'COMPANY', id)))).map((item) => {
      const company = strip<Company>(item);
      return [company.id, company] as const;
    }),
  );
  const [suppressed, reader] = await Promise.all([
    suppressedEmails(
      tenantId,
      pending.flatMap((ref) => deliveries.get(ref.contactId)?.email ?? []),
    ),
    currentReader(tenantId, campaign.ownerId, campaign.ownerRights),
  ]);
  const templateOf = compiledTemplates(tenantId, campaign);
  const signingKey = await getSigningKey();
  const baseUrl = campaign.linkBaseUrl ?? config.publicApiUrl ?? '';

  const outcomes = await Promise.all(
    pending.map(async (ref) => {
      const delivery = deliveries.get(ref.contactId);
      const contact = contacts.get(ref.contactId);
      const email = delivery?.email;
      // Checked again at send time: opted out, bounced, complained, erased, or out of
      // the owner's sight (moved to another team, the owner's rights changed) since the freeze.
      const cause = unsendable(contact, email, suppressed, reader);
      if (cause || !contact || !email) {
        await settlePending(tenantId, ref, 'suppressed', cause ?? 'suppressed', now());
        return 'done';
      }
      const company = contact.companyId ? companies.get(contact.companyId) : undefined;
      const template = templateOf(delivery?.variant ?? winner);
      const composed = composeEmail({
        baseUrl,
        tenantId,
        ref,
        contact: contact as unknown as Record<string, unknown>,
        company: company as unknown as Record<string, unknown> | undefined,
        template,
        signingKey,
      });
      try {
        const result = await sendDelivery(
          tenantId,
          ref,
          {
            to: email,
            from: campaign.fromEmail,
            ...(campaign.fromName ? { fromName: campaign.fromName } : {}),
            ...(campaign.replyTo ? { replyTo: campaign.replyTo } : {}),
            subject: composed.subject,
            html: composed.html,
            text: composed.text,
            headers: composed.headers,
          },
          { now, ...context.delivery, ...(winner === undefined ? {} : { winner }) },
        );
        return result.outcome === 'released' ? 'retry' : 'done';
      } catch (error) {
        if (error instanceof DeliveryOutcomeUnknown) {
          logger.warn(error.message, { contactId: ref.contactId });
          return 'retry';
        }
        throw error;
      }
    }),
  );
  return retry || outcomes.includes('retry');
}
