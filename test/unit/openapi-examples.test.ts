import { describe, expect, it } from 'vitest';
import type * as z from 'zod/mini';
import { httpFunctions } from '../../shared/api/catalogue.ts';
import type { RouteDef } from '../../shared/api/route.ts';

const routes = Object.values(httpFunctions).flat() as RouteDef[];

/**
 * Every problem zod finds in `value`, as `path: message` lines, or none. A value that
 * passes must also come out as it went in: a field the schema does not know (which
 * parsing drops) or a value it would rewrite (an email in capitals) is a problem too.
 */
function problems(schema: () => z.ZodMiniType, value: unknown): string[] {
  const result = schema().safeParse(value);
  if (!result.success)
    return result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
  return canonical(result.data) === canonical(value) ? [] : [`parsed as ${canonical(result.data)}`];
}

/** JSON with every object's keys sorted, as the document would carry the value. */
const canonical = (value: unknown): string =>
  JSON.stringify(value, (_, item) =>
    item && typeof item === 'object' && !Array.isArray(item)
      ? Object.fromEntries(Object.entries(item).sort(([a], [b]) => a.localeCompare(b)))
      : item,
  );

describe.each(routes.map((route) => [`${route.method} ${route.path}`, route] as const))('%s', (_, route) => {
  const examples = route.examples ?? {};

  it('has an example of each part it has, and none of a part it lacks', () => {
    expect(examples.request !== undefined, 'request example iff a body').toBe(route.body !== undefined);
    expect(examples.response !== undefined, 'response example iff a response').toBe(route.response !== undefined);
    expect(examples.accepted !== undefined, '202 example iff accepted').toBe(route.accepted !== undefined);
    expect(examples.location !== undefined, 'Location iff it redirects').toBe(
      route.redirect !== undefined || route.status === 302,
    );
    expect(Object.keys(examples.media ?? {}).sort()).toEqual(Object.keys(route.responseMediaTypes ?? {}).sort());
  });

  it('has examples that pass its own schemas', () => {
    if (route.body) expect(problems(route.body, examples.request), 'request').toEqual([]);
    if (route.response) expect(problems(route.response, examples.response), 'response').toEqual([]);
    if (route.accepted) expect(problems(route.accepted.response, examples.accepted), '202').toEqual([]);
    if (examples.location) expect(new URL(examples.location).protocol).toBe('https:');
  });

  it('shows each media type as it is sent', () => {
    for (const [type, body] of Object.entries(examples.media ?? {})) {
      if (type === 'image/gif') expect(Buffer.from(body, 'base64').subarray(0, 6).toString()).toBe('GIF89a');
      if (type === 'text/html') expect(body.startsWith('<!doctype html>')).toBe(true);
      if (type === 'text/csv') expect(body.startsWith('\uFEFF') && body.endsWith('\r\n')).toBe(true);
      if (type === 'text/vcard') expect(body).toMatch(/^BEGIN:VCARD\r\nVERSION:4\.0\r\n[\s\S]*END:VCARD\r\n$/);
    }
  });
});
