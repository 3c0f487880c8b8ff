import { CUSTOM_FIELD_PATH, type CustomFieldDefinition } from './custom-fields.ts';

/**
 * Web-to-lead forms (SPEC "Capture"): what a form may ask, what a submission
 * carries besides the answers, and the snippet a website embeds. Pure rules;
 * the HTTP layer (functions/http/forms.ts) validates and writes.
 */

/** The lead fields a form may take, besides `customFields.<key>` (a custom field of leads). */
export const formLeadFields = ['firstName', 'lastName', 'email', 'companyName', 'phone', 'country'] as const;
export type FormLeadField = (typeof formLeadFields)[number];

export interface FormField {
  /** A lead field (formLeadFields) or `customFields.<key>`; also the input's `name` in the form. */
  readonly field: string;
  readonly required?: boolean;
  /** What the embed snippet shows; default a label made from the field. */
  readonly label?: string;
}

/**
 * The hidden input that people never see (the snippet hides it with CSS) and
 * form-filling bots fill: a submission with it filled is answered like a
 * success and creates nothing. Named like a field bots love to fill.
 */
export const HONEYPOT_FIELD = 'website';

/** The UTM parameters kept on the lead, read from the body or the query string. */
export const utmParameters = ['utm_source', 'utm_medium', 'utm_campaign', 'utm_term', 'utm_content'] as const;
export type UtmParameter = (typeof utmParameters)[number];

/** The page the form was sent from: the `referrer` field (the snippet fills it), else the Referer header. */
export const REFERRER_FIELD = 'referrer';

/** Names a form's own fields may not take: they mean something else in every submission. */
export const reservedFieldNames: readonly string[] = [HONEYPOT_FIELD, REFERRER_FIELD, ...utmParameters];

/** A lead's UTM parameters as stored: `utm_source` → `utm.source`. */
export type Utm = Partial<Record<'source' | 'medium' | 'campaign' | 'term' | 'content', string>>;

/**
 * What a lead from a form records of marketing consent. `pending`: a double
 * opt-in form sent the confirmation email and the person has not clicked it;
 * `subscribed`: they confirmed (`consentedAt`); `not_asked`: the form does
 * not ask for consent. Asking to be contacted about an enquiry is not consent
 * to marketing email (GDPR art. 4(11), 7(1): consent must be specific and
 * its giver able to prove it), so only a confirmed address is subscribed.
 */
export const formConsentStatuses = ['pending', 'subscribed', 'not_asked'] as const;
export type FormConsentStatus = (typeof formConsentStatuses)[number];

export interface MarketingConsent {
  readonly status: FormConsentStatus;
  /** How consent was asked: through a web form (`formId` says which). */
  readonly source: 'web_form';
  readonly formId: string;
  /** When the form was submitted. */
  readonly requestedAt: string;
  /** When the person confirmed by email (status `subscribed`). */
  readonly consentedAt?: string;
}

/** The marketing status a contact converted from a lead starts with: subscribed only with proven consent. */
export const marketingStatusFromConsent = (
  consent: MarketingConsent | undefined,
): 'subscribed' | 'unsubscribed' =>
  consent === undefined || consent.status === 'subscribed' ? 'subscribed' : 'unsubscribed';

export interface FormDefinitionIssue {
  readonly path: string;
  readonly message: string;
}

/**
 * What is wrong with a form's fields, at their paths (`fields.2.field`):
 * - every field a lead field or a defined custom field of leads, each once;
 * - `firstName` taken and required (every lead has one: SPEC `firstName*`);
 * - `email` or `phone` taken: a lead nobody can reach back is no lead;
 * - every required custom field of leads taken (else no submission could pass);
 * - with double opt-in, `email` taken and required (the confirmation goes there).
 */
