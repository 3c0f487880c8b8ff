import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  fixedResources,
  memoryOf,
  metricPublishers,
  metricSeries,
  polledQueues,
} from '../../cost/deployment.ts';
import { parseProfile } from '../../cost/profile.ts';
import { defaults } from '../../infra/config.ts';
import { lambdas } from '../../infra/lambdas.ts';

const root = join(import.meta.dirname, '..', '..');
const sources = (dir: string): string[] =>
  readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sources(join(dir, entry.name))
      : entry.name.endsWith('.ts')
        ? [readFileSync(join(root, dir, entry.name), 'utf8')]
        : [],
  );
const stacks = [...sources('infra/stacks'), ...sources('infra/constructs')].join('\n');
const count = (pattern: RegExp): number => stacks.match(pattern)?.length ?? 0;

describe("the deployment's fixed monthly lines", () => {
  it('counts the secrets, keys, alarms and dashboards the stacks create', () => {
    expect(fixedResources.secrets).toBe(count(/new (secretsmanager\.)?Secret\(/g));
    expect(fixedResources.kmsKeys).toBe(count(/new (kms\.)?Key\(/g));
    expect(fixedResources.alarms).toBe(count(/new (cloudwatch\.)?(Alarm|CompositeAlarm)\(|\.createAlarm\(/g));
    expect(fixedResources.dashboards).toBe(count(/new (cloudwatch\.)?Dashboard\(/g));
  });

  it('prices X-Ray as the stacks deploy by default: untraced, as a profile that says nothing of tracing', () => {
    const parsed = parseProfile({ seats: 1, records: {}, apiCallsPerMonth: 1 });
    expect('profile' in parsed && parsed.profile.tracing).toBe(defaults.tracing);
  });

  it('prices every recurring schedule at its rate over a 30-day month', () => {
    expect(fixedResources.recurring.length).toBeGreaterThan(0);
    expect(fixedResources.recurring.find((r) => r.name === 'alert-scan')?.perMonth).toBe(720);
  });

  it("reads each function's memory from the catalogue, 512 MB by default", () => {
    expect(memoryOf('contacts')).toBe(512);
    expect(memoryOf('importChunks')).toBe(1024);
    expect(() => memoryOf('noSuchFunction')).toThrow(/infra\/lambdas\.ts/);
    expect(polledQueues).toBe(lambdas.filter((spec) => spec.trigger.kind === 'queue').length);
  });

  it('knows every custom metric and whether a function records it', () => {
    const metrics = readFileSync(join(root, 'shared/observability/metrics.ts'), 'utf8');
    const recorded = [...metrics.matchAll(/record\('(\w+)'/g)].map((m) => m[1]);
    expect(Object.keys(metricPublishers).sort()).toEqual([...recorded].sort());
    const code = [...sources('functions'), ...sources('shared/mail')].join('\n');
    const helper: Record<string, string> = {
      EmailsSent: 'emailSent',
      StreamLag: 'streamLag',
      ImportedRecords: 'importedRecords',
    };
    for (const [metric, publishers] of Object.entries(metricPublishers)) {
      const called = new RegExp(`\\b${helper[metric]}\\(`).test(code);
      expect(called, metric).toBe(publishers.length > 0);
    }
    expect(metricSeries(new Set(['campaignSend', 'tableChanges', 'contacts']))).toBe(2);
  });
});
