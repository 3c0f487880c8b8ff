import * as z from 'zod/mini';
import { MAX_DECIDE_AFTER_HOURS, MAX_VARIANTS, MIN_VARIANTS, winnerCriteria } from '../domain/ab-test.ts';
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
  /** An A/B subject test (shared/domain/ab-test.ts); the subjects must compile, checked with the template rules. */
  variants: z.optional(
    z
      .array(z.strictObject({ subject: nonEmpty(998) }))
      .check(z.minLength(MIN_VARIANTS), z.maxLength(MAX_VARIANTS)),
  ),
  testPercent: z.optional(z.int().check(z.gte(1), z.lte(100))),
  winnerBy: z.optional(z.enum(winnerCriteria)),
  decideAfterHours: z.optional(z.int().check(z.gte(1), z.lte(MAX_DECIDE_AFTER_HOURS))),
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

/** The decision of an A/B test; `by: default` (reason `nothing_delivered`) when no test email was delivered. */
const winnerSchema = () =>
  z.object({
    index: z.number(),
    by: z.enum([...winnerCriteria, 'default']),
    decidedAt: z.string(),
    reason: z.optional(z.string()),
  });

/** One group's figures in an A/B campaign's stats (a test variant, or the rest). */
const groupStats = () => ({
  recipients: count(),
  sent: count(),
  delivered: count(),
  humanOpens: count(),
  clicks: count(),
  openRate: count(),
  clickRate: count(),
});

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
      winner: z.optional(winnerSchema()),
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
      variant: z.optional(z.number()),
      group: z.optional(z.enum(['test', 'rest'])),
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
      variants: z.optional(z.array(z.object({ index: count(), subject: z.string(), ...groupStats() }))),
      rest: z.optional(z.object(groupStats())),
      winner: z.optional(winnerSchema()),
    }),
  };
});

type Schemas = ReturnType<typeof campaignSchemas>;
export type CampaignCreate = z.output<Schemas['create']>;
export type CampaignPatch = z.output<Schemas['patch']>;
