import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { daysInMonth } from '../../shared/domain/calendar.ts';
import { canonicalColumns, type ImportEntity, mapColumns } from '../../shared/domain/imports/index.ts';
import {
  neutralise,
  readDate,
  readMoney,
  readNumber,
  splitFullName,
  unneutralise,
} from '../../shared/domain/imports/values.ts';

describe('the header matcher', () => {
  /** Header names people's files use, and the field each must map to. */
  const names: Record<ImportEntity, Record<string, string>> = {
    contacts: {
      'E-mail': 'email',
      'Email Address': 'email',
      Correo: 'email',
      'Correo electrónico': 'email',
      'CORREO ELECTRONICO': 'email',
      e_mail: 'email',
      'First Name': 'firstName',
      'first-name': 'firstName',
      'FIRST.NAME': 'firstName',
      Nombre: 'firstName',
      'Apellido(s)': 'lastName',
      'Last Name': 'lastName',
      Surname: 'lastName',
      Company: 'company',
      'Company Name': 'company',
      Empresa: 'company',
      Compañía: 'company',
      Phone: 'phone',
      Teléfono: 'phone',
      Móvil: 'phone',
      Mobile: 'phone',
      'Job Title': 'title',
      Cargo: 'title',
      Puesto: 'title',
      Country: 'country',
      País: 'country',
      City: 'city',
      Ciudad: 'city',
      Localidad: 'city',
      Tags: 'tags',
      Etiquetas: 'tags',
      Owner: 'owner',
      'Contact owner': 'owner',
      Propietario: 'owner',
      'Full name': 'name',
      'Nombre completo': 'name',
    },
    companies: {
      Website: 'website',
      'Sitio web': 'website',
      Domain: 'domain',
      Dominio: 'domain',
      Industry: 'industry',
      Sector: 'industry',
      Employees: 'size',
      Empleados: 'size',
      'Número de empleados': 'size',
      'Company Name': 'name',
      Empresa: 'name',
      Owner: 'owner',
    },
    leads: {
      'Lead Source': 'source',
      Origen: 'source',
      Fuente: 'source',
      Company: 'companyName',
      Empresa: 'companyName',
      Correo: 'email',
      Nombre: 'firstName',
    },
    deals: {
      'Deal Name': 'name',
      Amount: 'amount',
      Importe: 'amount',
      Valor: 'amount',
      'Close Date': 'expectedCloseDate',
      'Fecha de cierre': 'expectedCloseDate',
      Stage: 'stage',
      Etapa: 'stage',
      Fase: 'stage',
      Pipeline: 'pipeline',
      Embudo: 'pipeline',
      'Lead Source': 'source',
      Origen: 'source',
      Fuente: 'source',
      externalId: 'externalId',
      'External ID': 'externalId',
      'ID externo': 'externalId',
      'Record ID': 'externalId',
      'Deal ID': 'externalId',
      Owner: 'owner',
      Company: 'company',
      Contacts: 'contacts',
    },
  };

  it.each(Object.entries(names))('maps the common %s headers', (entity, cases) => {
    for (const [header, field] of Object.entries(cases)) {
      const { mapping } = mapColumns(entity as ImportEntity, [header], { customFields: [] });
      expect({ header, field: mapping[header] }).toEqual({ header, field });
    }
  });

  it('ignores a column mapped to null or to an empty name, as POST /imports takes them', () => {
    const { mapping } = mapColumns('deals', ['name', 'owner', 'stage'], {
      customFields: [],
      mapping: { owner: null, stage: '' },
    });
    expect(mapping).toEqual({ name: 'name', owner: null, stage: null });
  });

  it.each(['contacts', 'companies', 'leads', 'deals'] as const)(
    'maps every canonical %s column to itself (what an export writes re-imports)',
    (entity) => {
      const customFields = [{ key: 'tier', label: 'Tier', type: 'text' as const }];
      const header = canonicalColumns(entity, customFields);
      const { mapping } = mapColumns(entity, header, { customFields });
      expect(mapping).toEqual(Object.fromEntries(header.map((column) => [column, column])));
    },
  );
});

