/**
 * Which campaign a deal is attributed to, for campaign ROI (SPEC "Reports"):
 *
 * 1. the `campaignId` the deal is given (API, or its lead's on conversion);
 * 2. otherwise the campaign whose email its first contact last clicked, if
 *    that click came before the deal was created (a click after it cannot
 *    have brought the deal).
 *
 * A contact keeps its last click as `lastClickedCampaignId`/`lastClickedAt`,
 * written by the stream when a person's click is recorded on a campaign
 * delivery (a scanner's click is a machine open and records no click).
 */

type Image = Readonly<Record<string, unknown>>;

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;

/** A contact's last campaign click: `at` is an ISO date-time. */
export interface LastClick {
  readonly tenantId: string;
  readonly contactId: string;
  readonly campaignId: string;
  readonly at: string;
}

/**
 * The last click a stream change implies for a contact, or undefined:
 *
 * - a campaign delivery whose `clickedAt` appears (its first click);
 * - a contact whose write dropped the values the stream had set (a user's
 *   write replaces the item from what it read), to be put back.
 *
 * The caller moves the contact's values forward only (a later click wins).
 */
export function lastClickUpdate(before: Image | undefined, after: Image | undefined): LastClick | undefined {
  const tenantId = text(after?.tenantId);
  if (!after || !tenantId) return undefined;
  if (after.entity === 'contact') {
    const lostAt = text(before?.lastClickedAt);
    const lostCampaign = text(before?.lastClickedCampaignId);
    const now = text(after.lastClickedAt);
    const id = text(after.id);
    return lostAt && lostCampaign && id && (!now || now < lostAt)
      ? { tenantId, contactId: id, campaignId: lostCampaign, at: lostAt }
      : undefined;
  }
  if (after.entity !== 'delivery' || after.kind !== 'campaign') return undefined;
  const at = text(after.clickedAt);
  const campaignId = text(after.campaignId);
  const contactId = text(after.contactId);
  if (!at || !campaignId || !contactId || text(before?.clickedAt)) return undefined;
  return { tenantId, contactId, campaignId, at };
}

/**
 * The campaign a new deal without one is attributed to: its first contact's
 * last clicked campaign, when the click came no later than `createdAt`
 * (ISO date-times, compared as UTC text).
 */
export function campaignFromLastClick(
  contact: { readonly lastClickedCampaignId?: string; readonly lastClickedAt?: string } | undefined,
  createdAt: string,
): string | undefined {
  const campaignId = text(contact?.lastClickedCampaignId);
  const at = text(contact?.lastClickedAt);
  return campaignId && at && at <= createdAt ? campaignId : undefined;
}
