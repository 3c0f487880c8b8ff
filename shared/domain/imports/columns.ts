import type { CustomFieldDefinition } from '../custom-fields.ts';
import type { ImportEntity } from './entities.ts';
import { ImportFileError } from './errors.ts';
import { CUSTOM_FIELD_PREFIX, type ImportField, importFields } from './fields.ts';
import { fold } from './values.ts';

/**
 * A header cell and the field it maps to. `field` is a canonical column name
 * (`email`, `company`, `owner`, `pipeline`, `stage`, `customFields.<key>`, and
 * for contacts and leads `name`, a full name split into first and last name)
 * or null: the column is ignored and the import reports it.
 */
export interface ColumnMapping {
  readonly column: string;
  readonly index: number;
  readonly field: string | null;
}

/**
 * The canonical column names of `entity`: what an export writes as its header
 * and what an import matches exactly. Built-in fields first (references by
 * their human value: `company` a company's domain or name, `owner` the owner's
 * email, `pipeline` and `stage` by name, `contacts` as emails joined with `;`),
 * then `customFields.<key>` per definition, in definition order.
 *
 * Cells that re-import unchanged: dates as `YYYY-MM-DD`, amounts and numbers
 * as plain decimals with `.` (no grouping), booleans `true`/`false`, lists
 * (tags, multiselect, contacts) joined with `;`, each cell passed through
 * `neutralise` (values.ts), and a cell holding CR or LF quoted (a lone CR or
 * LF ends a row on import; csv-stringify `quoted_match: /[\r\n]/`).
 */
export function canonicalColumns(
  entity: ImportEntity,
  customFields: readonly CustomFieldDefinition[],
): string[] {
  return [
    ...importFields[entity].filter((field) => !field.importOnly).map((field) => field.column),
    ...customFields.map((definition) => `${CUSTOM_FIELD_PREFIX}${definition.key}`),
  ];
}

/** The built-in field or custom field definition a mapping target names. */
export type MappedField =
  | { readonly source: 'builtin'; readonly field: ImportField }
  | { readonly source: 'custom'; readonly definition: CustomFieldDefinition };

/** What a canonical column name (a mapping target) stands for, if anything. */
export function fieldOf(
  entity: ImportEntity,
  target: string,
  customFields: readonly CustomFieldDefinition[],
): MappedField | undefined {
  const builtin = importFields[entity].find((field) => field.column === target);
  if (builtin) return { source: 'builtin', field: builtin };
  if (!target.startsWith(CUSTOM_FIELD_PREFIX)) return undefined;
  const key = target.slice(CUSTOM_FIELD_PREFIX.length);
  const definition = customFields.find((candidate) => candidate.key === key);
  return definition && { source: 'custom', definition };
}

/**
 * How closely a header name names its field, best first: the canonical
 * column name as an export writes it, a synonym (or the canonical name in
 * another case, or a custom field's key or label), a generic name (`Title`),
 * a further value (`E-mail 2 Address`).
 */
const Tier = { Canonical: 0, Synonym: 1, Generic: 2, Secondary: 3 } as const;
type Tier = (typeof Tier)[keyof typeof Tier];

/**
 * The forgiving matcher: folded header name → target and tier. Generic names
 * first (Outlook's `Title` is not `title` the export writes), then the
 * canonical names, built-in synonyms, secondary names, then custom fields by
 * key and by label (a custom field never takes a name a built-in field
 * answers to).
 */
function matcher(
  entity: ImportEntity,
  customFields: readonly CustomFieldDefinition[],
): Map<string, { target: string; tier: Tier }> {
  const names = new Map<string, { target: string; tier: Tier }>();
  const add = (name: string, target: string, tier: Tier) => {
    const folded = fold(name);
    if (folded !== '' && !names.has(folded)) names.set(folded, { target, tier });
  };
  for (const field of importFields[entity])
    for (const name of field.generic ?? []) add(name, field.column, Tier.Generic);
  for (const target of canonicalColumns(entity, customFields)) add(target, target, Tier.Synonym);
  for (const field of importFields[entity]) {
    add(field.column, field.column, Tier.Synonym);
    for (const synonym of field.synonyms) add(synonym, field.column, Tier.Synonym);
  }
  for (const field of importFields[entity])
    for (const name of field.secondary ?? []) add(name, field.column, Tier.Secondary);
  for (const definition of customFields) {
    add(definition.key, `${CUSTOM_FIELD_PREFIX}${definition.key}`, Tier.Synonym);
    add(definition.label, `${CUSTOM_FIELD_PREFIX}${definition.key}`, Tier.Synonym);
  }
  return names;
}

const quoted = (names: readonly string[]) => names.map((name) => `"${name}"`).join(', ');

