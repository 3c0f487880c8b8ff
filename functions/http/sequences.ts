import { randomUUID } from 'node:crypto';
import { sequenceRoutes } from '#shared/api/sequences';
import { canRead } from '#shared/domain/access';
import { applyMergePatch } from '#shared/domain/merge-patch';
import {
  defaultExitOn,
  type EnrollSkipReason,
  MAX_SEGMENT_ENROLLMENT,
  mailability,
  type SequenceStep,
  stepDueAt,
} from '#shared/domain/sequence';
import type { Caller } from '#shared/http/auth';
import { httpHandler } from '#shared/http/handler';
import { conflict, type FieldError, invalidFields, notFound } from '#shared/http/problem';
import { publicBaseUrl } from '#shared/http/public-url';
import {
  actorOf,
  create,
  listPage,
  newRecordBase,
  readable,
  readableReference,
  recordRoutes,
  referenceCheck,
  update,
} from '#shared/http/records';
import { created, noContent, ok } from '#shared/http/results';
import type { SequenceCreate } from '#shared/schemas/sequences';
import type { Contact } from '#shared/store/entities';
import { rightsOf } from '#shared/store/readers';
import { resolveSegment } from '#shared/store/segment-resolution';
import { segments } from '#shared/store/segments';
import {
  cancelStep,
  type Enrollment,
  enrollmentView,
  existingEnrollments,
  exitEnrollment,
  getContacts,
  getEnrollment,
  listEnrollments,
  putEnrollment,
  type Sequence,
  scheduleStep,
  sequences,
  suppressedEmails,
} from '#shared/store/sequences';
import { templates } from '#shared/store/templates';

type StepInput = SequenceCreate['steps'][number];

const withDefaults = (steps: readonly StepInput[]): SequenceStep[] =>
  steps.map((step) => ({ ...step, condition: step.condition ?? 'always' }));

/**
 * Every step must send a live template the caller can see: one 400 names each
 * bad step. Returns existence checks for the write's transaction (one per
 * distinct template), so a template archived meanwhile fails the write too.
 */
async function templateChecks(caller: Caller, steps: readonly SequenceStep[]) {
  const distinct = [...new Set(steps.map((step) => step.templateId))];
  const found = await Promise.all(distinct.map((id) => readableReference(templates, caller, id)));
  const live = new Set(found.flatMap((template) => (template ? [template.id] : [])));
  const errors: FieldError[] = steps.flatMap((step, index) =>
    live.has(step.templateId)
      ? []
      : [
          {
            path: `steps.${index}.templateId`,
            message: 'is not a live template of this tenant that you can see',
          },
        ],
  );
  if (errors.length > 0) throw invalidFields(errors);
  return distinct.map((id) =>
    referenceCheck(
      caller,
      templates,
      id,
      `steps.${steps.findIndex((step) => step.templateId === id)}.templateId`,
    ),
  );
}

