import { segmentRoutes } from '#shared/api/segments';
import type { Caller } from '#shared/http/auth';
import { checkSegmentCustomFields } from '#shared/http/custom-fields';
import { httpHandler } from '#shared/http/handler';
import { conflict, notFound } from '#shared/http/problem';
import { publicBaseUrl } from '#shared/http/public-url';
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
import { created, noContent, ok } from '#shared/http/results';
import { interpretForCaller } from '#shared/http/segment-interpretation';
import { managedShare, mayManageShare, shareServing, shareView } from '#shared/http/shares';
import { segmentSuggester } from '#shared/language-model/index';
import { getSigningKey } from '#shared/secrets';
import { rightsOf } from '#shared/store/readers';
import { previewSegment } from '#shared/store/segment-resolution';
import { type Segment, segments } from '#shared/store/segments';
import {
  createShare,
  getShare,
  isLive,
  liveShares,
  MAX_LIVE_SHARES_PER_SEGMENT,
  revokeShare,
  shareDownloads,
} from '#shared/store/shares';

const DEFAULT_SAMPLE = 10;
const SHARE_ID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

/** The segment's share of that id, live or revoked, once the caller may read the segment (404 otherwise). */
async function shareOf(caller: Caller, segmentId: string, shareId: string) {
  await readable(segments, caller, segmentId);
  const share = SHARE_ID.test(shareId) ? await getShare(caller.tenantId, segmentId, shareId) : undefined;
  if (!share) throw notFound('Share');
  return share;
}

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
    // Count and sample alike hold only contacts the caller may read; the sample is the newest of them.
    const { count, sample } = await previewSegment(caller.tenantId, segment.filter, {
      reader: actorOf(caller),
      sampleSize: limit,
    });
    return ok({ count, sample });
  },

  async shareSegment({ caller, params, body, event }) {
    // The preview's rule: a segment the caller may not read is missing.
    const segment = await readable(segments, caller, params.id);
    // Its link would answer 404 until the segment is restored.
    if (segment.archived) throw conflict('The segment is archived; restore it before sharing it');
    if ((await liveShares(caller.tenantId, segment.id)).length >= MAX_LIVE_SHARES_PER_SEGMENT)
      throw conflict(
        `The segment already has ${MAX_LIVE_SHARES_PER_SEGMENT} live shared links; revoke one (DELETE /segments/${segment.id}/shares/{shareId}) before sharing it again`,
      );
    const share = await createShare({
      tenantId: caller.tenantId,
      segmentId: segment.id,
      format: body.format ?? 'csv',
      label: body.label,
      createdBy: caller.userId,
      creatorRights: rightsOf(actorOf(caller)),
      days: body.expiresInDays,
    });
    const view = shareView(share, { baseUrl: publicBaseUrl(event), key: await getSigningKey() });
    return created(view, `/segments/${segment.id}/shares`);
  },

  async listSegmentShares({ caller, params, event }) {
    const segment = await readable(segments, caller, params.id);
    const link = { baseUrl: publicBaseUrl(event), key: await getSigningKey() };
    const shares = await liveShares(caller.tenantId, params.id);
    // The url is the credential: only those who may revoke a share see it.
    const items = await Promise.all(
      shares.map(async (share) =>
        shareView(
          share,
          (await mayManageShare(caller, share)) ? link : undefined,
          await shareServing(share, segment),
        ),
      ),
    );
    return ok({ items });
  },

  async revokeSegmentShare({ caller, params }) {
    const share = await managedShare(caller, await shareOf(caller, params.id, params.shareId));
    if (!isLive(share)) throw notFound('Share');
    await revokeShare(share, caller.userId);
    return noContent();
  },

  async listShareDownloads({ caller, params, page }) {
    const share = await managedShare(caller, await shareOf(caller, params.id, params.shareId));
    const result = await shareDownloads(share, page.limit, page.startKey);
    return ok({ items: result.items, nextCursor: await page.next(result.lastKey) });
  },

  // Any role may ask: it reads, and counts only what the caller may read.
  async interpretSegment({ caller, body }) {
    return ok(await interpretForCaller(caller, body, await segmentSuggester()));
  },
});
