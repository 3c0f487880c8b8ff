import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { HttpProblem } from '#shared/http/problem';
import { parseOrThrow } from '#shared/http/validation';
import { activitySchemas } from '#shared/schemas/activities';
import { campaignSchemas } from '#shared/schemas/campaigns';
import { displayName, multiLineText, nonEmpty, SINGLE_LINE_RULE } from '#shared/schemas/common';
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

describe('single-line text', () => {
  const controls = [
    'a\u0000b',
    'a\tb',
    'a\nb',
    'a\r\nb',
    'a\u001fb',
    'a\u007fb',
    'a\u0085b',
    'a\u009fb',
    '\u202Aa',
    '\u202Bb',
    '\u202Cc',
    '\u202Dd',
    '\u202Eexe.txt',
    '\u2066a',
    '\u2067b',
    '\u2068c',
    'd\u2069',
  ];

  it('refuses controls and direction overrides in every single-line field, at its path', () => {
    for (const value of controls) {
      const problem = problemOf(() =>
        parseOrThrow(contactCreate, { firstName: value, lastName: value, title: value, tags: [value] }),
      );
      expect(problem.status).toBe(400);
      expect(problem.errors?.map((error) => error.path).sort()).toEqual([
        'firstName',
        'lastName',
        'tags.0',
        'title',
      ]);
      expect(problem.errors?.[0]?.message).toBe(SINGLE_LINE_RULE);
      expect(nonEmpty(100).safeParse(value).success).toBe(false);
      expect(displayName().safeParse(value).success).toBe(false);
    }
  });

  it('takes any other text, and multi-line text keeps its line breaks', () => {
    for (const value of [
      'Ana María',
      'Ærøskøbing',
      'مبيعات',
      '東京 営業',
      '🚀 Launch',
      'x\u200dy',
      'a\u00a0b',
    ])
      expect(nonEmpty(100).safeParse(value)).toMatchObject({ success: true, data: value });
    expect(multiLineText(100).safeParse('first line\nsecond\ttabbed')).toMatchObject({ success: true });
    const { create: activityCreate } = activitySchemas();
    const shape = (activityCreate as unknown as { shape: Record<string, z.ZodMiniType> }).shape;
    expect(shape.body?.safeParse('Called.\nLeft a message.').success).toBe(true);
    expect(shape.subject?.safeParse('Call\nback').success).toBe(false);
  });
});
