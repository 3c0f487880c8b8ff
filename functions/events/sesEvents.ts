import { type Delivery, healableStatus, recipientStatus } from '#shared/domain/delivery';
import { effectsOf, namesRecipient, parseSesEvent, type SesMailEvent } from '#shared/domain/ses-event';
import { correlate, observed } from '#shared/observability/invocation';
import { logger } from '#shared/observability/logger';
import { getDelivery, healAsSent, recordEngagement, statusIndex } from '#shared/store/deliveries';
import { addSuppression, changeMarketingStatus } from '#shared/store/marketing';

/**
 * SES events of the configuration set, from the default event bus (see
 * shared/domain/ses-event.ts for what each one means). The message's tags
 * locate the delivery; nothing changes unless that delivery sent exactly this
 * message (or, for an event proving the send, is waiting to be healed) and the
 * event names its address. Every write is set-once or conditional, so a
 * duplicate or replayed event changes nothing, and a retry after a failure
 * finishes the work. Events that are not ours, unknown, malformed or
 * duplicated are logged and dropped; only a failing write throws, so that
 * EventBridge and Lambda retry it (then the dead-letter queue).
 */

/** Stamped as `updatedBy` on contacts whose status an SES event changed. */
export const SES_ACTOR = 'system:ses';

export type SesEventOutcome =
  /** Something was written (or re-written by a retry that found it half done). */
  | 'applied'
  /** Not an event the CRM acts on: opens/clicks (tracked first-party), other senders' mail, malformed. */
  | 'ignored'
  /** A marketing email's event that matches no delivery here, or not this delivery's message. */
  | 'unmatched';

function log(level: 'info' | 'warn', message: string, context: Record<string, unknown>) {
  logger[level](message, context);
}

/** The delivery, healed to `sent` if this event proves SES took the message; undefined if not its message. */
async function deliveryOfMessage(event: SesMailEvent, delivery: Delivery): Promise<Delivery | undefined> {
  if (delivery.messageId === event.messageId) return delivery;
  if (delivery.messageId !== undefined || !effectsOf(event).provesSent || !healableStatus(delivery))
    return undefined;
  const target = event.target;
  if (!target) return undefined;
  const healed = await healAsSent(
    target.tenantId,
    target.ref,
    event.messageId,
    event.sentAt ?? event.at ?? new Date(),
  );
  if (healed) {
    log('info', 'ses event healed an interrupted delivery as sent', {
      tenantId: target.tenantId,
      messageId: event.messageId,
    });
    return healed;
  }
  // Someone else moved it meanwhile (the sender recording its send, a concurrent event): look again.
  const now = await getDelivery(target.tenantId, target.ref);
  return now?.messageId === event.messageId ? now : undefined;
}

export async function applySesEvent(input: unknown): Promise<SesEventOutcome> {
  const parsed = parseSesEvent(input);
  if (parsed.kind !== 'event') {
    log(parsed.kind === 'invalid' ? 'warn' : 'info', `ses event ${parsed.kind}: ${parsed.reason}`, {
      id: (input as { id?: unknown } | null)?.id,
    });
    return 'ignored';
  }
  const event = parsed.event;
  const context = { type: event.type, messageId: event.messageId };
  const target = event.target;
  if (!target) {
    log('info', 'ses event for a message without delivery tags', context);
    return 'ignored';
  }
  correlate({ tenantId: target.tenantId });
  const found = await getDelivery(target.tenantId, target.ref);
  const delivery = found && namesRecipient(event, found.email) ? found : undefined;
  const sent = delivery && (await deliveryOfMessage(event, delivery));
  if (!sent?.email) {
    log('warn', 'ses event matches no delivery of this message and address', {
      ...context,
      tenantId: target.tenantId,
    });
    return 'unmatched';
  }
  const effects = effectsOf(event);
  const at = event.at ?? new Date();
  if (effects.engagement && sent[effects.engagement] === undefined) {
    // A bounce or complaint also moves the recipient to that list (`recipients?status=bounced`).
    const listed = recipientStatus({ ...sent, [effects.engagement]: at.toISOString() });
    await recordEngagement(target.tenantId, target.ref, effects.engagement, at, {
      messageId: event.messageId,
      ...(listed === recipientStatus(sent) ? {} : { also: statusIndex(target.tenantId, target.ref, listed) }),
    });
  }
  if (effects.suppress) {
    // Checked again on every replay, so a crash after the delivery write still ends suppressed.
    await addSuppression(target.tenantId, sent.email, effects.suppress);
    await changeMarketingStatus(target.tenantId, target.ref.contactId, effects.suppress, {
      actor: SES_ACTOR,
      onlyForEmail: sent.email,
    });
  }
  return 'applied';
}

/** EventBridge target: one event per invocation. */
export const handler = observed(async (event: unknown): Promise<void> => {
  await applySesEvent(event);
});
