import type { DeliveryRef, EngagementField } from './delivery.ts';
import { sameEmail } from './email.ts';

/**
 * SES event-publishing records as EventBridge delivers them (source `aws.ses`,
 * the SES record in `detail`), read into what the CRM acts on. Pure: the
 * handler (functions/events/sesEvents.ts) does the I/O.
 *
 * An event names the message (`mail.messageId`), the recipients it is about
 * (bounced, complained, delivered or delayed addresses; the whole destination
 * only for events about the message as a whole), and, through the tags every
 * marketing email carries (`tenant`, `kind`, `campaign`|`sequence`, `contact`,
 * `step`), the delivery it belongs to. Events without those tags are another
 * sender's mail and change nothing.
 */
export const actedOnEventTypes = [
  'Send',
  'Delivery',
  'Bounce',
  'Complaint',
  'Reject',
  'DeliveryDelay',
  'Rendering Failure',
] as const;
export type SesEventType = (typeof actedOnEventTypes)[number];

/** Engagement SES could track too; the CRM tracks it first-party (tracking links), so these are ignored. */
const firstPartyEventTypes = new Set(['Open', 'Click', 'Subscription']);

/** EventBridge's `detail-type` for each SES event type. */
export const sesDetailTypes: Readonly<Record<SesEventType, string>> = {
  Send: 'Email Sent',
  Delivery: 'Email Delivered',
  Bounce: 'Email Bounced',
  Complaint: 'Email Complaint Received',
  Reject: 'Email Rejected',
  DeliveryDelay: 'Email Delivery Delayed',
  'Rendering Failure': 'Email Rendering Failed',
};

export type BounceType = 'Permanent' | 'Transient' | 'Undetermined';

/** Where a marketing email's delivery is: from the message tags. */
export interface DeliveryTarget {
  readonly tenantId: string;
  readonly ref: DeliveryRef;
}

export interface SesMailEvent {
  readonly type: SesEventType;
  readonly messageId: string;
  /** When it happened: the event section's timestamp, else the EventBridge time, else the send time. */
  readonly at: Date | undefined;
  /** When SES accepted the message (`mail.timestamp`). */
  readonly sentAt: Date | undefined;
  /** The addresses the event is about. */
  readonly recipients: readonly string[];
  readonly bounceType?: BounceType;
  readonly bounceSubType?: string;
  /** Undefined when the message does not carry a marketing delivery's tags. */
  readonly target: DeliveryTarget | undefined;
}

export type ParsedSesEvent =
  | { readonly kind: 'event'; readonly event: SesMailEvent }
  /** A well-formed event the CRM does not act on (opens, clicks, subscriptions, other event types). */
  | { readonly kind: 'ignored'; readonly reason: string }
  /** Not an SES event record as SES publishes them. */
  | { readonly kind: 'invalid'; readonly reason: string };

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const text = (value: unknown, max = 1024): string | undefined =>
  typeof value === 'string' && value.length > 0 && value.length <= max ? value : undefined;

function timeOf(value: unknown): Date | undefined {
  const iso = text(value, 64);
  if (!iso) return undefined;
  const time = Date.parse(iso);
  return Number.isNaN(time) ? undefined : new Date(time);
}

/** Addresses of a list of `{ emailAddress }` (bounced, complained, delayed recipients). */
const addressesOf = (list: unknown): string[] =>
  Array.isArray(list)
    ? list.flatMap((entry) => {
        const address = isObject(entry) ? text(entry.emailAddress, 320) : undefined;
        return address ? [address] : [];
      })
    : [];

const stringsOf = (list: unknown): string[] =>
  Array.isArray(list) ? list.flatMap((entry) => (text(entry, 320) ? [entry as string] : [])) : [];

const PLAIN_ID = /^[A-Za-z0-9_-]{1,128}$/;
const STEP = /^\d{1,3}$/;

/** SES tags arrive as `{ name: [value] }`; the first value counts. */
function tagOf(tags: Json, name: string): string | undefined {
  const values = tags[name];
  return Array.isArray(values) ? text(values[0], 256) : undefined;
}

/** The delivery named by the tags of a marketing email, or undefined for any other message. */
export function deliveryTargetOf(tags: unknown): DeliveryTarget | undefined {
  if (!isObject(tags)) return undefined;
  const tenantId = tagOf(tags, 'tenant');
  const contactId = tagOf(tags, 'contact');
  if (!tenantId || !PLAIN_ID.test(tenantId) || !contactId || !PLAIN_ID.test(contactId)) return undefined;
  const kind = tagOf(tags, 'kind');
  if (kind === 'campaign') {
    const campaignId = tagOf(tags, 'campaign');
    if (!campaignId || !PLAIN_ID.test(campaignId)) return undefined;
    return { tenantId, ref: { kind, campaignId, contactId } };
  }
  if (kind === 'sequence') {
    const sequenceId = tagOf(tags, 'sequence');
    const step = tagOf(tags, 'step');
    if (!sequenceId || !PLAIN_ID.test(sequenceId) || !step || !STEP.test(step)) return undefined;
    return { tenantId, ref: { kind, sequenceId, contactId, step: Number(step) } };
  }
  return undefined;
}

