import { createHash } from 'node:crypto';

/**
 * Follow-up sequences: the rules that decide what a contact's enrollment does
 * next. No AWS here; shared/store/sequences.ts keeps enrollments in the table
 * and functions/schedule/sequenceStep.ts runs one step when its schedule fires.
 *
 * An enrollment walks the sequence's steps by index. Each pending step is one
 * one-time schedule; when it fires, the step sends its email unless its
 * condition says to skip it, and the enrollment moves on to the next step (or
 * completes after the last). An enrollment leaves the sequence early (`exited`)
 * when the contact stops being mailable, when someone unenrolls it, or when an
 * event the sequence lists in `exitOn` happens to the contact.
 */

export const stepConditions = ['always', 'not_opened', 'not_clicked'] as const;
export type StepCondition = (typeof stepConditions)[number];

/** Events that end a contact's enrollments in the sequences that list them. */
export const exitTriggers = ['replied', 'unsubscribed', 'deal_won', 'case_opened'] as const;
export type ExitTrigger = (typeof exitTriggers)[number];

/** Without `exitOn`, a sequence stops for a reply or an opt-out, as sales sequences usually do. */
export const defaultExitOn: readonly ExitTrigger[] = ['replied', 'unsubscribed'];

/**
 * Why an enrollment ended early: an exit trigger, `manual` (unenrolled through
 * the API), `contact_removed` (archived or erased), `no_email` (the contact
 * lost its address), `sequence_archived` (the sequence was archived),
 * `not_readable` (whoever enrolled it may no longer read the contact).
 */
export const exitReasons = [
  ...exitTriggers,
  'manual',
  'contact_removed',
  'no_email',
  'sequence_archived',
  'not_readable',
] as const;
export type ExitReason = (typeof exitReasons)[number];

export const enrollmentStatuses = ['active', 'completed', 'exited'] as const;
export type EnrollmentStatus = (typeof enrollmentStatuses)[number];

export const MAX_STEPS = 20;
export const MAX_DELAY_HOURS = 8760;
/** Contacts one enroll request may name. */
export const MAX_ENROLL_CONTACTS = 500;
/**
 * Contacts of a segment enrolled within the enroll request itself (answered
 * 200 with every contact's outcome); a segment that matches more is enrolled
 * by a background job (answered 202), however many it matches.
 */
export const MAX_SEGMENT_ENROLLMENT = 1000;
/** Contacts per message of an enrollment job: one BatchGetItem of contacts, enrollments and suppressions. */
export const ENROLL_CHUNK = 100;

export const enrollmentJobStatuses = ['running', 'done', 'failed'] as const;
export type EnrollmentJobStatus = (typeof enrollmentJobStatuses)[number];

export interface SequenceStep {
  readonly delayHours: number;
  readonly templateId: string;
  readonly condition: StepCondition;
}

/** Why a contact named in an enroll request was not enrolled. */
export const enrollSkipReasons = [
  /** Active in this sequence already. */
  'already_enrolled',
  /** Went through this sequence before (completed or exited): a contact runs a sequence once. */
  'previously_enrolled',
  /** Missing, archived, of another tenant, or not readable by the caller. */
  'not_found',
  'no_email',
  /** marketingStatus is not `subscribed`. */
  'not_subscribed',
  /** The address is on the tenant's suppression list. */
  'suppressed',
] as const;
export type EnrollSkipReason = (typeof enrollSkipReasons)[number];

/** How many contacts of a set of outcomes were enrolled, and how many were skipped for each reason. */
export interface EnrollTally {
  readonly enrolled: number;
  readonly skipped: Readonly<Record<EnrollSkipReason, number>>;
}

/** Counts outcomes; every reason is present (0 when none), so tallies add up field by field. */
export function tallyOutcomes(outcomes: Iterable<EnrollSkipReason | 'enrolled'>): EnrollTally {
  const skipped = Object.fromEntries(enrollSkipReasons.map((reason) => [reason, 0])) as Record<
    EnrollSkipReason,
    number
  >;
  let enrolled = 0;
  for (const outcome of outcomes) {
    if (outcome === 'enrolled') enrolled++;
    else skipped[outcome]++;
  }
  return { enrolled, skipped };
}

