import type { StoredSpecs } from '../domain/template.ts';
import { type EntitySpec, getRecord, type StoredRecord } from './records.ts';

/** An email template: Handlebars sources that compiled when saved (see shared/domain/template-compiler.ts). */
export type Template = StoredRecord & {
  name: string;
  subject: string;
  html: string;
  /** The template's own text part; without it the text part is generated from `html` when saved. */
  text?: string;
  /**
   * The parts compiled when this version was saved, which the senders render
   * with the Handlebars runtime alone. Absent on versions saved before
   * templates were compiled on save until `npm run templates:compile` fills it.
   * Never shown to clients (clientFields).
   */
  compiled?: StoredSpecs;
};

/** What a template's clients see: everything but its compiled form. */
const templateClientFields = [
  'id',
  'createdAt',
  'updatedAt',
  'createdBy',
  'updatedBy',
  'version',
  'ownerId',
  'teamId',
  'archived',
  'name',
  'subject',
  'html',
  'text',
] as const;

export const templates: EntitySpec<Template> = {
  type: 'TEMPLATE',
  label: 'template',
  accessPatterns: {
    byName: { name: (template) => template.name },
  },
  // A campaign copies its template and segment into its own item (see campaign-run.ts).
  maxItemBytes: 290 * 1024,
  clientFields: () => templateClientFields,
};

/** The key a template version's compiled form is cached under (shared/domain/template.ts templateFromSpecs). */
export const templateVersionKey = (tenantId: string, template: Pick<Template, 'id' | 'version'>) =>
  `${tenantId}#TEMPLATE#${template.id}#${template.version}`;

/** A live template of the tenant, or undefined (missing or archived). */
export async function getLiveTemplate(tenantId: string, id: string): Promise<Template | undefined> {
  const template = await getRecord(templates, tenantId, id);
  return template && !template.archived ? template : undefined;
}
