/**
 * Engagement score of a contact or a company, 0-100: how much and how lately
 * the person (or the company's people) engaged in the last 90 days. Who is
 * most likely to respond to the next offer (`engagementScore gte 60`).
 */

export const engagementKinds = ['open', 'click', 'reply', 'meeting'] as const;

export type EngagementKind = (typeof engagementKinds)[number];

/** One engagement: a human open or a click of a tracked email, an email reply, a meeting held. */
export interface Engagement {
  readonly kind: EngagementKind;
  readonly at: Date;
}

/** Points of each kind when it happens today: a meeting says more than a reply, a reply more than a click. */
export const engagementPoints: Readonly<Record<EngagementKind, number>> = {
  open: 1,
  click: 3,
  reply: 5,
  meeting: 8,
};

/** Only the last 90 days count. */
export const ENGAGEMENT_WINDOW_DAYS = 90;
/** An engagement's points halve every 30 days of age. */
export const ENGAGEMENT_HALF_LIFE_DAYS = 30;
/**
 * The points at which the score reaches 63 (100 × (1 − 1/e)); the score
 * approaches 100 as points grow: 20 fresh points (two meetings, a click and
 * an open, say) make 86, 30 make 95.
 */
export const ENGAGEMENT_SCALE = 10;

const DAY_MS = 86_400_000;

/**
 * The score at `now`: each engagement of the last ENGAGEMENT_WINDOW_DAYS adds
 * its kind's points halved per ENGAGEMENT_HALF_LIFE_DAYS of age (future ones
 * count as today's); the total maps to 0-100 as 100 × (1 − e^(−total /
 * ENGAGEMENT_SCALE)), rounded. No engagement scores 0.
 */
export function engagementScore(engagements: readonly Engagement[], now: Date): number {
  let total = 0;
  for (const { kind, at } of engagements) {
    const ageDays = Math.max(0, (now.getTime() - at.getTime()) / DAY_MS);
    if (ageDays > ENGAGEMENT_WINDOW_DAYS) continue;
    total += engagementPoints[kind] * 0.5 ** (ageDays / ENGAGEMENT_HALF_LIFE_DAYS);
  }
  return Math.round(100 * (1 - Math.exp(-total / ENGAGEMENT_SCALE)));
}
