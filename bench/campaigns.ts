import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { monotonicFactory } from 'ulid';
import type { LocalRuntime } from '../infra/local/runtime.ts';
import { apiCaller } from './api-call.ts';
import { sectionSizes } from './mode.ts';
import { writeAll } from './segments.ts';

/**
 * Campaign send throughput through the whole local runtime (scheduler stand-in,
 * start, SQS stand-in with concurrent consumers, sender, local SES): a tenant
 * of `recipients` subscribed contacts (default 10,000) gets one campaign with
 * no rate limit, then another with SEND_RATE_PER_SECOND=`rate` (default 14).
 * Each run reports recipients/s from /send until the last email reached the
 * local SES, the peak number of emails the local SES received in any
 * wall-clock second (its own receive timestamps) and duplicates (addresses
 * that got more than one email of the campaign; must be 0).
 *
 * Standalone: `npx tsx bench/campaigns.ts [recipients] [rate]` (without them, the sizes of the
 * mode, bench/mode.ts: `--quick` or BENCH_MODE=quick). From a runner:
 * `runCampaignBench({ recipients, rate, log })` starts and stops its own runtime.
 */
export interface CampaignBenchOptions {
  readonly recipients?: number;
  /** Recipients of the limited run (default `recipients`): it takes rateRecipients / rate seconds. */
  readonly rateRecipients?: number;
  /** The limited run's SEND_RATE_PER_SECOND. */
  readonly rate?: number;
  /** Skip the limited run (it takes recipients / rate seconds). */
  readonly unlimitedOnly?: boolean;
  readonly log?: (line: string) => void;
}

export interface CampaignRunReport {
  readonly rate: number | 'unlimited';
  readonly recipients: number;
  readonly emails: number;
  readonly duplicates: number;
  /** From POST /send to the campaign's status `sent`. */
  readonly seconds: number;
  /** Emails over the span between the first and last receive at the local SES. */
  readonly recipientsPerSecond: number;
  readonly peakPerSecond: number;
  /** From /send to the first email at the local SES (freezing and queueing). */
  readonly firstEmailSeconds: number;
  /**
   * The most claims made in one wall-clock second (a delivery's `claimedAt`: right after its
   * budget grant), and how long from claim to the recorded answer of SES (ms, median and max):
   * the peak at SES above the rate with claims within it is the send's own latency, not the limiter.
   */
  readonly peakClaimsPerSecond: number;
  readonly claimToSentMs: { readonly median: number; readonly max: number };
}

export interface CampaignBenchReport {
  readonly runs: CampaignRunReport[];
}

interface SesEmail {
  readonly destination: { readonly to: string[] };
  readonly at: number;
}

const ulid = monotonicFactory();

/**
 * Writes `count` subscribed contacts tagged `tag` straight to the table (BatchWriteItem on
 * `workers` workers): the recipients of a bench campaign. `lastName` is set when given.
 */
export async function loadContacts(
  tenantId: string,
  tag: string,
  count: number,
  options: { lastName?: string; workers?: number } = {},
): Promise<void> {
  const { toItem } = await import('#shared/store/records');
  const { contacts } = await import('#shared/store/entities');
  const { config } = await import('#shared/config');
  const now = new Date().toISOString();
  const items = Array.from({ length: count }, (_, index) =>
    toItem(contacts, tenantId, {
      id: ulid(),
      createdAt: now,
      updatedAt: now,
      version: 1,
      ownerId: 'bench-admin',
      archived: false,
      firstName: `Person ${index}`,
      ...(options.lastName ? { lastName: options.lastName } : {}),
      email: `${tag}-${index}@example.com`,
      tags: [tag],
      customFields: {},
      marketingStatus: 'subscribed',
    }),
  );
  await writeAll(config.tableName, items, options.workers ?? 8);
}