export function formFieldIssues(
  fields: readonly FormField[],
  definitions: readonly CustomFieldDefinition[],
  doubleOptIn: boolean,
): FormDefinitionIssue[] {
  const issues: FormDefinitionIssue[] = [];
  const defined = new Map(definitions.map((definition) => [definition.key, definition]));
  const seen = new Set<string>();
  fields.forEach((field, index) => {
    const path = `fields.${index}.field`;
    const custom = CUSTOM_FIELD_PATH.exec(field.field)?.[1];
    if (seen.has(field.field)) issues.push({ path, message: 'must not repeat a field' });
    seen.add(field.field);
    if (custom !== undefined) {
      if (!defined.has(custom)) issues.push({ path, message: 'is not a custom field of leads' });
    } else if (!(formLeadFields as readonly string[]).includes(field.field)) {
      issues.push({
        path,
        message: `must be one of: ${formLeadFields.join(', ')}, or customFields.<key> of a lead custom field`,
      });
    }
  });
  const byName = new Map(fields.map((field) => [field.field, field]));
  const first = byName.get('firstName');
  if (!first) issues.push({ path: 'fields', message: 'must take firstName: every lead has one' });
  else if (first.required === false)
    issues.push({
      path: `fields.${fields.indexOf(first)}.required`,
      message: 'must not be false: every lead has a firstName',
    });
  if (!byName.has('email') && !byName.has('phone'))
    issues.push({ path: 'fields', message: 'must take email or phone, so that the lead can be reached' });
  for (const definition of definitions) {
    if (definition.required && !byName.has(`customFields.${definition.key}`))
      issues.push({
        path: 'fields',
        message: `must take customFields.${definition.key}: every lead needs it`,
      });
  }
  if (doubleOptIn) {
    const email = byName.get('email');
    if (!email?.required)
      issues.push({ path: 'fields', message: 'must take email as a required field with doubleOptIn' });
  }
  return issues;
}

/** A form field's requiredness as submissions see it: firstName always. */
export const isRequired = (field: FormField): boolean =>
  field.field === 'firstName' || field.required === true;

