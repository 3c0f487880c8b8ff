import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { isStorableNumber, STORABLE_NUMBER_RULE } from '../domain/numbers.ts';
import { isPrototypeKey, PROTOTYPE_KEY_RULE } from '../domain/own-keys.ts';
import { badRequest, HttpProblem, invalidFields } from './problem.ts';

export const MAX_BODY_BYTES = 1024 * 1024;

const isJson = (contentType: string | undefined) =>
  contentType !== undefined && /^application\/([a-z0-9.+-]+\+)?json\s*(;|$)/i.test(contentType.trim());

/** The raw body text, enforcing the 1 MiB limit before anything is parsed. */
export function rawBody(event: APIGatewayProxyEventV2): string {
  const body = event.body ?? '';
  const bytes = event.isBase64Encoded ? Buffer.from(body, 'base64') : Buffer.from(body, 'utf8');
  if (bytes.length > MAX_BODY_BYTES) throw new HttpProblem(413, 'The body must not exceed 1 MiB');
  return bytes.toString('utf8');
}

/** Parses a JSON body: 415 when it is declared as something else, 400 when it does not parse. */
export function jsonBody(event: APIGatewayProxyEventV2): unknown {
  const text = rawBody(event);
  if (!isJson(event.headers['content-type'])) {
    throw new HttpProblem(415, 'Send the body as application/json');
  }
  if (text.trim() === '') throw badRequest('The request body is empty; send a JSON object');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw badRequest('The request body is not valid JSON');
  }
  const problems = unsafeValues(value);
  if (problems.length > 0) throw invalidFields(problems);
  return value;
}

/** The most bad numbers one answer lists. */
const MAX_LISTED = 20;

/** Stands in the walk for a refused key, so its problem is listed in document order. */
const PROTOTYPE_KEY = Symbol('prototype key');

/**
 * What no field of any route may carry, checked once here, in document order:
 * numbers that cannot be kept exactly (shared/domain/numbers.ts), at their
 * paths (`lines.0.quantity`), which DynamoDB would refuse; and object keys
 * named like a property every object inherits (shared/domain/own-keys.ts),
 * at their own paths (`customFields.constructor`), which no layer keeps
 * faithfully. Iterative: a deeply nested body must not exhaust the stack.
 */
function unsafeValues(root: unknown): { path: string; message: string }[] {
  const found: { path: string; message: string }[] = [];
  const pending: { value: unknown; path: string }[] = [{ value: root, path: '' }];
  for (let next = pending.pop(); next && found.length < MAX_LISTED; next = pending.pop()) {
    const { value, path } = next;
    if (value === PROTOTYPE_KEY) {
      found.push({ path, message: PROTOTYPE_KEY_RULE });
      continue;
    }
    if (typeof value === 'number' && !isStorableNumber(value))
      found.push({ path: path || '(root)', message: STORABLE_NUMBER_RULE });
    if (value === null || typeof value !== 'object') continue;
    // Pushed last to first (no spread: an array of a million elements is a valid body), so they pop in order.
    const entries = Object.entries(value);
    const isArray = Array.isArray(value);
    for (let index = entries.length - 1; index >= 0; index--) {
      const [key, child] = entries[index] as [string, unknown];
      const childPath = path ? `${path}.${key}` : key;
      if (!isArray && isPrototypeKey(key)) pending.push({ value: PROTOTYPE_KEY, path: childPath });
      else pending.push({ value: child, path: childPath });
    }
  }
  return found;
}
