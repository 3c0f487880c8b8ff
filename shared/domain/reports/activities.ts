import {
  type Contribution,
  type Counters,
  groupKey,
  isLive,
  MergedCounters,
  type ReportAggregate,
} from './aggregate.ts';
import { counter } from './figures.ts';
import { dayOf, text } from './image.ts';
import { UNASSIGNED } from './sales.ts';

/**
 * Activities (`GET /reports/activities?groupBy=`, SPEC "Reports"): `created` and `done` are a
 * cohort by the day each activity was created (done = status `done` now);
 * `overdue` counts the activities still open whose `dueAt` falls in the
 * period and lies before now.
 *
 * Overdue changes with the clock alone, without any write the stream could
 * see, so it is not stored as such: an open activity with a due time counts
 * on the item of its due day, under a counter named by its due minute
 * (`due@HHMM`, UTC). At read time (activityRows) the due days before today
 * count whole and today's count the minutes before the current one; later
 * days count nothing yet. So an activity becomes overdue in the report at the
 * first minute after its due time, with no write and no schedule.
 *
 * Keys are `<dimension>#<day>[#<value>]`, the day being the created day for
 * `created`/`done` and the due day for `due@…`, so one Query per shard reads
 * both for a period: `owner#2026-03-02#<assigneeId>`, `type#2026-03-02#call`,
 * `month#2026-03-02`. The owner is the assignee. An archived activity leaves
 * the report.
 */
export const activityDimensions = ['owner', 'type', 'month'] as const;
export type ActivityDimension = (typeof activityDimensions)[number];

const DUE_PREFIX = 'due@';

/** `YYYY-MM-DD` and `HHMM` (UTC) of an ISO date-time, or undefined when unreadable. */
function dueMinute(value: string | undefined): { day: string; minute: string } | undefined {
  if (!value || !dayOf(value)) return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) return undefined;
  const iso = new Date(ms).toISOString();
  return { day: iso.slice(0, 10), minute: `${iso.slice(11, 13)}${iso.slice(14, 16)}` };
}

export const activitiesAggregate: ReportAggregate = {
  report: 'activities',
  entities: ['activity'],
  contribute(image) {
    if (!isLive(image, ['activity'])) return [];
    const values: Record<Exclude<ActivityDimension, 'month'>, string> = {
      owner: text(image, 'assigneeId') ?? text(image, 'ownerId') ?? UNASSIGNED,
      type: text(image, 'type') ?? UNASSIGNED,
    };
    const at = (day: string, counters: Counters): Contribution[] =>
      activityDimensions.map((dimension) => ({
        report: 'activities',
        key: dimension === 'month' ? groupKey(dimension, day) : groupKey(dimension, day, values[dimension]),
        counters,
      }));
    const status = text(image, 'status');
    const created = dayOf(text(image, 'createdAt'));
    const due = status === 'open' ? dueMinute(text(image, 'dueAt')) : undefined;
    // Created and due on the same day land on the same items: merged, one contribution per item.
    const merged = new MergedCounters();
    if (created)
      for (const c of at(created, { created: 1, ...(status === 'done' ? { done: 1 } : {}) })) merged.add(c);
    if (due) for (const c of at(due.day, { [`${DUE_PREFIX}${due.minute}`]: 1 })) merged.add(c);
    return merged.contributions();
  },
};

/** One row of `GET /reports/activities`. */
export interface ActivitiesRow {
  readonly key: string;
  readonly created: number;
  readonly done: number;
  readonly overdue: number;
}

/**
 * The report's rows from the items of one dimension over a period, with
 * overdue decided against `now`: by the value after the day, or by month
 * (`YYYY-MM`) for `month`. Rows with nothing to show are left out; rows come
 * sorted by key.
 */
export function activityRows(
  items: ReadonlyMap<string, Counters>,
  dimension: ActivityDimension,
  now: Date,
): ActivitiesRow[] {
  const iso = now.toISOString();
  const today = iso.slice(0, 10);
  const currentMinute = `${iso.slice(11, 13)}${iso.slice(14, 16)}`;
  const rows = new Map<string, { created: number; done: number; overdue: number }>();
  for (const [key, counters] of items) {
    const [, day = '', ...value] = key.split('#');
    const group = dimension === 'month' ? day.slice(0, 7) : value.join('#');
    const row = rows.get(group) ?? { created: 0, done: 0, overdue: 0 };
    row.created += counter(counters, 'created');
    row.done += counter(counters, 'done');
    if (day <= today) {
      for (const [name, value] of Object.entries(counters)) {
        if (!name.startsWith(DUE_PREFIX)) continue;
        if (day < today || name.slice(DUE_PREFIX.length) < currentMinute) row.overdue += value;
      }
    }
    rows.set(group, row);
  }
  return [...rows]
    .filter(([, row]) => row.created !== 0 || row.done !== 0 || row.overdue !== 0)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, row]) => ({ key, ...row }));
}
