import { describe, expect, it } from 'vitest';
import { bill, line, SECONDS_PER_MONTH, tracesAtMost } from '../../cost/bill.ts';
import { type Profile, parseProfile } from '../../cost/profile.ts';
import { README_END, README_START, spliceBill } from '../../cost/readme.ts';
import { report, targetLine, totalLine, usd } from '../../cost/report.ts';
import { billedGbSeconds, CHUNK_BYTES, chunkedRequests, GB, storedKinds, usageOf } from '../../cost/usage.ts';
import { apiCategory, DERIVED_STREAM_UNIT, monthlyUnits } from '../../cost/workload.ts';
import { fixtureRun, unit } from './cost-fixture.ts';

const profileOf = (input: Record<string, unknown>): Profile => {
  const parsed = parseProfile({ seats: 2, records: {}, apiCallsPerMonth: 0, ...input });
  if ('errors' in parsed) throw new Error(parsed.errors.join('; '));
  return parsed.profile;
};

describe('Lambda GB-seconds', () => {
  it('rounds every invocation up to the next millisecond, at the memory in GB', () => {
    // 1,000 invocations of 20.1 ms at 512 MB: 21 ms each → 1,000 × 0.021 s × 0.5 GB = 10.5 GB-s.
    expect(billedGbSeconds(1000, 20.1, 512)).toBeCloseTo(10.5, 10);
    // Exactly 20 ms is not rounded further; 1024 MB is 1 GB.
    expect(billedGbSeconds(1000, 20, 1024)).toBeCloseTo(20, 10);
    // A fraction of a millisecond is billed as a whole one.
    expect(billedGbSeconds(1, 0.2, 1024)).toBeCloseTo(0.001, 12);
  });
});

describe('64 KB chunks', () => {
  it('bills one request per started 64 KB of payload, at least one', () => {
    expect(chunkedRequests(10, 0)).toBe(10);
    expect(chunkedRequests(10, CHUNK_BYTES)).toBe(10);
    expect(chunkedRequests(10, CHUNK_BYTES + 1)).toBe(20);
    expect(chunkedRequests(1, 256 * 1024)).toBe(4);
  });
});

describe('the month of units', () => {
  it('files api units by the verb of their operation, searches by name', () => {
    expect(apiCategory('api.getContact')).toBe('reads');
    expect(apiCategory('api.listDeals')).toBe('lists');
    expect(apiCategory('api.listContacts.prefix')).toBe('searches');
    expect(apiCategory('api.listContacts?q=ana')).toBe('searches');
    expect(apiCategory('api.createContact.uniqueEmail')).toBe('creates');
    expect(apiCategory('api.createContact')).toBe('creates');
    expect(apiCategory('api.convertLead')).toBe('creates');
    expect(apiCategory('api.updateDeal')).toBe('updates');
    expect(apiCategory('api.deleteContact')).toBe('deletes');
    expect(apiCategory('api.exportContacts')).toBeUndefined();
    expect(apiCategory('campaign.recipient')).toBeUndefined();
  });

  it('spreads the API calls by the mix, equally within a category, searches on lists when none is apart', () => {
    const units = monthlyUnits(profileOf({ apiCallsPerMonth: 1000 }), fixtureRun());
    expect(units.quantities.get('api.getContact')).toBeCloseTo(350);
    // lists 25 % and searches 10 % both fall on the only list unit.
    expect(units.quantities.get('api.listContacts')).toBeCloseTo(350);
    expect(units.quantities.get('api.deleteContact')).toBeCloseTo(50);
    expect(units.notes.join()).toMatch(/searches/);
  });

  it('turns emails into recipients, tracked opens and clicks, and SES events', () => {
    const units = monthlyUnits(
      profileOf({ emailsPerMonth: 1000, openRate: 0.2, clickRate: 0.05 }),
      fixtureRun(),
    );
    expect(units.quantities.get('campaign.recipient')).toBe(1000);
    expect(units.quantities.get('tracking.open')).toBeCloseTo(200);
    expect(units.quantities.get('tracking.click')).toBeCloseTo(50);
    expect(units.quantities.get('ses.event')).toBe(2000);
  });

  it("prices the records of the consumer's own items once, at stream.record's Lambda share without writes", () => {
    // 1,000 reminders write one stream record each; the consumer's own items add 0.5 per record.
    const run = fixtureRun();
    const units = monthlyUnits(profileOf({ remindersPerMonth: 1000 }), run);
    expect(units.quantities.get('stream.record')).toBeCloseTo(1000);
    expect(units.quantities.get(DERIVED_STREAM_UNIT)).toBeCloseTo(500);
    expect(units.streamRecords).toBeCloseTo(1500);
    const derived = units.units[DERIVED_STREAM_UNIT];
    expect(derived?.lambda).toEqual(run.units['stream.record']?.lambda);
    expect(derived?.dynamodb.writeUnits).toBe(0);
    expect(derived?.streamRecords).toBe(0);
    // A unit measured with the consumer running has its stream share in it: none added.
    const campaign = monthlyUnits(
      profileOf({ emailsPerMonth: 1000, openRate: 0, clickRate: 0, sesEventsPerEmail: 0 }),
      run,
    );
    expect(campaign.quantities.get('campaign.recipient')).toBe(1000);
    expect(campaign.quantities.has('stream.record')).toBe(false);
    // A measured unit for them, when the counts have one, is used as it is.
    const measured = {
      ...run,
      units: { ...run.units, [DERIVED_STREAM_UNIT]: unit({ fn: 'tableChanges', httpApiRequests: 0 }) },
    };
    expect(monthlyUnits(profileOf({ remindersPerMonth: 1000 }), measured).units[DERIVED_STREAM_UNIT]).toBe(
      measured.units[DERIVED_STREAM_UNIT],
    );
  });

  it('names every unit the workload needs and the counts lack', () => {
    const run = fixtureRun();
    const { 'import.row': _, 'stream.record': __, ...rest } = run.units;
    expect(() =>
      monthlyUnits(profileOf({ importRowsPerMonth: 10, apiCallsPerMonth: 10 }), { ...run, units: rest }),
    ).toThrow(/import\.row[\s\S]*stream\.record/);
  });
});

