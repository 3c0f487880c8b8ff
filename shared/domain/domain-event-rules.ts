import { isUnresolved } from './cases.ts';
import type { DomainEventType } from './domain-events.ts';
import { storageAttributes } from './records.ts';

/**
 * Which domain events (domain-events.ts) one change of a table item means,
 * read from the item before and after the write. Pure: the stream consumer
 * (functions/stream/events/derive.ts) turns each moment into an event with
 * the record as the API shows it.
 *
 * - contact, company: `*.created` on insert; `*.deleted` when archived (the
 *   API lists it no more) or removed (a contact's erasure, the only removal of
 *   a record); `*.updated` when a field the API shows changed on a record that
 *   is not archived, restoring one included. Not an update: bookkeeping
 *   (`version`, `updatedAt`, `updatedBy`) and the fields the stream derives
 *   from other items (see {@link maintenanceFields}), so a logged call stamping
 *   `lastActivityAt` or a campaign click stamping `lastClickedAt` yields nothing.
 * - lead: `lead.created` on insert; `lead.converted` when its status becomes
 *   `converted`.
 * - deal: `deal.created` on insert; `deal.stage_changed` when `stageId`
 *   changes (adds `previousStageId`, and `previousPipelineId` when the
 *   pipeline changed too); `deal.won` / `deal.lost` when its status becomes
 *   that (a deal created in a closed stage included).
 * - quote: `quote.accepted` when its status becomes `accepted`.
 * - case: `case.opened` on insert and on reopening (unresolved again after
 *   resolved); `case.resolved` when it leaves the unresolved statuses
 *   (resolved, or closed straight away); `csat.received` when `csatScore` is
 *   first set.
 * - campaign: `campaign.sent` when its status becomes `sent` (every recipient
 *   settled).
 * - delivery (one email to one contact, of a campaign or a sequence step):
 *   `email.bounced`, `email.complained`, `email.unsubscribed` when
 *   `bouncedAt`, `complainedAt`, `unsubscribedAt` is first set (SES's
 *   permanent bounce, a complaint, the unsubscribe link). An unsubscribe
 *   recorded on the contact alone (the API setting `marketingStatus`) is a
 *   `contact.updated`. The suppression list keeps only a hash of the address,
 *   so it tells nothing a subscriber could use.
 *
 * Every other item (timeline entries, search-word copies, markers, counters,
 * deal history, ...) yields nothing.
 */

type Image = Readonly<Record<string, unknown>>;

export interface EventMoment {
  readonly type: DomainEventType;
  /** The record's own ISO timestamp of the moment, when it keeps one. */
  readonly at: string | undefined;
  /** What the type adds to the record in `data` (previousStageId, changedFields). */
  readonly adds?: Readonly<Record<string, unknown>>;
  /** A removal that erased a person: `data` holds the id alone, never the erased values. */
  readonly erased?: true;
}

/**
 * Fields a write may change without the record changing as its users see it:
 * the table's own attributes, bookkeeping, and what the stream derives from
 * other items (`lastActivityAt` from activities, `lastClickedCampaignId` /
 * `lastClickedAt` from campaign clicks, `customGroups` from custom fields for
 * reports, never shown).
 */
export const maintenanceFields: ReadonlySet<string> = new Set([
  ...storageAttributes,
  'version',
  'updatedAt',
  'updatedBy',
  'createdAt',
  'createdBy',
  'lastActivityAt',
  'lastClickedCampaignId',
  'lastClickedAt',
  'customGroups',
]);

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** The fields a write changed that its users see (sorted), maintenance fields left out. */
export function shownFieldChanges(before: Image, after: Image): string[] {
  const fields = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...fields]
    .filter((field) => !maintenanceFields.has(field) && !same(before[field], after[field]))
    .sort();
}

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** Whether `field` holds `value` after the write and did not before (a move into a state). */
const became = (before: Image | undefined, after: Image, field: string, value: string) =>
  after[field] === value && before?.[field] !== value;

/** Whether `field` is set after the write and was not before (a set-once stamp). */
const firstSet = (before: Image | undefined, after: Image, field: string) =>
  after[field] !== undefined &&
  after[field] !== null &&
  (before?.[field] === undefined || before[field] === null);

