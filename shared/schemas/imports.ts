import type * as z from 'zod/mini';
import { type CustomFieldDefinition, customFieldIssues } from '../domain/custom-fields.ts';
import {
  type ColumnMapping,
  CUSTOM_FIELD_PREFIX,
  fieldOf,
  type ImportEntity,
  type ReadRow,
  type RowError,
} from '../domain/imports/index.ts';
import { companySchemas } from './companies.ts';
import { contactSchemas } from './contacts.ts';
import { dealSchemas } from './deals.ts';
import { leadSchemas } from './leads.ts';

type Issue = z.core.$ZodIssue;

const schemasOf = (entity: ImportEntity): { create: z.ZodMiniType; patch: z.ZodMiniType } => {
  switch (entity) {
    case 'contacts':
      return contactSchemas();
    case 'companies':
      return companySchemas();
    case 'leads':
      return leadSchemas();
    case 'deals':
      return dealSchemas();
  }
};

/** The fields an object schema declares (undefined when it is not an object schema). */
const shapeOf = (schema: z.ZodMiniType): Readonly<Record<string, unknown>> | undefined =>
  (schema._zod.def as { shape?: Record<string, unknown> }).shape;

/** A zod issue in the words of an import's error report. */
function reasonOf(issue: Issue, value: unknown): string {
  switch (issue.code) {
    case 'invalid_type':
      return value === undefined ? 'is required' : 'has the wrong kind of value';
    case 'too_small':
      if (issue.origin === 'string')
        return issue.minimum === 1 ? 'must not be empty' : `must have at least ${issue.minimum} characters`;
      return `must be at least ${issue.minimum}`;
    case 'too_big':
      if (issue.origin === 'string') return `must have at most ${issue.maximum} characters`;
      if (issue.origin === 'array') return `must have at most ${issue.maximum} entries`;
      return `must be at most ${issue.maximum}`;
    case 'invalid_format':
      return issue.format === 'regex'
        ? (issue.message ?? 'has an invalid format')
        : `must be a valid ${issue.format}`;
    case 'invalid_value':
      return `must be one of: ${issue.values.map(String).join(', ')}`;
    case 'unrecognized_keys':
      return `is not a field of this record (${issue.keys.join(', ')})`;
    default:
      return issue.message && issue.message !== 'Invalid input' ? issue.message : 'is invalid';
  }
}

/** The CSV column each API field of a row came from (`customFields.<key>` for custom fields). */
function columnsByApiField(
  entity: ImportEntity,
  columns: readonly ColumnMapping[],
  customFields: readonly CustomFieldDefinition[],
): Map<string, string> {
  const byField = new Map<string, string>();
  for (const column of columns) {
    if (column.field === null) continue;
    const target = fieldOf(entity, column.field, customFields);
    if (!target) continue;
    if (target.source === 'custom')
      byField.set(`${CUSTOM_FIELD_PREFIX}${target.definition.key}`, column.column);
    else if (target.field.kind.type === 'fullName') {
      if (!byField.has('firstName')) byField.set('firstName', column.column);
      if (!byField.has('lastName')) byField.set('lastName', column.column);
    } else byField.set(target.field.apiField, column.column);
  }
  return byField;
}

/**
 * Validates a row's fields, after the pipeline put the resolved reference ids
 * in (`resolved`: companyId, ownerId, pipelineId, stageId, contactIds), against
 * the entity's create schema (`mode: 'create'`, a new record) or patch schema
 * (`'update'`, an upsert that matched: only the row's non-blank cells are
 * written, so blank cells never clear stored values), plus the custom field
 * definitions (shared/domain/custom-fields.ts customFieldIssues; required
 * fields are judged on create).
 *
 * Returns the schema's output as the write's input, or every problem as a
 * RowError naming the CSV column the field came from (the API field name when
 * no column supplies it, e.g. a required firstName) and the cell as written.
 * Deals' `externalId` is checked by the schema when it declares the field; the
 * row's value is passed through otherwise.
 */
export function validateRow(
  entity: ImportEntity,
  columns: readonly ColumnMapping[],
  row: ReadRow,
  resolved: Readonly<Record<string, unknown>>,
  mode: 'create' | 'update',
  customFields: readonly CustomFieldDefinition[],
): { ok: true; input: Record<string, unknown> } | { ok: false; errors: RowError[] } {
  const schemas = schemasOf(entity);
  const schema = mode === 'create' ? schemas.create : schemas.patch;
  const candidate: Record<string, unknown> = { ...row.fields, ...resolved };
  const passThrough: Record<string, unknown> = {};
  const shape = shapeOf(schema);
  if (shape) {
    for (const key of Object.keys(candidate))
      if (!(key in shape) && key === 'externalId') {
        passThrough[key] = candidate[key];
        delete candidate[key];
      }
  }
  const byField = columnsByApiField(entity, columns, customFields);
  const errors: RowError[] = [];
  const report = (field: string, reason: string) => {
    const column = byField.get(field) ?? byField.get(field.split('.')[0] as string) ?? field;
    const value = row.cells[column] ?? '';
    if (!errors.some((error) => error.column === column && error.reason === reason))
      errors.push({ row: row.row, column, value, reason });
  };

  const parsed = schema.safeParse(candidate);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const [first, second] = issue.path.map(String);
      const field =
        first === 'customFields' && second ? `${CUSTOM_FIELD_PREFIX}${second}` : (first ?? '(row)');
      let value: unknown = candidate;
      for (const key of issue.path) value = (value as Record<PropertyKey, unknown> | undefined)?.[key];
      report(field, reasonOf(issue, value));
    }
  }
  const custom = (candidate.customFields ?? {}) as Record<string, unknown>;
  for (const issue of customFieldIssues(
    customFields,
    custom,
    Object.keys(custom),
    mode === 'create' ? 'create' : 'patch',
  ))
    report(issue.path, issue.message);

  if (errors.length > 0 || !parsed.success) return { ok: false, errors };
  return { ok: true, input: { ...(parsed.data as Record<string, unknown>), ...passThrough } };
}
