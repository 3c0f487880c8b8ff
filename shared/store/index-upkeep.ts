import type { Image } from '../domain/reports/aggregate.ts';
import { activities } from './entities.ts';
import { type EntitySpec, reindexStale, type StoredRecord } from './records.ts';

/**
 * Record types whose index keys changed after items were written: an
 * activity's state index (gsi6) sorts by due time since `/me/agenda` reads it
 * in that order; items written before sort by id until rewritten.
 */
const rekeyed: ReadonlyMap<string, EntitySpec<StoredRecord>> = new Map([
  ['activity', activities as unknown as EntitySpec<StoredRecord>],
]);

/**
 * Brings the index keys of a page of a tenant's items up to date (see
 * records.ts reindexStale). The report rebuild (`POST /admin/reports/rebuild`)
 * reads every record of the tenant page by page and passes each page here, so
 * running it once after an upgrade migrates the existing items; items of
 * other types are left as they are. Returns how many items it rewrote.
 */
export async function refreshIndexKeys(
  tenantId: string,
  entity: string,
  items: readonly Image[],
): Promise<number> {
  const spec = rekeyed.get(entity);
  return spec ? reindexStale(spec, tenantId, items as readonly Record<string, unknown>[]) : 0;
}
