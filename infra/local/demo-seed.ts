import { type SeedScale, seedScales } from './seed/scales.ts';

/**
 * `npm start` fills the demo tenant with demo data on its first start, in the background once
 * the API is ready, so the console has something to show at once: the same seed as `npm run
 * seed` (seed/seed.ts), at the small scale by default (the default scale takes minutes here).
 * A tenant that holds any data already is left alone, so a second start seeds nothing.
 * SEED_DEMO=0 skips it; SEED_DEMO_SCALE=default seeds the full two years instead.
 */

export const DEMO_SEED_TENANT = 'demo';
/** The seed's API calls carry it, so npm start's request log leaves them out. */
export const DEMO_SEED_USER_AGENT = 'crm-demo-seed';

export type DemoSeedSetting = { readonly seed: false } | { readonly seed: true; readonly scale: SeedScale };

const off = new Set(['0', 'false', 'no', 'off']);

/** What SEED_DEMO and SEED_DEMO_SCALE ask for; throws with one clear line on a value it does not know. */
export function demoSeedSetting(env: NodeJS.ProcessEnv = process.env): DemoSeedSetting {
  if (off.has((env.SEED_DEMO ?? '').trim().toLowerCase())) return { seed: false };
  const scale = env.SEED_DEMO_SCALE?.trim() || 'small';
  if (!seedScales.includes(scale as SeedScale))
    throw new Error(`SEED_DEMO_SCALE must be one of ${seedScales.join(', ')} (got "${scale}")`);
  return { seed: true, scale: scale as SeedScale };
}

export interface DemoSeedOptions {
  readonly apiUrl: string;
  readonly dataDir: string;
  readonly scale: SeedScale;
  /** Writes one line of output. */
  readonly say: (line: string) => void;
  /** Aborted when npm start stops: the seed ends between two writes, with one line saying so. */
  readonly signal: AbortSignal;
}

export type DemoSeedOutcome = 'seeded' | 'had-data' | 'failed' | 'interrupted';

const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

/** Whether the tenant holds anything the overview counts (records, teams, users). */
async function tenantHasData(apiUrl: string, token: string, signal: AbortSignal): Promise<boolean> {
  const response = await fetch(new URL('/reports/overview', apiUrl), {
    headers: { authorization: `Bearer ${token}`, 'user-agent': DEMO_SEED_USER_AGENT },
    signal,
  });
  if (!response.ok) throw new Error(`GET /reports/overview answered ${response.status}`);
  const overview = (await response.json()) as Record<string, unknown>;
  return ['contacts', 'companies', 'teams', 'users', 'leads', 'deals'].some(
    (name) => Number(overview[name] ?? 0) > 0,
  );
}

/** The demo tenant's web-to-lead form (README "Web-to-lead forms"): double opt-in, so the walk-through shows the email too. */
export const DEMO_FORM = {
  name: 'Website contact form',
  fields: [
    { field: 'firstName', label: 'First name' },
    { field: 'lastName', label: 'Last name' },
    { field: 'email', required: true },
    { field: 'companyName', label: 'Company' },
    { field: 'country' },
  ],
  doubleOptIn: true,
};

/** Defines the demo form; answers its public submit URL. */
async function createDemoForm(apiUrl: string, token: string, signal: AbortSignal): Promise<string> {
  const response = await fetch(new URL('/forms', apiUrl), {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      'user-agent': DEMO_SEED_USER_AGENT,
    },
    body: JSON.stringify(DEMO_FORM),
    signal,
  });
  if (!response.ok) throw new Error(`POST /forms answered ${response.status}`);
  return ((await response.json()) as { submitUrl: string }).submitUrl;
}

/** Seeds the demo tenant unless it has data; never throws: every outcome is one line. */
export async function seedDemoTenant(options: DemoSeedOptions): Promise<DemoSeedOutcome> {
  const { apiUrl, dataDir, scale, say, signal } = options;
  const started = Date.now();
  let seeding = false;
  try {
    // Loaded only now: none of it weighs on the start before the API is ready.
    const [{ mintToken }, { seedTenant }] = await Promise.all([
      import('./tokens.ts'),
      import('./seed/seed.ts'),
    ]);
    const adminId = `admin-${DEMO_SEED_TENANT}`;
    const token = await mintToken(dataDir, { tenant: DEMO_SEED_TENANT, role: 'admin', user: adminId });
    if (await tenantHasData(apiUrl, token, signal)) {
      say(`Demo tenant: it has data already, so nothing is seeded (npm run seed -- --batch 2 adds more)`);
      return 'had-data';
    }
    seeding = true;
    say(
      `Seeding the demo tenant in the background (scale ${scale}); the console shows it as it lands. SEED_DEMO=0 skips this.`,
    );
    const summary = await seedTenant({
      apiUrl,
      token,
      adminId,
      tenantId: DEMO_SEED_TENANT,
      seed: 1,
      scale,
      batch: 1,
      userAgent: DEMO_SEED_USER_AGENT,
      signal,
    });
    say(
      `Seeded the demo tenant in ${seconds(started)}: ${summary.teams} teams, ${summary.users} users, ` +
        `${summary.companies} companies, ${summary.contacts} contacts, ${summary.leads} leads, ` +
        `${summary.deals.total} deals, ${summary.activities} activities, ${summary.cases} cases, ` +
        `${summary.campaigns.length} campaigns${scale === 'small' ? ' (two years at full scale: npm run seed -- --batch 2)' : ''}`,
    );
    const submitUrl = await createDemoForm(apiUrl, token, signal);
    say(`Demo web-to-lead form: POST ${submitUrl} (README: Web-to-lead forms)`);
    return 'seeded';
  } catch (error) {
    if (signal.aborted) {
      if (!seeding) return 'interrupted';
      say(
        `The demo seed was stopped after ${seconds(started)}: the demo tenant holds part of it (a new data folder seeds afresh)`,
      );
      return 'interrupted';
    }
    const reason = ((error as Error)?.message ?? String(error)).split('\n')[0];
    say(
      `The demo seed failed after ${seconds(started)}: ${reason} (the local CRM runs on; npm run seed seeds by hand)`,
    );
    return 'failed';
  }
}
