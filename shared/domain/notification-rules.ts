import { ERASURE_ACTOR } from './erasure.ts';
import { fieldChanges, timelineTypes } from './timeline.ts';
import { commentExcerpt, mentionNames, type NamedRef, type NotificationWording, nameOf } from './wording.ts';

/**
 * Who should hear about a change, derived from a stream record. Owners and
 * followers hear when someone else changes or comments on a record, mentioned
 * users when mentioned, owners when a record is assigned to them. The consumer
 * drops the actor and anyone who may not read the record, and words the title
 * with the actor's name (wording.ts).
 */
export interface NotificationPlan {
  readonly kind: NotificationKind;
  readonly wording: NotificationWording;
  readonly record: NamedRef;
  readonly actorId?: string;
  /** The actor's name as stamped on the item (a comment's author), when the users' names lack it. */
  readonly actorName?: string;
  /** For comments: the comment's id and a short excerpt with mentions written as names. */
  readonly comment?: { readonly id: string; readonly excerpt: string };
  readonly occurredAt: string;
  readonly key: string;
  readonly users: readonly string[];
  /** Also the record's followers. */
  readonly followers: boolean;
}

/** What a notification tells: set by the stream's rules here, by reminders and by SLA checks. */
export const notificationKinds = [
  'reminder',
  'sla_breach',
  'mention',
  'assigned',
  'changed',
  'commented',
  'alert',
  /** A CSV import finished (done or failed): to the user who started it. */
  'import_finished',
  /** A webhook failed for a day and was disabled: to the admin who created it. */
  'webhook_disabled',
] as const;
export type NotificationKind = (typeof notificationKinds)[number];

type Image = Record<string, unknown>;

const str = (value: unknown) => (typeof value === 'string' ? value : undefined);
const owned = new Set<string>([...timelineTypes, 'activity']);

export function notificationPlans(before: Image | undefined, after: Image | undefined): NotificationPlan[] {
  // An erasure's redactions are nobody's news (and would copy the erased values into titles).
  if (!after || after.updatedBy === ERASURE_ACTOR) return [];
  const entity = str(after.entity) ?? '';
  if (entity === 'comment' && !before) {
    const recordName = str(after.recordName);
    const record: NamedRef = {
      type: String(after.recordType),
      id: String(after.recordId),
      ...(recordName ? { name: recordName } : {}),
    };
    const actorId = str(after.authorId);
    const at = String(after.createdAt);
    const mentions = Array.isArray(after.mentions)
      ? after.mentions.filter((id): id is string => typeof id === 'string')
      : [];
    const owner = str(after.recordOwnerId);
    const comment = {
      id: String(after.id),
      excerpt: commentExcerpt(String(after.body ?? ''), mentionNames(after)),
    };
    const actorName = str(after.authorName);
    const common = {
      record,
      ...(actorId ? { actorId } : {}),
      ...(actorName ? { actorName } : {}),
      comment,
      occurredAt: at,
    };
    return [
      ...(mentions.length > 0
        ? [
            {
              ...common,
              kind: 'mention' as const,
              wording: { kind: 'mention' as const, record },
              key: `mention:${after.id}`,
              users: mentions,
              followers: false,
            },
          ]
        : []),
      {
        ...common,
        kind: 'commented',
        wording: { kind: 'commented', record },
        key: `comment:${after.id}`,
        // Mentioned users already heard about this comment.
        users: owner && !mentions.includes(owner) ? [owner] : [],
        followers: true,
      },
    ];
  }
  if (!owned.has(entity)) return [];
  const name = nameOf(after);
  const record: NamedRef = { type: entity, id: String(after.id), ...(name ? { name } : {}) };
  const actorId = str(after.updatedBy);
  const owner = str(after.ownerId);
  const at = String(after.updatedAt);
  if (!owner) return [];
  if (!before || before.ownerId !== owner) {
    const assigner = before ? actorId : str(after.createdBy);
    if (assigner === owner) return [];
    return [
      {
        kind: 'assigned',
        wording: { kind: 'assigned', record },
        record,
        ...(assigner ? { actorId: assigner } : {}),
        occurredAt: at,
        key: `assigned:${entity}:${record.id}:${after.version}`,
        users: [owner],
        followers: false,
      },
    ];
  }
  if (entity === 'activity') return [];
  const archiving = before.archived !== after.archived;
  const changes = fieldChanges(entity, before, after);
  const stageMoved = entity === 'deal' && before.stageId !== after.stageId;
  if (!archiving && changes.length === 0 && !stageMoved) return [];
  const what = archiving
    ? after.archived
      ? 'archived'
      : 'restored'
    : `changed ${[...changes.map((change) => change.field), ...(stageMoved ? ['stage'] : [])].join(', ')} of`;
  return [
    {
      kind: 'changed',
      wording: { kind: 'changed', record, what },
      record,
      ...(actorId ? { actorId } : {}),
      occurredAt: at,
      key: `changed:${entity}:${record.id}:${after.version}`,
      users: [owner],
      followers: true,
    },
  ];
}
