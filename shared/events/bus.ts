import type { DomainEvent } from '../domain/domain-events.ts';

/**
 * The deployment's event bus: where the domain events (shared/domain/domain-events.ts)
 * go for AWS consumers to subscribe to. In AWS a custom EventBridge bus
 * (eventbridge-bus.ts), under `npm start` a stand-in that records what would
 * be sent (local-bus.ts); shared/events/select.ts picks one from EVENT_BUS.
 */
export interface EventBus {
  /**
   * Sends the events; resolves once each was accepted by the bus or, when the
   * bus kept refusing it, handed to the dead-letter queue (and logged).
   * Rejects only when an event could go to neither: the caller retries them.
   */
  publish(events: readonly DomainEvent[]): Promise<void>;
}

/**
 * The `source` of every event this CRM puts on its bus, so rules match
 * `{"source": ["crm"]}`; the `detail-type` is the event's type
 * (`contact.created`, ...) and the `detail` the event itself.
 */
export const EVENT_SOURCE = 'crm';

/** PutEvents' limits: entries per call, and bytes per call (all entries together, as AWS counts them). */
export const MAX_ENTRIES_PER_CALL = 10;
export const MAX_REQUEST_BYTES = 256 * 1024;

/** One bus entry, as PutEvents takes it. */
export interface BusEntry {
  readonly Source: string;
  readonly DetailType: string;
  readonly Detail: string;
  readonly Time: Date;
  readonly EventBusName: string;
}

const bytes = (text: string) => Buffer.byteLength(text, 'utf8');

/**
 * An entry's size as EventBridge counts it against the 256 KB request limit
 * ("Calculating PutEvents event entry size"): 14 bytes for `Time`, plus the
 * UTF-8 bytes of Source, DetailType and Detail (no Resources are sent).
 */
export const entrySize = (entry: Pick<BusEntry, 'Source' | 'DetailType' | 'Detail'>): number =>
  14 + bytes(entry.Source) + bytes(entry.DetailType) + bytes(entry.Detail);

/**
 * The entry of one event. An event whose entry would exceed the request limit
 * on its own (a record near DynamoDB's 400 KB) is sent with `data` cut to
 * `{id, truncated: true}`, so subscribers still hear of it and read the record
 * from the API; `truncated` says which happened.
 */
export function busEntry(event: DomainEvent, eventBusName: string): { entry: BusEntry; truncated: boolean } {
  const time = new Date(event.occurredAt);
  const build = (detail: DomainEvent): BusEntry => ({
    Source: EVENT_SOURCE,
    DetailType: event.type,
    Detail: JSON.stringify(detail),
    Time: Number.isNaN(time.getTime()) ? new Date() : time,
    EventBusName: eventBusName,
  });
  const whole = build(event);
  if (entrySize(whole) <= MAX_REQUEST_BYTES) return { entry: whole, truncated: false };
  return { entry: build({ ...event, data: { id: event.data.id, truncated: true } }), truncated: true };
}

/**
 * Splits entries into PutEvents calls: at most 10 entries and 256 KB (entrySize)
 * per call, in order. Each entry must fit a call alone (busEntry sees to it).
 */
export function callsOf<T>(items: readonly T[], sizeOf: (item: T) => number): T[][] {
  const calls: T[][] = [];
  let current: T[] = [];
  let size = 0;
  for (const item of items) {
    const itemSize = sizeOf(item);
    if (
      current.length >= MAX_ENTRIES_PER_CALL ||
      (current.length > 0 && size + itemSize > MAX_REQUEST_BYTES)
    ) {
      calls.push(current);
      current = [];
      size = 0;
    }
    current.push(item);
    size += itemSize;
  }
  if (current.length > 0) calls.push(current);
  return calls;
}
