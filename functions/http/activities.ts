import { activityRoutes } from '#shared/api/activities';
import { config } from '#shared/config';
import {
  activityState,
  applyActivityRules,
  type Related,
  type RelatedType,
  relatedKeyOf,
  remindAtProblem,
  reminderScheduleName,
  type ScheduleAction,
  scheduleAction,
} from '#shared/domain/activities';
import { loggingAddress } from '#shared/domain/inbound-email';
import { searchable } from '#shared/domain/text';
import type { Caller } from '#shared/http/auth';
import { httpHandler } from '#shared/http/handler';
import { type FieldError, forbidden, HttpProblem, invalidFields } from '#shared/http/problem';
import { publicBaseUrl } from '#shared/http/public-url';
import {
  create,
  listPage,
  mergePatch,
  newRecordBase,
  ownership,
  readableReference,
  recordRoutes,
  referenceCheck,
  update,
} from '#shared/http/records';
import { created, noContent, ok } from '#shared/http/results';
import { errorFields, logger } from '#shared/observability/logger';
import { getScheduler } from '#shared/schedule/select';
import { type Activity, activities, cases, companies, contacts, deals, leads } from '#shared/store/entities';
import {
  type LoggingAddressSettings,
  loggingAddressSettings,
  rotateLoggingAddress,
} from '#shared/store/inbound-email';
import type { EntityType } from '#shared/store/keys';
import { type EntitySpec, getRecord, listRecords, type StoredRecord } from '#shared/store/records';
import type { TransactItem } from '#shared/store/transactions';

type Check = { item: TransactItem; error: FieldError };

const relatedEntity: Record<RelatedType, EntityType> = {
  contact: contacts.type,
  company: companies.type,
  deal: deals.type,
  lead: leads.type,
  case: cases.type,
};

/** Turns a 400 with field errors into entries of `errors`, so one answer lists every bad field. */
async function collect<T>(errors: FieldError[], work: () => Promise<T>): Promise<T | undefined> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof HttpProblem) || error.status !== 400 || !error.errors?.length) throw error;
    errors.push(...error.errors);
    return undefined;
  }
}

/** `ownership` speaks of owners; an activity's owner is its assignee. */
async function asAssignee<T>(caller: Caller, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof HttpProblem)) throw error;
    if (error.status === 400) {
      throw invalidFields([{ path: 'assigneeId', message: 'is not an active user of this tenant' }]);
    }
    if (error.status === 403) {
      throw forbidden(
        caller.role === 'rep'
          ? 'A rep can only assign activities to themselves'
          : 'A manager can only assign activities to members of their team',
      );
    }
    throw error;
  }
}

/**
 * The record an activity is about must be live, of this tenant and readable by
 * the caller; the returned check repeats "live" inside the write's transaction.
 * The company of a related contact, deal or case comes along: the activity
 * keeps it (`companyId`) so the company's customer report counts it without
 * reading the record.
 */
async function relatedCheck(
  caller: Caller,
  related: Related,
): Promise<Check & { readonly companyId?: string | undefined }> {
  const spec: EntitySpec<StoredRecord> = { type: relatedEntity[related.type], label: related.type };
  const error = { path: 'related.id', message: `is not a live ${related.type} of this tenant you can read` };
  const record = await readableReference(spec, caller, related.id);
  if (!record) throw invalidFields([error]);
  const companyId = companyBearing.has(related.type)
    ? (record as { companyId?: unknown }).companyId
    : undefined;
  return {
    ...referenceCheck(caller, spec, related.id, error.path, error.message),
    ...(typeof companyId === 'string' ? { companyId } : {}),
  };
}

/** Related records whose company an activity keeps (see relatedCheck). */
const companyBearing: ReadonlySet<RelatedType> = new Set(['contact', 'deal', 'case']);

/** The related fields an activity stores: the reference, its list key and a contact's company. */
const relatedFields = (related: Related, companyId: string | undefined) => ({
  related,
  relatedKey: relatedKeyOf(related),
  ...(companyId ? { companyId } : {}),
});

const sameRelated = (a: Related | undefined, b: Related | undefined) =>
  a?.type === b?.type && a?.id === b?.id;

function logError(message: string, context: Record<string, unknown>, error: unknown): void {
  logger.error(message, { ...context, error: errorFields(error) });
}

/**
 * Reminders and the table stay consistent by order: a schedule is created or
 * moved BEFORE the write that makes the activity pending, and canceled AFTER
 * the write that ends it. A schedule the table does not back is harmless (the
 * reminder handler re-reads the activity and does nothing); the reverse, a
 * pending reminder without a schedule, would be lost. So a scheduler failure
 * before the write answers 503 and saves nothing, a failed write puts the
 * schedule back to what the table says, and a failed cancel is only logged.
 */
