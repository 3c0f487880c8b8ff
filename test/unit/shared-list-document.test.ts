import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  asciiFileName,
  attachmentDisposition,
  fileSafeName,
} from '../../shared/domain/content-disposition.ts';
import {
  ExportDocument,
  type ExportFormat,
  type ExportReferences,
  sharedListFields,
} from '../../shared/domain/exports/index.ts';
import type { Contact } from '../../shared/domain/records.ts';

const contact: Contact = {
  id: '01JDZ8Q7P2M3N4P5Q6R7S8T9V0',
  createdAt: '2026-11-01T10:00:00.000Z',
  updatedAt: '2026-11-02T10:00:00.000Z',
  version: 3,
  ownerId: 'staff-owner',
  teamId: 'team-red',
  createdBy: 'staff-creator',
  updatedBy: 'staff-editor',
  archived: false,
  firstName: 'Inés',
  lastName: 'Vidal',
  email: 'ines@example.com',
  phone: '+34 600 000 000',
  companyId: 'company-1',
  title: 'Buyer',
  city: 'Bilbao',
  country: 'ES',
  tags: ['vip', 'north'],
  lifecycleStage: 'customer',
  marketingStatus: 'subscribed',
  customFields: { internalScore: 7 },
} as Contact;

const references: ExportReferences = {
  companies: new Map([['company-1', { name: 'Norte SA', domain: 'norte.example' }]]),
  owners: new Map([['staff-owner', 'owner@crm.example']]),
  pipelines: new Map(),
  contacts: new Map(),
};

function written(format: ExportFormat): string {
  const document = new ExportDocument({
    format,
    entity: 'contacts',
    columns: ['owner', 'id'],
    sharedList: true,
  });
  return document.start() + document.page([contact], references) + document.end();
}

/** Nothing a partner must not see, in any format. */
const internal = [
  '01JDZ8Q7P2M3N4P5Q6R7S8T9V0',
  'staff-',
  'team-red',
  'owner@crm.example',
  'internalScore',
  'subscribed',
  'customer',
  'norte.example',
];

describe('a shared list file', () => {
  it('holds the same partner fields in CSV, JSON and vCard, and nothing internal', () => {
    const csv = parse(written('csv'), { bom: true }) as string[][];
    expect(csv[0]).toEqual([...sharedListFields]);
    expect(csv[1]).toEqual([
      'Inés',
      'Vidal',
      'ines@example.com',
      "'+34 600 000 000",
      'Norte SA',
      'Buyer',
      'Bilbao',
      'ES',
      'vip;north',
    ]);
    expect(JSON.parse(written('json'))).toEqual([
      {
        firstName: 'Inés',
        lastName: 'Vidal',
        email: 'ines@example.com',
        phone: '+34 600 000 000',
        company: 'Norte SA',
        title: 'Buyer',
        city: 'Bilbao',
        country: 'ES',
        tags: ['vip', 'north'],
      },
    ]);
    const card = written('vcf');
    expect(card).toContain('FN:Inés Vidal');
    expect(card).toContain('ORG:Norte SA');
    expect(card).not.toMatch(/^(UID|REV)/m);
    for (const format of ['csv', 'json', 'vcf'] as const)
      for (const secret of internal) expect(written(format), `${format}: ${secret}`).not.toContain(secret);
  });

  it('leaves a company the creator may not read blank', () => {
    const document = new ExportDocument({
      format: 'json',
      entity: 'contacts',
      columns: [],
      sharedList: true,
    });
    const text =
      document.start() + document.page([contact], { ...references, companies: new Map() }) + document.end();
    expect(JSON.parse(text)[0].company).toBeUndefined();
  });

  it('holds only contacts', () => {
    expect(
      () => new ExportDocument({ format: 'csv', entity: 'deals', columns: [], sharedList: true }),
    ).toThrow();
  });
});

describe('Content-Disposition', () => {
  it('names an ASCII file once and any other twice: an ASCII fallback and RFC 8187 UTF-8', () => {
    expect(attachmentDisposition('contacts-20261130.csv')).toBe(
      'attachment; filename="contacts-20261130.csv"',
    );
    expect(attachmentDisposition('Café «Nord»-20261130.csv')).toBe(
      `attachment; filename="Cafe _Nord_-20261130.csv"; filename*=UTF-8''Caf%C3%A9%20%C2%ABNord%C2%BB-20261130.csv`,
    );
    expect(attachmentDisposition("It's (50%)*.csv")).toBe(`attachment; filename="It's (50%)_.csv"`);
    expect(attachmentDisposition('東京.vcf')).toBe(
      `attachment; filename="__.vcf"; filename*=UTF-8''%E6%9D%B1%E4%BA%AC.vcf`,
    );
  });

  it('never lets a name break the header or the file system, whatever it holds', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (name) => {
        const header = attachmentDisposition(name);
        expect(header).toMatch(
          /^attachment; filename="[\x20-\x21\x23-\x5b\x5d-\x7e]*"(; filename\*=UTF-8''[A-Za-z0-9!#$&+\-.^_`|~%]*)?$/,
        );
        expect(fileSafeName(name)).not.toMatch(/[\\/:*?"<>|\p{Cc}\u202a-\u202e\u2066-\u2069]/u);
        expect([...fileSafeName(name)].length).toBeLessThanOrEqual(120);
        const star = /filename\*=UTF-8''(.*)$/.exec(header)?.[1];
        if (star) expect(decodeURIComponent(star)).toBe(fileSafeName(name) || 'download');
        expect(asciiFileName(fileSafeName(name))).toMatch(/^[\x20-\x7e]*$/);
      }),
    );
  });
});
