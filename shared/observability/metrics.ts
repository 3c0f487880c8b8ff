import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { config } from '../config.ts';
import { atInvocationEnd } from './invocation.ts';
import { logger, serviceName } from './logger.ts';

/**
 * Business metrics as CloudWatch embedded metric format (EMF) lines, written
 * to the function's log at the end of each invocation (flushMetrics, which
 * this module registers with invocation.ts). Namespace from POWERTOOLS_METRICS_NAMESPACE
 * (`ServerlessCrm` where unset), one `service` dimension per function (see
 * serviceName), so the emails of the campaign sender, the sequence steps and
 * the reminders count apart.
 */
const metrics = new Metrics({
  namespace: config.metricsNamespace,
  serviceName: serviceName(),
  logger,
});

/**
 * EMF lines only become metrics in a Lambda log group. Elsewhere (`npm start`,
 * tests) they would be a screenful of JSON per email, so they are dropped,
 * unless POWERTOOLS_METRICS_DISABLED is set, which then decides as Powertools
 * documents it (`false` prints them).
 */
const published = config.metricsPublished;

/**
 * Records one value; a metric that cannot be recorded is logged, never thrown into the work it measures.
 * Where metrics are not published nothing is stored: Powertools writes a metric's line by itself once it
 * holds 100 values (the EMF limit), which would bypass the flush below.
 */
function record(name: string, unit: (typeof MetricUnit)[keyof typeof MetricUnit], value: number): void {
  if (!published) return;
  try {
    metrics.addMetric(name, unit, value);
  } catch (error) {
    logger.warn('metric not recorded', { metric: name, error: String(error) });
  }
}

/** One email accepted by SES (campaign, sequence step or reminder): `EmailsSent`, count. */
export function emailSent(): void {
  record('EmailsSent', MetricUnit.Count, 1);
}

/**
 * How far the stream consumer runs behind the table: `StreamLag`, in
 * milliseconds, from a record's approximate creation time to its processing.
 */
export function streamLag(ms: number): void {
  record('StreamLag', MetricUnit.Milliseconds, Math.max(0, ms));
}

/** Records written by an import: `ImportedRecords`, count. */
export function importedRecords(count: number): void {
  record('ImportedRecords', MetricUnit.Count, count);
}

/**
 * Writes the metrics recorded since the last flush as one EMF line and forgets
 * them. An invocation that recorded none writes nothing (Powertools would warn
 * "No application metrics to publish" on every such invocation). Never throws
 * for want of metrics.
 */
export function flushMetrics(): void {
  if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
}

atInvocationEnd(flushMetrics);