async function scheduleReminder(
  tenantId: string,
  activityId: string,
  remindAt: string,
  linkBaseUrl: string,
): Promise<void> {
  try {
    const scheduler = await getScheduler();
    await scheduler.schedule({
      name: reminderScheduleName(activityId),
      at: new Date(remindAt),
      target: 'reminder',
      // Where the email's links point: the API's public URL as this request saw it.
      payload: { tenantId, activityId, remindAt, linkBaseUrl },
    });
  } catch (error) {
    logError('Reminder could not be scheduled', { tenantId, activityId, remindAt }, error);
    throw new HttpProblem(503, 'The reminder could not be scheduled, so nothing was saved; retry shortly');
  }
}

async function cancelReminder(tenantId: string, activityId: string): Promise<void> {
  try {
    await (await getScheduler()).cancel(reminderScheduleName(activityId));
  } catch (error) {
    // Harmless: the stray firing finds the activity done, canceled, archived or moved.
    logError('Reminder schedule could not be canceled', { tenantId, activityId }, error);
  }
}

/** After a failed write: make the schedule match what the table holds (best effort). */
async function resyncReminder(tenantId: string, activityId: string, linkBaseUrl: string): Promise<void> {
  try {
    const current = await getRecord(activities, tenantId, activityId, true);
    const scheduler = await getScheduler();
    if (current?.reminderState === 'pending' && current.remindAt) {
      await scheduler.schedule({
        name: reminderScheduleName(activityId),
        at: new Date(current.remindAt),
        target: 'reminder',
        payload: { tenantId, activityId, remindAt: current.remindAt, linkBaseUrl },
      });
    } else {
      await scheduler.cancel(reminderScheduleName(activityId));
    }
  } catch (error) {
    logError('Reminder schedule could not be resynchronised', { tenantId, activityId }, error);
  }
}

interface ChangeOptions {
  readonly ifMatch: number | undefined;
  readonly allowArchived?: boolean;
  /** The new state, before the completion and reminder rules; `current` itself for no change. */
  readonly build: (current: Activity, now: Date) => Promise<Activity>;
  /** Whether the request set `remindAt` (an unchanged pending schedule is then upserted again). */
  readonly resend?: boolean;
  /** The API's public URL as the request saw it, for the reminder email's links. */
  readonly linkBaseUrl: string;
}

/** `update` plus the reminder rules and the schedule that goes with them. */
async function changeActivity(caller: Caller, id: string, options: ChangeOptions): Promise<Activity> {
  // Set by the last attempt of `change` (update may run it again after a lost race).
  const state: { plan: ScheduleAction; scheduled: boolean } = { plan: { kind: 'none' }, scheduled: false };
  try {
    const activity = await update(activities, caller, id, {
      ifMatch: options.ifMatch,
      ...(options.allowArchived ? { allowArchived: true } : {}),
      change: async (current) => {
        const now = new Date();
        const built = await options.build(current, now);
        if (built === current) {
          state.plan = { kind: 'none' };
          return current;
        }
        const next = applyActivityRules(current, built, now);
        const plan = scheduleAction(current, next, { resend: options.resend ?? false, now });
        state.plan = plan;
        if (plan.kind === 'schedule') {
          await scheduleReminder(caller.tenantId, current.id, plan.remindAt, options.linkBaseUrl);
          state.scheduled = true;
        }
        return next;
      },
      checks: (before, after) => {
        const related = after.related;
        return related && !sameRelated(before.related, related)
          ? [
              referenceCheck(
                caller,
                { type: relatedEntity[related.type], label: related.type },
                related.id,
                'related.id',
                `is not a live ${related.type} of this tenant you can read`,
              ),
            ]
          : [];
      },
    });
    if (state.plan.kind === 'cancel') await cancelReminder(caller.tenantId, activity.id);
    // An earlier attempt moved the schedule but the one that won planned nothing: realign it.
    else if (state.plan.kind === 'none' && state.scheduled)
      await resyncReminder(caller.tenantId, activity.id, options.linkBaseUrl);
    return activity;
  } catch (error) {
    if (state.scheduled) await resyncReminder(caller.tenantId, id, options.linkBaseUrl);
    throw error;
  }
}

const setArchived = (
  caller: Caller,
  id: string,
  ifMatch: number | undefined,
  archived: boolean,
  linkBaseUrl: string,
) =>
  changeActivity(caller, id, {
    ifMatch,
    allowArchived: true,
    linkBaseUrl,
    build: async (current) => (current.archived === archived ? current : { ...current, archived }),
  });

const subjectMatches = (activity: Activity, prefix: string) =>
  searchable(activity.subject).startsWith(searchable(prefix));

/** Reading behaves as for every record. */
const standard = recordRoutes(activities);

