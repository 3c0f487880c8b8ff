import type { ScheduleTargetEvent } from '#shared/schedule/request';
import { runCampaignStart } from '#shared/store/campaign-run';

/**
 * EventBridge Scheduler target of `campaign-<id>` (start) and `campaign-<id>-q`
 * (put pending recipients back on the queue after a resume or cancel).
 * Idempotent: a duplicate or retried firing never causes a second email.
 */
export async function handler(event: ScheduleTargetEvent): Promise<void> {
  const { tenantId, campaignId, runId } = event;
  if (typeof tenantId !== 'string' || typeof campaignId !== 'string' || typeof runId !== 'string') {
    console.error(JSON.stringify({ level: 'error', message: 'campaignStart: malformed event', event }));
    return;
  }
  await runCampaignStart({ tenantId, campaignId, runId });
}
