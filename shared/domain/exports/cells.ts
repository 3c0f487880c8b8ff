import type { Company, Contact, Deal, Lead } from '../records.ts';

/**
 * A record's CSV cells under the import's canonical column names, written the
 * way the import reads them back (shared/domain/imports): references by a
 * human value, lists joined with `;`, numbers in plain decimal notation.
 */
export type ExportEntity = 'contacts' | 'companies' | 'leads' | 'deals';
export type ExportRecord = Contact | Company | Lead | Deal;

/**
 * What the references of one page of records name, read by the caller of
 * {@link exportCells} (only records the reader may read; the rest are absent
 * and their cells blank, so an export never shows what a list would not).
 */
export interface ExportReferences {
  /** Company id → its domain and name. */
  readonly companies: ReadonlyMap<string, { readonly name: string; readonly domain?: string }>;
  /** User id → email. An owner without a user item keeps its id (the import accepts either). */
  readonly owners: ReadonlyMap<string, string>;
  /** Pipeline id → its name and its stages' names by id. */
  readonly pipelines: ReadonlyMap<
    string,
    { readonly name: string; readonly stages: ReadonlyMap<string, string> }
  >;
  /** Contact id → email (a deal's contacts). */
  readonly contacts: ReadonlyMap<string, string>;
}

/** Columns every export adds after the canonical ones; the importer ignores them. */
export const trailingColumns = ['id', 'createdAt', 'updatedAt'] as const;

/** The header: the canonical columns (import order), then {@link trailingColumns}. */
export function exportColumns(canonical: readonly string[]): string[] {
  return [
    ...canonical.filter((column) => !(trailingColumns as readonly string[]).includes(column)),
    ...trailingColumns,
  ];
}

/** Plain decimal notation with `.`: never an exponent (1e21 → `1000000000000000000000`, 1e-7 → `0.0000001`). */
export function plainNumber(value: number): string {
  if (!Number.isFinite(value)) return '';
  const text = String(value);
  if (!/e/i.test(text)) return text;
  const [mantissa = '', exponentText = '0'] = text.toLowerCase().split('e');
  const exponent = Number(exponentText);
  const negative = mantissa.startsWith('-');
  const [whole = '', fraction = ''] = mantissa.replace('-', '').split('.');
  const digits = whole + fraction;
  const point = whole.length + exponent;
  const body =
    point <= 0
      ? `0.${'0'.repeat(-point)}${digits}`
      : point >= digits.length
        ? digits + '0'.repeat(point - digits.length)
        : `${digits.slice(0, point)}.${digits.slice(point)}`;
  return (negative ? '-' : '') + body;
}

/** A stored value as cell text: lists joined with `;`, booleans `true`/`false`, absent values blank. */
export function cellText(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return plainNumber(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (Array.isArray(value)) return value.map(cellText).join(';');
  return JSON.stringify(value);
}

const CUSTOM_PREFIX = 'customFields.';

/**
 * The cells of `record` under `columns`: `company` is the company's domain
 * (its name when it has none), `owner` the owner's email, `pipeline` and
 * `stage` names, `contacts` the deal's contact emails joined with `;`,
 * `customFields.<key>` the custom value; every other column is the record's
 * field of that name. A reference the reader may not read is blank.
 */
export function exportCells(
  record: ExportRecord,
  columns: readonly string[],
  references: ExportReferences,
): string[] {
  const fields = record as unknown as Record<string, unknown>;
  return columns.map((column) => {
    if (column.startsWith(CUSTOM_PREFIX)) {
      const custom = fields.customFields as Record<string, unknown> | undefined;
      return cellText(custom?.[column.slice(CUSTOM_PREFIX.length)]);
    }
    switch (column) {
      case 'company': {
        const id = fields.companyId;
        const company = typeof id === 'string' ? references.companies.get(id) : undefined;
        // A lead names its company in plain text (`companyName`).
        return company ? (company.domain ?? company.name) : cellText(fields.companyName);
      }
      case 'owner':
        return references.owners.get(record.ownerId) ?? record.ownerId;
      case 'pipeline': {
        const id = fields.pipelineId;
        return typeof id === 'string' ? (references.pipelines.get(id)?.name ?? id) : '';
      }
      case 'stage': {
        const pipeline = references.pipelines.get(String(fields.pipelineId));
        const id = fields.stageId;
        return typeof id === 'string' ? (pipeline?.stages.get(id) ?? id) : '';
      }
      case 'contacts': {
        const ids = Array.isArray(fields.contactIds) ? (fields.contactIds as string[]) : [];
        return ids
          .flatMap((id) => (references.contacts.has(id) ? [references.contacts.get(id) as string] : []))
          .join(';');
      }
      default:
        return cellText(fields[column]);
    }
  });
}
