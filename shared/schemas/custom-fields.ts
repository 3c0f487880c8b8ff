import * as z from 'zod/mini';
import { CUSTOM_FIELD_KEY, customFieldTypes } from '../domain/custom-fields.ts';
import { nonEmpty } from './common.ts';
import { lazy } from './lazy.ts';

/** At most this many definitions per entity, as many as a record may carry values (common.ts customFields). */
export const MAX_CUSTOM_FIELDS = 100;
/** At most this many options per select or multiselect field. */
export const MAX_CUSTOM_FIELD_OPTIONS = 100;

const hasOptions = (type: string) => type === 'select' || type === 'multiselect';

/**
 * PUT/GET /settings/fields/{entity} (SPEC "Import, export, extensibility"):
 * the whole list of an entity's custom field definitions. Keys unique and
 * shaped as customFields() keys; `options` required, non-empty and unique
 * for select and multiselect, absent for every other type.
 */
export const customFieldSchemas = /* @__PURE__ */ lazy(() => {
  const definition = z
    .strictObject({
      key: z
        .string()
        .check(z.regex(CUSTOM_FIELD_KEY, 'must be a field key: a letter, then letters, digits or _')),
      label: nonEmpty(100),
      type: z.enum(customFieldTypes),
      options: z.optional(
        z.array(nonEmpty(200)).check(
          z.minLength(1),
          z.maxLength(MAX_CUSTOM_FIELD_OPTIONS),
          z.refine((options) => new Set(options).size === options.length, 'must not repeat an option'),
        ),
      ),
      required: z.optional(z.boolean()),
    })
    .check(
      z.refine((field) => !hasOptions(field.type) || field.options !== undefined, {
        message: 'is required for select and multiselect fields',
        path: ['options'],
      }),
      z.refine((field) => hasOptions(field.type) || field.options === undefined, {
        message: 'is only for select and multiselect fields',
        path: ['options'],
      }),
    );
  const record = z.object({
    key: z.string(),
    label: z.string(),
    type: z.enum(customFieldTypes),
    options: z.optional(z.array(z.string())),
    required: z.optional(z.boolean()),
  });
  return {
    put: z.array(definition).check(
      z.maxLength(MAX_CUSTOM_FIELDS),
      z.superRefine((fields, context) => {
        const seen = new Set<string>();
        for (const [index, field] of fields.entries()) {
          if (seen.has(field.key))
            context.addIssue({
              code: 'custom',
              message: 'repeats the key of another field',
              path: [index, 'key'],
            });
          seen.add(field.key);
        }
      }),
    ),
    settings: z.object({
      entity: z.string(),
      fields: z.array(record),
      updatedAt: z.optional(z.string()),
      updatedBy: z.optional(z.string()),
    }),
  };
});

export type CustomFieldsPut = z.output<ReturnType<typeof customFieldSchemas>['put']>;
