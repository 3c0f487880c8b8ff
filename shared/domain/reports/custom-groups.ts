import { CUSTOM_FIELD_KEY, CUSTOM_FIELD_PATH } from '../custom-fields.ts';
import { type Contribution, type Counters, groupKey, type Image } from './aggregate.ts';

/**
 * Report groups by custom field (`groupBy=customFields.<key>` on the sales,
 * win-rate and leads reports). A deal or lead carries its groups in
 * `customGroups` (`{tier: ['gold'], vip: ['true'], topics: ['ai', 'data']}`),
 * which the write path derives from its select, boolean and multiselect
 * values (custom-fields.ts customFieldGroups), so the aggregate reads the
 * image alone and needs no settings. Items are keyed
 * `customFields.<key>#<day>#<value>`; a multiselect counts the record once
 * under each option it holds, so its groups may add up to more than the total.
 *
 * Cost: a record adds one aggregate item per group it is in, and only on
 * the writes that change its contribution (as for every dimension); a record
 * without groups adds none.
 */

/** The dimension of a custom field's groups: `customFields.<key>`. */
export const customGroupDimension = (key: string): string => `customFields.${key}`;

/** Whether `groupBy` names a custom field (`customFields.<key>`); its key then. */
export const customGroupKey = (groupBy: string): string | undefined => CUSTOM_FIELD_PATH.exec(groupBy)?.[1];

/** The image's groups as `[key, value]` pairs, read defensively (a malformed entry makes none). */
export function customGroupsOf(image: Image): [string, string][] {
  const groups = image.customGroups;
  if (typeof groups !== 'object' || groups === null || Array.isArray(groups)) return [];
  return Object.entries(groups as Record<string, unknown>).flatMap(([key, values]) =>
    CUSTOM_FIELD_KEY.test(key) && Array.isArray(values)
      ? [
          ...new Set(values.filter((value): value is string => typeof value === 'string' && value !== '')),
        ].map((value): [string, string] => [key, value])
      : [],
  );
}

/** A record's `counters` on `day` under each of its custom field groups. */
export function customGroupContributions(
  report: string,
  image: Image,
  day: string,
  counters: Counters,
): Contribution[] {
  return customGroupsOf(image).map(([key, value]) => ({
    report,
    key: groupKey(customGroupDimension(key), day, value),
    counters,
  }));
}
