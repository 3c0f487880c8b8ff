import { randomUUID } from 'node:crypto';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { config } from '../config.ts';
import type { Rights } from '../domain/access.ts';
import type { Delivery } from '../domain/delivery.ts';
import {
  type EnrollmentStatus,
  type EnrollSkipReason,
  type ExitReason,
  type ExitTrigger,
  mailability,
  type SequenceStep,
  stepDueAt,
  stepScheduleName,
} from '../domain/sequence.ts';
import { emailHash } from '../domain/suppression.ts';
import { logger } from '../observability/logger.ts';
import { getScheduler } from '../schedule/select.ts';
import { registerAlertTenant } from './alerts.ts';
import { dynamo } from './client.ts';
import { conditionHeld, unlessConditionFails } from './conditional.ts';
import { type Contact, contacts } from './entities.ts';
import {
  contactEnrollmentsPk,
  enrollmentDueSk,
  enrollmentKey,
  enrollmentStatusPk,
  enrollmentsDuePk,
  enrollmentsPk,
  indexDefinition,
  indexEntry,
  indexPartition,
  itemIndexes,
  recordKey,
  sequenceDeliveriesPk,
  sequenceDeliveryPrefix,
  sequenceDeliverySk,
  storageAttributes,
  suppressionKey,
} from './keys.ts';
import type { PageKey } from './page.ts';
import { queryPage, queryPages } from './query.ts';
import { type EntitySpec, type StoredRecord, toRecord } from './records.ts';
import { appended, equals, updateExpression } from './update-expression.ts';

/** A follow-up sequence: its steps by index, and the events that end a contact's enrollment early. */
export type Sequence = StoredRecord & {
  name: string;
  steps: SequenceStep[];
  exitOn: ExitTrigger[];
  fromEmail?: string;
  fromName?: string;
  replyTo?: string;
};

export const sequences: EntitySpec<Sequence> = {
  type: 'SEQUENCE',
  label: 'sequence',
  accessPatterns: {
    byName: { name: (sequence) => sequence.name },
  },
};

/**
 * One contact's run through one sequence, in the sequence's enrollment
 * partition (sk = contact id, so a contact is enrolled at most once), listed
 * per contact through gsi3 (exit conditions) and per status through gsi6.
 * `runId` binds the step schedules to this enrollment: a schedule left behind
 * by a failed enrollment names another run and does nothing.
 */
export interface Enrollment {
  readonly tenantId: string;
  readonly sequenceId: string;
  readonly contactId: string;
  readonly runId: string;
  readonly status: EnrollmentStatus;
  readonly exitReason?: ExitReason;
  /** The step whose schedule is pending (active), or the step it ended at. */
  readonly currentStep: number;
  readonly nextStepAt?: string;
  /** Steps whose condition said not to send. */
  readonly skippedSteps?: number[];
  /** Where the links in its emails point (the API's public URL when the contact was enrolled). */
  readonly linkBaseUrl: string;
  readonly enrolledAt: string;
  readonly enrolledBy: string;
  /** The author's rights when enrolling; each step reads the contact with their rights now (readers.ts). */
  readonly enrolledAs?: Rights;
  /** The background job that enrolled it (enrollment-jobs.ts), so a replayed chunk counts it as its own. */
  readonly jobId?: string;
  /** Times the sweep found its pending step stuck (functions/schedule/sequenceSweep.ts); reset on moving on. */
  readonly sweeps?: number;
  readonly updatedAt: string;
  readonly completedAt?: string;
  readonly exitedAt?: string;
}

type Item = Record<string, unknown>;

const statusIndex = (
  enrollment: Pick<Enrollment, 'tenantId' | 'sequenceId' | 'contactId'>,
  status: EnrollmentStatus,
) =>
  indexEntry(
    itemIndexes.enrollmentsByStatus,
    enrollmentStatusPk(enrollment.tenantId, enrollment.sequenceId, status),
    enrollment.contactId,
  );

/** The attribute that holds an enrollment's status partition, for updates that move it. */
const statusPartition = indexDefinition(itemIndexes.enrollmentsByStatus).partitionKey;