export const handler = httpHandler(activityRoutes, {
  async listActivities({ caller, query, page }) {
    const { q, assigneeId, status, related, dueBefore, archived } = query;
    const via = related
      ? { pattern: 'byParent' as const, parentId: related }
      : assigneeId && status
        ? { pattern: 'byState' as const, state: activityState({ status, ownerId: assigneeId }) }
        : assigneeId
          ? { pattern: 'byOwner' as const, ownerId: assigneeId }
          : q
            ? { pattern: 'byName' as const, prefix: q }
            : undefined;
    const equals: Record<string, string> = {};
    if (status && via?.pattern !== 'byState') equals.status = status;
    if (assigneeId && via?.pattern !== 'byOwner' && via?.pattern !== 'byState') equals.ownerId = assigneeId;
    return listPage(activities, caller, page, {
      archived,
      via,
      filter: { equals },
      // Range and prefix conditions the index cannot take are applied to the page read.
      keep: (activity) =>
        (!dueBefore || (activity.dueAt !== undefined && activity.dueAt < dueBefore)) &&
        (!q || via?.pattern === 'byName' || subjectMatches(activity, q)),
    });
  },

  async createActivity({ caller, body, event }) {
    const now = new Date();
    const { assigneeId, related, status, ...fields } = body;
    const errors: FieldError[] = [];
    const remindProblem = fields.remindAt ? remindAtProblem(fields.remindAt, now) : undefined;
    if (remindProblem) errors.push({ path: 'remindAt', message: remindProblem });
    const owner = await collect(errors, () => asAssignee(caller, () => ownership(caller, assigneeId)));
    const check = related ? await collect(errors, () => relatedCheck(caller, related)) : undefined;
    if (errors.length > 0 || !owner) throw invalidFields(errors);
    const draft: Activity = {
      ...newRecordBase(owner, now),
      ...fields,
      assigneeId: owner.ownerId,
      status: status ?? 'open',
      ...(related ? relatedFields(related, check?.companyId) : {}),
      reminderState: 'none',
    };
    const activity = applyActivityRules(undefined, draft, now);
    const plan = scheduleAction(undefined, activity);
    const linkBaseUrl = publicBaseUrl(event);
    if (plan.kind === 'schedule')
      await scheduleReminder(caller.tenantId, activity.id, plan.remindAt, linkBaseUrl);
    try {
      await create(activities, caller, activity, check ? [check] : []);
    } catch (error) {
      if (plan.kind === 'schedule') await resyncReminder(caller.tenantId, activity.id, linkBaseUrl);
      throw error;
    }
    return created(activity, `/activities/${activity.id}`);
  },

  getActivity: standard.get,

  async updateActivity({ caller, params, body, ifMatch, event }) {
    const { assigneeId, ...rest } = body;
    const activity = await changeActivity(caller, params.id, {
      ifMatch,
      linkBaseUrl: publicBaseUrl(event),
      resend: typeof body.remindAt === 'string',
      build: async (current, now) => {
        const merged = await asAssignee(caller, () =>
          mergePatch(caller, current, { ...rest, ...(assigneeId ? { ownerId: assigneeId } : {}) }),
        );
        const {
          relatedKey: _previous,
          companyId: previousCompany,
          ...next
        } = { ...merged, assigneeId: merged.ownerId };
        const errors: FieldError[] = [];
        if (next.remindAt && next.remindAt !== current.remindAt) {
          const problem = remindAtProblem(next.remindAt, now);
          if (problem) errors.push({ path: 'remindAt', message: problem });
        }
        const related = next.related;
        let companyId = previousCompany;
        if (related && !sameRelated(current.related, related)) {
          companyId = (await collect(errors, () => relatedCheck(caller, related)))?.companyId;
        }
        if (errors.length > 0) throw invalidFields(errors);
        return related ? { ...next, ...relatedFields(related, companyId) } : next;
      },
    });
    return ok(activity);
  },

  async archiveActivity({ caller, params, ifMatch, event }) {
    await setArchived(caller, params.id, ifMatch, true, publicBaseUrl(event));
    return noContent();
  },

  async restoreActivity({ caller, params, event }) {
    return ok(await setArchived(caller, params.id, undefined, false, publicBaseUrl(event)));
  },

  /**
   * The caller's open activities by due time (undated last), one page a
   * Query: the state index's `open#<me>` partition is sorted by agendaKey
   * (shared/store/entities.ts), so however many there are, each page reads
   * only what it returns (archived ones are filtered out of the read).
   */
  async getAgenda({ caller, page }) {
    const mine = await listRecords(activities, caller.tenantId, {
      archived: false,
      limit: page.limit,
      startKey: page.startKey,
      via: { pattern: 'byState', state: activityState({ status: 'open', ownerId: caller.userId }) },
      ascending: true,
    });
    return ok({ items: mine.items, nextCursor: await page.next(mine.lastKey) });
  },

  async getInboundEmailAddress({ caller }) {
    return ok(addressView(inboundDomain(), await loggingAddressSettings(caller.tenantId)));
  },

  async rotateInboundEmailAddress({ caller }) {
    const domain = inboundDomain();
    return ok(addressView(domain, await rotateLoggingAddress(caller.tenantId, caller.userId)));
  },
});

/** The deployment's inbound domain; 404 when it has none (`-c inboundEmailDomain=...` not set). */
function inboundDomain(): string {
  const domain = config.inboundEmailDomain;
  if (!domain) throw new HttpProblem(404, 'Inbound email is not configured for this deployment');
  return domain;
}

const addressView = (domain: string, settings: LoggingAddressSettings) => ({
  address: loggingAddress(settings.token, domain),
  domain,
  ...(settings.rotatedAt ? { rotatedAt: settings.rotatedAt } : {}),
});
