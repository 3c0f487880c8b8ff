import { ulid } from 'ulid';
import { sequenceRoutes } from '#shared/api/sequences';
import { canRead } from '#shared/domain/access';
import { applyMergePatch } from '#shared/domain/merge-patch';
import {
  defaultExitOn,
  type EnrollSkipReason,
  MAX_SEGMENT_ENROLLMENT,
  type SequenceStep,
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
import { getQueue } from '#shared/queue/select';
import type { SequenceCreate } from '#shared/schemas/sequences';
import { createEnrollmentJob, enrollmentJobView, getEnrollmentJob } from '#shared/store/enrollment-jobs';
import type { Contact } from '#shared/store/entities';
import { rightsOf } from '#shared/store/readers';
import { resolveSegment } from '#shared/store/segment-resolution';
import { segments } from '#shared/store/segments';
import {
  cancelStep,
  enrollContacts,
  enrollmentView,
  exitEnrollment,
  getContacts,
  getEnrollment,
  listEnrollments,
  type Sequence,
  sequences,
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

/**
 * The contacts a segment resolves to now, as far as the caller may see them,
 * when there are at most MAX_SEGMENT_ENROLLMENT; undefined past that (the
 * segment is then enrolled by a background job), read no further.
 */
async function segmentContacts(caller: Caller, segmentId: string): Promise<Contact[] | undefined> {
  const segment = await readableReference(segments, caller, segmentId);
  if (!segment)
    throw invalidFields([
      { path: 'segmentId', message: 'is not a live segment of this tenant that you can see' },
    ]);
  const found: Contact[] = [];
  for await (const page of resolveSegment(caller.tenantId, segment.filter, { reader: actorOf(caller) })) {
    found.push(...page);
    if (found.length > MAX_SEGMENT_ENROLLMENT) return undefined;
  }
  return found;
}

/** Queues the enrollment of a large segment: 202 with the job, to follow at its Location. */
async function enrollInBackground(
  caller: Caller,
  sequenceId: string,
  segmentId: string,
  linkBaseUrl: string,
) {
  const job = await createEnrollmentJob({
    tenantId: caller.tenantId,
    id: ulid(),
    sequenceId,
    segmentId,
    requestedBy: caller.userId,
    requesterRights: rightsOf(actorOf(caller)),
    linkBaseUrl,
  });
  await (await getQueue()).sendMessages('sequenceEnroll', [{ tenantId: caller.tenantId, jobId: job.id }]);
  return {
    status: 202 as const,
    body: enrollmentJobView(job),
    headers: { location: `/sequences/${sequenceId}/enrollment-jobs/${job.id}` },
  };
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
      const segmentId = body.segmentId ?? '';
      const matched = await segmentContacts(caller, segmentId);
      if (!matched) return enrollInBackground(caller, sequence.id, segmentId, publicBaseUrl(event));
      candidates = matched;
      order = candidates.map((contact) => contact.id);
    }
    const results = await enrollContacts({
      tenantId: caller.tenantId,
      sequence,
      candidates,
      linkBaseUrl: publicBaseUrl(event),
      enrolledBy: caller.userId,
      enrolledAs: rightsOf(actorOf(caller)),
    });
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

  async getSequenceEnrollmentJob({ caller, params }) {
    const sequence = await sequenceFor(caller, params.id);
    const job = await getEnrollmentJob(caller.tenantId, params.jobId);
    // A rep follows their own jobs; managers and admins, who read the whole tenant, any job.
    const visible =
      job !== undefined &&
      job.sequenceId === sequence.id &&
      (caller.role !== 'rep' || job.requestedBy === caller.userId);
    if (!visible) throw notFound('Enrollment job');
    return ok(enrollmentJobView(job));
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