/** An active enrollment's place among the tenant's due steps (the sweep's index). */
const dueIndex = (
  enrollment: Pick<Enrollment, 'tenantId' | 'sequenceId' | 'contactId'>,
  nextStepAt: string,
) =>
  indexEntry(
    itemIndexes.enrollmentsDue,
    enrollmentsDuePk(enrollment.tenantId),
    enrollmentDueSk(nextStepAt, enrollment.sequenceId, enrollment.contactId),
  );
const dueAttributes = indexDefinition(itemIndexes.enrollmentsDue);

/** Enrollments keep `tenantId`: their schedule names are derived from it. */
const storage = new Set<string>(storageAttributes.filter((name) => name !== 'tenantId'));
const strip = <T>(item: Item): T =>
  Object.fromEntries(Object.entries(item).filter(([name]) => !storage.has(name))) as T;

/** What clients see of an enrollment: not its run id nor where its links point. */
export function enrollmentView(enrollment: Enrollment) {
  const {
    tenantId: _tenant,
    runId: _run,
    linkBaseUrl: _base,
    enrolledAs: _as,
    jobId: _job,
    sweeps: _sweeps,
    ...shown
  } = enrollment;
  return shown;
}

/**
 * Writes a new enrollment unless the contact has one in this sequence
 * (active, completed or exited); false when it had.
 */
export async function putEnrollment(enrollment: Enrollment): Promise<boolean> {
  return conditionHeld(() =>
    dynamo.send(
      new PutCommand({
        TableName: config.tableName,
        Item: {
          ...enrollment,
          ...enrollmentKey(enrollment.tenantId, enrollment.sequenceId, enrollment.contactId),
          ...indexEntry(
            itemIndexes.enrollmentsOfContact,
            contactEnrollmentsPk(enrollment.tenantId, enrollment.contactId),
            enrollment.sequenceId,
          ),
          ...statusIndex(enrollment, enrollment.status),
          ...(enrollment.status === 'active' && enrollment.nextStepAt
            ? dueIndex(enrollment, enrollment.nextStepAt)
            : {}),
          entity: 'enrollment',
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    ),
  );
}

export async function getEnrollment(
  tenantId: string,
  sequenceId: string,
  contactId: string,
): Promise<Enrollment | undefined> {
  const { Item } = await dynamo.send(
    new GetCommand({
      TableName: config.tableName,
      Key: enrollmentKey(tenantId, sequenceId, contactId),
      ConsistentRead: true,
    }),
  );
  return Item ? strip<Enrollment>(Item) : undefined;
}

/** Removes an enrollment written for a run whose schedule could not be created. */
export async function deleteEnrollment(
  tenantId: string,
  sequenceId: string,
  contactId: string,
  runId: string,
) {
  await conditionHeld(() =>
    dynamo.send(
      new DeleteCommand({
        TableName: config.tableName,
        Key: enrollmentKey(tenantId, sequenceId, contactId),
        ConditionExpression: 'runId = :run',
        ExpressionAttributeValues: { ':run': runId },
      }),
    ),
  );
}

/** BatchGetItem in pages of 100, unprocessed keys retried; items in no particular order. */
async function batchGet(keys: readonly Item[]): Promise<Item[]> {
  const found: Item[] = [];
  for (let start = 0; start < keys.length; start += 100) {
    let pending: Item[] = keys.slice(start, start + 100) as Item[];
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt >= 8) throw new Error('DynamoDB kept leaving keys unprocessed');
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(50 * 2 ** attempt, 2000)));
      const output = await dynamo.send(
        new BatchGetCommand({ RequestItems: { [config.tableName]: { Keys: pending } } }),
      );
      found.push(...(output.Responses?.[config.tableName] ?? []));
      pending = (output.UnprocessedKeys?.[config.tableName]?.Keys ?? []) as Item[];
    }
  }
  return found;
}

