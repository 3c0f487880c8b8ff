import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { HttpProblem } from '#shared/http/problem';
import { parseOrThrow } from '#shared/http/validation';
import { campaignSchemas } from '#shared/schemas/campaigns';
import { contactSchemas } from '#shared/schemas/contacts';

const { create: contactCreate, patch: contactPatch } = contactSchemas();

function problemOf(run: () => unknown): HttpProblem {
  try {
    run();
  } catch (error) {
    if (error instanceof HttpProblem) return error;
    throw error;
  }
  throw new Error('expected a problem');
}

describe('request validation', () => {
  it('lists a message said twice for one field once, and counts fields, not messages', () => {
    const twice = z.object({
      limit: z.string().check(z.regex(/^\d+$/, 'must be a number'), z.regex(/^\d{1,3}$/, 'must be a number')),
      size: z.number().check(z.gte(0), z.multipleOf(1)),
    });
    const problem = problemOf(() => parseOrThrow(twice, { limit: 'abc', size: -1.5 }));
    expect(problem.errors?.filter((error) => error.path === 'limit')).toHaveLength(1);
    expect(problem.errors?.filter((error) => error.path === 'size')).toHaveLength(2);
    expect(problem.detail).toBe('2 invalid fields');
  });

  it('a value of the wrong type answers that one message, not the checks that ran on it anyway', () => {
    const { create, patch } = campaignSchemas();
    const base = {
      name: 'x',
      templateId: '01J00000000000000000000000',
      segmentId: '01J00000000000000000000000',
      fromEmail: 'news@example.com',
    };
    for (const [schema, input] of [
      [create, { ...base, variants: 'A', testPercent: 10, decideAfterHours: 1 }],
      [patch, { variants: 'A' }],
    ] as const)
      expect(problemOf(() => parseOrThrow(schema, input)).errors).toEqual([
        { path: 'variants', message: 'must be an array' },
      ]);
    // The right type with wrong contents still lists each problem.
    expect(problemOf(() => parseOrThrow(patch, { variants: ['A'] })).errors).toEqual([
      { path: 'variants.0', message: 'must be an object' },
      { path: 'variants', message: 'must have at least 2 items' },
    ]);
  });

  it('lists every bad field with a readable message', () => {
    const problem = problemOf(() =>
      parseOrThrow(contactCreate, {
        email: 'not-an-email',
        lifecycleStage: 'vip',
        tags: ['a', 'a'],
        shoeSize: 44,
      }),
    );
    expect(problem.status).toBe(400);
    const byPath = Object.fromEntries((problem.errors ?? []).map((error) => [error.path, error.message]));
    expect(byPath).toMatchObject({
      firstName: 'is required',
      email: 'must be a valid email',
      lifecycleStage: expect.stringContaining('must be one of: subscriber'),
      tags: 'must not repeat a tag',
      shoeSize: 'is not a known field',
    });
  });

  it('normalises what it accepts', () => {
    const contact = parseOrThrow(contactCreate, {
      firstName: '  Ana ',
      email: ' Ana@Example.COM ',
      country: 'es',
    });
    expect(contact).toEqual({ firstName: 'Ana', email: 'ana@example.com', country: 'ES' });
  });

  it('lets a merge patch remove optional fields but not required ones', () => {
    expect(parseOrThrow(contactPatch, { lastName: null, tags: null })).toEqual({
      lastName: null,
      tags: null,
    });
    const problem = problemOf(() => parseOrThrow(contactPatch, { firstName: null }));
    expect(problem.errors).toEqual([{ path: 'firstName', message: 'must not be null' }]);
    expect(problemOf(() => parseOrThrow(contactPatch, {})).errors?.[0]?.message).toBe(
      'must change at least one field',
    );
  });

  it('refuses marketing statuses that only email events may set', () => {
    const problem = problemOf(() => parseOrThrow(contactPatch, { marketingStatus: 'bounced' }));
    expect(problem.errors?.[0]?.path).toBe('marketingStatus');
  });

  it('rejects non-objects as a whole', () => {
    expect(problemOf(() => parseOrThrow(contactCreate, [1, 2])).errors).toEqual([
      { path: '(root)', message: 'must be an object' },
    ]);
    expect(problemOf(() => parseOrThrow(contactCreate, null)).errors).toEqual([
      { path: '(root)', message: 'must not be null' },
    ]);
  });
});
