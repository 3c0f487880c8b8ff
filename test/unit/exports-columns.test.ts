import { describe, expect, it } from 'vitest';
import type { CustomFieldDefinition } from '../../shared/domain/custom-fields.ts';
import { exportColumns, trailingColumns } from '../../shared/domain/exports/index.ts';
import { canonicalColumns, importEntities, mapColumns } from '../../shared/domain/imports/index.ts';

/** The export's CSV header read back by the import's matcher: every column to itself, the trailing ones ignored. */
const definitions: CustomFieldDefinition[] = [
  { key: 'tier', label: 'Tier', type: 'select', options: ['gold', 'silver'] },
  { key: 'score', label: 'Score', type: 'number' },
  { key: 'langs', label: 'Languages', type: 'multiselect', options: ['es', 'en'] },
];

describe('export columns', () => {
  for (const entity of importEntities) {
    it(`${entity}: the import maps every exported column back to itself and ignores id, createdAt, updatedAt`, () => {
      const header = exportColumns(canonicalColumns(entity, definitions));
      expect(header.slice(-3)).toEqual([...trailingColumns]);
      expect(header).toEqual(
        expect.arrayContaining(['customFields.tier', 'customFields.score', 'customFields.langs']),
      );
      const { columns } = mapColumns(entity, header, { customFields: definitions });
      for (const column of columns) {
        if ((trailingColumns as readonly string[]).includes(column.column))
          expect(column.field, column.column).toBeNull();
        else expect(column.field, column.column).toBe(column.column);
      }
    });
  }

  it('never writes a canonical column twice, even one named like a trailing column', () => {
    expect(exportColumns(['name', 'id', 'email'])).toEqual(['name', 'email', 'id', 'createdAt', 'updatedAt']);
  });
});