/** Contacts by id (missing ones absent from the map). */
export async function getContacts(tenantId: string, ids: readonly string[]): Promise<Map<string, Contact>> {
  const items = await batchGet(ids.map((id) => recordKey(tenantId, contacts.type, id)));
  return new Map(
    items.map((item) => {
      const contact = toRecord<Contact>(item);
      return [contact.id, contact] as const;
    }),
  );
}

/** The contacts among `ids` that have an enrollment (of any status) in the sequence. */
export async function existingEnrollments(
  tenantId: string,
  sequenceId: string,
  ids: readonly string[],
): Promise<Map<string, Enrollment>> {
  const items = await batchGet(ids.map((id) => enrollmentKey(tenantId, sequenceId, id)));
  return new Map(items.map((item) => [String(item.sk), strip<Enrollment>(item)] as const));
}

/** Which of these addresses are on the tenant's suppression list. */
export async function suppressedEmails(tenantId: string, emails: readonly string[]): Promise<Set<string>> {
  const byHash = new Map(emails.map((email) => [emailHash(tenantId, email), email] as const));
  const items = await batchGet([...byHash.keys()].map((hash) => suppressionKey(tenantId, hash)));
  const suppressed = new Set<string>();
  for (const item of items) {
    const hash = String(item.pk).split('#').at(-1) ?? '';
    const email = byHash.get(hash);
    if (email) suppressed.add(email);
  }
  return suppressed;
}

export async function isSuppressed(tenantId: string, email: string): Promise<boolean> {
  const { Item } = await dynamo.send(
    new GetCommand({
      TableName: config.tableName,
      Key: suppressionKey(tenantId, emailHash(tenantId, email)),
    }),
  );
  return Item !== undefined;
}

/**
 * Ends an active enrollment (of run `runId`, when given). Returns the
 * enrollment as it was, so the caller can cancel the schedule of its pending
 * step; undefined when it was not active (already ended: a replay, a race).
 */
export async function exitEnrollment(
  tenantId: string,
  sequenceId: string,
  contactId: string,
  reason: ExitReason,
  options: { runId?: string; now?: Date } = {},
): Promise<Enrollment | undefined> {
  const at = (options.now ?? new Date()).toISOString();
  const output = await unlessConditionFails(() =>
    dynamo.send(
      new UpdateCommand({
        TableName: config.tableName,
        Key: enrollmentKey(tenantId, sequenceId, contactId),
        ...updateExpression({
          set: {
            status: 'exited',
            exitReason: reason,
            exitedAt: at,
            updatedAt: at,
            [statusPartition]: enrollmentStatusPk(tenantId, sequenceId, 'exited'),
          },
          remove: ['nextStepAt', 'sweeps', dueAttributes.partitionKey, dueAttributes.sortKey],
          when: [equals('status', 'active'), ...(options.runId ? [equals('runId', options.runId)] : [])],
        }),
        ReturnValues: 'ALL_OLD',
      }),
    ),
  );
  return output?.Attributes ? strip<Enrollment>(output.Attributes) : undefined;
}

/**
 * Moves an active enrollment of run `runId` from step `from` to the next one
 * (due at `nextStepAt`), or completes it when `nextStepAt` is absent (the
 * last step ran). Conditional on the step, so of two firings of one step
 * exactly one moves it. False when it did not move.
 */
export async function advanceEnrollment(
  enrollment: Pick<Enrollment, 'tenantId' | 'sequenceId' | 'contactId' | 'runId'>,
  from: number,
  options: { nextStepAt?: Date; skipped: boolean; now?: Date },
): Promise<boolean> {
  const at = (options.now ?? new Date()).toISOString();
  const completing = options.nextStepAt === undefined;
  const set: Item = {
    currentStep: completing ? from : from + 1,
    updatedAt: at,
    ...(completing
      ? {
          status: 'completed',
          completedAt: at,
          [statusPartition]: enrollmentStatusPk(enrollment.tenantId, enrollment.sequenceId, 'completed'),
        }
      : {
          nextStepAt: options.nextStepAt?.toISOString(),
          ...dueIndex(enrollment, options.nextStepAt?.toISOString() ?? ''),
        }),
    ...(options.skipped ? { skippedSteps: appended([from]) } : {}),
  };
  return conditionHeld(() =>
    dynamo.send(
      new UpdateCommand({
        TableName: config.tableName,
        Key: enrollmentKey(enrollment.tenantId, enrollment.sequenceId, enrollment.contactId),
        ...updateExpression({
          set,
          remove: completing
            ? ['nextStepAt', 'sweeps', dueAttributes.partitionKey, dueAttributes.sortKey]
            : ['sweeps'],
          when: [equals('status', 'active'), equals('currentStep', from), equals('runId', enrollment.runId)],
        }),
      }),
    ),
  );
}

