import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { formRoutes } from '#shared/api/forms';
import { type CustomFieldDefinition, withCustomGroups } from '#shared/domain/custom-fields';
import {
  CONFIRM_LINK_SECONDS,
  formConfirmUrl,
  formSubmitUrl,
  signConfirmToken,
  signFormId,
  sourceAddressHash,
  verifyConfirmToken,
  verifyFormId,
} from '#shared/domain/form-token';
import {
  embedSnippet,
  formFieldIssues,
  HONEYPOT_FIELD,
  isAnswered,
  type MarketingConsent,
  PER_FORM_LIMIT,
  PER_IP_LIMIT,
  type RateLimit,
  REFERRER_FIELD,
  referrerOf,
  textOf,
  utmOf,
} from '#shared/domain/forms';
import { applyMergePatch } from '#shared/domain/merge-patch';
import { asciiUrl } from '#shared/domain/urls';
import type { Caller } from '#shared/http/auth';
import { readSubmission, type SubmissionEncoding, submittedLead } from '#shared/http/form-submission';
import { httpHandler } from '#shared/http/handler';
import { escapeHtml, pageResult } from '#shared/http/pages';
import { HttpProblem, invalidFields, notFound } from '#shared/http/problem';
import { publicBaseUrl } from '#shared/http/public-url';
import { archive, create, listPage, newRecordBase, readable, restore, update } from '#shared/http/records';
import { created, type HttpResult, noContent, ok } from '#shared/http/results';
import type { Mailer } from '#shared/mail/mailer';
import { sesMailer } from '#shared/mail/ses-mailer';
import { logFailure, logger } from '#shared/observability/logger';
import type { FormCreate, FormPatch } from '#shared/schemas/forms';
import { getSigningKey } from '#shared/secrets';
import { actingAs } from '#shared/store/actor';
import { readCustomFieldDefinitions } from '#shared/store/custom-fields';
import { type Lead, leads } from '#shared/store/entities';
import { type Form, forms, takeSubmission } from '#shared/store/forms';
import { ruleAssignee } from '#shared/store/lead-assignment';
import { clientView, createRecord, getRecord, replaceRecord } from '#shared/store/records';

/** Stamped as `createdBy`/`updatedBy` on what a form's visitors write: nobody signed in did. */
export const FORM_ACTOR = 'system:web-form';

/** What a submission is checked against besides its form: the rate limits, the clock, the mailer. */
export interface SubmitPolicy {
  readonly perIp: RateLimit;
  readonly perForm: RateLimit;
  /** Epoch ms. */
  readonly now: () => number;
  readonly mailer: () => Mailer;
}

let transactional: Mailer | undefined;

export const defaultSubmitPolicy: SubmitPolicy = {
  perIp: PER_IP_LIMIT,
  perForm: PER_FORM_LIMIT,
  now: Date.now,
  mailer: () => {
    transactional ??= sesMailer();
    return transactional;
  },
};

/**
 * How forms are shown: with their submit URL, embed snippet and honeypot name.
 * Reads the signing key and the lead custom fields (the snippet's labels) once.
 */
async function formView(event: APIGatewayProxyEventV2, tenantId: string) {
  const [key, definitions] = await Promise.all([
    getSigningKey(),
    readCustomFieldDefinitions(tenantId, 'leads'),
  ]);
  const baseUrl = publicBaseUrl(event);
  return (form: Form) => {
    const submitUrl = formSubmitUrl(baseUrl, signFormId({ tenantId, formId: form.id }, key));
    return {
      ...clientView(forms, form),
      submitUrl,
      embedHtml: embedSnippet(submitUrl, form.fields, definitions),
      honeypotField: HONEYPOT_FIELD,
    };
  };
}

/** One form as its routes answer it. */
const shownForm = async (event: APIGatewayProxyEventV2, tenantId: string, form: Form) =>
  (await formView(event, tenantId))(form);

/** 400 listing every problem of the form's fields against the lead custom fields (formFieldIssues). */
async function checkFields(caller: Caller, form: Pick<Form, 'fields' | 'doubleOptIn'>): Promise<void> {
  const definitions = await readCustomFieldDefinitions(caller.tenantId, 'leads');
  const issues = formFieldIssues(form.fields, definitions, form.doubleOptIn);
  if (issues.length > 0) throw invalidFields(issues);
}

function newForm(caller: Caller, body: FormCreate): Form {
  const owner = { ownerId: caller.userId, ...(caller.teamId ? { teamId: caller.teamId } : {}) };
  return { ...newRecordBase(owner), ...body, doubleOptIn: body.doubleOptIn ?? false };
}

