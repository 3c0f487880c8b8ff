import { caseRoutes } from '#shared/api/cases';
import { alertSettingsOf } from '#shared/domain/alerts';
import {
  type CasePriority,
  defaultSlaHours,
  isUnresolved,
  moveCase,
  type SlaHours,
  type SlaScheduleChange,
  slaDueAt,
  slaHoursOf,
  slaScheduleChange,
  slaWatched,
  withSla,
} from '#shared/domain/cases';
import { newCsatNonce, signCsatToken, verifyCsatToken } from '#shared/domain/csat-token';
import type { Caller } from '#shared/http/auth';
import { etagOf } from '#shared/http/etag';
import { httpHandler } from '#shared/http/handler';
import { conflict, type FieldError, HttpProblem, invalidFields, notFound } from '#shared/http/problem';
import {
  archive,
  create,
  listPage,
  mergePatch,
  newRecordBase,
  ownership,
  readable,
  readableReference,
  referenceCheck,
  restore,
  update,
} from '#shared/http/records';
import { created, html, noContent, ok } from '#shared/http/results';
import { requireAdmin } from '#shared/http/roles';
import { logger } from '#shared/observability/logger';
import { getScheduler } from '#shared/schedule/select';
import type { CaseCreate, CasePatch } from '#shared/schemas/cases';
import { getSigningKey } from '#shared/secrets';
import { getAlertSettings, putAlertSettings } from '#shared/store/alerts';
import { getSlaSettings, putSlaSettings, recordCsat } from '#shared/store/cases';
import { type Case, cases, companies, contacts } from '#shared/store/entities';
import { getRecord } from '#shared/store/records';

/** What clients see of a case: everything but the nonce that binds its satisfaction link. */
const view = (record: Case) => {
  const { csatNonce: _nonce, ...shown } = record;
  return shown;
};

/** The assignee owns the case; `ownership` speaks of `ownerId`, the client sent `assigneeId`. */
async function assignee(caller: Caller, assigneeId: string | undefined) {
  try {
    return await ownership(caller, assigneeId);
  } catch (error) {
    if (error instanceof HttpProblem && error.status === 400)
      throw invalidFields([{ path: 'assigneeId', message: 'is not an active user of this tenant' }]);
    throw error;
  }
}

/**
 * The contact and company a case newly points at must be live records the
 * caller can see: one 400 lists every bad reference. (The write re-checks
 * existence in its own transaction.)
 */
async function referenceProblems(
  caller: Caller,
  links: { contactId?: string | undefined; companyId?: string | undefined },
): Promise<{ errors: FieldError[]; contactCompanyId?: string }> {
  const [contact, company] = await Promise.all([
    readableReference(contacts, caller, links.contactId),
    readableReference(companies, caller, links.companyId),
  ]);
  const errors: FieldError[] = [];
  if (links.contactId && !contact)
    errors.push({ path: 'contactId', message: 'is not a live contact of this tenant that you can see' });
  if (links.companyId && !company)
    errors.push({ path: 'companyId', message: 'is not a live company of this tenant that you can see' });
  return { errors, ...(contact?.companyId ? { contactCompanyId: contact.companyId } : {}) };
}

const slaScheduleName = (caseId: string) => `sla-${caseId}`;

/**
 * Keeps the case's one-time SLA check in step with the case: created with it,
 * moved when `slaDueAt` changes, deleted when it is resolved, closed or
 * archived. A due time already past fires at once. `change` comes from
 * slaScheduleChange(before, after); `'sync'` (a request that touched priority
 * or status) re-asserts whatever the case needs now, so retrying a request
 * whose schedule call failed after the write repairs the schedule.
 *
 * Creating or moving is essential and fails the request; deleting is tidying
 * only (the check re-reads the case and does nothing for one that stopped
 * waiting), so a failed delete is logged and the request still succeeds.
 */
async function syncSlaSchedule(
  tenantId: string,
  change: SlaScheduleChange | 'sync',
  record: Case,
): Promise<void> {
  const effective = change === 'sync' ? (slaWatched(record) ? 'schedule' : 'cancel') : change;
  if (effective === 'none') return;
  if (effective === 'cancel') {
    try {
      await (await getScheduler()).cancel(slaScheduleName(record.id));
    } catch (error) {
      logger.warn('SLA schedule not deleted', { caseId: record.id, error: String(error) });
    }
    return;
  }
  await (await getScheduler()).schedule({
    name: slaScheduleName(record.id),
    at: new Date(Math.max(Date.parse(record.slaDueAt), Date.now())),
    target: 'slaCheck',
    payload: { tenantId, caseId: record.id, slaDueAt: record.slaDueAt },
  });
}

/** Tenant hours, read only for the changes that need them. */
const hoursFor = async (caller: Caller, body: CasePatch): Promise<SlaHours> =>
  body.priority !== undefined || body.status !== undefined
    ? slaHoursOf(await getSlaSettings(caller.tenantId))
    : defaultSlaHours;

