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
 * A claim (a random id written with the condition `status = pending`) is what
 * makes a send at most once: whoever holds it sends; a crash after the claim
 * leaves `sending`, and a claim older than the longest a sender can run is
 * given up as `failed` with the reason `interrupted`, never sent again. If SES
 * did accept that email, its Send or Delivery event heals the delivery to
 * `sent` (see `healableStatus`).
 */
export const deliveryStatuses = ['pending', 'sending', 'sent', 'failed', 'suppressed', 'canceled'] as const;
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
  /** The address at the time the delivery was made; absent when the contact had none. */
  readonly email?: string;
  readonly status: DeliveryStatus;
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
 * An open counts as a person's only if it comes later than a mail-privacy
 * proxy would fetch the pixel: Apple Mail Privacy Protection and similar
 * prefetch images within seconds of delivery. Earlier opens are machine opens.
 */
export const MACHINE_OPEN_WINDOW_MS = 10_000;

export const isMachineOpen = (
  delivery: Pick<Delivery, 'deliveredAt' | 'sentAt'>,
  openedAt: Date,
): boolean => {
  const since = delivery.deliveredAt ?? delivery.sentAt;
  if (!since) return true; // an open before the email went out cannot be a person's
  return openedAt.getTime() - Date.parse(since) < MACHINE_OPEN_WINDOW_MS;
};
