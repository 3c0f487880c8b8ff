import { config } from '#shared/config';
import {
  type Related,
  type ReminderDecision,
  reminderDecision,
  reminderEmail,
} from '#shared/domain/activities';
import { clip, MAX_NAME, type NamedRef, nameOf, notificationTitle } from '#shared/domain/wording';
import type { Mailer } from '#shared/mail/mailer';
import { sesMailer } from '#shared/mail/ses-mailer';
import { observed, tenantOf } from '#shared/observability/invocation';
import { logFailure } from '#shared/observability/logger';
import { emailSent } from '#shared/observability/metrics';
import { type Activity, activities, users } from '#shared/store/entities';
import type { EntityType } from '#shared/store/keys';
import { notify } from '#shared/store/notifications';
import { getRecord, replaceRecord } from '#shared/store/records';

/**
 * The reminder of an activity (schedule `reminder-<activityId>` at its
 * `remindAt`). EventBridge Scheduler delivers at least once and sometimes
 * late, and the activity may have changed since, so the handler re-reads it
 * and acts only when it still exists, is open and live, still wants a reminder
 * at the payload's `remindAt` and has not had it: a moved reminder's old
 * firing, a duplicate, or one for a done, canceled, archived or erased
 * activity does nothing.
 *
 * At most once: before sending, the handler claims the reminder by writing
 * `reminderState: sent` (and `remindedAt`) conditioned on the version it read,
 * so of two concurrent firings exactly one proceeds. Only the claimant
 * notifies the assignee (idempotent per `reminder:<id>` and `remindAt`) and
 * emails them. If notifying fails, or SES refuses the email in a way that
 * says nothing was sent (throttling, quota), the claim is released and the
 * handler throws, so the scheduler retries. Any other email failure keeps the
 * claim: the email may or may not have gone out, and it is never sent twice.
 * A crash between the claim and the send loses that email (at most once).
 */
export interface ReminderEvent {
  readonly tenantId: string;
  readonly activityId: string;
  readonly remindAt: string;
  /** When the schedule was meant to fire (it may fire late). */
  readonly scheduledAt?: string;
  /** Where the email's links point (the API's public URL when the reminder was set). */
  readonly linkBaseUrl?: string;
}

export type ReminderOutcome =
  /** Claimed, notified and emailed. */
  | 'sent'
  /** Claimed and notified; the assignee has no (active) user with an email address. */
  | 'notified'
  /** Claimed and notified; SES failed without saying whether it sent (never retried). */
  | 'email-failed'
  /** Nothing to do: see `ReminderDecision` (missing, archived, closed, moved, already sent). */
  | Exclude<ReminderDecision, { send: true }>['reason']
  /** The event is not a reminder's (dropped: retrying cannot fix it). */
  | 'invalid';

const SAFE_ID = /^[A-Za-z0-9_-]{1,128}$/;
const BASE_URL = /^https?:\/\/[^\s"<>]{1,300}$/;
const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;
const MAX_ATTEMPTS = 3;

/** SES answers that mean the message was not accepted and a later attempt may succeed. */
const retryableEmailErrors = new Set([
  'TooManyRequestsException',
  'ThrottlingException',
  'LimitExceededException',
  'SendingPausedException',
]);

function parse(event: unknown): ReminderEvent | undefined {
  const { tenantId, activityId, remindAt, scheduledAt, linkBaseUrl } = (event ?? {}) as Record<
    string,
    unknown
  >;
  if (typeof tenantId !== 'string' || !SAFE_ID.test(tenantId)) return undefined;
  if (typeof activityId !== 'string' || !ULID.test(activityId)) return undefined;
  if (typeof remindAt !== 'string' || Number.isNaN(Date.parse(remindAt))) return undefined;
  return {
    tenantId,
    activityId,
    remindAt,
    ...(typeof scheduledAt === 'string' ? { scheduledAt } : {}),
    // A malformed base only loses the links' host: the reminder itself still goes out.
    ...(typeof linkBaseUrl === 'string' && BASE_URL.test(linkBaseUrl) ? { linkBaseUrl } : {}),
  };
}

function isRetryableEmailError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const retryable = (error as { $retryable?: { throttling?: boolean } }).$retryable;
  const code = (error as { code?: unknown }).code;
  return retryableEmailErrors.has(error.name) || retryable?.throttling === true || code === 'ECONNREFUSED';
}

type Claim = { claimed: Activity } | { skipped: Exclude<ReminderDecision, { send: true }>['reason'] };