const bounceTypes = new Set<string>(['Permanent', 'Transient', 'Undetermined']);

/** The event's own section (`bounce`, `delivery`, ...): its recipients and time. */
function sectionOf(type: SesEventType, detail: Json, destination: string[]) {
  switch (type) {
    case 'Delivery': {
      const section = isObject(detail.delivery) ? detail.delivery : {};
      return { recipients: stringsOf(section.recipients), at: timeOf(section.timestamp) };
    }
    case 'Bounce': {
      const section = isObject(detail.bounce) ? detail.bounce : {};
      const bounceType = text(section.bounceType, 32);
      return {
        recipients: addressesOf(section.bouncedRecipients),
        at: timeOf(section.timestamp),
        // An unknown bounce type is treated as Undetermined: never a reason to suppress anyone.
        bounceType: (bounceType && bounceTypes.has(bounceType) ? bounceType : 'Undetermined') as BounceType,
        bounceSubType: text(section.bounceSubType, 64),
      };
    }
    case 'Complaint': {
      const section = isObject(detail.complaint) ? detail.complaint : {};
      return { recipients: addressesOf(section.complainedRecipients), at: timeOf(section.timestamp) };
    }
    case 'DeliveryDelay': {
      const section = isObject(detail.deliveryDelay) ? detail.deliveryDelay : {};
      const delayed = addressesOf(section.delayedRecipients);
      return { recipients: delayed.length > 0 ? delayed : destination, at: timeOf(section.timestamp) };
    }
    // Send, Reject and Rendering Failure are about the message as a whole.
    default:
      return { recipients: destination, at: undefined };
  }
}

export function parseSesEvent(input: unknown): ParsedSesEvent {
  if (!isObject(input)) return { kind: 'invalid', reason: 'not an object' };
  if (input.source !== undefined && input.source !== 'aws.ses')
    return { kind: 'invalid', reason: 'not from aws.ses' };
  const detail = input.detail;
  if (!isObject(detail)) return { kind: 'invalid', reason: 'no detail' };
  const eventType = text(detail.eventType, 64);
  if (!eventType) return { kind: 'invalid', reason: 'no eventType' };
  if (firstPartyEventTypes.has(eventType))
    return { kind: 'ignored', reason: `${eventType} events are tracked first-party` };
  if (!(actedOnEventTypes as readonly string[]).includes(eventType))
    return { kind: 'ignored', reason: `unknown event type ${eventType}` };
  const type = eventType as SesEventType;
  const mail = detail.mail;
  if (!isObject(mail)) return { kind: 'invalid', reason: 'no mail' };
  const messageId = text(mail.messageId, 256);
  if (!messageId) return { kind: 'invalid', reason: 'no mail.messageId' };
  const sentAt = timeOf(mail.timestamp);
  const section = sectionOf(type, detail, stringsOf(mail.destination));
  if (section.recipients.length === 0) return { kind: 'invalid', reason: `${type} names no recipients` };
  return {
    kind: 'event',
    event: {
      type,
      messageId,
      at: section.at ?? timeOf(input.time) ?? sentAt,
      sentAt,
      recipients: section.recipients,
      ...('bounceType' in section ? { bounceType: section.bounceType } : {}),
      ...('bounceSubType' in section && section.bounceSubType
        ? { bounceSubType: section.bounceSubType }
        : {}),
      target: deliveryTargetOf(mail.tags),
    },
  };
}

/** What an event does to its delivery and, through it, to the contact and the suppression list. */
export interface SesEffects {
  /**
   * The event proves SES accepted the message, so a delivery whose sender
   * crashed before recording the send (still `sending`, or given up as
   * interrupted) becomes `sent` with this message id.
   */
  readonly provesSent: boolean;
  /** The moment it sets on the delivery (once). */
  readonly engagement?: EngagementField;
  /** The address goes on the suppression list and the contact gets this marketing status. */
  readonly suppress?: 'bounced' | 'complained';
}

export function effectsOf(event: Pick<SesMailEvent, 'type' | 'bounceType'>): SesEffects {
  switch (event.type) {
    case 'Send':
      return { provesSent: true };
    case 'Delivery':
      return { provesSent: true, engagement: 'deliveredAt' };
    case 'Bounce':
      // Only a permanent bounce says the address is bad; a soft one may still be delivered later.
      return event.bounceType === 'Permanent'
        ? { provesSent: true, engagement: 'bouncedAt', suppress: 'bounced' }
        : { provesSent: true, engagement: 'delayedAt' };
    case 'Complaint':
      return { provesSent: true, engagement: 'complainedAt', suppress: 'complained' };
    case 'DeliveryDelay':
      return { provesSent: true, engagement: 'delayedAt' };
    // SES accepted the call but never sent these: nothing to heal.
    case 'Reject':
    case 'Rendering Failure':
      return { provesSent: false, engagement: 'rejectedAt' };
  }
}

/** Whether the event is about this address (SES may change the case, or the form of an IDN domain). */
export const namesRecipient = (event: Pick<SesMailEvent, 'recipients'>, email: string | undefined): boolean =>
  email !== undefined && event.recipients.some((recipient) => sameEmail(recipient, email));