/** The public link of a resolved case, or null when no link can be issued (already rated). */
async function csatUrl(tenantId: string, record: Case): Promise<string | null> {
  if (!record.csatNonce) return null;
  try {
    const token = signCsatToken(
      { tenantId, caseId: record.id, nonce: record.csatNonce },
      await getSigningKey(),
    );
    return `/s/${token}`;
  } catch (error) {
    // Only a tenant id too long for a path parameter gets here; the case is resolved all the same.
    logger.warn('no satisfaction link', { error: String(error) });
    return null;
  }
}

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char] ?? char,
  );

const csatPage = (subject: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>How did we do?</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem}
fieldset{border:0;padding:0}label{margin-right:1rem}textarea{width:100%;min-height:6rem}</style></head>
<body><h1>How did we do?</h1>
<p>Your request “${escapeHtml(subject)}” has been resolved. How satisfied are you?</p>
<form id="csat"><fieldset>${[1, 2, 3, 4, 5]
  .map((score) => `<label><input type="radio" name="score" value="${score}" required> ${score}</label>`)
  .join('')}</fieldset>
<p><label for="comment">Anything to add? (optional)</label><br>
<textarea id="comment" name="comment" maxlength="2000"></textarea></p>
<button type="submit">Send</button></form>
<p id="result" role="status"></p>
<script>
document.getElementById('csat').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  const comment = String(form.get('comment') || '').trim();
  const response = await fetch(location.pathname, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ score: Number(form.get('score')), ...(comment ? { comment } : {}) }),
  });
  event.target.hidden = true;
  document.getElementById('result').textContent = response.ok
    ? 'Thank you for your feedback.'
    : 'This link has already been used or is no longer valid.';
});
</script></body></html>
`;

export const handler = httpHandler(caseRoutes, {
  async listCases({ caller, query, page }) {
    const { q, status, priority, type, assigneeId, contactId, companyId, archived } = query;
    // The narrowest index answers; the other filters narrow its partition.
    const via = contactId
      ? { pattern: 'byParent' as const, parentId: contactId }
      : assigneeId
        ? { pattern: 'byOwner' as const, ownerId: assigneeId }
        : status
          ? { pattern: 'byState' as const, state: status }
          : q
            ? { pattern: 'byName' as const, prefix: q }
            : undefined;
    const equals: Record<string, string> = {};
    if (assigneeId && via?.pattern !== 'byOwner') equals.ownerId = assigneeId;
    if (status && via?.pattern !== 'byState') equals.status = status;
    if (priority) equals.priority = priority;
    if (type) equals.type = type;
    if (companyId) equals.companyId = companyId;
    const prefix = q && via?.pattern !== 'byName' ? q.toLowerCase() : undefined;
    return listPage(cases, caller, page, {
      archived,
      via,
      filter: { equals },
      ...(prefix ? { keep: (record: Case) => record.subject.toLowerCase().startsWith(prefix) } : {}),
      view,
    });
  },

  async createCase({ caller, body }) {
    const { assigneeId, contactId, companyId, priority = 'normal', ...fields }: CaseCreate = body;
    const [owner, references, settings] = await Promise.all([
      assignee(caller, assigneeId),
      referenceProblems(caller, { contactId, companyId }),
      getSlaSettings(caller.tenantId),
    ]);
    if (references.errors.length > 0) throw invalidFields(references.errors);
    const base = newRecordBase(owner);
    const company = companyId ?? references.contactCompanyId;
    const record: Case = {
      ...base,
      ...fields,
      priority: priority as CasePriority,
      status: 'new',
      contactId,
      ...(company ? { companyId: company } : {}),
      assigneeId: owner.ownerId,
      slaStartAt: base.createdAt,
      slaDueAt: slaDueAt(base.createdAt, priority, settings),
    };
    const checks = [
      referenceCheck(caller, contacts, contactId, 'contactId'),
      ...(companyId ? [referenceCheck(caller, companies, companyId, 'companyId')] : []),
    ];
    // Scheduled first: a check left by a failed write finds no case and does nothing,
    // whereas a case written without its check would never be flagged.
    await syncSlaSchedule(caller.tenantId, 'schedule', record);
    try {
      await create(cases, caller, record, checks);
    } catch (error) {
      await syncSlaSchedule(caller.tenantId, 'cancel', record);
      throw error;
    }
    return created(view(record), `/cases/${record.id}`);
  },

  async getCase({ caller, params }) {
    return ok(view(await readable(cases, caller, params.id)));
  },

  async updateCase({ caller, params, body, ifMatch }) {
    const hours = await hoursFor(caller, body);
    let before: Case | undefined;
    const record = await update(cases, caller, params.id, {
      ifMatch,
      change: async (current) => {
        before = current;
        if (current.status === 'closed') throw conflict('A closed case cannot be changed');
        const { status, priority, assigneeId, ...rest } = body;
        if (status === 'resolved' && current.status !== 'resolved') {
          throw invalidFields([
            { path: 'status', message: 'cannot be set to resolved here; use POST /cases/{id}/resolve' },
          ]);
        }
        const references = await referenceProblems(caller, {
          ...(body.contactId && body.contactId !== current.contactId ? { contactId: body.contactId } : {}),
          ...(body.companyId && body.companyId !== current.companyId ? { companyId: body.companyId } : {}),
        });
        if (references.errors.length > 0) throw invalidFields(references.errors);
        const merged = await mergePatch(caller, current, {
          ...rest,
          ...(assigneeId !== undefined ? { ownerId: assigneeId } : {}),
        }).catch((error: unknown) => {
          if (error instanceof HttpProblem && error.status === 400)
            throw invalidFields([{ path: 'assigneeId', message: 'is not an active user of this tenant' }]);
          throw error;
        });
        const now = new Date();
        let next: Case = { ...merged, assigneeId: merged.ownerId };
        if (priority !== undefined && priority !== current.priority)
          next = withSla({ ...next, priority }, hours, now);
        if (status !== undefined) {
          const moved = moveCase(next, status, hours, now);
          if (!moved.ok) throw conflict(moved.message);
          next = moved.case;
        }
        return next;
      },
      checks: (previous, next) => [
        ...(next.contactId !== previous.contactId
          ? [referenceCheck(caller, contacts, next.contactId, 'contactId')]
          : []),
        ...(next.companyId && next.companyId !== previous.companyId
          ? [referenceCheck(caller, companies, next.companyId, 'companyId')]
          : []),
      ],
    });
    const touchesSla = body.priority !== undefined || body.status !== undefined;
    await syncSlaSchedule(caller.tenantId, touchesSla ? 'sync' : slaScheduleChange(before, record), record);
    return ok(view(record));
  },

  async archiveCase({ caller, params, ifMatch }) {
    const record = await archive(cases, caller, params.id, ifMatch);
    if (isUnresolved(record.status)) await syncSlaSchedule(caller.tenantId, 'cancel', record);
    return noContent();
  },

  async restoreCase({ caller, params }) {
    const record = await restore(cases, caller, params.id);
    await syncSlaSchedule(caller.tenantId, 'sync', record);
    return ok(view(record));
  },

  async resolveCase({ caller, params, body, ifMatch }) {
    let before: Case | undefined;
    const record = await update(cases, caller, params.id, {
      ifMatch,
      change: (current) => {
        before = current;
        if (current.status === 'resolved') throw conflict('The case is already resolved');
        // SLA hours only matter to a reopening, not to resolving.
        const moved = moveCase(current, 'resolved', defaultSlaHours, new Date());
        if (!moved.ok) throw conflict(moved.message);
        const { csatNonce: _previous, ...rest } = moved.case;
        // One rating per case: once rated, resolving again issues no new link.
        return {
          ...rest,
          resolution: body.resolution,
          ...(current.csatScore === undefined ? { csatNonce: newCsatNonce() } : {}),
        };
      },
    });
    await syncSlaSchedule(caller.tenantId, slaScheduleChange(before, record), record);
    // The ETag is the case's, as for the record routes.
    return {
      ...ok({ case: view(record), csatUrl: await csatUrl(caller.tenantId, record) }),
      headers: { etag: etagOf(record.version) },
    };
  },

  async getSlaSettings({ caller }) {
    return ok(await getSlaSettings(caller.tenantId));
  },

  async putSlaSettings({ caller, body }) {
    requireAdmin(caller);
    return ok(await putSlaSettings(caller.tenantId, slaHoursOf(body), caller.userId));
  },

  async getAlertSettings({ caller }) {
    return ok(await getAlertSettings(caller.tenantId));
  },

  async putAlertSettings({ caller, body }) {
    requireAdmin(caller);
    return ok(await putAlertSettings(caller.tenantId, alertSettingsOf(body), caller.userId));
  },

  async getCsatForm({ params }) {
    const claim = verifyCsatToken(params.token, await getSigningKey());
    const record = claim && (await getRecord(cases, claim.tenantId, claim.caseId));
    if (!claim || !record || record.csatNonce !== claim.nonce || record.csatScore !== undefined)
      throw notFound('Link');
    return html(csatPage(record.subject));
  },

  async submitCsat({ params, body }) {
    const claim = verifyCsatToken(params.token, await getSigningKey());
    if (!claim) throw notFound('Link');
    const recorded = await recordCsat(claim.tenantId, claim.caseId, claim.nonce, {
      score: body.score,
      ...(body.comment ? { comment: body.comment } : {}),
    });
    if (!recorded) throw notFound('Link');
    return ok({ thanks: true });
  },
});
