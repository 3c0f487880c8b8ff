import { TextDecoder } from 'node:util';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import * as z from 'zod/mini';
import { CUSTOM_FIELD_PATH, type CustomFieldDefinition, customFieldIssues } from '../domain/custom-fields.ts';
import {
  type FormField,
  type FormLeadField,
  fieldLabel,
  isAnswered,
  isRequired,
  type SubmittedValue,
  textOf,
  typedCustomValue,
} from '../domain/forms.ts';
import { decodeWindows1252 } from '../domain/windows-1252.ts';
import { country, email, nonEmpty, phone } from '../schemas/common.ts';
import { jsonBody, rawBody } from './body.ts';
import { type FieldError, HttpProblem } from './problem.ts';
import { fieldErrors } from './validation.ts';

/**
 * Reading a web-to-lead submission (POST /f/{formId}): the body in either
 * encoding as one map of names to values, and the lead fields it gives,
 * checked as POST /leads checks them.
 */

export type SubmissionEncoding = 'form' | 'json';

export interface Submission {
  readonly encoding: SubmissionEncoding;
  readonly values: Readonly<Record<string, SubmittedValue>>;
}

const FORM_ENCODED = /^application\/x-www-form-urlencoded\s*(;|$)/i;
const JSON_TYPE = /^application\/([a-z0-9.+-]+\+)?json\s*(;|$)/i;

/** The most distinct names a submission may carry: far above any form (30 fields plus the extras). */
const MAX_NAMES = 100;

/**
 * The body as names and values: form-encoded (a repeated name becomes a list)
 * or JSON (an object of strings, numbers, booleans, nulls and lists of
 * strings). 415 for any other content type, 413 over 1 MiB, 400 for a body
 * that is not such a map.
 */
export function readSubmission(event: APIGatewayProxyEventV2): Submission {
  const contentType = (event.headers['content-type'] ?? '').trim();
  if (FORM_ENCODED.test(contentType)) {
    const values: Record<string, string | string[]> = Object.create(null);
    for (const [name, value] of formPairs(rawBody(event), charsetOf(contentType))) {
      const known = values[name];
      values[name] = known === undefined ? value : [...(Array.isArray(known) ? known : [known]), value];
    }
    if (Object.keys(values).length > MAX_NAMES) throw tooManyNames();
    return { encoding: 'form', values: { ...values } };
  }
  if (!JSON_TYPE.test(contentType))
    throw new HttpProblem(415, 'Send the form as application/x-www-form-urlencoded or application/json');
  const body = jsonBody(event);
  const parsed = jsonSubmission().safeParse(body);
  if (!parsed.success)
    throw new HttpProblem(
      400,
      'Send the form as one JSON object of field names to values',
      fieldErrors(parsed.error.issues, body),
    );
  if (Object.keys(parsed.data).length > MAX_NAMES) throw tooManyNames();
  return { encoding: 'json', values: parsed.data };
}

const notText = (charset: string) =>
  new HttpProblem(
    400,
    `The form's text is not valid ${charset}; send it as UTF-8 (accept-charset="UTF-8" on the form)`,
  );

/** How the client sent its submission, read from the content type alone (so even a body too bad to read is answered in kind). */
export function submissionEncoding(event: APIGatewayProxyEventV2): SubmissionEncoding | undefined {
  const contentType = (event.headers['content-type'] ?? '').trim();
  return FORM_ENCODED.test(contentType) ? 'form' : JSON_TYPE.test(contentType) ? 'json' : undefined;
}

/** The `charset` parameter of a content type, lower case; `utf-8` when there is none. */
function charsetOf(contentType: string): string {
  const declared = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType)?.[1];
  return (declared ?? 'utf-8').toLowerCase();
}

/**
 * The name/value pairs of a form-encoded body (WHATWG URL "application/
 * x-www-form-urlencoded parsing": `&`-separated, `+` a space), its
 * percent-encoded bytes read in `charset`. Strictly: a body whose bytes are
 * not text in that charset is a 400, never stored with replacement
 * characters (a page in Latin-1 without `accept-charset="UTF-8"` sends `%E9`
 * for é, which UTF-8 cannot read); a charset the runtime does not know is a 415.
 */
