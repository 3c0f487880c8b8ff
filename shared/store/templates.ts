import { type EntitySpec, getRecord, type StoredRecord } from './records.ts';

/** An email template: Handlebars sources that compiled when saved (see shared/domain/template.ts). */
export type Template = StoredRecord & {
  name: string;
  subject: string;
  html: string;
  /** Generated from `html` at render time when absent. */
  text?: string;
};

export const templates: EntitySpec<Template> = {
  type: 'TEMPLATE',
  label: 'template',
  accessPatterns: {
    byName: { name: (template) => template.name },
  },
  // A campaign copies its template and segment into its own item (see campaign-run.ts).
  maxItemBytes: 290 * 1024,
};

/** A live template of the tenant, or undefined (missing or archived). */
export async function getLiveTemplate(tenantId: string, id: string): Promise<Template | undefined> {
  const template = await getRecord(templates, tenantId, id);
  return template && !template.archived ? template : undefined;
}