/** The contacts a segment resolves to now, as far as the caller may see them; refused beyond the cap. */
async function segmentContacts(caller: Caller, segmentId: string): Promise<Contact[]> {
  const segment = await readableReference(segments, caller, segmentId);
  if (!segment)
    throw invalidFields([
      { path: 'segmentId', message: 'is not a live segment of this tenant that you can see' },
    ]);
  const found: Contact[] = [];
  for await (const page of resolveSegment(caller.tenantId, segment.filter, { reader: actorOf(caller) })) {
    found.push(...page);
    if (found.length > MAX_SEGMENT_ENROLLMENT)
      throw conflict(
        `The segment matches more than ${MAX_SEGMENT_ENROLLMENT} contacts; enroll at most ` +
          `${MAX_SEGMENT_ENROLLMENT} at a time (narrow the segment, or enroll by contactIds)`,
      );
  }
  return found;
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

/** Schedule and enrollment writes in flight per request (EventBridge Scheduler allows bursts, not floods). */
const ENROLL_CONCURRENCY = 16;

/**
 * Enrolls the mailable contacts among `candidates`. For each, the first
 * step's schedule is created before the enrollment is written: a crash in
 * between leaves a schedule that names no enrollment of its run and does
 * nothing, never an enrollment that waits for a schedule that does not exist.
 * A contact enrolled meanwhile by someone else gets its new schedule deleted.
 */
async function enroll(
  caller: Caller,
  sequence: Sequence,
  candidates: readonly Contact[],
  linkBaseUrl: string,
): Promise<Map<string, EnrollSkipReason | 'enrolled'>> {
  const outcome = new Map<string, EnrollSkipReason | 'enrolled'>();
  const ids = candidates.map((contact) => contact.id);
  const [existing, suppressed] = await Promise.all([
    existingEnrollments(caller.tenantId, sequence.id, ids),
    suppressedEmails(
      caller.tenantId,
      candidates.flatMap((contact) => (contact.email ? [contact.email] : [])),
    ),
  ]);
  const skippedFor = (enrollment: Enrollment): EnrollSkipReason =>
    enrollment.status === 'active' ? 'already_enrolled' : 'previously_enrolled';
  const eligible: Contact[] = [];
  for (const contact of candidates) {
    const before = existing.get(contact.id);
    const mailable = mailability(contact, contact.email ? suppressed.has(contact.email) : false);
    if (before) outcome.set(contact.id, skippedFor(before));
    else if (mailable !== 'ok') outcome.set(contact.id, mailable);
    else eligible.push(contact);
  }

  const [first] = sequence.steps;
  if (!first) return outcome;
  await inPool(eligible, ENROLL_CONCURRENCY, async (contact) => {
    const now = new Date();
    const due = stepDueAt(now, first.delayHours);
    const enrollment: Enrollment = {
      tenantId: caller.tenantId,
      sequenceId: sequence.id,
      contactId: contact.id,
      runId: randomUUID(),
      status: 'active',
      currentStep: 0,
      nextStepAt: due.toISOString(),
      linkBaseUrl,
      enrolledAt: now.toISOString(),
      enrolledBy: caller.userId,
      enrolledAs: rightsOf(actorOf(caller)),
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
    const raced = await getEnrollment(caller.tenantId, sequence.id, contact.id);
    outcome.set(contact.id, raced ? skippedFor(raced) : 'already_enrolled');
  });
  return outcome;
}

/** The sequence, readable by the caller, for the enrollment routes. */
const sequenceFor = (caller: Caller, id: string) => readable(sequences, caller, id);

/** The contact of an enrollment route must be one the caller can see (404 otherwise, like a missing one). */
async function visibleContactId(caller: Caller, id: string): Promise<string> {
  const found = (await getContacts(caller.tenantId, [id])).get(id);
  if (!found || !canRead(actorOf(caller), found)) throw notFound('Enrollment');
  return id;
}

/** Read, archive and restore behave as for every record. */
const standard = recordRoutes(sequences);

export const handler = httpHandler(sequenceRoutes, {
  async listSequences({ caller, query, page }) {
    const via = query.q ? { pattern: 'byName' as const, prefix: query.q } : undefined;
    return listPage(sequences, caller, page, { archived: query.archived, via });
  },

  async createSequence({ caller, body }) {
    const steps = withDefaults(body.steps);
    const checks = await templateChecks(caller, steps);
    const record: Sequence = {
      ...newRecordBase({ ownerId: caller.userId, ...(caller.teamId ? { teamId: caller.teamId } : {}) }),
      ...body,
      steps,
      exitOn: body.exitOn ?? [...defaultExitOn],
    };
    await create(sequences, caller, record, checks);
    return created(record, `/sequences/${record.id}`);
  },

  getSequence: standard.get,

  async updateSequence({ caller, params, body, ifMatch }) {
    let checks: Awaited<ReturnType<typeof templateChecks>> = [];
    const record = await update(sequences, caller, params.id, {
      ifMatch,
      // Runs after the read and rights checks, so a stranger learns nothing from a template error.
      change: async (current) => {
        const merged = applyMergePatch(current, body);
        if (!body.steps) return merged;
        const steps = withDefaults(body.steps);
        checks = await templateChecks(caller, steps);
        return { ...merged, steps };
      },
      checks: () => checks,
    });
    return ok(record);
  },

  archiveSequence: standard.archive,
  restoreSequence: standard.restore,

  async enrollInSequence({ caller, params, body, event }) {
    const sequence = await sequenceFor(caller, params.id);
    if (sequence.archived) throw conflict('This sequence is archived; restore it before enrolling contacts');
    const outcome = new Map<string, EnrollSkipReason | 'enrolled'>();
    let candidates: Contact[];
    let order: string[];
    if (body.contactIds) {
      order = body.contactIds;
      const found = await getContacts(caller.tenantId, body.contactIds);
      const actor = actorOf(caller);
      candidates = [];
      for (const id of body.contactIds) {
        const contact = found.get(id);
        if (!contact || contact.archived || !canRead(actor, contact)) outcome.set(id, 'not_found');
        else candidates.push(contact);
      }
    } else {
      candidates = await segmentContacts(caller, body.segmentId ?? '');
      order = candidates.map((contact) => contact.id);
    }
    const results = await enroll(caller, sequence, candidates, publicBaseUrl(event));
    for (const [id, result] of results) outcome.set(id, result);
    const enrolled: string[] = [];
    const skipped: { contactId: string; reason: EnrollSkipReason }[] = [];
    for (const id of order) {
      const result = outcome.get(id);
      if (result === 'enrolled') enrolled.push(id);
      else if (result) skipped.push({ contactId: id, reason: result });
    }
    return ok({ enrolled, skipped });
  },

  async listSequenceEnrollments({ caller, params, query, page }) {
    const sequence = await sequenceFor(caller, params.id);
    const result = await listEnrollments(caller.tenantId, sequence.id, {
      ...(query.status ? { status: query.status } : {}),
      limit: page.limit,
      startKey: page.startKey,
    });
    let items = result.items;
    if (caller.role === 'rep') {
      // A rep sees the enrollments of the contacts they can see.
      const found = await getContacts(
        caller.tenantId,
        items.map((item) => item.contactId),
      );
      const actor = actorOf(caller);
      items = items.filter((item) => {
        const contact = found.get(item.contactId);
        return contact !== undefined && canRead(actor, contact);
      });
    }
    return ok({ items: items.map(enrollmentView), nextCursor: await page.next(result.lastKey) });
  },

  async getSequenceEnrollment({ caller, params }) {
    const sequence = await sequenceFor(caller, params.id);
    const contactId = await visibleContactId(caller, params.contactId);
    const enrollment = await getEnrollment(caller.tenantId, sequence.id, contactId);
    if (!enrollment) throw notFound('Enrollment');
    return ok(enrollmentView(enrollment));
  },

  async unenrollFromSequence({ caller, params }) {
    const sequence = await sequenceFor(caller, params.id);
    const contactId = await visibleContactId(caller, params.contactId);
    const ended = await exitEnrollment(caller.tenantId, sequence.id, contactId, 'manual');
    if (ended) {
      await cancelStep(ended, ended.currentStep);
      return noContent();
    }
    if (!(await getEnrollment(caller.tenantId, sequence.id, contactId))) throw notFound('Enrollment');
    return noContent();
  },
});
