import { type SchedulePayload, type ScheduleRequest, scheduleTargets } from './scheduler.ts';

/**
 * What both adapters check and send, so the local stand-in refuses exactly what
 * EventBridge Scheduler would refuse and its targets receive the same event.
 */

/** What a target's handler receives: the payload plus the time it was scheduled for. */
export type ScheduleTargetEvent = SchedulePayload & {
  /** The requested time as ISO 8601 (`Date.toISOString()`), even when the schedule fired late. */
  readonly scheduledAt: string;
};

/** EventBridge Scheduler's rule for schedule names. */
export const scheduleNamePattern = /^[0-9A-Za-z_.-]{1,64}$/;

/** EventBridge Scheduler's limit on a target's `Input`. */
export const maxScheduleInputLength = 8192;

/** Throws a plain Error (a programming error, not a client's): callers build names and payloads. */
export function assertValidScheduleRequest(request: ScheduleRequest): void {
  if (!scheduleNamePattern.test(request.name)) {
    throw new Error(`Invalid schedule name "${request.name}": 1-64 of [0-9A-Za-z-_.]`);
  }
  if (!(request.at instanceof Date) || Number.isNaN(request.at.getTime())) {
    throw new Error(`Schedule ${request.name}: "at" is not a valid date`);
  }
  if (!(scheduleTargets as readonly string[]).includes(request.target)) {
    throw new Error(`Schedule ${request.name}: unknown target "${request.target}"`);
  }
  if (typeof request.payload.tenantId !== 'string' || request.payload.tenantId === '') {
    throw new Error(`Schedule ${request.name}: the payload has no tenantId`);
  }
  const input = scheduleInput(request);
  if (input.length > maxScheduleInputLength) {
    throw new Error(`Schedule ${request.name}: the payload exceeds ${maxScheduleInputLength} characters`);
  }
}

/** The target's event as JSON: `scheduledAt` always wins over a payload key of that name. */
export function scheduleInput(request: ScheduleRequest): string {
  const event: ScheduleTargetEvent = { ...request.payload, scheduledAt: request.at.toISOString() };
  return JSON.stringify(event);
}
