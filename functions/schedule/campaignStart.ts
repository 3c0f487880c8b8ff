import { compileSubjectSpec } from '#shared/domain/template-compiler';
import { observed, tenantOf } from '#shared/observability/invocation';
import { logger } from '#shared/observability/logger';
import type { ScheduleTargetEvent } from '#shared/schedule/request';
import { runCampaignStart } from '#shared/store/campaign-run';

/**
 * EventBridge Scheduler target of `campaign-<id>` (start), `campaign-<id>-q`
 * (put pending recipients back on the queue after a resume or cancel) and
 * `campaign-<id>-w` (`step: decide`: an A/B campaign's winner once its test is
 * settled, else re-armed; then its rest is queued).
 * Idempotent: a duplicate or retried firing never causes a second email.
 * It carries Handlebars' compiler (not the HTML-to-text converter): freezing an
 * A/B campaign compiles its variant subjects for the sender, which has only the runtime.
 */
export const handler = observed(async function campaignStart(event: ScheduleTargetEvent): Promise<void> {
  const { tenantId, campaignId, runId, step, scheduledAt } = event;
  if (typeof tenantId !== 'string' || typeof campaignId !== 'string' || typeof runId !== 'string') {
    logger.error('campaignStart: malformed event', { event });
    return;
  }
  await runCampaignStart(
    {
      tenantId,
      campaignId,
      runId,
      ...(step === 'decide' ? { step } : {}),
      ...(typeof scheduledAt === 'string' ? { scheduledAt } : {}),
    },
    undefined,
    compileSubjectSpec,
  );
}, tenantOf);
