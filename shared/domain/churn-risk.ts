/**
 * Churn risk of a customer company, 0-100, with the reasons that make it up,
 * so a sales manager sees why a customer is flagged. Each reason has a
 * maximum weight and a degree 0..1 read from the customer's figures; a
 * reason adds weight × degree points, rounded, and the risk is the sum of the
 * reasons shown. The weights add up to 100.
 */

export const churnReasonCodes = [
  'no_recent_purchase',
  'no_recent_activity',
  'falling_engagement',
  'complaints_or_sla_breaches',
  'unreachable_contacts',
  'low_csat',
] as const;

export type ChurnReasonCode = (typeof churnReasonCodes)[number];

/** The most each reason can add to the risk. */
export const churnWeights: Readonly<Record<ChurnReasonCode, number>> = {
  no_recent_purchase: 30,
  no_recent_activity: 20,
  falling_engagement: 15,
  complaints_or_sla_breaches: 15,
  unreachable_contacts: 10,
  low_csat: 10,
};

/** What the risk is computed from, as the customer aggregates keep it. */
export interface ChurnSignals {
  /** Days since the last won deal; undefined when the company never bought. */
  readonly daysSinceLastPurchase?: number | undefined;
  /** Days since the last activity or email reply with anyone at the company; undefined when none. */
  readonly daysSinceLastActivity?: number | undefined;
  /** Human opens and clicks by the company's contacts in the last 90 days, and in the 90 before. */
  readonly engagementRecent: number;
  readonly engagementPrior: number;
  /** Open complaint cases, and SLA breaches in the last 90 days. */
  readonly openComplaints: number;
  readonly slaBreaches: number;
  /** Contacts, and those whose address bounced or who unsubscribed. */
  readonly contacts: number;
  readonly unreachableContacts: number;
  /** Average CSAT (1-5) over `csatCount` answers. */
  readonly csatAverage?: number | undefined;
  readonly csatCount: number;
}

export interface ChurnReason {
  readonly code: ChurnReasonCode;
  /** Points this reason adds, 1..its maximum weight. */
  readonly weight: number;
  readonly detail: string;
}

export interface ChurnRisk {
  /** 0-100. */
  readonly risk: number;
  /** The reasons that add to it, heaviest first. */
  readonly reasons: ChurnReason[];
}

const clamp = (value: number) => Math.min(1, Math.max(0, value));
/** 0 at `from` days or fewer, rising evenly to 1 at `to` days. */
const ramp = (days: number, from: number, to: number) => clamp((days - from) / (to - from));

/**
 * The degree of each reason:
 * - no recent purchase: none within 90 days of the last won deal, full at a
 *   year (and for a company that never bought);
 * - no recent activity: none within 30 days, full at 120 days (or never);
 * - falling engagement: the share by which the last 90 days' opens and clicks
 *   fell against the 90 before, once there were at least 3 before;
 * - complaints or SLA breaches: a third per open complaint or breach, full at 3;
 * - unreachable contacts: the share of contacts that bounced or unsubscribed;
 * - low CSAT: none at an average of 4 or more, full at 2 or less.
 */
export function churnRisk(signals: ChurnSignals): ChurnRisk {
  const degrees: [ChurnReasonCode, number, string][] = [];
  const { daysSinceLastPurchase: purchase, daysSinceLastActivity: activity } = signals;
  degrees.push([
    'no_recent_purchase',
    purchase === undefined ? 1 : ramp(purchase, 90, 365),
    purchase === undefined ? 'no won deal yet' : `last won deal ${purchase} days ago`,
  ]);
  degrees.push([
    'no_recent_activity',
    activity === undefined ? 1 : ramp(activity, 30, 120),
    activity === undefined ? 'no activity recorded' : `last activity ${activity} days ago`,
  ]);
  const { engagementRecent: recent, engagementPrior: prior } = signals;
  degrees.push([
    'falling_engagement',
    prior >= 3 ? clamp((prior - recent) / prior) : 0,
    `${recent} opens and clicks in the last 90 days, ${prior} in the 90 before`,
  ]);
  const troubles = signals.openComplaints + signals.slaBreaches;
  degrees.push([
    'complaints_or_sla_breaches',
    clamp(troubles / 3),
    `${signals.openComplaints} open complaints, ${signals.slaBreaches} SLA breaches in 90 days`,
  ]);
  degrees.push([
    'unreachable_contacts',
    signals.contacts > 0 ? clamp(signals.unreachableContacts / signals.contacts) : 0,
    `${signals.unreachableContacts} of ${signals.contacts} contacts bounced or unsubscribed`,
  ]);
  const csat = signals.csatAverage;
  degrees.push([
    'low_csat',
    signals.csatCount > 0 && csat !== undefined ? clamp((4 - csat) / 2) : 0,
    `CSAT ${csat === undefined ? 'none' : csat.toFixed(1)} over ${signals.csatCount} answers`,
  ]);
  const weighted = degrees.map(([code, degree, detail]) => ({
    code,
    points: churnWeights[code] * degree,
    detail,
  }));
  const reasons = weighted
    .filter(({ points }) => Math.round(points) >= 1)
    .map(({ code, points, detail }) => ({ code, weight: Math.round(points), detail }))
    .sort((a, b) => b.weight - a.weight);
  // The reasons add up to the risk exactly, so what is shown explains all of it.
  const risk = reasons.reduce((sum, { weight }) => sum + weight, 0);
  return { risk, reasons };
}
