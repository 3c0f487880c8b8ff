import { appendFile, readFile } from 'node:fs/promises';
import { config } from '../config.ts';
import type { DomainEvent } from '../domain/domain-events.ts';
import { EVENT_SOURCE, type EventBus } from './bus.ts';

/**
 * The stand-in for EventBridge under `npm start`: it records what would be
 * sent, one JSON line per event ({@link RecordedEvent}) in the file named by
 * LOCAL_EVENTS_FILE (`events.jsonl` in the local data folder), readable
 * through the runtime's local-only route `GET /__local/events`
 * (infra/local/events-control.ts). Without the variable (a test invoking a
 * handler directly) the last {@link MEMORY_LIMIT} events are kept in memory.
 */
export interface RecordedEvent {
  /** When the stand-in received it (ISO 8601). */
  readonly sentAt: string;
  readonly source: string;
  /** The event's type, as EventBridge's `detail-type`. */
  readonly detailType: string;
  /** The event, as EventBridge's `detail`. */
  readonly detail: DomainEvent;
}

export const MEMORY_LIMIT = 10_000;
const memory: RecordedEvent[] = [];

export function localEventBus(options: { file?: string } = {}): EventBus {
  return {
    async publish(events) {
      if (events.length === 0) return;
      const sentAt = new Date().toISOString();
      const recorded = events.map((event) => ({
        sentAt,
        source: EVENT_SOURCE,
        detailType: event.type,
        detail: event,
      }));
      const file = options.file ?? config.localEventsFile;
      if (file) {
        // One append per batch: whole lines, in order.
        await appendFile(file, recorded.map((entry) => `${JSON.stringify(entry)}\n`).join(''));
        return;
      }
      memory.push(...recorded);
      if (memory.length > MEMORY_LIMIT) memory.splice(0, memory.length - MEMORY_LIMIT);
    },
  };
}

export interface RecordedQuery {
  readonly tenantId: string;
  /** Only events of this type. */
  readonly type?: string;
}

/**
 * What the stand-in recorded for one tenant (optionally one type), oldest
 * first: from `file` (a missing file holds nothing), or from memory without it.
 */
export async function recordedEvents(query: RecordedQuery, file?: string): Promise<RecordedEvent[]> {
  const all = file ? await readRecorded(file) : memory;
  return all.filter(
    (entry) =>
      entry.detail.tenantId === query.tenantId &&
      (query.type === undefined || entry.detailType === query.type),
  );
}

async function readRecorded(file: string): Promise<RecordedEvent[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as RecordedEvent);
}