/** `fields` is one choice: a patch replaces it whole rather than merging lists. */
function patched(current: Form, body: FormPatch): Form {
  const { fields, ...rest } = body;
  const next = applyMergePatch(current, rest);
  return fields ? { ...next, fields } : next;
}

// --- The public pages -------------------------------------------------------

const thankYouPage = (doubleOptIn: boolean) =>
  pageResult(
    201,
    'Thank you',
    doubleOptIn
      ? '<p>We received your details. Please check your inbox and click the link in our email to confirm your subscription.</p>'
      : '<p>We received your details and will be in touch.</p>',
  );

/** Whether the client asked for HTML first-hand (a browser), not merely accepting anything. */
const acceptsHtml = (event: APIGatewayProxyEventV2) => /\btext\/html\b/i.test(event.headers.accept ?? '');

const notFoundPage = (what: string) =>
  pageResult(
    404,
    `${what} not found`,
    '<p>This link does not work (any more). Check that you copied it whole.</p>',
  );

/**
 * A problem as the client that sent the form reads it: problem+json for JSON,
 * a page for a browser's form post (with `Retry-After` on a 429 either way).
 */
function problemFor(
  encoding: SubmissionEncoding | undefined,
  problem: HttpProblem,
  retryAfter?: number,
): HttpResult {
  const headers: Record<string, string> =
    retryAfter !== undefined ? { 'retry-after': String(retryAfter) } : {};
  if (encoding !== 'form') {
    // The problem+json shape every route answers: each error's path and message (labels are for pages).
    const errors = problem.errors?.map(({ path, message }) => ({ path, message }));
    return {
      status: problem.status,
      body: JSON.stringify(new HttpProblem(problem.status, problem.detail, errors)),
      headers: { 'content-type': 'application/problem+json', ...headers },
    };
  }
  const listed = (problem.errors ?? [])
    .map((error) => {
      const label = (error as { label?: string }).label ?? error.path;
      return `<li>${escapeHtml(label)} ${escapeHtml(error.message)}</li>`;
    })
    .join('');
  const title = problem.status === 429 ? 'Please try again later' : 'Please check the form';
  const content =
    problem.status === 429
      ? `<p>We received many submissions just now. Please try again in ${retryAfter ?? 60} seconds.</p>`
      : `<p>${escapeHtml(problem.detail)}</p>${listed ? `<ul>${listed}</ul>` : ''}<p>Go back, correct it and send it again.</p>`;
  return pageResult(problem.status, title, content, headers);
}

/** What the client is told once a submission is taken (or silently dropped as spam: the same answer). */
function successFor(encoding: SubmissionEncoding, form: Form): HttpResult {
  if (encoding === 'json')
    return {
      status: 201,
      body: { status: form.doubleOptIn ? 'confirmation_required' : 'received' },
    };
  // 303: the browser follows with a GET, so a reload never posts the form again.
  if (form.redirectUrl)
    return { status: 303, headers: { location: asciiUrl(form.redirectUrl) ?? form.redirectUrl } };
  return thankYouPage(form.doubleOptIn);
}

/** The live form a public id names, or undefined (tampered, foreign, archived, deleted). */
async function publicForm(publicId: string): Promise<{ tenantId: string; form: Form } | undefined> {
  const claim = verifyFormId(publicId, await getSigningKey());
  if (!claim) return undefined;
  const form = await getRecord(forms, claim.tenantId, claim.formId);
  return form && !form.archived ? { tenantId: claim.tenantId, form } : undefined;
}

/** Takes the submission from the source address's bucket, then the form's; the first empty one says when to retry. */
async function admitted(
  policy: SubmitPolicy,
  tenantId: string,
  form: Form,
  sourceIp: string,
): Promise<number | undefined> {
  const now = policy.now();
  const ipHash = sourceAddressHash(tenantId, sourceIp, await getSigningKey());
  const byAddress = await takeSubmission(tenantId, { ipHash }, policy.perIp, now);
  if (!byAddress.ok) return byAddress.retryAfter;
  const byForm = await takeSubmission(tenantId, { formId: form.id }, policy.perForm, now);
  return byForm.ok ? undefined : byForm.retryAfter;
}