describe('cell values', () => {
  const minorUnits = fc.integer({ min: 0, max: 100_000_000_000 });
  const group = (digits: string, separator: string) => digits.replace(/\B(?=(\d{3})+(?!\d))/g, separator);

  it('reads amounts written in either convention, with or without currency, exactly', () => {
    fc.assert(
      fc.property(
        minorUnits,
        fc.constantFrom('en', 'es', 'plain-dot', 'plain-comma'),
        fc.constantFrom('', '€ ', '€', '$'),
        fc.constantFrom('', ' EUR', ' €'),
        (minor, style, before, after) => {
          fc.pre(!(before !== '' && after !== ''));
          const whole = String(Math.floor(minor / 100));
          const cents = String(minor % 100).padStart(2, '0');
          const number =
            style === 'en'
              ? `${group(whole, ',')}.${cents}`
              : style === 'es'
                ? `${group(whole, '.')},${cents}`
                : style === 'plain-dot'
                  ? `${whole}.${cents}`
                  : `${whole},${cents}`;
          const read = readMoney(`${before}${number}${after}`);
          expect(read).toEqual({
            value: {
              amount: minor / 100,
              ...(before || after ? { currency: (before || after).trim() === '$' ? 'USD' : 'EUR' } : {}),
            },
          });
        },
      ),
    );
  });

  it('reads numbers with either decimal separator, negative ones too', () => {
    expect(readNumber('-1.234,5')).toEqual({ value: -1234.5 });
    expect(readNumber('0,25')).toEqual({ value: 0.25 });
    expect(readNumber('1,234')).toEqual({ value: 1234 });
    expect(readNumber('0,125')).toEqual({ value: 0.125 });
    expect(readNumber(',5')).toEqual({ value: 0.5 });
    expect(readNumber("1'234.5")).toEqual({ value: 1234.5 });
    expect(readNumber('0.123.456')).toEqual({ reason: 'is not a number' });
    expect(readNumber('12,5%')).toEqual({ reason: 'is not a number' });
    expect(readNumber('1.2.3,4.5')).toEqual({ reason: 'is not a number' });
    expect(readNumber('1,23,4')).toEqual({ reason: 'is not a number' });
  });

  it('reads every existing day in ISO and day-first forms, and refuses the days that do not exist', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1900, max: 2200 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 31 }),
        fc.constantFrom('iso', 'slash', 'dash', 'dot', 'short'),
        (year, month, day, style) => {
          const pad = (value: number) => String(value).padStart(2, '0');
          const text =
            style === 'iso'
              ? `${year}-${pad(month)}-${pad(day)}`
              : style === 'slash'
                ? `${pad(day)}/${pad(month)}/${year}`
                : style === 'dash'
                  ? `${day}-${month}-${year}`
                  : style === 'dot'
                    ? `${pad(day)}.${pad(month)}.${year}`
                    : `${day}/${month}/${year}`;
          const exists = day <= daysInMonth(year, month);
          const read = readDate(text);
          if (exists) expect(read).toEqual({ value: `${year}-${pad(month)}-${pad(day)}` });
          else expect(read).toHaveProperty('reason');
        },
      ),
    );
  });

  it('undoes only the export formula guard', () => {
    expect(['=1', '+1', '-1', '@a', '\tx', '\rx'].map((cell) => unneutralise(`'${cell}`))).toEqual([
      '=1',
      '+1',
      '-1',
      '@a',
      '\tx',
      '\rx',
    ]);
    expect(unneutralise("'hello")).toBe("'hello");
    expect(unneutralise("''=1")).toBe("'=1");
    expect(unneutralise('=1')).toBe('=1');
  });

  it('re-imports every value an export guarded unchanged', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom("'", '=', '+', '-', '@', '\t', '\r', 'a', ' ') }),
        (value) => {
          const cell = neutralise(value);
          expect(unneutralise(cell)).toBe(value);
          expect(/^[=+\-@\t\r]/.test(cell)).toBe(false);
        },
      ),
    );
  });

  it('splits full names', () => {
    expect(splitFullName('  Ana   María  Ruiz ')).toEqual({ firstName: 'Ana', lastName: 'María Ruiz' });
    expect(splitFullName('Ruiz, Ana María')).toEqual({ firstName: 'Ana María', lastName: 'Ruiz' });
    expect(splitFullName('Cher')).toEqual({ firstName: 'Cher' });
  });
});
