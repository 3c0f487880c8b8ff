import { adminRoutes } from '#shared/api/admin';
import { httpHandler } from '#shared/http/handler';
import { conflict, notFound } from '#shared/http/problem';
import { ok } from '#shared/http/results';
import { requireAdmin } from '#shared/http/roles';
import { getQueue } from '#shared/queue/select';
import { readOverview } from '#shared/store/aggregates';
import { RebuildBusyError, rebuildReports } from '#shared/store/report-rebuild';
import { createRebuildJob, getRebuildJob, type RebuildMessage } from '#shared/store/report-rebuild-jobs';

/**
 * Records (by the overview's counts) above which a rebuild runs in the
 * background. The counts leave out what hangs off records (activities, cases,
 * deliveries, deal history), which a rebuild reads too: a seeded demo tenant
 * of about 1,000 counted records took 22 s on a loaded two-core machine, so
 * the limit keeps synchronous runs well within API Gateway's 29 seconds.
 */
export const SYNC_REBUILD_LIMIT = 500;

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
    try {
      const { aggregatesChecked, drifted } = await rebuildReports(caller.tenantId);
      return ok({ aggregatesChecked, drifted });
    } catch (error) {
      // Two rebuilds correcting the same drift would correct it twice: one at a time.
      if (error instanceof RebuildBusyError)
        throw conflict('A rebuild of this tenant is running; try again when it has finished');
      throw error;
    }
  },

  async getReportRebuild({ caller, params }) {
    requireAdmin(caller);
    const job = JOB_ID.test(params.id) ? await getRebuildJob(caller.tenantId, params.id) : undefined;
    if (!job) throw notFound('Report rebuild');
    return ok(job);
  },
});
