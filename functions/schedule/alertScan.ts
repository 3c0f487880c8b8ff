import {
  type AlertKind,
  type AlertSettings,
  alertKinds,
  churnEpisodes,
  churnRiskReason,
  daysSince,
  dealActivityBaseline,
  dueBefore,
  isStaleDeal,
  staleDealReason,
  type WatchedKind,
  watchOf,
} from '#shared/domain/alerts';
import { clip, MAX_NAME, type NamedRef, nameOf, notificationTitle } from '#shared/domain/wording';
import { observed } from '#shared/observability/invocation';
import { logger } from '#shared/observability/logger';
import {
  alertTenants,
  deleteWatch,
  dueWatches,
  getAlertSettings,
  putWatch,
  raiseAlert,
  type StoredWatch,
} from '#shared/store/alerts';
import { readCustomers } from '#shared/store/customers';
import { companies, deals } from '#shared/store/entities';
import { getRecord } from '#shared/store/records';
import { breachCase } from '#shared/store/sla-breach';

/**
 * The recurring alert job (EventBridge Scheduler `rate(...)`, see
 * shared/schedule/scheduler.ts recurringSchedules; under `npm start` the
 * local scheduler runs it on the same interval). For each tenant listed for
 * alerts (a Query on the tenant list, page by page), it Queries the watch
 * index for what is due (shared/domain/alerts.ts) and raises each alert once
 * per episode (shared/store/alerts.ts raiseAlert):
 *
 * - stale deals: open deals whose last activity is older than the tenant's
 *   `staleDealDays`, to the deal's owner;
 * - SLA breaches: unresolved cases past their due time that were not marked
 *   breached (their one-time check was lost or has not run), through the same
 *   breach path as that check, to the assignee and the team's managers;
 * - churn risk: companies whose risk (the customers report, read from its
 *   aggregates) is at or above `churnRiskThreshold`, to the company's owner,
 *   once per episode: an episode opens when the risk reaches the threshold
 *   and ends when a pass finds it below.
 *
 * Every alert re-reads its record, so a watch item that lags behind the record
 * only costs a read. Idempotent when fired twice; a tenant that fails is
 * logged and counted, and the others are still checked.
 */
/** What the recurring schedule sends (its name; locally also `scheduledAt`); the job reads neither. */
export interface AlertScanEvent {
  readonly recurring?: string;
  readonly scheduledAt?: string;
}

/** Alerts raised per kind (SLA breaches: cases found breached, each notified once with the one-time check). */
export type AlertCounts = Record<AlertKind, number>;

export interface AlertScanSummary {
  readonly tenants: number;
  readonly raised: AlertCounts;
  /** Tenants whose check threw (logged); the job went on with the others. */
  readonly failedTenants: readonly string[];
}

/** Tenants checked at once: a bound on the job's concurrency against the table. */
const TENANT_CONCURRENCY = 4;

/** Checks one deal whose watch is due: alerts its owner once per episode, then drops the watch. */
async function checkDeal(
  tenantId: string,
  watch: StoredWatch,
  now: Date,
  settings: AlertSettings,
): Promise<boolean> {
  const deal = await getRecord(deals, tenantId, watch.recordId, true);
  const image = deal ? { ...(deal as unknown as Record<string, unknown>), entity: 'deal' } : undefined;
  const current = watchOf(image);
  if (!deal || !image || !current) {
    // Closed, archived or gone: the stream's delete has not landed (or was lost).
    await deleteWatch(tenantId, 'stale_deal', watch.recordId, { at: watch.at });
    return false;
  }
  if (current.at !== watch.at) {
    // Activity the watch has not caught up with: bring it forward and judge by the record.
    await putWatch(tenantId, current, deal.version);
    if (!isStaleDeal(image, now, settings)) return false;
  }
  const baseline = dealActivityBaseline(image) ?? current.at;
  const record: NamedRef = { type: 'deal', id: deal.id, name: clip(nameOf(image) ?? deal.name, MAX_NAME) };
  const reason = staleDealReason(baseline, now);
  const outcome = await raiseAlert(
    tenantId,
    {
      kind: 'stale_deal',
      record,
      episode: baseline,
      reason,
      recipients: [deal.ownerId],
      notification: {
        kind: 'alert',
        title: notificationTitle({
          kind: 'stale_deal',
          record,
          days: daysSince(baseline, now),
        }),
        record,
        key: `alert:stale_deal:${deal.id}`,
        alert: { kind: 'stale_deal', reason },
      },
    },
    now,
  );
  // Alerted for this episode: the next one starts with new activity, which puts a new watch.
  await deleteWatch(tenantId, 'stale_deal', deal.id, { at: current.at });
  return outcome === 'raised';
}

/** Checks one case whose due time passed without its breach being marked: the SLA check's path. */
async function checkCase(tenantId: string, watch: StoredWatch): Promise<boolean> {
  const outcome = await breachCase({ tenantId, caseId: watch.recordId, slaDueAt: watch.at });
  // Breached, resolved or moved on: this due time needs no more looking at.
  await deleteWatch(tenantId, 'sla_breach', watch.recordId, { at: watch.at });
  return outcome === 'notified';
}

