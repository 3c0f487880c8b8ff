/**
 * The workload `npm run cost` prices: a team and what it does in a month. A JSON profile
 * (`cost/profiles/reference-team.json`) gives it; flags override single fields. Plain data and
 * its validation, no I/O.
 */

/** The API operation categories a call mix is made of, and how a measured `api.*` unit falls in one. */
export const apiCategories = ['reads', 'lists', 'searches', 'creates', 'updates', 'deletes'] as const;
export type ApiCategory = (typeof apiCategories)[number];

/**
 * The default mix of API calls over the categories: mostly reading (a CRM is read far more than it
 * is written), a tenth searches, a quarter writes. Shares add up to 1.
 */
export const defaultApiMix: Readonly<Record<ApiCategory, number>> = {
  reads: 0.35,
  lists: 0.25,
  searches: 0.1,
  creates: 0.1,
  updates: 0.15,
  deletes: 0.05,
};

export interface Profile {
  readonly description: string;
  readonly seats: number;
  /** Records the tenant holds, by record kind of the measured storage (`contact`, `company`, `deal`, ...). */
  readonly records: Readonly<Record<string, number>>;
  /** Records added every month and kept for `retentionMonths` (activities, their timeline entries, deliveries). */
  readonly monthlyRecords: Readonly<Record<string, number>>;
  /** Months the monthly records are kept: the storage billed is that of a tenant this many months in. */
  readonly retentionMonths: number;
  readonly apiCallsPerMonth: number;
  readonly apiMix: Readonly<Record<ApiCategory, number>>;
  /** Campaign recipients a month (one email each). */
  readonly emailsPerMonth: number;
  /** Share of emails opened (one first-party tracking open each) and clicked (one tracked click each). */
  readonly openRate: number;
  readonly clickRate: number;
  /** SES events per email that reach the events handler: Send and Delivery (or Bounce) at least. */
  readonly sesEventsPerEmail: number;
  readonly importRowsPerMonth: number;
  readonly remindersPerMonth: number;
  readonly webhookDeliveriesPerMonth: number;
  readonly sequenceStepsPerMonth: number;
  /**
   * Whether the deployment traces its functions with X-Ray (`-c tracing=active`): `disabled`, the
   * deployment's default (infra/config.ts), prices no traces; `active` prices the most Lambda's
   * sampling can record.
   */
  readonly tracing: 'active' | 'disabled';
}

/** Working days a month, for `apiCallsPerSeatPerDay`. */
export const WORKING_DAYS_PER_MONTH = 21;

type Json = unknown;

/** Each problem with a profile, as `field: what is wrong`; empty when it is valid. */
export type ProfileErrors = readonly string[];

const isObject = (value: Json): value is Record<string, Json> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const knownFields = new Set([
  'description',
  'seats',
  'records',
  'monthlyRecords',
  'retentionMonths',
  'apiCallsPerMonth',
  'apiCallsPerSeatPerDay',
  'apiMix',
  'emailsPerMonth',
  'openRate',
  'clickRate',
  'sesEventsPerEmail',
  'importRowsPerMonth',
  'remindersPerMonth',
  'webhookDeliveriesPerMonth',
  'sequenceStepsPerMonth',
  'tracing',
]);

/**
 * Reads a profile from parsed JSON. Required: `seats`, `records`, and the API volume as either
 * `apiCallsPerMonth` or `apiCallsPerSeatPerDay` (× seats × 21 working days). The rest default to
 * zero (volumes), `defaultApiMix`, 12 months of retention, and for email an open rate of 25 %, a
 * click rate of 3 % and 2 SES events per email (Send and Delivery), and `tracing` to `disabled` (as
 * deployed by default; `active` for `-c tracing=active`). Returns every error at once.
 */
