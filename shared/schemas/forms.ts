import * as z from 'zod/mini';
import { formConsentStatuses } from '../domain/forms.ts';
import { listQuery, mergePatchOf, nonEmpty, recordBase, url } from './common.ts';
import { lazy } from './lazy.ts';

/**
 * A web-to-lead form's shape. Which fields it may take depends on the
 * tenant's custom fields of leads, so the handler checks `fields` against
 * them (shared/domain/forms.ts formFieldIssues); here only their form.
 */

/**
 * Query parameters that newsletters, ad platforms and mail systems append to
 * the links in an email (Google Analytics' `utm_*`, Google's `gclid`,
 * Facebook's `fbclid`, Microsoft's `msclkid`, Mailchimp's `mc_cid`/`mc_eid`,
 * HubSpot's `_hsenc`/`_hsmi`): a link that gained one must still work.
 */
const LINK_TRACKING_PARAMETERS = [
  ...['utm_source', 'utm_medium', 'utm_campaign', 'utm_term', 'utm_content'],
  ...['gclid', 'fbclid', 'msclkid', 'mc_cid', 'mc_eid', '_hsenc', '_hsmi'],
] as const;

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

/**
 * Where a browser goes after sending the form, as an admin may set it: an
 * absolute http(s) URL on any host (the tenant's own site, wherever it is:
 * only an admin sets it and visitors cannot change it, so it is no open
 * redirect). Never with a user name or password, which every visitor's
 * browser would be handed, and never with whitespace or control characters,
 * which URL parsing silently drops (what is stored is what visitors get).
 */
const redirectUrl = () =>
  url().check(
    z.refine((value) => !/[\s\p{Cc}]/u.test(value), 'must not contain spaces or control characters'),
    z.refine((value) => {
      try {
        const parsed = new URL(value);
        return parsed.username === '' && parsed.password === '';
      } catch {
        return true;
      }
    }, 'must not carry a user name or password'),
  );

/** What create and patch accept: the record's fields, `redirectUrl` checked as it is set. */
const writableFields = () => ({ ...formFields(), redirectUrl: z.optional(redirectUrl()) });

export const formSchemas = /* @__PURE__ */ lazy(() => {
  const fields = formFields();
  const writable = writableFields();
  return {
    create: z.strictObject(writable),
    patch: mergePatchOf(writable, ['name', 'fields', 'doubleOptIn']),
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
    /**
     * The double opt-in link's query. `token` optional and unbounded here: a
     * missing, overlong or garbled token is the 404 page of any bad link
     * (form-token.ts bounds what it reads). The parameters mail systems and
     * link trackers append to links (LINK_TRACKING_PARAMETERS) are taken and
     * ignored; any other is a 400.
     */
    confirmQuery: z.strictObject({
      token: z.optional(z.string()),
      ...Object.fromEntries(LINK_TRACKING_PARAMETERS.map((name) => [name, z.optional(z.string())])),
    }),
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