export interface EnrollmentPage {
  readonly items: Enrollment[];
  readonly lastKey: PageKey | undefined;
}

/** A sequence's enrollments, all or in one status, in contact-id order. */
export async function listEnrollments(
  tenantId: string,
  sequenceId: string,
  options: { status?: EnrollmentStatus; limit: number; startKey?: PageKey | undefined },
): Promise<EnrollmentPage> {
  const byStatus = options.status !== undefined;
  const output = await queryPage(
    {
      TableName: config.tableName,
      ...(byStatus
        ? indexPartition(
            itemIndexes.enrollmentsByStatus,
            enrollmentStatusPk(tenantId, sequenceId, options.status as EnrollmentStatus),
          )
        : {
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': enrollmentsPk(tenantId, sequenceId) },
          }),
      Limit: options.limit,
    },
    options.startKey,
  );
  return { items: output.items.map((item) => strip<Enrollment>(item)), lastKey: output.lastKey };
}

/** Every enrollment of a contact, in any sequence (gsi3). */
export async function contactEnrollments(tenantId: string, contactId: string): Promise<Enrollment[]> {
  const found: Enrollment[] = [];
  const pages = queryPages({
    TableName: config.tableName,
    ...indexPartition(itemIndexes.enrollmentsOfContact, contactEnrollmentsPk(tenantId, contactId)),
  });
  for await (const page of pages) found.push(...page.map((item) => strip<Enrollment>(item)));
  return found;
}

/**
 * The latest email of the sequence sent to the contact before `step`: one
 * Query over the contact's deliveries of this sequence, newest step first.
 */
export async function lastSentEmail(
  tenantId: string,
  sequenceId: string,
  contactId: string,
  step: number,
): Promise<Delivery | undefined> {
  if (step <= 0) return undefined;
  const output = await dynamo.send(
    new QueryCommand({
      TableName: config.tableName,
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :first AND :last',
      ExpressionAttributeValues: {
        ':pk': sequenceDeliveriesPk(tenantId, sequenceId),
        ':first': sequenceDeliverySk(contactId, 0),
        ':last': sequenceDeliverySk(contactId, step - 1),
      },
      ScanIndexForward: false,
      ConsistentRead: true,
    }),
  );
  return (output.Items ?? [])
    .map((item) => strip<Delivery>(item))
    .find((delivery) => delivery.status === 'sent');
}

/**
 * Deletes an erased contact's enrollment in a sequence and the deliveries of
 * it (they hold the address). Idempotent.
 */
export async function eraseEnrollment(
  tenantId: string,
  sequenceId: string,
  contactId: string,
): Promise<void> {
  const output = await dynamo.send(
    new QueryCommand({
      TableName: config.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :contact)',
      ExpressionAttributeValues: {
        ':pk': sequenceDeliveriesPk(tenantId, sequenceId),
        ':contact': sequenceDeliveryPrefix(contactId),
      },
      ProjectionExpression: 'pk, sk',
    }),
  );
  const keys = [...(output.Items ?? []), enrollmentKey(tenantId, sequenceId, contactId)];
  for (let start = 0; start < keys.length; start += 25) {
    let requests = keys
      .slice(start, start + 25)
      .map((key) => ({ DeleteRequest: { Key: { pk: key.pk, sk: key.sk } } }));
    for (let attempt = 0; requests.length > 0; attempt++) {
      if (attempt >= 8) throw new Error('DynamoDB kept leaving deletes unprocessed');
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(50 * 2 ** attempt, 2000)));
      const result = await dynamo.send(
        new BatchWriteCommand({ RequestItems: { [config.tableName]: requests } }),
      );
      requests = (result.UnprocessedItems?.[config.tableName] ?? []) as typeof requests;
    }
  }
}