/** One kind's pass over a tenant: how many alerts it raised. */
type KindCheck = (tenantId: string, now: Date, settings: AlertSettings) => Promise<number>;

/** Each watched kind: its due watches, oldest first, one record at a time. */
function watchedCheck(
  kind: WatchedKind,
  check: (tenantId: string, watch: StoredWatch, now: Date, settings: AlertSettings) => Promise<boolean>,
): KindCheck {
  return async (tenantId, now, settings) => {
    let raised = 0;
    for await (const page of dueWatches(tenantId, kind, dueBefore(kind, now, settings))) {
      for (const watch of page) if (await check(tenantId, watch, now, settings)) raised++;
    }
    return raised;
  };
}

/** Far enough ahead that every open churn-risk episode is listed. */
const EVERY_EPISODE = '9999';

/**
 * Churn risk: one read of the customers report (its aggregates, never the
 * records), the open episodes from their watch items, then an alert per
 * company at or above the threshold, once per episode, and the episodes of
 * companies back below it ended.
 */
async function checkChurn(tenantId: string, now: Date, settings: AlertSettings): Promise<number> {
  const [customers, open] = await Promise.all([readCustomers(tenantId, now), openChurnEpisodes(tenantId)]);
  const risks = new Map(customers.map((row) => [row.companyId, row.churnRisk]));
  const { alert, ended } = churnEpisodes(risks, open, settings.churnRiskThreshold, now);
  let raised = 0;
  for (const { companyId, risk, episode, opened } of alert) {
    const company = await getRecord(companies, tenantId, companyId);
    if (!company) continue;
    if (opened) await putWatch(tenantId, { kind: 'churn_risk', recordId: companyId, at: episode }, 0);
    const record: NamedRef = { type: 'company', id: companyId, name: clip(company.name, MAX_NAME) };
    const reason = churnRiskReason(risk, settings.churnRiskThreshold);
    const outcome = await raiseAlert(
      tenantId,
      {
        kind: 'churn_risk',
        record,
        episode,
        reason,
        recipients: [company.ownerId],
        notification: {
          kind: 'alert',
          title: notificationTitle({ kind: 'churn_risk', record, risk }),
          record,
          key: `alert:churn_risk:${companyId}`,
          alert: { kind: 'churn_risk', reason },
        },
      },
      now,
    );
    if (outcome === 'raised') raised++;
  }
  for (const [companyId, at] of ended) await deleteWatch(tenantId, 'churn_risk', companyId, { at });
  return raised;
}

async function openChurnEpisodes(tenantId: string): Promise<Map<string, string>> {
  const open = new Map<string, string>();
  for await (const page of dueWatches(tenantId, 'churn_risk', EVERY_EPISODE))
    for (const watch of page) open.set(watch.recordId, watch.at);
  return open;
}

/** What a tenant's pass checks, per alert kind. */
const kindChecks: Readonly<Record<AlertKind, KindCheck>> = {
  stale_deal: watchedCheck('stale_deal', checkDeal),
  sla_breach: watchedCheck('sla_breach', (tenantId, watch) => checkCase(tenantId, watch)),
  churn_risk: checkChurn,
};

const noAlerts = (): AlertCounts => ({ stale_deal: 0, sla_breach: 0, churn_risk: 0 });

/** One tenant's pass, kind after kind; returns how many alerts of each it raised. */
export async function scanTenant(tenantId: string, now: Date): Promise<AlertCounts> {
  const settings = await getAlertSettings(tenantId);
  const raised = noAlerts();
  for (const kind of alertKinds) raised[kind] = await kindChecks[kind](tenantId, now, settings);
  return raised;
}

/**
 * Checks every tenant `tenants` yields (default: the tenant list), a few at a
 * time; a tenant whose check throws is logged and reported in
 * `failedTenants`, and does not stop the others.
 */
export async function scanAlerts(
  now: Date,
  tenants: AsyncIterable<readonly string[]> = alertTenants(),
): Promise<AlertScanSummary> {
  let checked = 0;
  const raised = noAlerts();
  const failedTenants: string[] = [];
  for await (const page of tenants) {
    for (let start = 0; start < page.length; start += TENANT_CONCURRENCY) {
      await Promise.all(
        page.slice(start, start + TENANT_CONCURRENCY).map(async (tenantId) => {
          checked++;
          try {
            const scan = await scanTenant(tenantId, now);
            for (const kind of alertKinds) raised[kind] += scan[kind];
          } catch (error) {
            failedTenants.push(tenantId);
            logger.error('alert scan failed for a tenant', { tenantId, error });
          }
        }),
      );
    }
  }
  const summary = { tenants: checked, raised, failedTenants };
  logger.info('alert scan done', { tenants: checked, ...raised, failedTenants: failedTenants.length });
  return summary;
}

export const handler = observed(async function alertScan(_event: AlertScanEvent | undefined) {
  return scanAlerts(new Date());
});
