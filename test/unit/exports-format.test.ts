import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import vCardParser from 'vcf';
import { describe, expect, it } from 'vitest';
import {
  CSV_BOM,
  csvCell,
  csvLine,
  ExportDocument,
  type ExportReferences,
  escapeText,
  exportCells,
  exportColumns,
  foldLine,
  plainNumber,
  vCard,
} from '../../shared/domain/exports/index.ts';
import { neutralise, unneutralise } from '../../shared/domain/imports/values.ts';
import type { Contact, Deal } from '../../shared/domain/records.ts';

const base = {
  createdAt: '2026-01-02T03:04:05.000Z',
  updatedAt: '2026-02-03T04:05:06.789Z',
  version: 1,
  archived: false,
};

const contact = (fields: Partial<Contact> = {}): Contact => ({
  ...base,
  id: '01JCONTACT0000000000000000',
  ownerId: 'user-1',
  firstName: 'Ana',
  tags: [],
  customFields: {},
  marketingStatus: 'subscribed',
  ...fields,
});

const noReferences: ExportReferences = {
  companies: new Map(),
  owners: new Map(),
  pipelines: new Map(),
  contacts: new Map(),
};

/** Unfolds and splits a vCard stream into content lines, failing on anything RFC 6350 forbids. */
function strictLines(text: string): string[] {
  expect(text.endsWith('\r\n')).toBe(true);
  const physical = text.slice(0, -2).split('\r\n');
  for (const line of physical) {
    expect(Buffer.byteLength(line)).toBeLessThanOrEqual(75);
    expect(line).not.toMatch(/[\r\n]/);
  }
  return text.slice(0, -2).replace(/\r\n /g, '').split('\r\n');
}

/** RFC 6350 text unescaping (the inverse of escapeText) of one value or component. */
const unescapeText = (value: string) =>
  value.replace(/\\([\\,;nN])/g, (_, char: string) => (char.toLowerCase() === 'n' ? '\n' : char));

/** Splits on separators not escaped by a backslash. */
function splitUnescaped(value: string, separator: string): string[] {
  const parts: string[] = [''];
  for (let i = 0; i < value.length; i++) {
    const char = value[i] as string;
    if (char === '\\') {
      parts[parts.length - 1] += char + (value[i + 1] ?? '');
      i++;
    } else if (char === separator) parts.push('');
    else parts[parts.length - 1] += char;
  }
  return parts;
}

describe('CSV cells', () => {
  it('neutralises every formula start, and only those', () => {
    for (const start of ['=', '+', '-', '@', '\t', '\r'])
      expect(neutralise(`${start}1+1`)).toBe(`'${start}1+1`);
    // A value that itself starts with quotes before a formula start gets one more, so it survives.
    expect(csvCell("'=quoted")).toBe("''=quoted");
    for (const safe of ['1+1', "'plain", ' =spaced', 'a=b', '']) expect(neutralise(safe)).toBe(safe);
  });

  it('quotes only what needs it and doubles inner quotes', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell(' padded ')).toBe('" padded "');
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvLine(['a', 'b'])).toBe('a,b\r\n');
  });

  it('reads back through csv-parse as the neutralised cells, for any text', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.string({ unit: 'binary' }), { minLength: 1, maxLength: 6 }), {
          minLength: 1,
          maxLength: 5,
        }),
        (rows) => {
          const width = Math.max(...rows.map((row) => row.length));
          const padded = rows.map((row) => [...row, ...Array(width - row.length).fill('')]);
          const text = padded.map(csvLine).join('');
          const parsed = parse(text, { relax_column_count: false }) as string[][];
          expect(parsed).toEqual(padded.map((row) => row.map(neutralise)));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("the importer's unneutralise gives back every value, whatever it starts with", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary' }),
        fc.constantFrom('', '=', '+', '-', '@', '\t', '\r', "'", "''", "'=", "''-"),
        (rest, start) => {
          expect(unneutralise(neutralise(start + rest))).toBe(start + rest);
        },
      ),
    );
  });
});

describe('plain numbers', () => {
  it('never uses an exponent and keeps the value', () => {
    expect(plainNumber(1234.5)).toBe('1234.5');
    expect(plainNumber(-0.25)).toBe('-0.25');
    expect(plainNumber(1e21)).toBe('1000000000000000000000');
    expect(plainNumber(1.5e-7)).toBe('0.00000015');
    expect(plainNumber(-2.5e22)).toBe('-25000000000000000000000');
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (value) => {
        const text = plainNumber(value);
        expect(text).toMatch(/^-?\d+(\.\d+)?$/);
        expect(Number(text)).toBe(value === 0 ? 0 : value);
      }),
    );
  });
});