/** Sends the double opt-in email; a failure is logged, the lead stays pending (a new submission sends another). */
async function sendConfirmation(
  policy: SubmitPolicy,
  event: APIGatewayProxyEventV2,
  publicId: string,
  tenantId: string,
  form: Form,
  lead: Lead,
): Promise<void> {
  if (!lead.email) return;
  const expiresAt = Math.floor(policy.now() / 1000) + CONFIRM_LINK_SECONDS;
  const token = signConfirmToken(
    { tenantId, formId: form.id, leadId: lead.id, expiresAt },
    await getSigningKey(),
  );
  const link = formConfirmUrl(publicBaseUrl(event), publicId, token);
  const name = lead.firstName;
  try {
    await policy.mailer().send({
      to: lead.email,
      subject: `Please confirm your subscription: ${form.name}`,
      text:
        `Hello ${name},\n\nYou (or someone using your address) sent the form "${form.name}". ` +
        `To receive our emails, confirm your subscription within ${CONFIRM_LINK_SECONDS / 86_400} days:\n\n${link}\n\n` +
        'If it was not you, ignore this email: you will not be subscribed.\n',
      html:
        `<p>Hello ${escapeHtml(name)},</p><p>You (or someone using your address) sent the form “${escapeHtml(form.name)}”. ` +
        `To receive our emails, confirm your subscription within ${CONFIRM_LINK_SECONDS / 86_400} days:</p>` +
        `<p><a href="${escapeHtml(link)}">Confirm my subscription</a></p>` +
        '<p>If it was not you, ignore this email: you will not be subscribed.</p>',
      tags: { kind: 'form-confirmation', tenant: tenantId },
    });
  } catch (error) {
    logFailure(
      'error',
      'form confirmation email not sent',
      { tenantId, formId: form.id, leadId: lead.id },
      error,
    );
  }
}

/**
 * Creates the lead of a valid submission through the records' writer (the
 * stream then sees a lead like any other): source `web`, owned as the
 * tenant's assignment rule says or else by the form's owner, with the
 * form, UTM parameters, page and consent asked.
 */
async function createSubmittedLead(
  tenantId: string,
  form: Form,
  definitions: readonly CustomFieldDefinition[],
  fields: Partial<Record<string, string>>,
  customFields: Record<string, unknown>,
  extras: Pick<Lead, 'utm' | 'referrer'>,
  now: Date,
): Promise<Lead> {
  const owner = (await ruleAssignee(tenantId, fields.country)) ?? {
    ownerId: form.ownerId,
    ...(form.teamId ? { teamId: form.teamId } : {}),
  };
  const consent: MarketingConsent = {
    status: form.doubleOptIn ? 'pending' : 'not_asked',
    source: 'web_form',
    formId: form.id,
    requestedAt: now.toISOString(),
  };
  return actingAs(FORM_ACTOR, async () => {
    const lead: Lead = withCustomGroups('leads', definitions, {
      ...newRecordBase(owner, now),
      ...(fields as Pick<Lead, 'firstName'>),
      customFields,
      source: 'web',
      status: 'new',
      formId: form.id,
      ...(extras.utm ? { utm: extras.utm } : {}),
      ...(extras.referrer ? { referrer: extras.referrer } : {}),
      marketingConsent: consent,
    });
    const outcome = await createRecord(leads, tenantId, lead);
    if (!outcome.ok) throw new Error(`The lead of form ${form.id} was not written (${outcome.reason})`);
    return lead;
  });
}

const MAX_CONFIRM_ATTEMPTS = 3;

/** Marks a pending lead subscribed, once; `already` when an earlier click did. Undefined: no such pending lead. */
async function confirmConsent(
  tenantId: string,
  leadId: string,
  now: Date,
): Promise<'confirmed' | 'already' | undefined> {
  for (let attempt = 1; attempt <= MAX_CONFIRM_ATTEMPTS; attempt++) {
    const lead = await getRecord(leads, tenantId, leadId, true);
    const consent = lead?.marketingConsent;
    if (!lead || !consent) return undefined;
    if (consent.status === 'subscribed') return 'already';
    if (consent.status !== 'pending') return undefined;
    const next: Lead = {
      ...lead,
      marketingConsent: { ...consent, status: 'subscribed', consentedAt: now.toISOString() },
      version: lead.version + 1,
      updatedAt: now.toISOString(),
      updatedBy: FORM_ACTOR,
    };
    const outcome = await replaceRecord(leads, tenantId, lead, next);
    if (outcome.ok) return 'confirmed';
  }
  throw new HttpProblem(503, 'The lead keeps changing; retry shortly');
}

/**
 * The forms' routes. `policy` holds the rate limits, clock and mailer the
 * public submit uses (tests pass small limits and a fixed clock).
 */