describe('usage and storage', () => {
  it('adds each unit × quantity, GB-seconds per unit at the function memory', () => {
    const run = fixtureRun();
    const usage = usageOf(
      new Map([
        ['api.getContact', 1000],
        ['stream.record', 200],
      ]),
      run.units,
      (fn) => (fn === 'tableChanges' ? 1024 : 512),
    );
    expect(usage.httpApiRequests).toBe(1000);
    expect(usage.readUnits).toBe(500);
    expect(usage.eventBridgeEvents).toBeCloseTo(40);
    const contacts = usage.functions.find((f) => f.function === 'contacts');
    expect(contacts?.gbSeconds).toBeCloseTo(10); // 1,000 × 20 ms × 0.5 GB
    const stream = usage.functions.find((f) => f.function === 'tableChanges');
    expect(stream?.invocations).toBeCloseTo(2);
    expect(stream?.gbSeconds).toBeCloseTo(0.3); // 2 × 150 ms × 1 GB
    expect(contacts?.logBytes).toBe(1_000_000);
  });

  it('grows with the months kept: the records plus the monthly records times the months', () => {
    const storage = fixtureRun().storage;
    const profile = profileOf({ records: { contact: 1000 }, monthlyRecords: { activity: 100 } });
    const bytes = (months: number) => storedKinds(profile, storage, months).reduce((t, k) => t + k.bytes, 0);
    expect(bytes(0)).toBe(1000 * 2048);
    expect(bytes(12)).toBe(1000 * 2048 + 1200 * 1024);
    expect(bytes(24) - bytes(12)).toBe(1200 * 1024);
    expect(() => storedKinds(profileOf({ records: { quote: 1 } }), storage)).toThrow(/quote/);
  });
});

