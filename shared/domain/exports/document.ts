import type { Contact, Lead } from '../records.ts';
import { type ExportRecord, type ExportReferences, exportCells } from './cells.ts';
import { CSV_BOM, csvLine } from './csv.ts';
import { vCardPerson } from './people.ts';
import { sharedContact, sharedContactCard, sharedContactCells, sharedListFields } from './shared-list.ts';
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
  /** The CSV header (see exportColumns); unused by JSON and vCard, and by a shared list. */
  readonly columns: readonly string[];
  /** A shared list link's file: contacts with only sharedListFields, in every format (shared-list.ts). */
  readonly sharedList?: boolean;
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
    if (spec.sharedList && spec.entity !== 'contacts') throw new Error('A shared list holds contacts');
  }

  start(): string {
    switch (this.spec.format) {
      case 'csv':
        return CSV_BOM + csvLine(this.spec.sharedList ? sharedListFields : this.spec.columns);
      case 'json':
        return '[';
      case 'vcf':
        return '';
    }
  }

  page(records: readonly ExportRecord[], references: ExportReferences): string {
    const { format, entity, columns } = this.spec;
    if (this.spec.sharedList) return this.sharedPage(records as readonly Contact[], references);
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

  private sharedPage(records: readonly Contact[], references: ExportReferences): string {
    let text = '';
    for (const record of records) {
      const contact = sharedContact(record, references);
      switch (this.spec.format) {
        case 'csv':
          text += csvLine(sharedContactCells(contact));
          break;
        case 'json':
          text += `${this.first ? '\n' : ',\n'}${JSON.stringify(contact)}`;
          break;
        case 'vcf':
          text += vCard(sharedContactCard(contact));
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
