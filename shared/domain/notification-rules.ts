import type { NotificationKind } from '../store/notifications.ts';
import { fieldChanges, type RecordRef, timelineTypes } from './timeline.ts';

/**
 * Who should hear about a change, derived from a stream record. Owners and
 * followers hear when someone else changes or comments on a record, mentioned
 * users when mentioned, owners when a record is assigned to them. The consumer
 * drops the actor and anyone who may not read the record.
 */
export interface NotificationPlan {
  readonly kind: NotificationKind;
  readonly title: string;
  readonly record: RecordRef;
  readonly actorId?: string;
  readonly occurredAt: string;
  readonly key: string;
  readonly users: readonly string[];
  /** Also the record's followers. */
  readonly followers: boolean;
}

type Image = Record<string, unknown>;

const str = (value: unknown) => (typeof value === 'string' ? value : undefined);
const owned = new Set<string>([...timelineTypes, 'activity']);

const label = (image: Image) =>
  str(image.firstName)
    ? [image.firstName, image.lastName].filter(Boolean).join(' ')
    : (str(image.name) ?? str(image.subject) ?? '');

export function notificationPlans(before: Image | undefined, after: Image | undefined): NotificationPlan[] {
  if (!after) return [];
  const entity = str(after.entity) ?? '';
  if (entity === 'comment' && !before) {
    const record = { type: String(after.recordType), id: String(after.recordId) };
    const actorId = str(after.authorId);
    const at = String(after.createdAt);
    const mentions = Array.isArray(after.mentions)
      ? after.mentions.filter((id): id is string => typeof id === 'string')
      : [];
    const owner = str(after.recordOwnerId);
    return [
      ...(mentions.length > 0
        ? [
            {
              kind: 'mention' as const,
              title: `You were mentioned on ${record.type} ${label(after)}`.trim(),
              record,
              ...(actorId ? { actorId } : {}),
              occurredAt: at,
              key: `mention:${after.id}`,
              users: mentions,
              followers: false,
            },
          ]
        : []),
      {
        kind: 'commented',
        title: `New comment on ${record.type}`,
        record,
        ...(actorId ? { actorId } : {}),
        occurredAt: at,
        key: `comment:${after.id}`,
        // Mentioned users already heard about this comment.
        users: owner && !mentions.includes(owner) ? [owner] : [],
        followers: true,
      },
    ];
  }
  if (!owned.has(entity)) return [];
  const record = { type: entity, id: String(after.id) };
  const actorId = str(after.updatedBy);
  const owner = str(after.ownerId);
  const at = String(after.updatedAt);
  const name = label(after);
  if (!owner) return [];
  if (!before || before.ownerId !== owner) {
    const assigner = before ? actorId : str(after.createdBy);
    if (assigner === owner) return [];
    return [
      {
        kind: 'assigned',
        title: `${entity} assigned to you: ${name}`,
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
    : `changed ${[...changes.map((change) => change.field), ...(stageMoved ? ['stage'] : [])].join(', ')}`;
  return [
    {
      kind: 'changed',
      title: `${entity} ${name}: ${what}`,
      record,
      ...(actorId ? { actorId } : {}),
      occurredAt: at,
      key: `changed:${entity}:${record.id}:${after.version}`,
      users: [owner],
      followers: true,
    },
  ];
}
