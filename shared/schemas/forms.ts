import * as z from 'zod/mini';
import { formConsentStatuses } from '../domain/forms.ts';
import { listQuery, mergePatchOf, nonEmpty, recordBase, url } from './common.ts';
import { lazy } from './lazy.ts';

/**
 * A web-to-lead form's shape. Which fields it may take depends on the
 * tenant's custom fields of leads, so the handler checks `fields` against
 * them (shared/domain/forms.ts formFieldIssues); here only their form.
 */

/** At most this many fields per form: a web form longer than this loses its visitors anyway. */
const MAX_FIELDS = 30;

const formFields = () => ({
  name: nonEmpty(200),
  fields: z
    .array(
      z.strictObject({
        field: z.string().check(z.minLength(1), z.maxLength(80)),
        required: z.optional(z.boolean()),
        label: z.optional(nonEmpty(200)),
      }),
    )
    .check(z.minLength(1), z.maxLength(MAX_FIELDS)),
  redirectUrl: z.optional(url()),
  doubleOptIn: z.optional(z.boolean()),
});

export const formSchemas = /* @__PURE__ */ lazy(() => {
  const fields = formFields();
  return {
    create: z.strictObject(fields),
    patch: mergePatchOf(fields, ['name', 'fields', 'doubleOptIn']),
    record: z.object({
      ...fields,
      doubleOptIn: z.boolean(),
      ...recordBase(),
      /** Where the form posts (`POST`, form-encoded or JSON): its public id is sealed in the path. */
      submitUrl: z.string(),
      /** The HTML to paste into a web page. */
      embedHtml: z.string(),
      /** The honeypot input's name: a submission that fills it creates nothing. */
      honeypotField: z.string(),
    }),
    listQuery: z.strictObject(listQuery()),
    /** The double opt-in link's query. Optional here: a missing token is a 404 page like a bad one. */
    confirmQuery: z.strictObject({ token: z.optional(z.string().check(z.maxLength(512))) }),
    /** A submission as `application/json` (form-encoded posts carry the same names). */
    submission: z
      .record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(z.string())]))
      .check(
        z.describe(
          "The form's fields by name (`firstName`, `email`, `customFields.<key>`, ...), optional `utm_source`, " +
            '`utm_medium`, `utm_campaign`, `utm_term`, `utm_content` (also read from the query string), `referrer` ' +
            '(the page the form was sent from; default the Referer header) and the honeypot `website`, which must stay empty. ' +
            'Names the form does not take are ignored.',
        ),
      ),
    submitted: z.object({
      status: z.enum(['received', 'confirmation_required']),
    }),
  };
});

/** How a lead shows what its form recorded of marketing consent. */
export const marketingConsentSchema = () =>
  z.object({
    status: z.enum(formConsentStatuses),
    source: z.literal('web_form'),
    formId: z.string(),
    requestedAt: z.string(),
    consentedAt: z.optional(z.string()),
  });

type Schemas = ReturnType<typeof formSchemas>;
export type FormCreate = z.output<Schemas['create']>;
export type FormPatch = z.output<Schemas['patch']>;