function recordMoments(
  kind: 'contact' | 'company',
  before: Image | undefined,
  after: Image | undefined,
): EventMoment[] {
  if (!after)
    return before
      ? [{ type: `${kind}.deleted`, at: undefined, ...(kind === 'contact' ? { erased: true } : {}) }]
      : [];
  if (!before) return after.archived === true ? [] : [{ type: `${kind}.created`, at: text(after.createdAt) }];
  const wasArchived = before.archived === true;
  if (after.archived === true)
    return wasArchived ? [] : [{ type: `${kind}.deleted`, at: text(after.updatedAt) }];
  const changedFields = shownFieldChanges(before, after);
  return changedFields.length > 0
    ? [{ type: `${kind}.updated`, at: text(after.updatedAt), adds: { changedFields } }]
    : [];
}

function leadMoments(before: Image | undefined, after: Image): EventMoment[] {
  if (!before) return [{ type: 'lead.created', at: text(after.createdAt) }];
  return became(before, after, 'status', 'converted')
    ? [{ type: 'lead.converted', at: text(after.convertedAt) ?? text(after.updatedAt) }]
    : [];
}

function dealMoments(before: Image | undefined, after: Image): EventMoment[] {
  const moments: EventMoment[] = [];
  if (!before) moments.push({ type: 'deal.created', at: text(after.createdAt) });
  else if (before.stageId !== after.stageId)
    moments.push({
      type: 'deal.stage_changed',
      at: text(after.stageEnteredAt) ?? text(after.updatedAt),
      adds: {
        previousStageId: before.stageId ?? null,
        ...(before.pipelineId !== after.pipelineId ? { previousPipelineId: before.pipelineId ?? null } : {}),
      },
    });
  const closedAt = text(after.closedAt) ?? text(after.updatedAt);
  if (became(before, after, 'status', 'won')) moments.push({ type: 'deal.won', at: closedAt });
  if (became(before, after, 'status', 'lost')) moments.push({ type: 'deal.lost', at: closedAt });
  return moments;
}

const unresolved = (image: Image | undefined) =>
  typeof image?.status === 'string' && isUnresolved(image.status as Parameters<typeof isUnresolved>[0]);

function caseMoments(before: Image | undefined, after: Image): EventMoment[] {
  const moments: EventMoment[] = [];
  if (!before) moments.push({ type: 'case.opened', at: text(after.createdAt) });
  else if (!unresolved(before) && unresolved(after))
    moments.push({ type: 'case.opened', at: text(after.reopenedAt) ?? text(after.updatedAt) });
  if (before && unresolved(before) && !unresolved(after))
    moments.push({
      type: 'case.resolved',
      at: text(after.resolvedAt) ?? text(after.closedAt) ?? text(after.updatedAt),
    });
  if (firstSet(before, after, 'csatScore')) moments.push({ type: 'csat.received', at: text(after.csatAt) });
  return moments;
}

const deliveryStamps = [
  ['bouncedAt', 'email.bounced'],
  ['complainedAt', 'email.complained'],
  ['unsubscribedAt', 'email.unsubscribed'],
] as const;

/**
 * The moments of one change of the item of type `entity` (the item's
 * `entity` attribute: contact, company, lead, deal, quote, case, campaign,
 * delivery); `before` undefined for an insert, `after` undefined for a
 * removal. In the order the types are listed in domainEventTypes.
 */
export function eventMoments(
  entity: string | undefined,
  before: Image | undefined,
  after: Image | undefined,
): EventMoment[] {
  if (entity === 'contact' || entity === 'company') return recordMoments(entity, before, after);
  if (!after) return [];
  switch (entity) {
    case 'lead':
      return leadMoments(before, after);
    case 'deal':
      return dealMoments(before, after);
    case 'quote':
      return became(before, after, 'status', 'accepted')
        ? [{ type: 'quote.accepted', at: text(after.acceptedAt) ?? text(after.updatedAt) }]
        : [];
    case 'case':
      return caseMoments(before, after);
    case 'campaign':
      return before && became(before, after, 'status', 'sent')
        ? [{ type: 'campaign.sent', at: text(after.completedAt) ?? text(after.updatedAt) }]
        : [];
    case 'delivery':
      return deliveryStamps
        .filter(([field]) => firstSet(before, after, field))
        .map(([field, type]) => ({ type, at: text(after[field]) }));
    default:
      return [];
  }
}