export function formPairs(body: string, charset: string): [string, string][] {
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(charset, { fatal: true });
  } catch {
    throw new HttpProblem(415, `The charset ${charset} is not supported; send the form as UTF-8`);
  }
  // Latin-1, US-ASCII and the other labels WHATWG maps to Windows-1252 take our table: some
  // Node releases decode them as Latin-1 (0x80 as U+0080, not €). Its undefined bytes are not text.
  const decodeBytes =
    decoder.encoding === 'windows-1252'
      ? (bytes: Uint8Array) => {
          const text = decodeWindows1252(bytes);
          if (text.includes('\uFFFD')) throw notText(charset);
          return text;
        }
      : (bytes: Uint8Array) => decoder.decode(bytes);
  // Escapes are read with the plain ASCII around them (a Shift_JIS character may be `%83A`);
  // characters beyond ASCII arrived as text already and stay as they are.
  const decodeRun = (run: string) => {
    const bytes = Buffer.from(
      run.replace(/%([0-9A-Fa-f]{2})/g, (_match, hex: string) =>
        String.fromCharCode(Number.parseInt(hex, 16)),
      ),
      'latin1',
    );
    try {
      return decodeBytes(bytes);
    } catch {
      throw notText(charset);
    }
  };
  const decode = (text: string) =>
    text
      .replace(/\+/g, ' ')
      // biome-ignore lint/suspicious/noControlCharactersInRegex: every ASCII character, controls included.
      .replace(/(?:%[0-9A-Fa-f]{2}|[\u0000-\u007f])+/g, (run) => (run.includes('%') ? decodeRun(run) : run));
  // Raw bytes that were not UTF-8 reached this body as replacement characters: already lost, so refused.
  if (body.includes('\uFFFD')) throw notText(charset);
  return body
    .split('&')
    .filter((pair) => pair !== '')
    .map((pair) => {
      const equals = pair.indexOf('=');
      return equals < 0
        ? [decode(pair), '']
        : [decode(pair.slice(0, equals)), decode(pair.slice(equals + 1))];
    });
}

const tooManyNames = () => new HttpProblem(400, `A submission carries at most ${MAX_NAMES} fields`);

const jsonSubmission = () =>
  z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(z.string())]));

/** How many different non-empty answers a value holds (a repeated name or a JSON list gives several). */
const answers = (value: SubmittedValue | undefined): number =>
  Array.isArray(value) ? new Set(value.map((item) => item.trim()).filter((item) => item !== '')).size : 1;

/** Each lead field's check, the same as POST /leads applies. */
const leadFieldSchemas: Record<FormLeadField, () => z.ZodMiniType> = {
  firstName: () => nonEmpty(100),
  lastName: () => nonEmpty(100),
  email,
  companyName: () => nonEmpty(200),
  phone,
  country,
};

/** What a valid submission gives the lead: its standard fields and its custom field values. */
export interface SubmittedLead {
  readonly fields: Partial<Record<FormLeadField, string>>;
  readonly customFields: Record<string, unknown>;
}

/** An invalid submission: every bad field at its name, with the label the form shows it under. */
export interface SubmissionErrors {
  readonly errors: readonly (FieldError & { readonly label: string })[];
}

/**
 * The lead fields of a submission, checked against the form: every required
 * field answered, each answer valid as POST /leads would take it, custom
 * values valid for their definitions (form text read as numbers, booleans,
 * lists), and `email` or `phone` answered when the form takes them. Names the
 * form does not take are ignored (a page may post its button's name).
 */
export function submittedLead(
  fields: readonly FormField[],
  definitions: readonly CustomFieldDefinition[],
  values: Readonly<Record<string, SubmittedValue>>,
): SubmittedLead | SubmissionErrors {
  const errors: (FieldError & { label: string })[] = [];
  const standard: Partial<Record<FormLeadField, string>> = {};
  const customFields: Record<string, unknown> = {};
  const byKey = new Map(definitions.map((definition) => [definition.key, definition]));
  for (const field of fields) {
    const label = fieldLabel(field, definitions);
    const value = values[field.field];
    if (!isAnswered(value)) {
      if (isRequired(field)) errors.push({ path: field.field, message: 'is required', label });
      continue;
    }
    const custom = CUSTOM_FIELD_PATH.exec(field.field)?.[1];
    const listed = custom !== undefined && byKey.get(custom)?.type === 'multiselect';
    if (!listed && answers(value) > 1) {
      // Two inputs of one name (or a JSON list) for a one-value field: which one was meant is unknowable.
      errors.push({ path: field.field, message: 'must be given once, not several different values', label });
      continue;
    }
    if (custom !== undefined) {
      customFields[custom] = typedCustomValue(byKey.get(custom), value as SubmittedValue);
      continue;
    }
    const name = field.field as FormLeadField;
    const text = textOf(value);
    const parsed = leadFieldSchemas[name]().safeParse(text ?? value);
    if (parsed.success) standard[name] = parsed.data as string;
    else
      errors.push(
        ...fieldErrors(parsed.error.issues, text ?? value, name).map((error) => ({ ...error, label })),
      );
  }
  const custom = customFieldIssues(definitions, customFields, Object.keys(customFields), 'create');
  for (const issue of custom) {
    const field = fields.find((candidate) => candidate.field === issue.path);
    errors.push({ ...issue, label: field ? fieldLabel(field, definitions) : issue.path });
  }
  const reachable = fields.filter((field) => field.field === 'email' || field.field === 'phone');
  if (
    !errors.some((error) => error.path === 'email' || error.path === 'phone') &&
    !standard.email &&
    !standard.phone
  ) {
    const [first] = reachable;
    if (first)
      errors.push({
        path: first.field,
        message: `is required: give ${reachable.map((field) => field.field).join(' or ')}`,
        label: fieldLabel(first, definitions),
      });
  }
  const seen = new Set<string>();
  const distinct = errors.filter((error) => {
    const key = `${error.path}\u0000${error.message}`;
    return !seen.has(key) && Boolean(seen.add(key));
  });
  return distinct.length > 0 ? { errors: distinct } : { fields: standard, customFields };
}
