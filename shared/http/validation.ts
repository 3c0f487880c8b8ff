import type * as z from 'zod/mini';
import { type FieldError, invalidFields } from './problem.ts';

type Issue = z.core.$ZodIssue;

const typeNames: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
  array: 'an array',
  object: 'an object',
  record: 'an object',
};

/** Turns zod issues into the short, field-level messages problem+json lists. */
function describe(issue: Issue, input: unknown): string {
  switch (issue.code) {
    case 'invalid_type':
      if (input === undefined) return 'is required';
      if (input === null) return 'must not be null';
      return `must be ${typeNames[issue.expected] ?? issue.expected}`;
    case 'too_small':
      if (issue.origin === 'string')
        return issue.minimum === 1 ? 'must not be empty' : `must have at least ${issue.minimum} characters`;
      if (issue.origin === 'array') return `must have at least ${issue.minimum} items`;
      return `must be ${issue.inclusive ? 'at least' : 'greater than'} ${issue.minimum}`;
    case 'too_big':
      if (issue.origin === 'string') return `must have at most ${issue.maximum} characters`;
      if (issue.origin === 'array') return `must have at most ${issue.maximum} items`;
      return `must be ${issue.inclusive ? 'at most' : 'less than'} ${issue.maximum}`;
    case 'invalid_format':
      return issue.format === 'regex' ? 'has an invalid format' : `must be a valid ${issue.format}`;
    case 'invalid_value':
      return `must be one of: ${issue.values.map(String).join(', ')}`;
    case 'not_multiple_of':
      return `must be a multiple of ${issue.divisor}`;
    case 'invalid_union':
      return 'has an invalid value';
    case 'invalid_key':
      return 'has an invalid key';
    default:
      return issue.message && issue.message !== 'Invalid input' ? issue.message : 'is invalid';
  }
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let value = root;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

const pathOf = (path: readonly PropertyKey[]) => path.map(String).join('.');

/** Every distinct problem of every field (a message said twice for one field is listed once). */
export function fieldErrors(issues: readonly Issue[], input: unknown, prefix?: string): FieldError[] {
  const join = (path: string) => [prefix, path].filter(Boolean).join('.') || '(root)';
  const seen = new Set<string>();
  // A value of the wrong type is that one problem: checks that ran on it anyway (a length
  // check reading "A" as a string where an array belongs) would only contradict it.
  const wrongType = new Set(
    issues.filter((issue) => issue.code === 'invalid_type').map((issue) => pathOf(issue.path)),
  );
  const relevant = issues.filter(
    (issue) => issue.code === 'invalid_type' || !wrongType.has(pathOf(issue.path)),
  );
  const all = relevant.flatMap((issue): FieldError[] => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        path: join(pathOf([...issue.path, key])),
        message: 'is not a known field',
      }));
    }
    const message = describe(issue, valueAt(input, issue.path));
    return [{ path: join(pathOf(issue.path)), message }];
  });
  return all.filter((error) => {
    const key = `${error.path}\u0000${error.message}`;
    return !seen.has(key) && Boolean(seen.add(key));
  });
}

/** Parses or throws a 400 that lists every bad field. */
export function parseOrThrow<S extends z.ZodMiniType>(
  schema: S,
  input: unknown,
  prefix?: string,
): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw invalidFields(fieldErrors(result.error.issues, input, prefix));
}
