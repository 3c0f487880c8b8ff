import { ERASURE_ACTOR } from './erasure.ts';
import { storageAttributes } from './records.ts';
import { commentExcerpt, mentionNames, type NamedActor, type NamedRef, nameOf } from './wording.ts';

/**
 * Timeline entries derived from a table stream record (old and new image), so
 * every write path — API, conversion, imports, schedules — shows up the same
 * way. Pure: the consumer decides where entries are stored.
 */
export interface RecordRef {
  readonly type: string;
  readonly id: string;
}

export interface FieldChange {
  readonly field: string;
  readonly from: unknown;
  readonly to: unknown;
  /** Set when a value was too large to keep and is shown by its start (see bounded.ts). */
  readonly summarised?: boolean;
}

export type TimelineKind =
  | 'created'
  | 'updated'
  | 'archived'
  | 'restored'
  | 'stage_changed'
  | 'activity'
  | 'activity_done'
  | 'comment'
  | 'quote'
  | 'quote_status';

export interface TimelineEntry {
  readonly kind: TimelineKind;
  /** The record the entry is about, with its name when it has one. */
  readonly subject: NamedRef;
  /** Every timeline it appears in: the subject's, and e.g. the company of a contact. */
  readonly timelines: readonly RecordRef[];
  readonly at: string;
  readonly actorId?: string;
  /** The actor by name; added by the consumer, which reads users (see withActorNames). */
  readonly actor?: NamedActor;
  readonly changes?: readonly FieldChange[];
  /** A short human line: the record's name, the stage, a comment's excerpt, ... */
  readonly summary?: string;
  readonly data?: Readonly<Record<string, unknown>>;
}

type Image = Record<string, unknown>;

/** Record types that have a timeline. */
export const timelineTypes = ['contact', 'company', 'lead', 'deal', 'case'] as const;

/** Fields that change on every write or only serve storage; not worth a timeline line. */
const bookkeeping = new Set<string>([
  ...storageAttributes,
  'version',
  'updatedAt',
  'updatedBy',
  'createdAt',
  'createdBy',
  'archived',
  // The owner's team, derived from ownerId (whose change is told) and moved with its owner.
  'teamId',
  // Secret parts of public links are nobody's business on a timeline.
  'csatNonce',
  // Derived from activities by the stream; the activity itself is already on the timeline.
  'lastActivityAt',
  // Derived from campaign clicks by the stream, for deal attribution.
  'lastClickedCampaignId',
  'lastClickedAt',
  // Derived from customFields (whose change is told) for report groups.
  'customGroups',
]);
/**
 * Deal stage moves are told by their history entries, with stage names (with
 * when the stage was entered); the product lines an accepted quote leaves are
 * told by the quote and the `productIds` they set.
 */
const dealStageFields = new Set([
  'stageId',
  'pipelineId',
  'status',
  'probability',
  'closedAt',
  'stageEnteredAt',
  'productLines',
]);

const str = (value: unknown) => (typeof value === 'string' ? value : undefined);

/** A record reference with the record's name when it has one. */
const named = (type: string, id: string, name: string | undefined): NamedRef => ({
  type,
  id,
  ...(name ? { name } : {}),
});

/**
 * The entries with their actor's name, from `names` (user id → name); an
 * actor without a name keeps only `actorId`.
 */
export function withActorNames(
  entries: readonly TimelineEntry[],
  names: ReadonlyMap<string, string>,
): TimelineEntry[] {
  return entries.map((entry) => {
    const name = entry.actorId ? names.get(entry.actorId) : undefined;
    return name && entry.actorId ? { ...entry, actor: { id: entry.actorId, name } } : entry;
  });
}

/** The timelines a record's own entries also appear in (its company, its contact). */
function relatedTimelines(entity: string, image: Image): RecordRef[] {
  const refs: RecordRef[] = [];
  const companyId = str(image.companyId);
  const contactId = str(image.contactId);
  if ((entity === 'contact' || entity === 'deal' || entity === 'case') && companyId)
    refs.push({ type: 'company', id: companyId });
  if (entity === 'case' && contactId) refs.push({ type: 'contact', id: contactId });
  return refs;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export function fieldChanges(entity: string, before: Image, after: Image): FieldChange[] {
  const fields = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...fields]
    .filter((field) => !bookkeeping.has(field) && !(entity === 'deal' && dealStageFields.has(field)))
    .filter((field) => !same(before[field], after[field]))
    .sort()
    .map((field) => ({ field, from: before[field] ?? null, to: after[field] ?? null }));
}

