/**
 * How notifications, timeline entries and reminders name things in words:
 * records by their name, people by theirs, comments by a short excerpt with
 * mentions written as `@Name`. Everything here is bounded so that the items
 * that carry it stay small (an excerpt, never a whole body).
 */

/** A record as a notification or timeline entry points at it: enough to link to it and to say what it is. */
export interface NamedRef {
  readonly type: string;
  readonly id: string;
  readonly name?: string;
}

/** A person who did something, by id (to link) and name (to read). */
export interface NamedActor {
  readonly id: string;
  readonly name: string;
}

/** Longest name kept on a notification or entry, in characters. */
export const MAX_NAME = 120;
/** Longest comment excerpt, in characters. */
export const MAX_EXCERPT = 200;

const MENTION = /@\[([A-Za-z0-9_-]{1,128})\]/g;

/** Cuts `text` to at most `max` characters (code points), ending in `…` when cut. */
export function clip(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max
    ? text
    : `${chars
        .slice(0, max - 1)
        .join('')
        .trimEnd()}…`;
}

/** The user ids a comment body mentions as `@[userId]`, at most 20, in order of first mention. */
export const mentionedIds = (body: string): string[] =>
  [...new Set([...body.matchAll(MENTION)].map((match) => match[1] as string))].slice(0, 20);

/**
 * A comment as people read it: `@[userId]` written as `@Name` (`@someone` for
 * an id that names no user), whitespace collapsed, at most MAX_EXCERPT characters.
 */
export function commentExcerpt(body: string, names: Readonly<Record<string, string>>): string {
  const rendered = body.replace(MENTION, (_, id: string) => `@${names[id] ?? 'someone'}`);
  return clip(rendered.replace(/\s+/g, ' ').trim(), MAX_EXCERPT);
}

/**
 * The names of the users a comment mentions, from the `mentioned: [{id, name}]`
 * stamped on the comment item when it was written.
 */
export function mentionNames(comment: Readonly<Record<string, unknown>>): Record<string, string> {
  const names: Record<string, string> = {};
  if (!Array.isArray(comment.mentioned)) return names;
  for (const entry of comment.mentioned as { id?: unknown; name?: unknown }[])
    if (typeof entry?.id === 'string' && typeof entry.name === 'string') names[entry.id] = entry.name;
  return names;
}

/** `contact Marta Gómez`, or `contact` alone when the record has no name. */
export const recordPhrase = (ref: NamedRef): string => (ref.name ? `${ref.type} ${ref.name}` : ref.type);

/** The words a record is known by: a person's full name, else its name or subject. */
export function nameOf(image: Readonly<Record<string, unknown>>): string | undefined {
  const str = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);
  const first = str(image.firstName);
  const name = first
    ? [first, str(image.lastName)].filter(Boolean).join(' ')
    : (str(image.name) ?? str(image.subject));
  return name === undefined ? undefined : clip(name, MAX_NAME);
}

export type NotificationWording =
  | { readonly kind: 'mention' | 'commented'; readonly record: NamedRef }
  | { readonly kind: 'assigned'; readonly record: NamedRef }
  | { readonly kind: 'changed'; readonly record: NamedRef; readonly what: string }
  | { readonly kind: 'reminder'; readonly record: NamedRef; readonly related?: NamedRef }
  | { readonly kind: 'sla_breach'; readonly record: NamedRef; readonly related?: NamedRef }
  | { readonly kind: 'stale_deal'; readonly record: NamedRef; readonly days: number }
  | { readonly kind: 'churn_risk'; readonly record: NamedRef; readonly risk: number };

/**
 * A notification's title: who did what to which record, e.g. `Ana Ruiz
 * mentioned you on contact Marta Gómez`. `actor` is absent for what nobody
 * did (a reminder, an SLA breach) or when the actor is unknown.
 */
export function notificationTitle(wording: NotificationWording, actor?: NamedActor): string {
  const who = actor?.name ?? 'Someone';
  const record = recordPhrase(wording.record);
  switch (wording.kind) {
    case 'mention':
      return `${who} mentioned you on ${record}`;
    case 'commented':
      return `${who} commented on ${record}`;
    case 'assigned':
      return actor ? `${who} assigned ${record} to you` : `${record} was assigned to you`;
    case 'changed':
      return `${who} ${wording.what} ${record}`;
    case 'reminder':
      return `Reminder: ${wording.record.name ?? 'an activity'}${wording.related ? ` (${recordPhrase(wording.related)})` : ''}`;
    case 'sla_breach':
      return `SLA breached on ${record}${wording.related ? ` for ${recordPhrase(wording.related)}` : ''}`;
    case 'stale_deal':
      return `No activity for ${wording.days} days on ${record}`;
    case 'churn_risk':
      return `Churn risk ${wording.risk} on ${record}`;
  }
}

/** API paths of the record types notifications and reminders point at. */
const resourcePaths: Readonly<Record<string, string>> = {
  contact: 'contacts',
  company: 'companies',
  lead: 'leads',
  deal: 'deals',
  case: 'cases',
  activity: 'activities',
  quote: 'quotes',
  campaign: 'campaigns',
  sequence: 'sequences',
};

/** A record's URL under `base` (the API's public URL; a path alone when it is empty), e.g. `…/contacts/<id>`. */
export const recordUrl = (base: string, ref: { type: string; id: string }): string =>
  `${base.replace(/\/+$/, '')}/${resourcePaths[ref.type] ?? ref.type}/${ref.id}`;
