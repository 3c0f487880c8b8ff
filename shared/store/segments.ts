import type { SegmentFilter } from '../domain/segment-filter.ts';
import { type EntitySpec, getRecord, type StoredRecord } from './records.ts';

/** A saved contact filter; campaigns and sequence enrollments resolve it when they start. */
export type Segment = StoredRecord & {
  name: string;
  description?: string;
  filter: SegmentFilter;
};

export const segments: EntitySpec<Segment> = {
  type: 'SEGMENT',
  label: 'segment',
  accessPatterns: {
    byName: { name: (segment) => segment.name },
  },
  // A campaign copies its template and segment into its own item (see campaign-run.ts).
  maxItemBytes: 80 * 1024,
};

/** A live segment of the tenant, or undefined (missing or archived): what a campaign may start from. */
export async function getLiveSegment(tenantId: string, id: string): Promise<Segment | undefined> {
  const segment = await getRecord(segments, tenantId, id);
  return segment && !segment.archived ? segment : undefined;
}
