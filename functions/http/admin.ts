import { adminRoutes } from '#shared/api/admin';
import { httpHandler } from '#shared/http/handler';
import { notFound } from '#shared/http/problem';
import { ok } from '#shared/http/results';
import { requireAdmin } from '#shared/http/roles';
import { getQueue } from '#shared/queue/select';
import { readOverview } from '#shared/store/aggregates';
import { rebuildReports } from '#shared/store/report-rebuild';
import { createRebuildJob, getRebuildJob, type RebuildMessage } from '#shared/store/report-rebuild-jobs';

/**
 * Records (by the overview's counts) above which a rebuild runs in the
 * background: below it, reading them and answering stays well within API
 * Gateway's 29 seconds.
 */
export const SYNC_REBUILD_LIMIT = 5_000;

/** Only ids this API hands out: ULIDs. */
const JOB_ID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

export const handler = httpHandler(adminRoutes, {
  async rebuildReports({ caller, query }) {
    requireAdmin(caller);
    const overview = await readOverview(caller.tenantId);
    const records =
      overview.contacts +
      overview.companies +
      overview.teams +
      overview.users +
      overview.leads +
      overview.deals;
    if (query.async === 'true' || records > SYNC_REBUILD_LIMIT) {
      const job = await createRebuildJob(caller.tenantId, caller.userId);
      const message: RebuildMessage = { tenantId: caller.tenantId, jobId: job.id };
      await (await getQueue()).sendMessages('reportRebuild', [message]);
      return {
        status: 202,
        body: job,
        headers: { location: `/admin/reports/rebuild/${job.id}` },
      };
    }
    const { aggregatesChecked, drifted } = await rebuildReports(caller.tenantId);
    return ok({ aggregatesChecked, drifted });
  },

  async getReportRebuild({ caller, params }) {
    requireAdmin(caller);
    const job = JOB_ID.test(params.id) ? await getRebuildJob(caller.tenantId, params.id) : undefined;
    if (!job) throw notFound('Report rebuild');
    return ok(job);
  },
});