/** `companyName` → `Company name`, `customFields.industry` → the definition's label. */
export function fieldLabel(field: FormField, definitions: readonly CustomFieldDefinition[]): string {
  if (field.label) return field.label;
  const custom = CUSTOM_FIELD_PATH.exec(field.field)?.[1];
  if (custom !== undefined)
    return definitions.find((definition) => definition.key === custom)?.label ?? custom;
  const words = field.field.replace(/([A-Z])/g, ' $1').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** One submitted value: form-encoded answers are strings (a repeated name, a list); JSON may carry any. */
export type SubmittedValue = string | readonly string[] | number | boolean | null;

const TRUE = new Set(['true', 'on', 'yes', '1']);
const FALSE = new Set(['false', 'off', 'no', '0']);

/**
 * A custom field's answer as its definition types it: form posts carry text,
 * so `number` and `boolean` (a checkbox sends `on`) are read from it and a
 * `multiselect` from its repeated values. Anything unreadable is passed on
 * unchanged, for the definitions' check to name.
 */
export function typedCustomValue(
  definition: CustomFieldDefinition | undefined,
  value: SubmittedValue,
): unknown {
  if (!definition || typeof value !== 'string') {
    if (definition?.type === 'multiselect' || !Array.isArray(value)) return value;
    return value.length === 1 ? value[0] : value;
  }
  const text = value.trim();
  switch (definition.type) {
    case 'number':
      return text !== '' && Number.isFinite(Number(text)) ? Number(text) : value;
    case 'boolean':
      return TRUE.has(text.toLowerCase()) ? true : FALSE.has(text.toLowerCase()) ? false : value;
    case 'multiselect':
      return [text];
    default:
      return text;
  }
}

/** Whether a submitted answer counts as given (an empty input is not an answer). */
export const isAnswered = (value: SubmittedValue | undefined): boolean =>
  value !== undefined &&
  value !== null &&
  !(typeof value === 'string' && value.trim() === '') &&
  !(Array.isArray(value) && value.every((item) => typeof item !== 'string' || item.trim() === ''));

/** The first text of an answer (a repeated standard field keeps its first value). */
export const textOf = (value: SubmittedValue | undefined): string | undefined =>
  typeof value === 'string' ? value : Array.isArray(value) ? value[0] : undefined;

/** The most characters one UTM value or the referrer keeps. */
export const MAX_UTM_CHARS = 200;
export const MAX_REFERRER_CHARS = 2048;

/** The UTM parameters of a submission: the body's, else the query string's; each trimmed and bounded. */
export function utmOf(
  body: Readonly<Record<string, SubmittedValue>>,
  query: Readonly<Record<string, string | undefined>>,
): Utm | undefined {
  const utm: Record<string, string> = {};
  for (const name of utmParameters) {
    const value = (textOf(body[name]) ?? query[name])?.trim();
    if (value) utm[name.slice('utm_'.length)] = value.slice(0, MAX_UTM_CHARS);
  }
  return Object.keys(utm).length > 0 ? utm : undefined;
}

/** An http(s) page address to keep as the referrer, or undefined for anything else. */
export function referrerOf(value: string | undefined): string | undefined {
  const text = value?.trim();
  if (!text || text.length > MAX_REFERRER_CHARS) return undefined;
  try {
    const url = new URL(text);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
    // Credentials in a page address are never the lead's business.
    url.username = '';
    url.password = '';
    return url.toString();
  } catch {
    return undefined;
  }
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

const inputType = (field: string) => (field === 'email' ? 'email' : field === 'phone' ? 'tel' : 'text');

/**
 * The HTML a website pastes to show the form: one input per field (named as
 * the field), the honeypot hidden off-screen by CSS (not `type=hidden`, which
 * bots skip), the UTM parameters and the page address copied into hidden
 * inputs by a few lines of script (without script the form still works; only
 * those are missing). It posts form-encoded, which needs no CORS preflight.
 */
export function embedSnippet(
  submitUrl: string,
  fields: readonly FormField[],
  definitions: readonly CustomFieldDefinition[],
): string {
  const inputs = fields.map((field) => {
    const name = escapeHtml(field.field);
    const required = isRequired(field) ? ' required' : '';
    return `  <label>${escapeHtml(fieldLabel(field, definitions))} <input name="${name}" type="${inputType(field.field)}"${required}></label>`;
  });
  const hidden = [...utmParameters, REFERRER_FIELD].map((name) => `  <input type="hidden" name="${name}">`);
  return [
    `<form action="${escapeHtml(submitUrl)}" method="post" class="crm-form">`,
    ...inputs,
    `  <div style="position:absolute;left:-10000px" aria-hidden="true"><label>Leave this empty <input name="${HONEYPOT_FIELD}" tabindex="-1" autocomplete="off"></label></div>`,
    ...hidden,
    '  <button type="submit">Send</button>',
    '</form>',
    '<script>(function (f) {',
    '  var q = new URLSearchParams(location.search);',
    `  ${JSON.stringify(utmParameters)}.forEach(function (n) { if (q.get(n)) f.elements[n].value = q.get(n); });`,
    `  f.elements.${REFERRER_FIELD}.value = location.href;`,
    '})(document.currentScript.previousElementSibling);</script>',
  ].join('\n');
}

/**
 * A rate limit: at most `limit` submissions per `windowSeconds`. Each window
 * is a token bucket filled whole when it starts (one item per bucket and
 * window, taken by one conditional update, expiring after its window).
 */
export interface RateLimit {
  readonly limit: number;
  readonly windowSeconds: number;
}

/**
 * Submissions per source IP, across the tenant's forms. A person sends a form
 * once or twice; 10 in 10 minutes still lets an office or a campus behind one
 * NAT address send several, and stops a script from one address at 1 a minute.
 */
export const PER_IP_LIMIT: RateLimit = { limit: 10, windowSeconds: 600 };

/**
 * Submissions per form: the ceiling a flood from many addresses meets. A
 * form a minute is already far beyond a busy site's sign-ups; 60 a minute
 * leaves room for a launch or a campaign spike while bounding the leads
 * (and confirmation emails) a botnet can make to 86,400 a day.
 */
export const PER_FORM_LIMIT: RateLimit = { limit: 60, windowSeconds: 60 };

/** The window `now` (epoch ms) falls in: its start (epoch s) and the seconds until the next one. */
export function rateWindow(limit: RateLimit, now: number): { start: number; retryAfter: number } {
  const seconds = Math.floor(now / 1000);
  const start = seconds - (seconds % limit.windowSeconds);
  return { start, retryAfter: Math.max(1, start + limit.windowSeconds - seconds) };
}

/**
 * API Gateway's throttling of the public submit route in AWS, across all
 * forms and addresses: 20 forms at their per-form rate at once, with a burst
 * of 50. The stage's default (100/s) is shared by every route, so a flood of
 * the one route anyone may call stops here, leaving the rest for signed-in clients.
 */
export const PUBLIC_SUBMIT_THROTTLE = { rateLimit: 20, burstLimit: 50 } as const;
