/**
 * Record counts of the overview report, derived from an item's old and new
 * image: +1 when a record becomes live, -1 when it is archived or erased.
 * Working from images (not API calls) makes every write path count the same.
 */
export const overviewCounters = {
  contact: 'contacts',
  company: 'companies',
  team: 'teams',
  user: 'users',
} as const;

export type OverviewCounter = (typeof overviewCounters)[keyof typeof overviewCounters];
export type Overview = Record<OverviewCounter, number>;

export const emptyOverview = (): Overview => ({ contacts: 0, companies: 0, teams: 0, users: 0 });

type Image = Record<string, unknown> | undefined;

const counterOf = (image: Image): OverviewCounter | undefined =>
  overviewCounters[image?.entity as keyof typeof overviewCounters];

const isLive = (image: Image) => counterOf(image) !== undefined && image?.archived !== true;

export interface CountChange {
  readonly tenantId: string;
  readonly counter: OverviewCounter;
  readonly delta: 1 | -1;
}

export function countChange(oldImage: Image, newImage: Image): CountChange | undefined {
  const image = newImage ?? oldImage;
  const counter = counterOf(image);
  const tenantId = image?.tenantId;
  if (!counter || typeof tenantId !== 'string') return undefined;
  const delta = Number(isLive(newImage)) - Number(isLive(oldImage));
  return delta === 0 ? undefined : { tenantId, counter, delta: delta as 1 | -1 };
}
