import { variantDeltas } from '#shared/domain/ab-test';
import { recipientDeltas, settledCount } from '#shared/domain/campaign';
import type { Delivery } from '#shared/domain/delivery';
import { logger } from '#shared/observability/logger';
import { MAX_EVENTS_PER_TRANSACTION } from '#shared/store/aggregates';
import {
  applyCampaignEvents,
  type Campaign,
  type CampaignEvent,
  getCampaign,
  readCampaignCounts,
  transitionCampaign,
} from '#shared/store/campaigns';
import type { Consumer, FailedIds, TableChange } from '../pipeline/change.ts';
import { applyIsolated, describeError } from '../pipeline/isolation.ts';

/**
 * Campaign stats from the stream: each change of a campaign recipient adds its
 * deltas (shared/domain/campaign.ts) to the campaign's counters, coalesced per
 * campaign (and, for an A/B campaign, to its test variant's or its rest's
 * counters) and applied with a marker per stream event, so a retried or
 * replayed batch counts once. Afterwards, a campaign whose recipients are all
 * final (or whose list was just completed) moves `sending → sent`.
 *
 * A failed transaction is split until the failing events stand alone
 * (isolation.ts). Returns the events that failed, with their errors.
 */
type Item = Record<string, unknown>;

const isCampaignRecipient = (image: Item | undefined): image is Item & Delivery =>
  image?.entity === 'delivery' && image.kind === 'campaign' && typeof image.campaignId === 'string';

const isCampaignRecord = (image: Item | undefined) => image?.entity === 'campaign' && image.sk === 'A';

const readyToFinish = (image: Item | undefined) => image?.status === 'sending' && image.phase === 'queued';

export async function applyCampaignStats(changes: readonly TableChange[]): Promise<FailedIds> {
  const byCampaign = new Map<string, { tenantId: string; campaignId: string; events: CampaignEvent[] }>();
  const toCheck = new Map<string, { tenantId: string; campaignId: string }>();
  for (const change of changes) {
    const { old: before, new: after } = change;
    const image = after ?? before;
    if (isCampaignRecipient(before) || isCampaignRecipient(after)) {
      const recipient = image as Item & Delivery;
      const tenantId = String(recipient.tenantId);
      const campaignId = String(recipient.campaignId);
      const was = isCampaignRecipient(before) ? before : undefined;
      const is = isCampaignRecipient(after) ? after : undefined;
      // An A/B campaign's recipients also count for their group (variant or rest), under the same marker.
      const deltas = { ...recipientDeltas(was, is), ...variantDeltas(was, is) };
      const key = `${tenantId}#${campaignId}`;
      toCheck.set(key, { tenantId, campaignId });
      if (Object.keys(deltas).length === 0) continue;
      const entry = byCampaign.get(key) ?? { tenantId, campaignId, events: [] };
      entry.events.push({ eventId: change.eventId, deltas });
      byCampaign.set(key, entry);
    } else if (isCampaignRecord(after) && readyToFinish(after) && !readyToFinish(before)) {
      // The list was just completed (or the campaign resumed): it may have nothing left to send.
      const tenantId = String(after?.tenantId);
      const campaignId = String(after?.id);
      toCheck.set(`${tenantId}#${campaignId}`, { tenantId, campaignId });
    }
  }

  const failed: FailedIds = new Map();
  const failedCampaigns = new Set<string>();
  for (const [key, { tenantId, campaignId, events }] of byCampaign) {
    for (let start = 0; start < events.length; start += MAX_EVENTS_PER_TRANSACTION) {
      const chunk = events.slice(start, start + MAX_EVENTS_PER_TRANSACTION);
      const failures = await applyIsolated(chunk, async (group) => {
        await applyCampaignEvents(tenantId, campaignId, group);
      });
      for (const { item, error } of failures) {
        logger.error('campaign stats update failed', {
          tenantId,
          campaignId,
          eventId: item.eventId,
          error: describeError(error),
        });
        failed.set(item.eventId, error);
        failedCampaigns.add(key);
      }
    }
  }

  for (const [key, { tenantId, campaignId }] of toCheck) {
    if (failedCampaigns.has(key)) continue;
    try {
      await finishIfComplete(tenantId, campaignId);
    } catch (error) {
      logger.error('campaign completion check failed', { tenantId, campaignId, error: describeError(error) });
      // Retrying the campaign's events (markers make that harmless) checks again.
      for (const change of changes) {
        const image = change.new ?? change.old;
        if (image?.tenantId === tenantId && (image.campaignId === campaignId || image.id === campaignId))
          failed.set(change.eventId, error);
      }
    }
  }
  return failed;
}

/**
 * `sending → sent` once the list is complete and every recipient is final. The
 * send phase ends with it, and with a canceled campaign's last settled
 * recipient, so a finished campaign never reads as still `queued`.
 */
async function finishIfComplete(tenantId: string, campaignId: string): Promise<Campaign | undefined> {
  const campaign = await getCampaign(tenantId, campaignId);
  const canceledInFlight = campaign?.status === 'canceled' && campaign.phase === 'queued';
  if (!campaign || campaign.recipientCount === undefined) return;
  if (!readyToFinish(campaign as unknown as Item) && !canceledInFlight) return;
  const counts = await readCampaignCounts(tenantId, campaignId, true);
  if (settledCount(counts) < campaign.recipientCount) return;
  return canceledInFlight
    ? transitionCampaign(tenantId, campaignId, {
        from: ['canceled'],
        where: { phase: 'queued' },
        remove: ['phase'],
      })
    : transitionCampaign(tenantId, campaignId, {
        from: ['sending'],
        where: { phase: 'queued' },
        to: 'sent',
        set: { completedAt: new Date().toISOString() },
        remove: ['phase'],
      });
}

export const campaignStats: Consumer = { name: 'campaign stats', apply: applyCampaignStats };