function recordEntries(entity: string, before: Image | undefined, after: Image): TimelineEntry[] {
  const subject = named(entity, String(after.id), nameOf(after));
  const timelines = [{ type: entity, id: subject.id }, ...relatedTimelines(entity, after)];
  const base = {
    subject,
    timelines,
    at: String(after.updatedAt),
    actorId: str(after.updatedBy),
    summary: nameOf(after),
  };
  if (!before) return [{ ...base, kind: 'created', at: String(after.createdAt ?? after.updatedAt) }];
  if (before.archived !== true && after.archived === true) return [{ ...base, kind: 'archived' }];
  if (before.archived === true && after.archived !== true) return [{ ...base, kind: 'restored' }];
  const changes = fieldChanges(entity, before, after);
  return changes.length > 0 ? [{ ...base, kind: 'updated', changes }] : [];
}

function related(image: Image): RecordRef | undefined {
  const rel = image.related as { type?: unknown; id?: unknown } | undefined;
  return rel && typeof rel.type === 'string' && typeof rel.id === 'string'
    ? { type: rel.type, id: rel.id }
    : undefined;
}

/** The entries one stream record produces; none for items without a timeline meaning. */
export function timelineEntries(before: Image | undefined, after: Image | undefined): TimelineEntry[] {
  // An erasure's redactions are not history: telling them would copy the erased values back.
  if (!after || after.updatedBy === ERASURE_ACTOR) return [];
  const entity = str(after.entity);
  if (!entity) return [];
  const actorId = str(after.updatedBy) ?? str(after.by) ?? str(after.authorId);
  if ((timelineTypes as readonly string[]).includes(entity)) return recordEntries(entity, before, after);
  if (entity === 'deal-history' && !before) {
    const deal = { type: 'deal', id: String(after.dealId) };
    const to = after.to as { name?: string } | undefined;
    const from = after.from as { name?: string } | null | undefined;
    return [
      {
        kind: 'stage_changed',
        subject: named(deal.type, deal.id, str(after.dealName)),
        timelines: [deal],
        at: String(after.at),
        ...(actorId ? { actorId } : {}),
        summary: to?.name ?? '',
        data: {
          from: from?.name ?? null,
          to: to?.name ?? null,
          status: after.status,
          amount: after.amount,
          currency: after.currency,
        },
      },
    ];
  }
  if (entity === 'comment' && !before) {
    const record = { type: String(after.recordType), id: String(after.recordId) };
    const authorName = str(after.authorName);
    return [
      {
        kind: 'comment',
        subject: named(record.type, record.id, str(after.recordName)),
        timelines: [record],
        at: String(after.createdAt),
        ...(actorId ? { actorId } : {}),
        ...(actorId && authorName ? { actor: { id: actorId, name: authorName } } : {}),
        // An excerpt, mentions written as names: entries stay small whatever the comment's length.
        summary: commentExcerpt(String(after.body ?? ''), mentionNames(after)),
        data: { commentId: after.id },
      },
    ];
  }
  if (entity === 'activity') {
    const target = related(after);
    if (!target) return [];
    const base = {
      subject: named('activity', String(after.id), nameOf(after)),
      timelines: [target],
      ...(actorId ? { actorId } : {}),
      summary: str(after.subject) ?? '',
      // An email's direction says who wrote it: the contact (inbound) or one of us (outbound).
      data: {
        type: after.type,
        status: after.status,
        dueAt: after.dueAt,
        ...(typeof after.direction === 'string' ? { direction: after.direction } : {}),
      },
    };
    if (!before) return [{ ...base, kind: 'activity', at: String(after.createdAt) }];
    if (before.status !== 'done' && after.status === 'done')
      return [{ ...base, kind: 'activity_done', at: String(after.updatedAt) }];
    return [];
  }
  if (entity === 'quote') {
    const deal = { type: 'deal', id: String(after.dealId) };
    const base = {
      subject: named('quote', String(after.id), `Quote ${after.total} ${after.currency}`),
      timelines: [deal],
      ...(actorId ? { actorId } : {}),
      data: { status: after.status, total: after.total, currency: after.currency },
    };
    if (!before)
      return [
        {
          ...base,
          kind: 'quote',
          at: String(after.createdAt),
          summary: `Quote ${after.total} ${after.currency}`,
        },
      ];
    if (before.status !== after.status)
      return [{ ...base, kind: 'quote_status', at: String(after.updatedAt), summary: String(after.status) }];
  }
  return [];
}