/** Whether a contact may receive the sequence's marketing email, or why not. */
export function mailability(
  contact: { archived: boolean; email?: string; marketingStatus?: string } | undefined,
  suppressed: boolean,
): 'ok' | 'not_found' | 'no_email' | 'not_subscribed' | 'suppressed' {
  if (!contact || contact.archived) return 'not_found';
  if (!contact.email) return 'no_email';
  if ((contact.marketingStatus ?? 'subscribed') !== 'subscribed') return 'not_subscribed';
  if (suppressed) return 'suppressed';
  return 'ok';
}

/** The exit reason for a contact found unmailable when a step comes due. */
export const exitReasonFor = (
  problem: 'not_found' | 'no_email' | 'not_subscribed' | 'suppressed',
): ExitReason =>
  problem === 'not_found' ? 'contact_removed' : problem === 'no_email' ? 'no_email' : 'unsubscribed';

/**
 * The one-time schedule of one step of one enrollment. EventBridge Scheduler
 * names allow 64 characters of [0-9A-Za-z_.-]; tenant, sequence, contact and
 * run id do not fit as they are, so they are hashed (160 bits) and the step
 * index is appended: `seq-<40 hex>-<step>`, at most 49 characters.
 */
export function stepScheduleName(enrollment: {
  readonly tenantId: string;
  readonly sequenceId: string;
  readonly contactId: string;
  readonly runId: string;
  readonly step: number;
}): string {
  const digest = createHash('sha256')
    .update([enrollment.tenantId, enrollment.sequenceId, enrollment.contactId, enrollment.runId].join('\n'))
    .digest('hex')
    .slice(0, 40);
  return `seq-${digest}-${enrollment.step}`;
}

/**
 * A step still pending this long after it came due is swept
 * (functions/schedule/sequenceSweep.ts). Well past what a live step may
 * legitimately wait: a recheck of an open claim (at most SES_EVENTS_HORIZON_MS,
 * 10 minutes), Lambda's two retries of a failed firing, a throttled send.
 * Sweeping a step that is in fact still live is harmless: its delivery's claim
 * keeps any number of firings to one send.
 */
export const SWEEP_AFTER_MS = 60 * 60_000;
/** Sweeps that fire a stuck step again before the sweep settles it itself. */
export const MAX_SWEEP_REFIRES = 3;

/**
 * What a sweep does with a step found stuck for the `sweeps`-th time (1 the
 * first): fire it again, so the step's own logic settles its delivery by
 * evidence and sends it if nothing went out; past MAX_SWEEP_REFIRES (a step
 * that keeps dying), settle it without sending: `sent` on evidence, else
 * `failed`, and move the enrollment on.
 */
export const sweepAction = (sweeps: number): 'refire' | 'settle' =>
  sweeps <= MAX_SWEEP_REFIRES ? 'refire' : 'settle';

/** When a step scheduled now with this delay comes due. */
export const stepDueAt = (now: Date, delayHours: number): Date =>
  new Date(now.getTime() + Math.round(delayHours * 3_600_000));

/** The engagement of an email a step sent (the fields of a delivery that conditions read). */
export interface SentEmail {
  readonly openedAt?: string | undefined;
  readonly clickedAt?: string | undefined;
  /** Ignored: a privacy proxy fetched the pixel, not a person. */
  readonly machineOpenedAt?: string | undefined;
}

/**
 * Whether a step sends. Conditions look at the latest email of this sequence
 * that was actually sent to the contact before this step (steps skipped by
 * their own condition sent nothing, so they are looked past). A click counts
 * as an open (images may be blocked); machine opens (mail-privacy prefetches,
 * `machineOpenedAt`) do not. With no earlier email sent, nothing was opened
 * or clicked, so `not_opened` and `not_clicked` send.
 */
export function conditionHolds(condition: StepCondition, previous: SentEmail | undefined): boolean {
  switch (condition) {
    case 'always':
      return true;
    case 'not_opened':
      return !previous?.openedAt && !previous?.clickedAt;
    case 'not_clicked':
      return !previous?.clickedAt;
  }
}