describe('record cells', () => {
  const references: ExportReferences = {
    companies: new Map([
      ['c1', { name: 'Álvarez Logística', domain: 'alvarez.example' }],
      ['c2', { name: 'No Domain SL' }],
    ]),
    owners: new Map([['user-1', 'ana@crm.test']]),
    pipelines: new Map([['p1', { name: 'Sales', stages: new Map([['s1', 'proposal']]) }]]),
    contacts: new Map([
      ['k1', 'one@x.test'],
      ['k2', 'two@x.test'],
    ]),
  };

  it('writes references as the import reads them, lists with `;`, custom fields by key', () => {
    const columns = exportColumns([
      'firstName',
      'company',
      'owner',
      'tags',
      'customFields.size',
      'customFields.vip',
      'customFields.langs',
    ]);
    expect(columns.slice(-3)).toEqual(['id', 'createdAt', 'updatedAt']);
    const cells = exportCells(
      contact({
        companyId: 'c1',
        tags: ['vip', 'madrid'],
        customFields: { size: 12.5, vip: true, langs: ['es', 'en'] },
      }),
      columns,
      references,
    );
    expect(cells).toEqual([
      'Ana',
      'alvarez.example',
      'ana@crm.test',
      'vip;madrid',
      '12.5',
      'true',
      'es;en',
      '01JCONTACT0000000000000000',
      base.createdAt,
      base.updatedAt,
    ]);
    expect(exportCells(contact({ companyId: 'c2' }), ['company'], references)).toEqual(['No Domain SL']);
    // A company the reader may not read, and an owner without a user item.
    expect(
      exportCells(contact({ companyId: 'c9', ownerId: 'admin-x' }), ['company', 'owner'], references),
    ).toEqual(['', 'admin-x']);
  });

  it("writes a deal's pipeline, stage and readable contacts by name and email", () => {
    const deal = {
      ...base,
      id: 'd1',
      ownerId: 'user-1',
      name: 'Fleet',
      amount: 18000.5,
      currency: 'EUR',
      pipelineId: 'p1',
      stageId: 's1',
      status: 'open',
      probability: 50,
      contactIds: ['k1', 'k3', 'k2'],
      productIds: [],
    } as unknown as Deal;
    expect(exportCells(deal, ['name', 'amount', 'pipeline', 'stage', 'contacts'], references)).toEqual([
      'Fleet',
      '18000.5',
      'Sales',
      'proposal',
      'one@x.test;two@x.test',
    ]);
  });
});

describe('vCard', () => {
  it('escapes text values per RFC 6350', () => {
    expect(escapeText('a\\b,c;d\ne\r\nf')).toBe('a\\\\b\\,c\\;d\\ne\\nf');
  });

  it('folds at 75 octets without cutting a UTF-8 sequence', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', minLength: 0, maxLength: 200 }), (value) => {
        const line = `NOTE:${value.replace(/[\r\n]/g, '')}`;
        const folded = foldLine(line);
        for (const physical of folded.split('\r\n'))
          expect(Buffer.byteLength(physical)).toBeLessThanOrEqual(75);
        expect(folded.replace(/\r\n /g, '')).toBe(line);
      }),
    );
  });

  it('writes a card that a strict reader and the vcf package read back', () => {
    const person = {
      uid: '01JCONTACT0000000000000000',
      fullName: 'María José Núñez; "Pepa", \\ la de Cádiz',
      givenName: 'María José',
      familyName: 'Núñez; "Pepa"',
      email: 'pepa@cádiz.example',
      phone: '+34 600 000 000',
      organisation: 'Ñandú, S.L.',
      title: 'Jefa\nde ventas',
      city: 'Cádiz',
      country: 'ES',
      categories: ['vip', 'a,b'],
      revision: '2026-02-03T04:05:06.789Z',
    };
    const text = vCard(person);
    const lines = strictLines(text);
    expect(lines[0]).toBe('BEGIN:VCARD');
    expect(lines[1]).toBe('VERSION:4.0');
    expect(lines.at(-1)).toBe('END:VCARD');
    const value = (name: string) => {
      const line = lines.find((candidate) => candidate.split(':')[0]?.split(';')[0] === name);
      return line?.slice(line.indexOf(':') + 1);
    };
    expect(unescapeText(value('FN') as string)).toBe(person.fullName);
    expect(splitUnescaped(value('N') as string, ';').map(unescapeText)).toEqual([
      'Núñez; "Pepa"',
      'María José',
      '',
      '',
      '',
    ]);
    expect(unescapeText(value('TITLE') as string)).toBe('Jefa\nde ventas');
    expect(splitUnescaped(value('CATEGORIES') as string, ',').map(unescapeText)).toEqual(['vip', 'a,b']);
    expect(splitUnescaped(value('ADR') as string, ';').map(unescapeText)).toEqual([
      '',
      '',
      '',
      'Cádiz',
      '',
      '',
      'ES',
    ]);
    expect(value('REV')).toBe('20260203T040506Z');
    const [card] = vCardParser.parse(text);
    expect(card?.version).toBe('4.0');
    expect(String(card?.get('email').valueOf())).toBe('pepa@cádiz.example');
  });
});

describe('export documents', () => {
  it('CSV: BOM, header, one line per record', () => {
    const document = new ExportDocument({ format: 'csv', entity: 'contacts', columns: ['firstName', 'id'] });
    const text =
      document.start() +
      document.page([contact(), contact({ firstName: '=cmd' })], noReferences) +
      document.end();
    expect(text.startsWith(CSV_BOM)).toBe(true);
    expect(parse(text, { bom: true })).toEqual([
      ['firstName', 'id'],
      ['Ana', '01JCONTACT0000000000000000'],
      ["'=cmd", '01JCONTACT0000000000000000'],
    ]);
  });

  it('JSON: one array of the records, across pages, and [] when empty', () => {
    const document = new ExportDocument({ format: 'json', entity: 'contacts', columns: [] });
    const records = [contact(), contact({ firstName: '+1' })];
    const text =
      document.start() +
      document.page(records.slice(0, 1), noReferences) +
      document.page([], noReferences) +
      document.page(records.slice(1), noReferences) +
      document.end();
    expect(JSON.parse(text)).toEqual(records);
    const empty = new ExportDocument({ format: 'json', entity: 'deals', columns: [] });
    expect(JSON.parse(empty.start() + empty.end())).toEqual([]);
  });

  it('vCard only for people', () => {
    expect(() => new ExportDocument({ format: 'vcf', entity: 'companies', columns: [] })).toThrow(/vCard/);
    const document = new ExportDocument({ format: 'vcf', entity: 'contacts', columns: [] });
    const text =
      document.start() +
      document.page([contact(), contact({ firstName: 'Bea' })], noReferences) +
      document.end();
    expect(vCardParser.parse(text)).toHaveLength(2);
  });
});
