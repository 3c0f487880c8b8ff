/**
 * A delivery is one email to one contact: a campaign's recipient, or one step
 * of a contact's enrollment in a follow-up sequence. Sending, tracking links,
 * SES events and stats all speak of deliveries, whatever sent them.
 *
 * Its status only moves forward:
 *
 *   pending ─claim─▶ sending ─▶ sent
 *      │                │  └──▶ failed (SES refused it, or the outcome is unknown)
 *      │                └─release (SES said "not sent", e.g. throttled)─▶ pending
 *      ├──▶ suppressed (no email, not subscribed, on the suppression list)
 *      └──▶ canceled (the campaign was canceled before it went out)
 *
 *   held ─(winner decided) claim─▶ sending     held ─campaign canceled─▶ canceled
 *
 * `held` is an A/B campaign's list as frozen (shared/domain/ab-test.ts): the
 * test group then moves on to `pending` with its variant; the rest stay held
 * until a winner is written, after which the sender claims them directly
 * (`held → sending`, the winner's variant set by the same write).
 *
 * A claim (a random id written with the condition `status = pending`) is what
 * makes a send at most once: whoever holds it sends, tagging the email with
 * the claim id; a crash after the claim leaves `sending`, whose truth is then
 * decided by evidence (see claimVerdict): SES's record of a message sent under
 * the claim makes it `sent`; its absence, once no call made under the claim
 * can still reach SES, puts it back to `pending` to be sent. SES's Send or
 * Delivery event also heals a claimed delivery to `sent` (see `healableStatus`;
 * `failed: interrupted` is what older versions gave claims up as).
 */
export const deliveryStatuses = [
  'pending',
  'held',
  'sending',
  'sent',
  'failed',
  'suppressed',
  'canceled',
] as const;
export type DeliveryStatus = (typeof deliveryStatuses)[number];

export const finalDeliveryStatuses: ReadonlySet<DeliveryStatus> = new Set([
  'sent',
  'failed',
  'suppressed',
  'canceled',
]);

export type DeliveryRef =
  | { readonly kind: 'campaign'; readonly campaignId: string; readonly contactId: string }
  | {
      readonly kind: 'sequence';
      readonly sequenceId: string;
      readonly contactId: string;
      /** Zero-based step of the sequence. */
      readonly step: number;
    };

/** Why a delivery was not sent. */
export type SuppressionCause = 'no_email' | 'not_subscribed' | 'suppressed';

/** Why a claimed delivery failed. */
export const INTERRUPTED = 'interrupted';

/**
 * Moments in a delivery's life after it was sent; each is set once (the first
 * event wins), so a replayed SES event or a second click changes nothing.
 */
export const engagementFields = [
  'deliveredAt',
  'openedAt',
  'machineOpenedAt',
  'clickedAt',
  'bouncedAt',
  'complainedAt',
  'unsubscribedAt',
  'rejectedAt',
  'delayedAt',
] as const;
export type EngagementField = (typeof engagementFields)[number];

export interface Delivery {
  readonly tenantId: string;
  readonly kind: DeliveryRef['kind'];
  readonly campaignId?: string;
  readonly sequenceId?: string;
  readonly step?: number;
  readonly contactId: string;
  /** The contact's company when the delivery was made (engagement reports count it there). */
  readonly companyId?: string;
  /** Set when the contact was erased: the delivery no longer counts in engagement reports. */
  readonly contactErased?: boolean;
  /** The address at the time the delivery was made; absent when the contact had none. */
  readonly email?: string;
  readonly status: DeliveryStatus;
  /** An A/B campaign's subject variant (zero-based): the test group's from the freeze, the rest's once claimed. */
  readonly variant?: number;
  /** An A/B campaign's group: `test` (sent its variant) or `rest` (sent the winner); stats count them apart. */
  readonly group?: 'test' | 'rest';
  /** For `suppressed` a SuppressionCause, for `failed` what went wrong, for `canceled` `canceled`. */
  readonly reason?: string;
  readonly claimId?: string;
  readonly claimedAt?: string;
  readonly messageId?: string;
  readonly sentAt?: string;
  readonly failedAt?: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly deliveredAt?: string;
  readonly openedAt?: string;
  readonly machineOpenedAt?: string;
  readonly clickedAt?: string;
  readonly bouncedAt?: string;
  readonly complainedAt?: string;
  readonly unsubscribedAt?: string;
  readonly rejectedAt?: string;
  readonly delayedAt?: string;
}

export const deliveryRefOf = (delivery: Delivery): DeliveryRef | undefined => {
  if (delivery.kind === 'campaign' && delivery.campaignId)
    return { kind: 'campaign', campaignId: delivery.campaignId, contactId: delivery.contactId };
  if (delivery.kind === 'sequence' && delivery.sequenceId && typeof delivery.step === 'number')
    return {
      kind: 'sequence',
      sequenceId: delivery.sequenceId,
      contactId: delivery.contactId,
      step: delivery.step,
    };
  return undefined;
};

