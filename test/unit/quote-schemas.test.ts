import { describe, expect, it } from 'vitest';
import { HttpProblem } from '#shared/http/problem';
import { parseOrThrow } from '#shared/http/validation';
import { productSchemas } from '#shared/schemas/products';
import { quoteSchemas } from '#shared/schemas/quotes';

function errorsOf(run: () => unknown): Record<string, string> {
  try {
    run();
  } catch (error) {
    if (error instanceof HttpProblem && error.status === 400)
      return Object.fromEntries((error.errors ?? []).map((entry) => [entry.path, entry.message]));
    throw error;
  }
  throw new Error('expected a 400');
}

const line = { description: 'Widget', quantity: 2, unitPrice: 9.999 };

describe('product validation', () => {
  it('accepts 3-decimal unit prices and normalises the currency', () => {
    expect(
      parseOrThrow(productSchemas().create, {
        name: ' Widget ',
        unitPrice: 0.125,
        currency: 'eur',
        sku: 'W-1',
      }),
    ).toEqual({ name: 'Widget', unitPrice: 0.125, currency: 'EUR', sku: 'W-1' });
  });

  it('lists every bad field', () => {
    expect(
      errorsOf(() =>
        parseOrThrow(productSchemas().create, {
          unitPrice: -1.2345,
          currency: 'euro',
          colour: 'red',
          sku: '',
        }),
      ),
    ).toEqual({
      name: 'is required',
      unitPrice: 'must have at most 3 decimal places',
      currency: 'has an invalid format',
      colour: 'is not a known field',
      sku: 'has an invalid format',
    });
  });

  it('keeps name, price and currency on a patch', () => {
    expect(errorsOf(() => parseOrThrow(productSchemas().patch, { unitPrice: null }))).toEqual({
      unitPrice: 'must not be null',
    });
    expect(parseOrThrow(productSchemas().patch, { sku: null })).toEqual({ sku: null });
  });
});

describe('quote validation', () => {
  it('accepts lines with up to 3 decimals and a future validity', () => {
    const body = { lines: [{ ...line, quantity: 0.001, discountPct: 12.25 }], validUntil: '2999-01-01' };
    expect(parseOrThrow(quoteSchemas().create, body)).toEqual(body);
  });

  it('lists every bad line field', () => {
    const errors = errorsOf(() =>
      parseOrThrow(quoteSchemas().create, {
        lines: [
          { ...line, quantity: -1 },
          { ...line, quantity: 0, unitPrice: 1.0001, discountPct: 100.5 },
          { ...line, discountPct: 1.001, productId: 'nope', note: 'x' },
          { quantity: 1, unitPrice: 1 },
        ],
        currency: 'eu',
        validUntil: 'tomorrow',
      }),
    );
    expect(errors).toMatchObject({
      'lines.0.quantity': 'must be greater than 0',
      'lines.1.quantity': 'must be greater than 0',
      'lines.1.unitPrice': 'must have at most 3 decimal places',
      'lines.1.discountPct': 'must be at most 100',
      'lines.2.discountPct': 'must have at most 2 decimal places',
      'lines.2.productId': 'has an invalid format',
      'lines.2.note': 'is not a known field',
      'lines.3.description': 'is required',
      currency: 'has an invalid format',
      validUntil: 'must be an ISO 8601 date or date-time',
    });
  });

  it('refuses empty and oversized quotes, past validity and unknown fields', () => {
    expect(errorsOf(() => parseOrThrow(quoteSchemas().create, { lines: [] }))).toEqual({
      lines: 'must have at least 1 items',
    });
    const many = Array.from({ length: 201 }, () => line);
    expect(errorsOf(() => parseOrThrow(quoteSchemas().create, { lines: many }))).toEqual({
      lines: 'must have at most 200 items',
    });
    expect(
      errorsOf(() =>
        parseOrThrow(quoteSchemas().create, { lines: [line], validUntil: '2001-01-01T00:00:00Z', total: 1 }),
      ),
    ).toEqual({ validUntil: 'must be in the future', total: 'is not a known field' });
  });

  it('lets a draft patch change lines and drop validity, not the currency', () => {
    expect(parseOrThrow(quoteSchemas().patch, { validUntil: null })).toEqual({ validUntil: null });
    expect(errorsOf(() => parseOrThrow(quoteSchemas().patch, { currency: 'USD' }))).toMatchObject({
      currency: 'is not a known field',
    });
    expect(errorsOf(() => parseOrThrow(quoteSchemas().patch, { lines: null }))).toEqual({
      lines: 'must not be null',
    });
  });
});