export function formsHandler(policy: SubmitPolicy = defaultSubmitPolicy) {
  return httpHandler(formRoutes, {
    async listForms({ caller, event, page, query }) {
      const listed = await listPage(forms, caller, page, { archived: query.archived, visibility: 'tenant' });
      const body = listed.body as { items: Form[]; nextCursor: string | null };
      return ok({
        items: body.items.map(await formView(event, caller.tenantId)),
        nextCursor: body.nextCursor,
      });
    },

    async createForm({ caller, body, event }) {
      const form = newForm(caller, body);
      await checkFields(caller, form);
      await create(forms, caller, form);
      return created(await shownForm(event, caller.tenantId, form), `/forms/${form.id}`);
    },

    async getForm({ caller, params, event }) {
      return ok(await shownForm(event, caller.tenantId, await readable(forms, caller, params.id)));
    },

    async updateForm({ caller, params, body, ifMatch, event }) {
      const form = await update(forms, caller, params.id, {
        ifMatch,
        change: async (current) => {
          const next = patched(current, body);
          if (body.fields || body.doubleOptIn !== undefined) await checkFields(caller, next);
          return next;
        },
      });
      return ok(await shownForm(event, caller.tenantId, form));
    },

    async archiveForm({ caller, params, ifMatch }) {
      await archive(forms, caller, params.id, ifMatch);
      return noContent();
    },

    async restoreForm({ caller, params, event }) {
      return ok(await shownForm(event, caller.tenantId, await restore(forms, caller, params.id)));
    },

    async submitForm({ params, event }) {
      let encoding: SubmissionEncoding | undefined;
      try {
        const submission = readSubmission(event);
        encoding = submission.encoding;
        const found = await publicForm(params.formId);
        if (!found)
          return encoding === 'form' ? notFoundPage('Form') : problemFor(encoding, notFound('Form'));
        const { tenantId, form } = found;
        const retryAfter = await admitted(policy, tenantId, form, event.requestContext.http.sourceIp);
        if (retryAfter !== undefined)
          return problemFor(encoding, new HttpProblem(429, 'Too many submissions; retry later'), retryAfter);
        if (isAnswered(submission.values[HONEYPOT_FIELD])) {
          // A bot: answered as a success so it learns nothing, and nothing is kept of it.
          logger.info('form honeypot filled: nothing created', { tenantId, formId: form.id });
          return successFor(encoding, form);
        }
        const definitions = await readCustomFieldDefinitions(tenantId, 'leads');
        const checked = submittedLead(form.fields, definitions, submission.values);
        if ('errors' in checked) {
          const fields = new Set(checked.errors.map((error) => error.path)).size;
          return problemFor(
            encoding,
            new HttpProblem(400, `${fields} invalid field${fields === 1 ? '' : 's'}`, checked.errors),
          );
        }
        const now = new Date(policy.now());
        const utm = utmOf(submission.values, event.queryStringParameters ?? {});
        const referrer = referrerOf(textOf(submission.values[REFERRER_FIELD]) ?? event.headers.referer);
        const lead = await createSubmittedLead(
          tenantId,
          form,
          definitions,
          checked.fields,
          checked.customFields,
          { ...(utm ? { utm } : {}), ...(referrer ? { referrer } : {}) },
          now,
        );
        logger.info('form submitted: lead created', { tenantId, formId: form.id, leadId: lead.id });
        if (form.doubleOptIn) await sendConfirmation(policy, event, params.formId, tenantId, form, lead);
        return successFor(encoding, form);
      } catch (error) {
        // A client error as the sender reads it (a page for a browser); anything else is the handler's 500.
        if (error instanceof HttpProblem && error.status < 500) return problemFor(encoding, error);
        throw error;
      }
    },

    async confirmFormSubscription({ params, query, event }) {
      // A person's browser gets a page; any other client the problem+json every route answers.
      const missing = () =>
        acceptsHtml(event) ? notFoundPage('Link') : problemFor('json', notFound('Link'));
      const key = await getSigningKey();
      const form = verifyFormId(params.formId, key);
      const claim = query.token ? verifyConfirmToken(query.token, key, policy.now()) : undefined;
      if (!form || !claim || claim.tenantId !== form.tenantId || claim.formId !== form.formId)
        return missing();
      const outcome = await confirmConsent(claim.tenantId, claim.leadId, new Date(policy.now()));
      if (!outcome) return missing();
      return pageResult(
        200,
        outcome === 'confirmed' ? 'You are subscribed' : 'Already confirmed',
        outcome === 'confirmed'
          ? '<p>Thank you: your subscription is confirmed.</p>'
          : '<p>Your subscription was already confirmed; there is nothing more to do.</p>',
      );
    },
  });
}

export const handler = formsHandler();
