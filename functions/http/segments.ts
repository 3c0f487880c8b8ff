import { segmentRoutes } from '#shared/api/segments';
import { checkSegmentCustomFields } from '#shared/http/custom-fields';
import { httpHandler } from '#shared/http/handler';
import {
  actorOf,
  byNameOrOwner,
  create,
  listPage,
  mergePatch,
  newRecordBase,
  ownership,
  readable,
  recordRoutes,
  update,
} from '#shared/http/records';
import { created, ok } from '#shared/http/results';
import { interpretForCaller } from '#shared/http/segment-interpretation';
import { segmentSuggester } from '#shared/language-model/index';
import type { Contact } from '#shared/store/entities';
import { resolveSegment } from '#shared/store/segment-resolution';
import { type Segment, segments } from '#shared/store/segments';

const DEFAULT_SAMPLE = 10;

/** Read, archive and restore behave as for every record. */
const standard = recordRoutes(segments);

export const handler = httpHandler(segmentRoutes, {
  async listSegments({ caller, query, page }) {
    const { via, filter } = byNameOrOwner(query.q, query.ownerId);
    return listPage(segments, caller, page, { archived: query.archived, via, filter });
  },

  async createSegment({ caller, body }) {
    const { ownerId, ...fields } = body;
    await checkSegmentCustomFields(caller, fields.filter);
    const segment: Segment = { ...newRecordBase(await ownership(caller, ownerId)), ...fields };
    await create(segments, caller, segment);
    return created(segment, `/segments/${segment.id}`);
  },

  getSegment: standard.get,

  async updateSegment({ caller, params, body, ifMatch }) {
    // A filter is one value: merging two trees condition by condition would mean nothing.
    const { filter, ...rest } = body;
    if (filter) await checkSegmentCustomFields(caller, filter);
    return ok(
      await update(segments, caller, params.id, {
        ifMatch,
        change: async (current) => {
          const next = await mergePatch(caller, current, rest);
          return filter ? { ...next, filter } : next;
        },
      }),
    );
  },

  deleteSegment: standard.archive,
  restoreSegment: standard.restore,

  async previewSegment({ caller, params, query }) {
    const segment = await readable(segments, caller, params.id);
    // A definition changed since the segment was saved: say so rather than match by the old type.
    await checkSegmentCustomFields(caller, segment.filter);
    const limit = query.limit ? Number(query.limit) : DEFAULT_SAMPLE;
    let count = 0;
    const sample: Contact[] = [];
    // Count and sample alike hold only contacts the caller may read.
    for await (const page of resolveSegment(caller.tenantId, segment.filter, { reader: actorOf(caller) })) {
      count += page.length;
      for (const contact of page) if (sample.length < limit) sample.push(contact);
    }
    sample.sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
    return ok({ count, sample });
  },

  // Any role may ask: it reads, and counts only what the caller may read.
  async interpretSegment({ caller, body }) {
    return ok(await interpretForCaller(caller, body, segmentSuggester()));
  },
});