/** The live part of an enrollment that a firing compares with its payload. */
export interface EnrollmentState {
  readonly status: EnrollmentStatus;
  readonly currentStep: number;
  readonly runId: string;
}

export type StepFiring =
  | { readonly act: true }
  | {
      readonly act: false;
      /**
       * `stale`: no enrollment of this run (a schedule left by a failed
       * enrollment, or an erased contact); `ended`: completed or exited;
       * `done`: this step ran already (a duplicate firing); `early`: the
       * enrollment has not reached this step yet, which happens only between
       * scheduling a step and recording the move to it, so the firing is retried.
       */
      readonly reason: 'stale' | 'ended' | 'done' | 'early';
    };

/** Whether a firing for `step` of run `runId` should act on the enrollment as it is now. */
export function stepFiring(
  enrollment: EnrollmentState | undefined,
  firing: { readonly step: number; readonly runId: string },
): StepFiring {
  if (!enrollment || enrollment.runId !== firing.runId) return { act: false, reason: 'stale' };
  if (enrollment.status !== 'active') return { act: false, reason: 'ended' };
  if (enrollment.currentStep > firing.step) return { act: false, reason: 'done' };
  if (enrollment.currentStep < firing.step) return { act: false, reason: 'early' };
  return { act: true };
}

type Image = Readonly<Record<string, unknown>>;

export interface ExitEvent {
  readonly trigger: ExitTrigger;
  readonly tenantId: string;
  readonly contactIds: readonly string[];
}

const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];

/**
 * The contact an activity is a reply from: a logged email (`type: email`)
 * with `direction: inbound`, related to a contact, is that contact writing
 * back. An outbound or undirected logged email, or any other activity, is not.
 */
const replyContact = (image: Image | undefined): string | undefined => {
  if (image?.entity !== 'activity' || image.archived === true) return undefined;
  if (image.type !== 'email' || image.direction !== 'inbound') return undefined;
  const related = image.related as { type?: unknown; id?: unknown } | undefined;
  return related?.type === 'contact' && typeof related.id === 'string' ? related.id : undefined;
};

/**
 * The exit triggers a change of one table item (a stream record's old and new
 * images) sets off:
 * - `unsubscribed`: a contact's marketingStatus leaves `subscribed` (opt-out,
 *   bounce, complaint);
 * - `deal_won`: a deal enters a won stage (status `won`); its contacts exit;
 * - `case_opened`: a case is created for the contact;
 * - `replied`: an inbound logged email related to the contact appears (created,
 *   or edited into one).
 * Each is a transition, so a later unrelated change of the same item sets off nothing.
 */
export function exitEventsOf(before: Image | undefined, after: Image | undefined): ExitEvent[] {
  const tenantId = after?.tenantId;
  if (!after || typeof tenantId !== 'string') return [];
  const event = (trigger: ExitTrigger, contactIds: readonly string[]): ExitEvent[] =>
    contactIds.length > 0 ? [{ trigger, tenantId, contactIds }] : [];
  switch (after.entity) {
    case 'contact': {
      const wasSubscribed = before ? (before.marketingStatus ?? 'subscribed') === 'subscribed' : true;
      const isSubscribed = (after.marketingStatus ?? 'subscribed') === 'subscribed';
      return wasSubscribed && !isSubscribed && typeof after.id === 'string'
        ? event('unsubscribed', [after.id])
        : [];
    }
    case 'deal':
      return after.status === 'won' && before?.status !== 'won'
        ? event('deal_won', [...new Set(strings(after.contactIds))])
        : [];
    case 'case':
      return !before && typeof after.contactId === 'string' ? event('case_opened', [after.contactId]) : [];
    case 'activity': {
      const contactId = replyContact(after);
      return contactId && replyContact(before) !== contactId ? event('replied', [contactId]) : [];
    }
    default:
      return [];
  }
}

/** Whether a sequence stops for this trigger. */
export const exitsOn = (sequence: { readonly exitOn?: readonly string[] }, trigger: ExitTrigger): boolean =>
  (sequence.exitOn ?? defaultExitOn).includes(trigger);
