import { storageAttributes } from '../store/keys.ts';

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
  /** The record the entry is about. */
  readonly subject: RecordRef;
  /** Every timeline it appears in: the subject's, and e.g. the company of a contact. */
  readonly timelines: readonly RecordRef[];
  readonly at: string;
  readonly actorId?: string;
  readonly changes?: readonly FieldChange[];
  /** A short human line: the record's name, the stage, the comment text, ... */
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
  // Secret parts of public links are nobody's business on a timeline.
  'csatNonce',
  // Derived from activities by the stream; the activity itself is already on the timeline.
  'lastActivityAt',
]);
/** Deal stage moves are told by their history entries, with stage names. */
const dealStageFields = new Set(['stageId', 'pipelineId', 'status', 'probability', 'closedAt']);

const str = (value: unknown) => (typeof value === 'string' ? value : undefined);

function nameOf(image: Image): string | undefined {
  const first = str(image.firstName);
  if (first) return [first, str(image.lastName)].filter(Boolean).join(' ');
  return str(image.name) ?? str(image.subject);
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

/**
 * Characters of JSON a changed value keeps on the timeline. Records hold up to
 * 400 KB (custom fields), and an entry holding the old and the new value of
 * such a field would not fit in one item: a larger value is described instead.
 */
export const MAX_CHANGE_CHARS = 4000;

const shown = (value: unknown): unknown => {
  const characters = JSON.stringify(value)?.length ?? 0;
  return characters <= MAX_CHANGE_CHARS ? value : { tooLargeToShow: true, characters };
};

export function fieldChanges(entity: string, before: Image, after: Image): FieldChange[] {
  const fields = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...fields]
    .filter((field) => !bookkeeping.has(field) && !(entity === 'deal' && dealStageFields.has(field)))
    .filter((field) => !same(before[field], after[field]))
    .sort()
    .map((field) => ({ field, from: shown(before[field] ?? null), to: shown(after[field] ?? null) }));
}

function recordEntries(entity: string, before: Image | undefined, after: Image): TimelineEntry[] {
  const subject = { type: entity, id: String(after.id) };
  const timelines = [subject, ...relatedTimelines(entity, after)];
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
  if (!after) return [];
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
        subject: deal,
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
    const subject = { type: String(after.recordType), id: String(after.recordId) };
    return [
      {
        kind: 'comment',
        subject,
        timelines: [subject],
        at: String(after.createdAt),
        ...(actorId ? { actorId } : {}),
        summary: String(after.body),
        data: { commentId: after.id },
      },
    ];
  }
  if (entity === 'activity') {
    const target = related(after);
    if (!target) return [];
    const base = {
      subject: { type: 'activity', id: String(after.id) },
      timelines: [target],
      ...(actorId ? { actorId } : {}),
      summary: str(after.subject) ?? '',
      data: { type: after.type, status: after.status, dueAt: after.dueAt },
    };
    if (!before) return [{ ...base, kind: 'activity', at: String(after.createdAt) }];
    if (before.status !== 'done' && after.status === 'done')
      return [{ ...base, kind: 'activity_done', at: String(after.updatedAt) }];
    return [];
  }
  if (entity === 'quote') {
    const deal = { type: 'deal', id: String(after.dealId) };
    const base = {
      subject: { type: 'quote', id: String(after.id) },
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
