import { createHash } from 'node:crypto';

/**
 * Domain events: what changed in a tenant's CRM, in words other systems
 * subscribe to (SPEC "Import, export, extensibility"). They are derived from
 * the table's stream, so every write path yields them without calling
 * anything; the same events go to the tenant's webhooks and to the
 * deployment's EventBridge bus. No AWS here.
 */

/** Every event type, in the SPEC's words; webhooks subscribe to these names. */
export const domainEventTypes = [
  'contact.created',
  'contact.updated',
  'contact.deleted',
  'company.created',
  'company.updated',
  'company.deleted',
  'lead.created',
  'lead.converted',
  'deal.created',
  'deal.stage_changed',
  'deal.won',
  'deal.lost',
  'quote.accepted',
  'case.opened',
  'case.resolved',
  'csat.received',
  'campaign.sent',
  'email.bounced',
  'email.complained',
  'email.unsubscribed',
] as const;
export type DomainEventType = (typeof domainEventTypes)[number];

export const isDomainEventType = (value: unknown): value is DomainEventType =>
  typeof value === 'string' && (domainEventTypes as readonly string[]).includes(value);

/**
 * One event, as webhooks receive it (the JSON body) and as the bus carries it
 * (the `detail`, with `type` as `detail-type`).
 * - `id`: deterministic, from the stream record and the type ({@link domainEventId}),
 *   so a replayed record yields the same id and receivers can drop repeats.
 * - `occurredAt`: ISO 8601 instant of the change (the record's own timestamp
 *   when it has one, else the stream record's creation time).
 * - `data`: the record as the API shows it after the change (for `*.deleted`,
 *   as it was), plus what the type adds (`previousStageId` for a stage change, ...).
 */
export interface DomainEvent {
  readonly id: string;
  readonly type: DomainEventType;
  readonly tenantId: string;
  readonly occurredAt: string;
  readonly data: Readonly<Record<string, unknown>>;
}

/**
 * The id of the event of `type` that stream record `streamEventId` yields:
 * `evt_` and 32 hex digits of SHA-256 over both. One record may yield several
 * events (a deal moved to a won stage: `deal.stage_changed` and `deal.won`),
 * never two of one type.
 */
export function domainEventId(streamEventId: string, type: DomainEventType): string {
  const digest = createHash('sha256').update(`${streamEventId}\n${type}`).digest('hex');
  return `evt_${digest.slice(0, 32)}`;
}