describe('the bill', () => {
  const input = (overrides: Partial<Parameters<typeof bill>[0]> = {}) => ({
    usage: usageOf(new Map([['api.getContact', 2_000_000]]), { 'api.getContact': unit() }, () => 1024),
    stored: [{ kind: 'contact', records: 1, bytes: 30 * GB }],
    fixed: {
      secrets: 1,
      recurring: [{ name: 'sweep', target: 'alertScan', perMonth: 720 }],
      kmsKeys: 0,
      alarms: 0,
      dashboards: 0,
    },
    activeUsers: 20,
    metricSeries: 0,
    logRetentionDays: 30,
    tracing: 'disabled' as const,
    ...overrides,
  });

  it('prices each line at list price and keeps the free tier apart from the total', () => {
    const result = bill(input());
    const requests = result.activity.find((l) => l.price === 'lambdaRequests');
    expect(requests?.usd).toBeCloseTo(0.4); // 2M × $0.20 per 1M
    // 2M × 20 ms × 1 GB = 40,000 GB-s.
    expect(result.activity.find((l) => l.price === 'lambdaArmGbSeconds')?.quantity).toBeCloseTo(40_000);
    const storage = result.idle.find((l) => l.price === 'dynamoStorage');
    expect(storage?.usd).toBeCloseTo(30 * 0.25);
    expect(result.idle.find((l) => l.price === 'dynamoPitr')?.usd).toBeCloseTo(30 * 0.2);
    expect(result.listUsd).toBeCloseTo([...result.activity, ...result.idle].reduce((t, l) => t + l.usd, 0));
    // Always-free: 1M Lambda requests of the 2,000,720 (the sweep's 720 included), 25 GB of the 30.
    const credit = (price: string) => result.credits.find((c) => c.tier.price === price);
    expect(credit('lambdaRequests')?.used).toBe(1_000_000);
    expect(credit('lambdaRequests')?.usd).toBeCloseTo(0.2);
    expect(credit('dynamoStorage')?.usd).toBeCloseTo(25 * 0.25);
    expect(credit('lambdaArmGbSeconds')?.used).toBeCloseTo(40_000);
    // API Gateway's free tier ends after 12 months: never deducted.
    expect(credit('httpApiRequests')).toBeUndefined();
    expect(result.creditUsd).toBeLessThan(result.listUsd);
  });

  it('costs nothing for Cognito up to the free tier, and the idle section holds what runs regardless', () => {
    const result = bill(input());
    expect(result.idle.map((l) => l.item)).toEqual(
      expect.arrayContaining(['the signing key', 'recurring schedule sweep', 'requests: alertScan (sweep)']),
    );
    expect(result.credits.find((c) => c.tier.price === 'cognitoEssentialsMau')?.usd).toBeCloseTo(20 * 0.015);
    expect(line('sesEmails', 200_000).usd).toBeCloseTo(20);
  });

  it('ends the report with the one line scripts read', () => {
    const text = report(bill(input()), { counts: 'fixture', workload: [], notes: [], unpriced: [] });
    const last = text.trimEnd().split('\n').at(-1) ?? '';
    expect(last).toMatch(/^AWS total: \$\d+\.\d{2} per month; SES: \$\d+\.\d{2} per month$/);
    expect(text.match(/^AWS total:/gm)).toHaveLength(1);
    expect(totalLine(4.999, 0.001)).toBe('AWS total: $5.00 per month; SES: $0.00 per month');
    expect(usd(0.001)).toBe('<$0.01');
  });

  it('says whether the target is met, and names the largest lines when it is not', () => {
    const cheap = bill(input({ usage: usageOf(new Map(), fixtureRun().units, () => 512), stored: [] }));
    expect(targetLine(cheap)).toMatch(/: met at list price \(\$0\.\d{2}\)$/);
    const dear = bill(input());
    expect(targetLine(dear)).toMatch(/not met at list price \(\$\d+\.\d{2};.*the largest lines: /);
    expect(targetLine(dear)).not.toMatch(/X-Ray/);
    expect(targetLine(bill(input({ tracing: 'active' })))).toMatch(/the largest lines: X-Ray/);
  });

  it("prices X-Ray only when the deployment traces, as an upper bound from Lambda's sampling", () => {
    const untraced = bill(input());
    expect(untraced.activity.some((l) => l.price === 'xrayTraces')).toBe(false);
    expect(untraced.credits.some((c) => c.tier.price === 'xrayTraces')).toBe(false);
    const traced = bill(input({ tracing: 'active' }));
    const xray = traced.activity.find((l) => l.price === 'xrayTraces');
    // 2,000,000 calls of one function, below one a second over the month: every one may be the first of its second.
    expect(xray?.quantity).toBe(2_000_000);
    expect(xray?.usd).toBeCloseTo(10);
    expect(xray?.item).toMatch(/at most/);
    expect(traced.credits.find((c) => c.tier.price === 'xrayTraces')?.used).toBe(100_000);
    expect(traced.listUsd - untraced.listUsd).toBeCloseTo(10);
  });

  it('bounds the traces by one a second per function, then 5 % of the rest', () => {
    expect(SECONDS_PER_MONTH).toBe(2_592_000);
    expect(tracesAtMost([])).toBe(0);
    expect(tracesAtMost([1000, 2_592_000])).toBe(2_593_000);
    // 10 M calls: 2,592,000 first-of-their-second, then 5 % of the other 7,408,000.
    expect(tracesAtMost([10_000_000])).toBeCloseTo(2_592_000 + 370_400);
    // Over a 10-second window: 10 at most from the reservoir, 5 % of the other 90.
    expect(tracesAtMost([100], 10)).toBeCloseTo(14.5);
    expect(tracesAtMost([100, 100], 10)).toBeCloseTo(29);
  });
});

describe('the README bill', () => {
  it('replaces only what lies between the markers, and refuses a README without them', () => {
    const readme = `intro\n${README_START}\nold bill\n${README_END}\noutro\n`;
    const once = spliceBill(readme, 'AWS total: $1.00 per month; SES: $0.00 per month\n');
    expect(once).toBe(
      `intro\n${README_START}\n\n\`\`\`text\nAWS total: $1.00 per month; SES: $0.00 per month\n\`\`\`\n\n${README_END}\noutro\n`,
    );
    expect(spliceBill(once, 'AWS total: $1.00 per month; SES: $0.00 per month')).toBe(once);
    expect(() => spliceBill('no markers', 'x')).toThrow(/markers/);
  });
});
