import * as z from 'zod/mini';
import {
  enrollmentJobStatuses,
  enrollmentStatuses,
  enrollSkipReasons,
  exitReasons,
  exitTriggers,
  MAX_DELAY_HOURS,
  MAX_ENROLL_CONTACTS,
  MAX_STEPS,
  stepConditions,
} from '../domain/sequence.ts';
import {
  displayName,
  email,
  listQuery,
  mergePatchOf,
  nonEmpty,
  recordBase,
  searchText,
  ulid,
} from './common.ts';
import { lazy } from './lazy.ts';

const unique = <T>(list: readonly T[]) => new Set(list).size === list.length;

const step = () =>
  z.strictObject({
    delayHours: z.number().check(z.gte(0), z.lte(MAX_DELAY_HOURS)),
    templateId: ulid(),
    condition: z.optional(z.enum(stepConditions)),
  });

const sequenceFields = () => ({
  name: nonEmpty(200),
  steps: z.array(step()).check(
    z.minLength(1),
    z.maxLength(MAX_STEPS),
    // Step 0 has no earlier email to look at.
    z.refine((steps) => (steps[0]?.condition ?? 'always') === 'always', {
      message: 'the first step must have the condition `always`',
      path: ['0', 'condition'],
    }),
  ),
  exitOn: z.optional(z.array(z.enum(exitTriggers)).check(z.refine(unique, 'must not repeat a trigger'))),
  /** The sender of the sequence's emails; default the deployment's MAIL_FROM (a verified SES identity). */
  fromEmail: z.optional(email()),
  fromName: z.optional(displayName()),
  /** Where replies go, e.g. the rep who runs the sequence. */
  replyTo: z.optional(email()),
});

/** A background enrollment of a segment: its progress and counts (shared/store/enrollment-jobs.ts). */
const enrollmentJob = () =>
  z.object({
    id: z.string(),
    sequenceId: z.string(),
    segmentId: z.string(),
    status: z.enum(enrollmentJobStatuses),
    requestedBy: z.string(),
    createdAt: z.string(),
    updatedAt: z.string(),
    chunks: z.optional(z.number()),
    chunksDone: z.number(),
    enrolled: z.number(),
    skipped: z.object(
      Object.fromEntries(enrollSkipReasons.map((reason) => [reason, z.number()])) as Record<
        (typeof enrollSkipReasons)[number],
        z.ZodMiniNumber
      >,
    ),
    finishedAt: z.optional(z.string()),
    error: z.optional(z.string()),
  });

export const sequenceSchemas = /* @__PURE__ */ lazy(() => {
  const fields = sequenceFields();
  return {
    create: z.strictObject(fields),
    patch: mergePatchOf(fields, ['name', 'steps', 'exitOn']),
    record: z.object({
      ...fields,
      ...recordBase(),
      steps: z.array(
        z.object({ delayHours: z.number(), templateId: z.string(), condition: z.enum(stepConditions) }),
      ),
      exitOn: z.array(z.enum(exitTriggers)),
    }),
    listQuery: z.strictObject({ ...listQuery(), q: z.optional(searchText(200)) }),
    enroll: z
      .strictObject({
        contactIds: z.optional(
          z
            .array(ulid())
            .check(
              z.minLength(1),
              z.maxLength(MAX_ENROLL_CONTACTS),
              z.refine(unique, 'must not repeat a contact'),
            ),
        ),
        segmentId: z.optional(ulid()),
      })
      .check(
        z.refine(
          (body) => (body.contactIds === undefined) !== (body.segmentId === undefined),
          'give exactly one of contactIds and segmentId',
        ),
      ),
    /** Every contact's outcome (200), or a large segment's background job (202). */
    enrolled: z.union([
      z.object({
        enrolled: z.array(z.string()),
        skipped: z.array(z.object({ contactId: z.string(), reason: z.enum(enrollSkipReasons) })),
      }),
      enrollmentJob(),
    ]),
    enrollmentJob: enrollmentJob(),
    enrollment: z.object({
      sequenceId: z.string(),
      contactId: z.string(),
      status: z.enum(enrollmentStatuses),
      exitReason: z.optional(z.enum(exitReasons)),
      currentStep: z.number(),
      nextStepAt: z.optional(z.string()),
      skippedSteps: z.optional(z.array(z.number())),
      enrolledAt: z.string(),
      enrolledBy: z.string(),
      updatedAt: z.string(),
      completedAt: z.optional(z.string()),
      exitedAt: z.optional(z.string()),
    }),
    enrollmentsQuery: z.strictObject({
      limit: listQuery().limit,
      cursor: listQuery().cursor,
      status: z.optional(z.enum(enrollmentStatuses)),
    }),
  };
});

type Schemas = ReturnType<typeof sequenceSchemas>;
export type SequenceCreate = z.output<Schemas['create']>;
export type SequencePatch = z.output<Schemas['patch']>;
export type EnrollRequest = z.output<Schemas['enroll']>;