/**
 * Whether an SES Send/Delivery event for this delivery proves it was sent:
 * it is still claimed (the sender crashed after SES accepted it) or was given
 * up as interrupted.
 */
export const healableStatus = (delivery: Pick<Delivery, 'status' | 'reason'>): boolean =>
  delivery.status === 'sending' || (delivery.status === 'failed' && delivery.reason === INTERRUPTED);

/**
 * What a campaign's recipient list shows as a recipient's status: the
 * delivery's status, except that a sent email SES reported as permanently
 * bounced or complained about shows that outcome (a bounce over a complaint,
 * as a bounced message never reached anyone).
 */
export const recipientStatuses = [...deliveryStatuses, 'bounced', 'complained'] as const;
export type RecipientStatus = (typeof recipientStatuses)[number];

/**
 * The fields a delivery shows in a campaign's recipient list (and in the
 * `email.*` domain events); its keys, claim and bookkeeping times are the
 * sender's own. shared/schemas/campaigns.ts `recipient` describes exactly
 * these (a unit test holds the two together).
 */
export const recipientFields = [
  'contactId',
  'email',
  'variant',
  'group',
  'status',
  'reason',
  'messageId',
  'sentAt',
  'failedAt',
  'deliveredAt',
  'openedAt',
  'machineOpenedAt',
  'clickedAt',
  'bouncedAt',
  'complainedAt',
  'unsubscribedAt',
] as const;

export function recipientStatus(
  delivery: Pick<Delivery, 'status' | 'bouncedAt' | 'complainedAt'>,
): RecipientStatus {
  if (delivery.status !== 'sent') return delivery.status;
  if (delivery.bouncedAt) return 'bounced';
  if (delivery.complainedAt) return 'complained';
  return 'sent';
}

/**
 * Whether a tracked open or click may be recorded: never on a message that
 * bounced (it reached nobody; a local inbox or a gateway scanner may fetch
 * its links all the same).
 */
export const acceptsEngagement = (delivery: Pick<Delivery, 'bouncedAt'>): boolean => !delivery.bouncedAt;

/**
 * A sender starts no SES call later than this after its claim (it releases the
 * claim unsent instead), so a claim's window of possible sends is bounded.
 */
export const CLAIM_SEND_START_MS = 10_000;
/** The longest one SES call may take: the SES client's request timeout, with no SDK retry. */
export const SES_CALL_TIMEOUT_MS = 8_000;
/** After this, no call made under a claim can still reach SES (start + call + margin). */
export const CLAIM_SEND_WINDOW_MS = CLAIM_SEND_START_MS + SES_CALL_TIMEOUT_MS + 2_000;
/**
 * Where SES's own record cannot be asked (in AWS), a message SES accepted
 * shows up as its Send event (configuration set → EventBridge → sesEvents),
 * which heals the delivery to `sent`. Ten minutes without one is taken as
 * evidence that SES never accepted it; a Send event later than that would
 * mean a second email (the residual risk, see README "Deliveries").
 */
export const SES_EVENTS_HORIZON_MS = 10 * 60_000;

/** What SES says about the message sent under a claim. */
export type SendEvidence =
  /** SES accepted it, with this message id. */
  | { readonly accepted: string }
  /** SES's own record (the local SES stand-in's store) has no message under this claim. */
  | 'none'
  /** SES cannot be asked (in AWS): only its Send event, or its absence after the horizon, tells. */
  | 'unknown';

export type ClaimVerdict =
  /** The email went out: record it as sent with this message id. */
  | { readonly verdict: 'sent'; readonly messageId: string }
  /** Nothing reached SES under this claim: back to `pending`, to be sent. */
  | { readonly verdict: 'release' }
  /** A sender may still be calling SES under this claim, or its Send event may still come: look later. */
  | { readonly verdict: 'wait'; readonly untilMs: number };

/**
 * The truth of a delivery left `sending` (a sender died, timed out, or lost
 * its connection between the claim and recording the outcome), decided by
 * evidence. Positive evidence counts at once; absence counts only once no
 * call made under the claim can still reach SES (CLAIM_SEND_WINDOW_MS), and,
 * where SES cannot be asked, once its Send event would have come
 * (SES_EVENTS_HORIZON_MS). A claim with no valid `claimedAt` counts as old.
 */
export function claimVerdict(
  delivery: Pick<Delivery, 'claimedAt' | 'messageId'>,
  evidence: SendEvidence,
  now: Date,
): ClaimVerdict {
  if (delivery.messageId) return { verdict: 'sent', messageId: delivery.messageId };
  if (typeof evidence === 'object') return { verdict: 'sent', messageId: evidence.accepted };
  const claimedAt = Date.parse(delivery.claimedAt ?? '');
  const age = Number.isNaN(claimedAt) ? Number.POSITIVE_INFINITY : now.getTime() - claimedAt;
  const needed = evidence === 'none' ? CLAIM_SEND_WINDOW_MS : SES_EVENTS_HORIZON_MS;
  return age >= needed ? { verdict: 'release' } : { verdict: 'wait', untilMs: needed - age };
}
