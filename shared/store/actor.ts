import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Who is writing, for the current request. The HTTP handler runs each request
 * inside `actingAs(userId)`; every record write stamps `updatedBy` from here,
 * so the table stream can tell owners and followers who changed what (and
 * never notify people of their own changes), whatever path wrote the record.
 * Writes outside a request (schedules) are stamped `system`.
 */
const actor = new AsyncLocalStorage<string>();

export const actingAs = <T>(userId: string, work: () => T): T => actor.run(userId, work);

export const currentActor = (): string => actor.getStore() ?? 'system';
