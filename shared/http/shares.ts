import { type Actor, canRead } from '../domain/access.ts';
import { type ShareClaim, shareUrl, signShareToken } from '../domain/share-token.ts';
import type { ShareSuspension, ShareView } from '../schemas/shares.ts';
import { currentReader } from '../store/readers.ts';
import type { Segment } from '../store/segments.ts';
import type { Share } from '../store/shares.ts';
import type { Caller } from './auth.ts';
import { forbidden } from './problem.ts';

/**
 * What the share routes and the public link have in common: the link's
 * token, as a share binds it, and who may manage (revoke, audit) a share.
 */

/** The claim a share's token carries: tenant, segment, share, format and expiry (whole seconds). */
export const shareClaim = (share: Share): ShareClaim => ({
  tenantId: share.tenantId,
  segmentId: share.segmentId,
  shareId: share.id,
  format: share.format,
  expiresAt: Math.floor(Date.parse(share.expiresAt) / 1000),
});

/** The share's creator with the rights they had when they shared (stored on the share). */
export const creatorAsShared = (share: Share): Actor => ({ userId: share.createdBy, ...share.creatorRights });

/**
 * Whether a live share's link serves now, and with whose rights. It serves
 * while its creator is active and may read the segment, with their current
 * rights AND those they had when they shared (both must allow the segment and
 * each contact, so a promotion never widens a link), and while the segment is
 * not archived. Otherwise `suspended` with the first reason that applies:
 * `creator-deactivated`, `segment-missing`, `segment-archived`,
 * `creator-cannot-read-segment`. A suspension lifts by itself when its cause
 * does (the creator reactivated or moved back, the segment restored).
 */
export async function shareServing(
  share: Share,
  segment: Segment | undefined,
): Promise<
  | { readonly state: 'active'; readonly reader: Caller; readonly asShared: Actor }
  | { readonly state: 'suspended'; readonly reason: ShareSuspension }
> {
  const creator = await currentReader(share.tenantId, share.createdBy, share.creatorRights);
  if (!creator) return { state: 'suspended', reason: 'creator-deactivated' };
  if (!segment) return { state: 'suspended', reason: 'segment-missing' };
  if (segment.archived) return { state: 'suspended', reason: 'segment-archived' };
  const asShared = creatorAsShared(share);
  if (!canRead(creator, segment) || !canRead(asShared, segment))
    return { state: 'suspended', reason: 'creator-cannot-read-segment' };
  return { state: 'active', reader: { tenantId: share.tenantId, ...creator }, asShared };
}

/**
 * A share as its routes show it; `url` (the credential) only when `link` is
 * given; `state` (with its `reason` when suspended) when `serving` is given.
 */
export function shareView(
  share: Share,
  link: { readonly baseUrl: string; readonly key: Buffer } | undefined,
  serving?: { readonly state: 'active' } | { readonly state: 'suspended'; readonly reason: ShareSuspension },
): ShareView {
  return {
    id: share.id,
    segmentId: share.segmentId,
    format: share.format,
    ...(share.label !== undefined ? { label: share.label } : {}),
    ...(link ? { url: shareUrl(link.baseUrl, signShareToken(shareClaim(share), link.key)) } : {}),
    expiresAt: share.expiresAt,
    createdAt: share.createdAt,
    createdBy: share.createdBy,
    downloads: share.downloads,
    ...(share.lastDownloadAt ? { lastDownloadAt: share.lastDownloadAt } : {}),
    ...(serving ? { state: serving.state } : {}),
    ...(serving?.state === 'suspended' ? { reason: serving.reason } : {}),
  };
}

/**
 * Whether the caller may revoke the share and read its log: its creator, an
 * admin, or a manager of the creator's team as it is now (the creator's user
 * item; their rights when shared if they have none).
 */
export async function mayManageShare(caller: Caller, share: Share): Promise<boolean> {
  if (caller.userId === share.createdBy || caller.role === 'admin') return true;
  if (caller.role !== 'manager' || !caller.teamId) return false;
  const creator = await currentReader(share.tenantId, share.createdBy, share.creatorRights);
  return creator?.teamId === caller.teamId;
}

/** 403 unless the caller may manage the share (they can read its segment, so it is no secret that it exists). */
export async function managedShare(caller: Caller, share: Share): Promise<Share> {
  if (!(await mayManageShare(caller, share)))
    throw forbidden("Only the share's creator, an admin or a manager of the creator's team may do this");
  return share;
}