/** When each recipient was claimed and recorded sent, read from the table (the runtime's, in process). */
async function claimTimes(
  tenantId: string,
  campaignId: string,
): Promise<Pick<CampaignRunReport, 'peakClaimsPerSecond' | 'claimToSentMs'>> {
  const { QueryCommand } = await import('@aws-sdk/lib-dynamodb');
  const { dynamo } = await import('#shared/store/client');
  const { config } = await import('#shared/config');
  const { campaignRecipientsPk } = await import('#shared/store/keys');
  const perSecond = new Map<number, number>();
  const roundTrips: number[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await dynamo.send(
      new QueryCommand({
        TableName: config.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': campaignRecipientsPk(tenantId, campaignId) },
        ProjectionExpression: 'claimedAt, sentAt',
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    for (const item of page.Items ?? []) {
      const claimed = Date.parse(String(item.claimedAt));
      const sent = Date.parse(String(item.sentAt));
      if (Number.isNaN(claimed)) continue;
      const second = Math.floor(claimed / 1000);
      perSecond.set(second, (perSecond.get(second) ?? 0) + 1);
      if (!Number.isNaN(sent)) roundTrips.push(sent - claimed);
    }
    start = page.LastEvaluatedKey;
  } while (start);
  roundTrips.sort((a, b) => a - b);
  return {
    peakClaimsPerSecond: Math.max(0, ...perSecond.values()),
    claimToSentMs: {
      median: roundTrips[Math.floor(roundTrips.length / 2)] ?? 0,
      max: roundTrips.at(-1) ?? 0,
    },
  };
}

async function runOnce(
  runtime: LocalRuntime,
  token: string,
  recipients: number,
  rate: number | 'unlimited',
  log: (line: string) => void,
): Promise<CampaignRunReport> {
  process.env.SEND_RATE_PER_SECOND = String(rate);
  const tag = `bench-${rate}-${Date.now().toString(36)}`;
  const tenantId = 'bench-campaigns';
  log(`campaigns: loading ${recipients} contacts (${tag})`);
  await loadContacts(tenantId, tag, recipients);
  const call = apiCaller(runtime.apiUrl, token);
  const template = await call('POST', '/templates', {
    name: `Bench ${tag}`,
    subject: 'News for {{contact.firstName}}',
    html: '<p>Hello {{contact.firstName}}</p><p><a href="https://example.com/news">Read more</a></p>',
  });
  const segment = await call('POST', '/segments', {
    name: `Bench ${tag}`,
    filter: { all: [{ field: 'tags', op: 'contains', value: tag }] },
  });
  const campaign = await call('POST', '/campaigns', {
    name: `Bench ${tag}`,
    templateId: template.id,
    segmentId: segment.id,
    fromEmail: 'bench@example.com',
  });
  const began = Date.now();
  await call('POST', `/campaigns/${campaign.id}/send`);
  const deadline = began + Math.max(600_000, (recipients / (rate === 'unlimited' ? 50 : rate)) * 2000);
  for (;;) {
    const current = await call('GET', `/campaigns/${campaign.id}`);
    if (current.status === 'sent') break;
    if (Date.now() > deadline) throw new Error(`campaign still ${String(current.status)} after the deadline`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const seconds = (Date.now() - began) / 1000;

  const store = (await (await fetch(new URL('/store', runtime.sesEndpoint))).json()) as {
    emails: SesEmail[];
  };
  const prefix = `${tag}-`;
  const mine = store.emails.filter((email) => email.destination.to.some((to) => to.startsWith(prefix)));
  const perAddress = new Map<string, number>();
  const perSecond = new Map<number, number>();
  for (const email of mine) {
    for (const to of email.destination.to) perAddress.set(to, (perAddress.get(to) ?? 0) + 1);
    perSecond.set(email.at, (perSecond.get(email.at) ?? 0) + 1);
  }
  const duplicates = [...perAddress.values()].filter((count) => count > 1).length;
  const claims = await claimTimes(tenantId, String(campaign.id));
  const seconds_ = [...perSecond.keys()].sort((a, b) => a - b);
  const first = seconds_[0] ?? 0;
  const last = seconds_.at(-1) ?? 0;
  const report: CampaignRunReport = {
    rate,
    recipients,
    emails: mine.length,
    duplicates,
    seconds: Math.round(seconds * 10) / 10,
    // The local SES stamps whole seconds, so the span counts both ends.
    recipientsPerSecond: Math.round(mine.length / (last - first + 1)),
    peakPerSecond: Math.max(0, ...perSecond.values()),
    firstEmailSeconds: Math.max(0, first - Math.floor(began / 1000)),
    ...claims,
  };
  log(`campaigns: ${JSON.stringify(report)}`);
  return report;
}

export async function runCampaignBench(options: CampaignBenchOptions = {}): Promise<CampaignBenchReport> {
  const log = options.log ?? ((line: string) => console.log(line));
  const recipients = options.recipients ?? 10_000;
  const rate = options.rate ?? 14;
  const dataDir = await mkdtemp(join(tmpdir(), 'crm-bench-campaigns-'));
  const previousRate = process.env.SEND_RATE_PER_SECOND;
  const { startLocalRuntime } = await import('../infra/local/runtime.ts');
  const { mintToken } = await import('../infra/local/tokens.ts');
  const runtime = await startLocalRuntime({
    dataDir,
    inMemory: true,
    port: 0,
    dynamoPort: 0,
    sesPort: 0,
    streamPollMs: 50,
    log: { info: () => undefined, error: (message, error) => console.error(message, error ?? '') },
  });
  try {
    const token = await mintToken(dataDir, { tenant: 'bench-campaigns', role: 'admin', user: 'bench-admin' });
    const runs = [await runOnce(runtime, token, recipients, 'unlimited', log)];
    if (!options.unlimitedOnly)
      runs.push(await runOnce(runtime, token, options.rateRecipients ?? recipients, rate, log));
    return { runs };
  } finally {
    if (previousRate === undefined) delete process.env.SEND_RATE_PER_SECOND;
    else process.env.SEND_RATE_PER_SECOND = previousRate;
    await runtime.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** `npx tsx bench/campaigns.ts [recipients] [rate] [unlimited-only]`. */
async function main(): Promise<void> {
  const sizes = sectionSizes('campaigns').values;
  const recipients = Number(process.argv[2]) || undefined;
  const rate = Number(process.argv[3]) || sizes.rate;
  const report = await runCampaignBench({
    recipients: recipients ?? sizes.recipients,
    rateRecipients: recipients ?? sizes.rateRecipients,
    rate,
    unlimitedOnly: process.argv[4] === 'unlimited-only',
  });
  console.log(JSON.stringify(report, null, 2));
  if (process.env.BENCH_REPORT_FILE) await writeFile(process.env.BENCH_REPORT_FILE, JSON.stringify(report));
  const failed = report.runs.some(
    (run) =>
      run.duplicates > 0 ||
      run.emails !== run.recipients ||
      (run.rate !== 'unlimited' && run.peakPerSecond > run.rate),
  );
  process.exit(failed ? 1 : 0);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
