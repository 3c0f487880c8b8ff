/** Where a contact is in the customer lifecycle; set by people, used in segments. */
export const lifecycleStages = [
  'subscriber',
  'lead',
  'opportunity',
  'customer',
  'evangelist',
  'other',
] as const;
export type LifecycleStage = (typeof lifecycleStages)[number];

/** Whether a contact may be mailed (campaigns, sequences), and why not. */
export const marketingStatuses = ['subscribed', 'unsubscribed', 'bounced', 'complained'] as const;
export type MarketingStatus = (typeof marketingStatuses)[number];

/** Only SES events set `bounced`/`complained`; people may only opt in or out. */
export const userSettableMarketingStatuses = ['subscribed', 'unsubscribed'] as const;

/**
 * Why a write may not set `requested` on a contact whose status is `current`, or
 * undefined when it may: a bounced or complained address changes only through new
 * email events (SES), never by a PATCH or an import.
 */
export function marketingStatusRefusal(
  current: MarketingStatus,
  requested: MarketingStatus | undefined,
): string | undefined {
  const suppressed = current === 'bounced' || current === 'complained';
  return requested && suppressed && requested !== current
    ? `this address is ${current}; only new email events can change that`
    : undefined;
}