/** Marks the reminder sent, conditioned on the version read; of racing firings one wins. */
async function claim(event: ReminderEvent, claimedAt: string): Promise<Claim> {
  for (let attempt = 1; ; attempt++) {
    const current = await getRecord(activities, event.tenantId, event.activityId, true);
    const decision = reminderDecision(current, event.remindAt);
    if (!decision.send) return { skipped: decision.reason };
    if (!current) return { skipped: 'missing' };
    const claimed: Activity = {
      ...current,
      reminderState: 'sent',
      remindedAt: claimedAt,
      version: current.version + 1,
      updatedAt: claimedAt,
    };
    const outcome = await replaceRecord(activities, event.tenantId, current, claimed);
    if (outcome.ok) return { claimed };
    // Changed meanwhile (edited, or another firing claimed it): look again.
    if (attempt >= MAX_ATTEMPTS)
      throw new Error(`The activity ${event.activityId} kept changing during its reminder`);
  }
}

/** Gives a claim back after a failure that sent nothing, so the retry can send. */
async function release(event: ReminderEvent, claimedAt: string): Promise<void> {
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const current = await getRecord(activities, event.tenantId, event.activityId, true);
    const ours =
      current?.reminderState === 'sent' &&
      current.remindedAt === claimedAt &&
      current.remindAt === event.remindAt;
    if (!current || !ours) return;
    const { remindedAt: _claim, ...rest } = current;
    const live = current.status === 'open' && !current.archived;
    const released: Activity = {
      ...rest,
      reminderState: live ? 'pending' : 'none',
      version: current.version + 1,
      updatedAt: new Date().toISOString(),
    };
    if ((await replaceRecord(activities, event.tenantId, current, released)).ok) return;
  }
}

/** One per container, made on first use. */
let mailer: Mailer | undefined;

/** The assignee's address: their active user's email; none for a user without a record (the local admin). */
async function assigneeEmail(tenantId: string, userId: string): Promise<string | undefined> {
  const user = await getRecord(users, tenantId, userId);
  return user?.active && user.email ? user.email : undefined;
}

/** The record an activity is about, by name (a missing or erased one by type and id alone). */
async function relatedRef(tenantId: string, related: Related | undefined): Promise<NamedRef | undefined> {
  if (!related) return undefined;
  const type = related.type.toUpperCase() as EntityType;
  const record = await getRecord({ type, label: related.type }, tenantId, related.id);
  const name = record && !record.archived ? nameOf(record as unknown as Record<string, unknown>) : undefined;
  return { type: related.type, id: related.id, ...(name ? { name } : {}) };
}

export const handler = observed(async function reminder(event: unknown): Promise<ReminderOutcome> {
  const reminder = parse(event);
  if (!reminder) {
    logFailure('error', 'invalid reminder event', { event });
    return 'invalid';
  }
  const { tenantId, activityId, remindAt } = reminder;
  const claimedAt = new Date().toISOString();
  const result = await claim(reminder, claimedAt);
  if ('skipped' in result) return result.skipped;
  const activity = result.claimed;

  let to: string | undefined;
  let related: NamedRef | undefined;
  try {
    related = await relatedRef(tenantId, activity.related);
    const record: NamedRef = { type: 'activity', id: activityId, name: clip(activity.subject, MAX_NAME) };
    await notify(tenantId, [activity.ownerId], {
      kind: 'reminder',
      title: notificationTitle({ kind: 'reminder', record, ...(related ? { related } : {}) }),
      record,
      ...(related ? { related } : {}),
      occurredAt: remindAt,
      key: `reminder:${activityId}`,
    });
    to = await assigneeEmail(tenantId, activity.ownerId);
  } catch (error) {
    await release(reminder, claimedAt).catch((failure: unknown) =>
      logFailure('error', 'reminder claim could not be released', { tenantId, activityId }, failure),
    );
    throw error;
  }
  if (!to) return 'notified';

  const email = reminderEmail(
    { ...activity, remindAt },
    { ...(related ? { related } : {}), linkBase: reminder.linkBaseUrl ?? config.publicApiUrl ?? '' },
  );
  try {
    mailer ??= sesMailer();
    await mailer.send({
      to,
      subject: email.subject,
      text: email.text,
      tags: { kind: 'reminder', tenant: tenantId, activity: activityId },
    });
    emailSent();
    return 'sent';
  } catch (error) {
    if (isRetryableEmailError(error)) {
      await release(reminder, claimedAt).catch((failure: unknown) =>
        logFailure('error', 'reminder claim could not be released', { tenantId, activityId }, failure),
      );
      throw error;
    }
    logFailure(
      'error',
      'reminder email failed; not retried (it may have been sent)',
      { tenantId, activityId },
      error,
    );
    return 'email-failed';
  }
}, tenantOf);