/**
 * Maps header cells to fields. An explicit `mapping` (header cell → canonical
 * column name, `''` or null to ignore the column, as POST /imports takes it) wins for the cells it names; the
 * other cells go through the forgiving matcher (case, accents, spaces, `_`,
 * `-`, `.` and other punctuation ignored; English and Spanish synonyms; custom
 * fields by key or label). A column the matcher maps to a field an explicit
 * entry already took is ignored. Of several columns the matcher maps to one
 * field, one named better wins and the others are ignored (canonical name >
 * synonym > generic name such as Outlook's `Title`, the salutation beside
 * `Job Title` > further value such as `E-mail 2 Address` or `Home Phone`, of
 * which the first wins); two of the same standing fail the file. For
 * contacts and leads a full-name column
 * (`name`) is used only when no column maps to `firstName`; otherwise it is
 * ignored. Blank header cells map to null.
 *
 * Returns a ColumnMapping per header cell and `mapping` (every non-blank header
 * cell → its field or null), what the import shows and can be sent back.
 *
 * Throws ImportFileError when an explicit mapping names a column that is not in
 * the header or a field that does not exist, when two columns of the same
 * standing map to the same field, or when no column maps to any field of the entity.
 */
export function mapColumns(
  entity: ImportEntity,
  header: readonly string[],
  options: {
    mapping?: Readonly<Record<string, string | null>>;
    customFields: readonly CustomFieldDefinition[];
  },
): { columns: ColumnMapping[]; mapping: Record<string, string | null> } {
  // null and '' both ignore a column.
  const explicit = Object.fromEntries(
    Object.entries(options.mapping ?? {}).map(([column, target]) => [column, target ?? '']),
  );
  const missing = Object.keys(explicit).filter((column) => !header.includes(column.trim()));
  if (missing.length > 0)
    throw new ImportFileError(
      `The mapping names ${missing.length === 1 ? 'a column' : 'columns'} the header does not have: ${quoted(missing)}.`,
    );
  const unknown = Object.entries(explicit)
    .filter(([, target]) => target !== '' && !fieldOf(entity, target, options.customFields))
    .map(([, target]) => target);
  if (unknown.length > 0)
    throw new ImportFileError(
      `The mapping names ${unknown.length === 1 ? 'a field' : 'fields'} ${entity} do not have: ${quoted(unknown)}. ` +
        `The fields are: ${canonicalColumns(entity, options.customFields).join(', ')}.`,
    );
  const explicitByColumn = new Map(
    Object.entries(explicit).map(([column, target]) => [column.trim(), target]),
  );
  const names = matcher(entity, options.customFields);
  const canonical = new Set(canonicalColumns(entity, options.customFields));

  const chosen = header.map((column, index) => {
    const given = explicitByColumn.get(column);
    if (column === '') return { column, index, field: null, explicit: false, tier: Tier.Canonical };
    if (given !== undefined)
      return { column, index, field: given === '' ? null : given, explicit: true, tier: Tier.Canonical };
    if (canonical.has(column)) return { column, index, field: column, explicit: false, tier: Tier.Canonical };
    const match = names.get(fold(column));
    return {
      column,
      index,
      field: match?.target ?? null,
      explicit: false,
      tier: match?.tier ?? Tier.Canonical,
    };
  });
  const takenExplicitly = new Set(
    chosen.filter((entry) => entry.explicit && entry.field).map((entry) => entry.field),
  );
  for (const entry of chosen)
    if (!entry.explicit && entry.field && takenExplicitly.has(entry.field)) entry.field = null;
  if (chosen.some((entry) => entry.field === 'firstName'))
    for (const entry of chosen)
      if (entry.field === 'name' && (entity === 'contacts' || entity === 'leads')) entry.field = null;

  // Of the matched columns of one field, a better-named one wins; among further values, the first.
  const best = new Map<string, Tier>();
  for (const entry of chosen)
    if (entry.field && !entry.explicit)
      best.set(entry.field, Math.min(best.get(entry.field) ?? Tier.Secondary, entry.tier) as Tier);
  const firstSecondary = new Set<string>();
  for (const entry of chosen) {
    if (!entry.field || entry.explicit) continue;
    if (entry.tier > (best.get(entry.field) ?? Tier.Secondary)) entry.field = null;
    else if (entry.tier === Tier.Secondary) {
      if (firstSecondary.has(entry.field)) entry.field = null;
      else firstSecondary.add(entry.field);
    }
  }

  const byField = new Map<string, string[]>();
  for (const entry of chosen)
    if (entry.field) byField.set(entry.field, [...(byField.get(entry.field) ?? []), entry.column]);
  const clashes = [...byField].filter(([, columns]) => columns.length > 1);
  if (clashes.length > 0)
    throw new ImportFileError(
      `${clashes.map(([field, columns]) => `Columns ${quoted(columns)} all map to ${field}`).join('; ')}. ` +
        'Keep one, or send a mapping that maps the others to "" (ignored).',
    );
  if (byField.size === 0)
    throw new ImportFileError(
      `No column of the header (${quoted(header.filter((column) => column !== ''))}) matches a field of ${entity}. ` +
        `Name the columns ${canonicalColumns(entity, options.customFields).join(', ')}, or send a mapping.`,
    );
  const columns = chosen.map(({ column, index, field }) => ({ column, index, field }));
  const mapping: Record<string, string | null> = {};
  for (const { column, field } of columns) if (column !== '') mapping[column] = field;
  return { columns, mapping };
}
