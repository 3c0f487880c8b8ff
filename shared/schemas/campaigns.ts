import * as z from 'zod/mini';
import { campaignPhases, campaignStatuses } from '../domain/campaign.ts';
import { recipientStatuses } from '../domain/delivery.ts';
import {
  currency,
  displayName,
  email,
  isoDateTime,
  listQuery,
  mergePatchOf,
  money,
  nonEmpty,
  recordBase,
  searchText,
  ulid,
  userId,
} from './common.ts';
import { lazy } from './lazy.ts';

const campaignFields = () => ({
  name: nonEmpty(200),
  templateId: ulid(),
  segmentId: ulid(),
  fromEmail: email(),
  fromName: z.optional(displayName()),
  replyTo: z.optional(email()),
  ownerId: z.optional(userId()),
  /** What the campaign may spend and what it cost (known after sending), in `currency`. */
  budget: z.optional(money()),
  cost: z.optional(money()),
  currency: z.optional(currency()),
});

/** The spending fields: editable in every status, since the cost is known only after sending. */
export const campaignSpendingFields = ['budget', 'cost', 'currency'] as const;

/** A budget or cost is meaningless without its currency. */
const spendingHasCurrency = (campaign: {
  budget?: number | null;
  cost?: number | null;
  currency?: string | null;
}) =>
  (campaign.budget === undefined || campaign.budget === null) &&
  (campaign.cost === undefined || campaign.cost === null)
    ? true
    : Boolean(campaign.currency);

const count = () => z.number();

export const campaignSchemas = /* @__PURE__ */ lazy(() => {
  const fields = campaignFields();
  return {
    create: z
      .strictObject(fields)
      .check(
        z.refine(spendingHasCurrency, { message: 'is required with a budget or cost', path: ['currency'] }),
      ),
    patch: mergePatchOf(fields, ['name', 'templateId', 'segmentId', 'fromEmail', 'ownerId']),
    record: z.object({
      ...fields,
      ...recordBase(),
      status: z.enum(campaignStatuses),
      scheduledAt: z.optional(z.string()),
      startedAt: z.optional(z.string()),
      completedAt: z.optional(z.string()),
      pausedAt: z.optional(z.string()),
      canceledAt: z.optional(z.string()),
      cancelReason: z.optional(z.string()),
      recipientCount: z.optional(z.number()),
      phase: z.optional(z.enum(campaignPhases)),
      linkBaseUrl: z.optional(z.string()),
      snapshot: z.optional(
        z.object({
          template: z.object({
            name: z.string(),
            subject: z.string(),
            html: z.string(),
            text: z.optional(z.string()),
          }),
          segment: z.object({ name: z.string(), filter: z.unknown() }),
        }),
      ),
    }),
    schedule: z.strictObject({
      at: isoDateTime(),
    }),
    listQuery: z.strictObject({
      ...listQuery(),
      q: z.optional(searchText(200)),
      status: z.optional(z.enum(campaignStatuses)),
    }),
    recipientsQuery: z.strictObject({
      limit: listQuery().limit,
      cursor: listQuery().cursor,
      status: z.optional(z.enum(recipientStatuses)),
    }),
    recipient: z.object({
      contactId: z.string(),
      email: z.optional(z.string()),
      status: z.enum(recipientStatuses),
      reason: z.optional(z.string()),
      messageId: z.optional(z.string()),
      sentAt: z.optional(z.string()),
      failedAt: z.optional(z.string()),
      deliveredAt: z.optional(z.string()),
      openedAt: z.optional(z.string()),
      machineOpenedAt: z.optional(z.string()),
      clickedAt: z.optional(z.string()),
      bouncedAt: z.optional(z.string()),
      complainedAt: z.optional(z.string()),
      unsubscribedAt: z.optional(z.string()),
    }),
    stats: z.object({
      recipients: count(),
      sent: count(),
      delivered: count(),
      opened: count(),
      clicked: count(),
      machineOpened: count(),
      bounced: count(),
      complained: count(),
      unsubscribed: count(),
      suppressed: count(),
      failed: count(),
      canceled: count(),
      openRate: count(),
      clickRate: count(),
      bounceRate: count(),
      complaintRate: count(),
      humanOpens: count(),
      machineOpens: count(),
      clickToOpenRate: count(),
      unsubscribeRate: count(),
    }),
  };
});

type Schemas = ReturnType<typeof campaignSchemas>;
export type CampaignCreate = z.output<Schemas['create']>;
export type CampaignPatch = z.output<Schemas['patch']>;