type ScheduledEnrollment = Pick<Enrollment, 'tenantId' | 'sequenceId' | 'contactId' | 'runId'>;

/** Creates (or, for a repeated call, moves) the one-time schedule of an enrollment's step. */
export async function scheduleStep(enrollment: ScheduledEnrollment, step: number, at: Date): Promise<void> {
  await (await getScheduler()).schedule({
    name: stepScheduleName({ ...enrollment, step }),
    at,
    target: 'sequenceStep',
    payload: {
      tenantId: enrollment.tenantId,
      sequenceId: enrollment.sequenceId,
      contactId: enrollment.contactId,
      step,
      runId: enrollment.runId,
    },
  });
}

/**
 * Deletes the pending schedule of a step. Tidying only: a step that fires for
 * an ended enrollment does nothing, so a failure is logged, not thrown.
 */
export async function cancelStep(enrollment: ScheduledEnrollment, step: number): Promise<void> {
  const name = stepScheduleName({ ...enrollment, step });
  try {
    await (await getScheduler()).cancel(name);
  } catch (error) {
    logger.warn('sequence step schedule not deleted', { name, error: String(error) });
  }
}

/** Runs `work` over `items`, at most `limit` at a time. */
async function inPool<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** Schedule and enrollment writes in flight per call (EventBridge Scheduler allows bursts, not floods). */
const ENROLL_CONCURRENCY = 16;

export interface EnrollContacts {
  readonly tenantId: string;
  readonly sequence: Pick<Sequence, 'id' | 'steps'>;
  /** Live contacts the enrolling user may read (the caller checks both). */
  readonly candidates: readonly Contact[];
  readonly linkBaseUrl: string;
  readonly enrolledBy: string;
  readonly enrolledAs: Rights;
  /** The background job enrolling them, if any: its earlier runs' enrollments count as `enrolled`. */
  readonly jobId?: string;
}

/**
 * Enrolls the mailable contacts among `candidates`; returns each one's
 * outcome. For each, the first step's schedule is created before the
 * enrollment is written: a crash in between leaves a schedule that names no
 * enrollment of its run and does nothing, never an enrollment that waits for
 * a schedule that does not exist. A contact enrolled meanwhile by someone
 * else gets its new schedule deleted. The enrollment's key is the contact in
 * the sequence, so however often this runs for a contact (a replayed queue
 * message, a second request) it is enrolled once.
 */
export async function enrollContacts(
  input: EnrollContacts,
): Promise<Map<string, EnrollSkipReason | 'enrolled'>> {
  const { tenantId, sequence, candidates } = input;
  const outcome = new Map<string, EnrollSkipReason | 'enrolled'>();
  const ids = candidates.map((contact) => contact.id);
  const [existing, suppressed] = await Promise.all([
    existingEnrollments(tenantId, sequence.id, ids),
    suppressedEmails(
      tenantId,
      candidates.flatMap((contact) => (contact.email ? [contact.email] : [])),
    ),
  ]);
  const outcomeOf = (enrollment: Enrollment): EnrollSkipReason | 'enrolled' =>
    input.jobId !== undefined && enrollment.jobId === input.jobId
      ? 'enrolled'
      : enrollment.status === 'active'
        ? 'already_enrolled'
        : 'previously_enrolled';
  const eligible: Contact[] = [];
  for (const contact of candidates) {
    const before = existing.get(contact.id);
    const mailable = mailability(contact, contact.email ? suppressed.has(contact.email) : false);
    if (before) outcome.set(contact.id, outcomeOf(before));
    else if (mailable !== 'ok') outcome.set(contact.id, mailable);
    else eligible.push(contact);
  }

  const [first] = sequence.steps;
  if (!first || eligible.length === 0) return outcome;
  // The recurring jobs (alerts, the sweep of stuck steps) walk the tenants listed there.
  await registerAlertTenant(tenantId);
  await inPool(eligible, ENROLL_CONCURRENCY, async (contact) => {
    const now = new Date();
    const due = stepDueAt(now, first.delayHours);
    const enrollment: Enrollment = {
      tenantId,
      sequenceId: sequence.id,
      contactId: contact.id,
      runId: randomUUID(),
      status: 'active',
      currentStep: 0,
      nextStepAt: due.toISOString(),
      linkBaseUrl: input.linkBaseUrl,
      enrolledAt: now.toISOString(),
      enrolledBy: input.enrolledBy,
      enrolledAs: input.enrolledAs,
      ...(input.jobId !== undefined ? { jobId: input.jobId } : {}),
      updatedAt: now.toISOString(),
    };
    await scheduleStep(enrollment, 0, due);
    let written = false;
    try {
      written = await putEnrollment(enrollment);
    } finally {
      if (!written) await cancelStep(enrollment, 0);
    }
    if (written) {
      outcome.set(contact.id, 'enrolled');
      return;
    }
    const raced = await getEnrollment(tenantId, sequence.id, contact.id);
    outcome.set(contact.id, raced ? outcomeOf(raced) : 'already_enrolled');
  });
  return outcome;
}

