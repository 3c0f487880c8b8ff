import * as z from 'zod/mini';
import { listQuery, mergePatchOf, nonEmpty, recordBase, searchText, ulid, userId } from './common.ts';
import { lazy } from './lazy.ts';

/** Parts are Handlebars sources; whether they compile is checked by the template engine on save. */
const templateFields = () => ({
  name: nonEmpty(200),
  subject: nonEmpty(500),
  html: z.string().check(z.minLength(1), z.maxLength(400_000)),
  text: z.optional(z.string().check(z.minLength(1), z.maxLength(200_000))),
  ownerId: z.optional(userId()),
});

export const templateSchemas = /* @__PURE__ */ lazy(() => {
  const fields = templateFields();
  return {
    create: z.strictObject(fields),
    patch: mergePatchOf(fields, ['name', 'subject', 'html', 'ownerId']),
    record: z.object({ ...fields, ...recordBase() }),
    listQuery: z.strictObject({
      ...listQuery(),
      q: z.optional(searchText(200)),
      ownerId: z.optional(userId()),
    }),
    render: z.strictObject({ contactId: ulid() }),
    rendered: z.object({ subject: z.string(), html: z.string(), text: z.string() }),
  };
});

type Schemas = ReturnType<typeof templateSchemas>;
export type TemplateCreate = z.output<Schemas['create']>;
export type TemplatePatch = z.output<Schemas['patch']>;
