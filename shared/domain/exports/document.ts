import type { Contact, Lead } from '../records.ts';
import { type ExportRecord, type ExportReferences, exportCells } from './cells.ts';
import { CSV_BOM, csvLine } from './csv.ts';
import { vCardPerson } from './people.ts';
import { vCard } from './vcard.ts';

/** The formats of `GET /<list>/export?format=` and the content type each is served as. */
export const exportFormats = ['csv', 'json', 'vcf'] as const;
export type ExportFormat = (typeof exportFormats)[number];

export const exportContentTypes: Readonly<Record<ExportFormat, string>> = {
  csv: 'text/csv; charset=utf-8',
  json: 'application/json',
  vcf: 'text/vcard; charset=utf-8',
};

/** What one export writes: its format, the records' entity, and for CSV the header's columns. */
export interface DocumentSpec {
  readonly format: ExportFormat;
  readonly entity: 'contacts' | 'companies' | 'leads' | 'deals';
  /** The CSV header (see exportColumns); unused by JSON and vCard. */
  readonly columns: readonly string[];
}

/**
 * An export file written piece by piece, so neither the response nor the
 * worker holds more than one page of records: `start()`, then `page()` per
 * page of records (in the client's view, as `GET /<list>` shows them), then
 * `end()`. CSV: a BOM, the header, one line per record. JSON: one array of
 * the records. vCard: one card per person (contacts and leads only; throws
 * for others, which the routes refuse before).
 */
export class ExportDocument {
  private first = true;

  constructor(private readonly spec: DocumentSpec) {
    if (spec.format === 'vcf' && spec.entity !== 'contacts' && spec.entity !== 'leads')
      throw new Error(`vCard holds people; ${spec.entity} cannot be exported as vCard`);
  }

  start(): string {
    switch (this.spec.format) {
      case 'csv':
        return CSV_BOM + csvLine(this.spec.columns);
      case 'json':
        return '[';
      case 'vcf':
        return '';
    }
  }

  page(records: readonly ExportRecord[], references: ExportReferences): string {
    const { format, entity, columns } = this.spec;
    let text = '';
    for (const record of records) {
      switch (format) {
        case 'csv':
          text += csvLine(exportCells(record, columns, references));
          break;
        case 'json':
          text += `${this.first ? '\n' : ',\n'}${JSON.stringify(record)}`;
          break;
        case 'vcf':
          text += vCard(
            entity === 'leads'
              ? vCardPerson({ entity, record: record as Lead }, references)
              : vCardPerson({ entity: 'contacts', record: record as Contact }, references),
          );
          break;
      }
      this.first = false;
    }
    return text;
  }

  end(): string {
    return this.spec.format === 'json' ? (this.first ? ']' : '\n]') : '';
  }
}