export function parseProfile(input: Json): { profile: Profile } | { errors: ProfileErrors } {
  const errors: string[] = [];
  if (!isObject(input)) return { errors: ['profile: must be a JSON object'] };
  for (const key of Object.keys(input)) {
    if (!knownFields.has(key)) errors.push(`${key}: unknown field`);
  }

  const count = (field: string, fallback?: number): number => {
    const value = input[field];
    if (value === undefined) {
      if (fallback === undefined) errors.push(`${field}: required`);
      return fallback ?? 0;
    }
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      errors.push(`${field}: must be a number ≥ 0`);
      return 0;
    }
    return value;
  };
  const rate = (field: string, fallback: number): number => {
    const value = count(field, fallback);
    if (value > 1) errors.push(`${field}: must be between 0 and 1`);
    return value;
  };
  const counts = (field: string, required: boolean): Record<string, number> => {
    const value = input[field];
    if (value === undefined) {
      if (required) errors.push(`${field}: required (record kind → count)`);
      return {};
    }
    if (!isObject(value)) {
      errors.push(`${field}: must be an object of record kind → count`);
      return {};
    }
    const out: Record<string, number> = {};
    for (const [kind, n] of Object.entries(value)) {
      if (typeof n !== 'number' || !Number.isFinite(n) || n < 0)
        errors.push(`${field}.${kind}: must be a number ≥ 0`);
      else out[kind] = n;
    }
    return out;
  };

  const description = input.description ?? 'a team';
  if (typeof description !== 'string') errors.push('description: must be a string');
  const seats = count('seats');
  if (input.seats !== undefined && !Number.isInteger(seats)) errors.push('seats: must be a whole number');

  let apiCallsPerMonth = 0;
  const perMonth = input.apiCallsPerMonth;
  const perSeatPerDay = input.apiCallsPerSeatPerDay;
  if (perMonth !== undefined && perSeatPerDay !== undefined) {
    errors.push('apiCallsPerMonth, apiCallsPerSeatPerDay: give one of them, not both');
  } else if (perSeatPerDay !== undefined) {
    apiCallsPerMonth = count('apiCallsPerSeatPerDay') * seats * WORKING_DAYS_PER_MONTH;
  } else if (perMonth !== undefined) {
    apiCallsPerMonth = count('apiCallsPerMonth');
  } else {
    errors.push('apiCallsPerMonth: required (or apiCallsPerSeatPerDay)');
  }

  const tracing = input.tracing ?? 'disabled';
  if (tracing !== 'active' && tracing !== 'disabled')
    errors.push('tracing: must be "active" or "disabled" (as deployed with -c tracing=…)');

  const apiMix = parseMix(input.apiMix, errors);
  const profile: Profile = {
    description: typeof description === 'string' ? description : '',
    seats,
    records: counts('records', true),
    monthlyRecords: counts('monthlyRecords', false),
    retentionMonths: count('retentionMonths', 12),
    apiCallsPerMonth,
    apiMix,
    emailsPerMonth: count('emailsPerMonth', 0),
    openRate: rate('openRate', 0.25),
    clickRate: rate('clickRate', 0.03),
    sesEventsPerEmail: count('sesEventsPerEmail', 2),
    importRowsPerMonth: count('importRowsPerMonth', 0),
    remindersPerMonth: count('remindersPerMonth', 0),
    webhookDeliveriesPerMonth: count('webhookDeliveriesPerMonth', 0),
    sequenceStepsPerMonth: count('sequenceStepsPerMonth', 0),
    tracing: tracing === 'active' ? 'active' : 'disabled',
  };
  if (profile.clickRate > profile.openRate) errors.push('clickRate: cannot exceed openRate');
  return errors.length > 0 ? { errors } : { profile };
}

/** A mix given in the profile replaces the default whole: every category named, shares adding up to 1. */
function parseMix(value: Json, errors: string[]): Record<ApiCategory, number> {
  if (value === undefined) return { ...defaultApiMix };
  if (!isObject(value)) {
    errors.push(`apiMix: must be an object of ${apiCategories.join(', ')} → share`);
    return { ...defaultApiMix };
  }
  const mix = { ...defaultApiMix };
  for (const key of Object.keys(value)) {
    if (!(apiCategories as readonly string[]).includes(key))
      errors.push(`apiMix.${key}: unknown category (${apiCategories.join(', ')})`);
  }
  let total = 0;
  for (const category of apiCategories) {
    const share = value[category];
    if (share === undefined) {
      errors.push(`apiMix.${category}: required when apiMix is given (0 for none)`);
      continue;
    }
    if (typeof share !== 'number' || !Number.isFinite(share) || share < 0 || share > 1) {
      errors.push(`apiMix.${category}: must be a share between 0 and 1`);
      continue;
    }
    mix[category] = share;
    total += share;
  }
  if (errors.every((error) => !error.startsWith('apiMix')) && Math.abs(total - 1) > 1e-9)
    errors.push(`apiMix: shares add up to ${total}, not 1`);
  return mix;
}

/** A flag's override of one field: `--emails 50000` → `{ emailsPerMonth: 50000 }`, `--tracing active`. */
export const flagFields: Readonly<Record<string, string>> = {
  '--seats': 'seats',
  '--contacts': 'records.contact',
  '--companies': 'records.company',
  '--deals': 'records.deal',
  '--api-calls': 'apiCallsPerMonth',
  '--api-calls-per-seat-per-day': 'apiCallsPerSeatPerDay',
  '--emails': 'emailsPerMonth',
  '--open-rate': 'openRate',
  '--click-rate': 'clickRate',
  '--import-rows': 'importRowsPerMonth',
  '--reminders': 'remindersPerMonth',
  '--webhook-deliveries': 'webhookDeliveriesPerMonth',
  '--sequence-steps': 'sequenceStepsPerMonth',
  '--retention-months': 'retentionMonths',
  '--tracing': 'tracing',
};

/**
 * The profile JSON with flag overrides applied (`path` as in `flagFields`, a value already parsed
 * as a number or left as the string it was, for validation to name). Giving one of the two API
 * volume fields drops the other.
 */
export function applyOverrides(
  input: Record<string, unknown>,
  overrides: readonly { path: string; value: number | string }[],
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...input };
  for (const { path, value } of overrides) {
    if (path === 'apiCallsPerMonth') delete out.apiCallsPerSeatPerDay;
    if (path === 'apiCallsPerSeatPerDay') delete out.apiCallsPerMonth;
    const [head, tail] = path.split('.') as [string, string | undefined];
    if (tail === undefined) out[head] = value;
    else out[head] = { ...(isObject(out[head]) ? (out[head] as object) : {}), [tail]: value };
  }
  return out;
}
