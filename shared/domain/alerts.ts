import { caseStatuses, isUnresolved } from './cases.ts';

/**
 * Alerts: notifications raised by a recurring job about records that need
 * someone, each at most once per episode (SPEC "Reports", alerts). Pure rules
 * only, no AWS imports: what makes a record watched, when it is due, and what
 * identifies its episode.
 *
 * - `stale_deal`: an open, live deal with no activity for `staleDealDays`
 *   days. Its activity baseline is `lastActivityAt` (kept by the stream from
 *   the deal's activities and stage changes), else `createdAt`. The episode is
 *   that baseline: new activity starts a new one, so a deal that stays stale
 *   is alerted once and a deal that goes stale again later is alerted again.
 * - `sla_breach`: an unresolved, live case past its `slaDueAt` and not yet
 *   marked breached for it. The episode is the due time (a reopening or a
 *   priority change gives a new one).
 * - `churn_risk`: a company whose churn risk crosses `churnRiskThreshold`;
 *   detected from the customers report, wired through the same alert items.
 */
export const alertKinds = ['stale_deal', 'sla_breach', 'churn_risk'] as const;
export type AlertKind = (typeof alertKinds)[number];

/** The kinds found through watch items (a sparse index of records by due time). */
export const watchedKinds = ['stale_deal', 'sla_breach'] as const satisfies readonly AlertKind[];
export type WatchedKind = (typeof watchedKinds)[number];

export interface AlertSettings {
  /** Days without activity after which an open deal is stale, 1..365. */
  readonly staleDealDays: number;
  /** Churn risk (0-100) at or above which a company is alerted, 1..100. */
  readonly churnRiskThreshold: number;
}

export const defaultAlertSettings: AlertSettings = { staleDealDays: 14, churnRiskThreshold: 70 };
export const alertSettingLimits = {
  staleDealDays: { min: 1, max: 365 },
  churnRiskThreshold: { min: 1, max: 100 },
} as const satisfies Record<keyof AlertSettings, { min: number; max: number }>;

/** The tenant's settings: what it stored where valid (whole numbers in range), the defaults elsewhere. */
export function alertSettingsOf(
  stored: Partial<Record<keyof AlertSettings, unknown>> | undefined,
): AlertSettings {
  const pick = (name: keyof AlertSettings): number => {
    const value = stored?.[name];
    const { min, max } = alertSettingLimits[name];
    return Number.isInteger(value) && (value as number) >= min && (value as number) <= max
      ? (value as number)
      : defaultAlertSettings[name];
  };
  return { staleDealDays: pick('staleDealDays'), churnRiskThreshold: pick('churnRiskThreshold') };
}

type Image = Readonly<Record<string, unknown>>;

const isoTime = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' && !Number.isNaN(Date.parse(value)) ? value : undefined;

/**
 * A record the alert job keeps an eye on, and from when (ISO) its condition
 * can hold. Deals and cases are watched by the stream (watchOf); a company's
 * churn-risk watch is the job's own note of an open episode: written when the
 * risk reaches the threshold, deleted when it falls below.
 */
export interface Watch {
  readonly kind: AlertKind;
  readonly recordId: string;
  /** stale_deal: the activity baseline; sla_breach: the due time; churn_risk: when the risk reached the threshold. Also the episode. */
  readonly at: string;
}

/** When a deal last saw activity: `lastActivityAt`, else its creation. */
export function dealActivityBaseline(deal: Image): string | undefined {
  const last = isoTime(deal.lastActivityAt);
  const created = isoTime(deal.createdAt);
  if (last && created) return last > created ? last : created;
  return last ?? created;
}

/**
 * The watch a stored image implies: an open, live deal (stale_deal, from its
 * activity baseline), or an unresolved, live case whose current due time is
 * not marked breached (sla_breach, from `slaDueAt`). Anything else, or a
 * malformed image, is not watched.
 */
export function watchOf(image: Image | undefined): (Watch & { readonly kind: WatchedKind }) | undefined {
  if (!image || image.archived === true || typeof image.id !== 'string' || image.id === '') return undefined;
  if (image.entity === 'deal') {
    const at = image.status === 'open' ? dealActivityBaseline(image) : undefined;
    return at ? { kind: 'stale_deal', recordId: image.id, at } : undefined;
  }
  if (image.entity === 'case') {
    const due = isoTime(image.slaDueAt);
    const unresolved = caseStatuses.some((status) => status === image.status && isUnresolved(status));
    if (!unresolved || !due || image.slaBreachedAt === due) return undefined;
    return { kind: 'sla_breach', recordId: image.id, at: due };
  }
  return undefined;
}

export const sameWatch = (a: Watch | undefined, b: Watch | undefined): boolean =>
  a?.kind === b?.kind && a?.recordId === b?.recordId && a?.at === b?.at;

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The latest `at` (exclusive bound, ISO) at which a watch of `kind` is due at
 * `now`: a deal whose baseline is before now − staleDealDays is stale; a case
 * whose due time is before now is breached.
 */
export function dueBefore(kind: WatchedKind, now: Date, settings: AlertSettings): string {
  const ms = kind === 'stale_deal' ? now.getTime() - settings.staleDealDays * DAY_MS : now.getTime();
  return new Date(ms).toISOString();
}

/** Whether a deal (its stored fields) is stale at `now`: open, live, no activity for `staleDealDays` days. */
export function isStaleDeal(deal: Image, now: Date, settings: AlertSettings): boolean {
  const watch = watchOf({ ...deal, entity: 'deal' });
  return watch !== undefined && watch.at < dueBefore('stale_deal', now, settings);
}

/** Whole days from `from` to `now` (ISO), for an alert's reason. */
export const daysSince = (from: string, now: Date): number =>
  Math.max(0, Math.floor((now.getTime() - Date.parse(from)) / DAY_MS));

/** Why a deal is alerted, as its owner reads it. */
export const staleDealReason = (baseline: string, now: Date): string =>
  `No activity for ${daysSince(baseline, now)} days (last on ${baseline.slice(0, 10)})`;

/** Why a case is alerted. */
export const slaBreachReason = (dueAt: string): string => `Unresolved past its SLA due time ${dueAt}`;

/** Why a company is alerted (the churn-risk kind). */
export const churnRiskReason = (risk: number, threshold: number): string =>
  `Churn risk ${risk} reached the threshold ${threshold}`;

/**
 * The churn-risk episodes a pass ends and the companies it alerts: a company
 * at or above the threshold is alerted within its open episode (a new one
 * starting `now` when none is open); an open episode whose company is below
 * the threshold, or no longer a customer, ends. Pure: the job does the I/O.
 */
export function churnEpisodes(
  risks: ReadonlyMap<string, number>,
  open: ReadonlyMap<string, string>,
  threshold: number,
  now: Date,
): {
  alert: { companyId: string; risk: number; episode: string; opened: boolean }[];
  ended: [string, string][];
} {
  const alert: { companyId: string; risk: number; episode: string; opened: boolean }[] = [];
  for (const [companyId, risk] of risks) {
    if (risk < threshold) continue;
    const episode = open.get(companyId);
    alert.push({ companyId, risk, episode: episode ?? now.toISOString(), opened: episode === undefined });
  }
  const ended = [...open].filter(([companyId]) => (risks.get(companyId) ?? 0) < threshold);
  return { alert, ended };
}