/**
 * The tenant's active enrollments whose pending step was due before `before`
 * (ISO, exclusive), oldest first, page by page: one Query per page on the due
 * index (gsi2), reading only overdue ones.
 */
export async function* overdueEnrollments(tenantId: string, before: string): AsyncGenerator<Enrollment[]> {
  const partition = indexPartition(itemIndexes.enrollmentsDue, enrollmentsDuePk(tenantId));
  for await (const items of queryPages({
    TableName: config.tableName,
    ...partition,
    KeyConditionExpression: `${partition.KeyConditionExpression} AND ${dueAttributes.sortKey} < :before`,
    ExpressionAttributeValues: { ...partition.ExpressionAttributeValues, ':before': before },
  })) {
    yield items.map((item) => strip<Enrollment>(item));
  }
}

/**
 * Counts one more sweep of an enrollment stuck at `step` (of its run, still
 * active there); the new count, or undefined when it has moved on meanwhile.
 */
export async function countSweep(enrollment: ScheduledEnrollment, step: number): Promise<number | undefined> {
  const output = await unlessConditionFails(() =>
    dynamo.send(
      new UpdateCommand({
        TableName: config.tableName,
        Key: enrollmentKey(enrollment.tenantId, enrollment.sequenceId, enrollment.contactId),
        ...updateExpression({
          add: { sweeps: 1 },
          when: [equals('status', 'active'), equals('currentStep', step), equals('runId', enrollment.runId)],
        }),
        ReturnValues: 'UPDATED_NEW',
      }),
    ),
  );
  const sweeps = output?.Attributes?.sweeps;
  return typeof sweeps === 'number' ? sweeps : undefined;
}

/**
 * Moves an enrollment past `step`: schedules the next step, then records the
 * move (advanceEnrollment). If the move loses (a duplicate firing or a sweep
 * moved it first, or the enrollment ended meanwhile), the schedule nobody
 * waits for is deleted. With no next step, the enrollment completes.
 */
export async function moveToNextStep(
  enrollment: Enrollment,
  sequence: Pick<Sequence, 'steps'>,
  step: number,
  skipped: boolean,
): Promise<void> {
  const now = new Date();
  const next = sequence.steps[step + 1];
  const due = next ? stepDueAt(now, next.delayHours) : undefined;
  if (due) await scheduleStep(enrollment, step + 1, due);
  const moved = await advanceEnrollment(enrollment, step, {
    ...(due ? { nextStepAt: due } : {}),
    skipped,
    now,
  });
  if (moved || !due) return;
  const current = await getEnrollment(enrollment.tenantId, enrollment.sequenceId, enrollment.contactId);
  const waiting =
    current?.runId === enrollment.runId && current.status === 'active' && current.currentStep === step + 1;
  if (!waiting) await cancelStep(enrollment, step + 1);
}
