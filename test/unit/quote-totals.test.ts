import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromCents, type QuoteLineInput, quoteTotals, scaled } from '#shared/domain/quote-totals';

/** A line as exact integers: quantity and unit price in thousandths, discount in hundredths of a percent. */
interface ExactLine {
  readonly quantity: bigint;
  readonly unitPrice: bigint;
  readonly discount: bigint | undefined;
}

/** What a client sends: the decimal each integer stands for, as a JSON number. */
const asInput = (line: ExactLine): QuoteLineInput => ({
  description: 'line',
  quantity: Number(line.quantity) / 1000,
  unitPrice: Number(line.unitPrice) / 1000,
  ...(line.discount === undefined ? {} : { discountPct: Number(line.discount) / 100 }),
});

/** Reduced fractions over BigInt: the reference knows nothing of the implementation's scaling. */
interface Ratio {
  readonly n: bigint;
  readonly d: bigint;
}
const gcd = (a: bigint, b: bigint): bigint => (b === 0n ? a : gcd(b, a % b));
const ratio = (n: bigint, d: bigint): Ratio => {
  const g = gcd(n < 0n ? -n : n, d) || 1n;
  return { n: n / g, d: d / g };
};
const times = (a: Ratio, b: Ratio) => ratio(a.n * b.n, a.d * b.d);
const plus = (a: Ratio, b: Ratio) => ratio(a.n * b.d + b.n * a.d, a.d * b.d);
const minus = (a: Ratio, b: Ratio) => plus(a, { n: -b.n, d: b.d });
/** Half up to whole cents, for non-negative values. */
const cents = (value: Ratio): bigint => (2n * value.n * 100n + value.d) / (2n * value.d);
const decimal = (amountInCents: bigint) => {
  const whole = amountInCents / 100n;
  const fraction = (amountInCents % 100n).toString().padStart(2, '0');
  return Number(`${whole}.${fraction}`);
};

function reference(lines: readonly ExactLine[]) {
  let subtotal = 0n;
  let total = 0n;
  let exact: Ratio = { n: 0n, d: 1n };
  const lineTotals = lines.map((line) => {
    const gross = times(ratio(line.quantity, 1000n), ratio(line.unitPrice, 1000n));
    const kept = minus({ n: 1n, d: 1n }, ratio(line.discount ?? 0n, 100n * 100n));
    const net = times(gross, kept);
    exact = plus(exact, net);
    subtotal += cents(gross);
    total += cents(net);
    return decimal(cents(net));
  });
  return { lineTotals, subtotal, total, exact };
}

const small = <T>(narrow: fc.Arbitrary<T>, wide: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 4, arbitrary: narrow }, { weight: 1, arbitrary: wide });

const exactLine: fc.Arbitrary<ExactLine> = fc.record({
  quantity: small(fc.bigInt(1n, 20_000n), fc.bigInt(1n, 1_000_000_000n)),
  unitPrice: small(fc.bigInt(0n, 1_000_000n), fc.bigInt(0n, 1_000_000_000_000n)),
  discount: fc.option(fc.bigInt(0n, 10_000n), { nil: undefined }),
});

describe('quote totals', () => {
  it('equal the exact decimal sums, rounded half up per line (property)', () => {
    fc.assert(
      fc.property(fc.array(exactLine, { minLength: 1, maxLength: 30 }), (lines) => {
        const expected = reference(lines);
        const result = quoteTotals(lines.map(asInput));
        if (expected.subtotal > 10n ** 14n) {
          expect(result.ok).toBe(false);
          return;
        }
        if (!result.ok) throw new Error(JSON.stringify(result.errors));
        expect(result.totals.lines.map((line) => line.lineTotal)).toEqual(expected.lineTotals);
        expect(result.totals.subtotal).toBe(decimal(expected.subtotal));
        expect(result.totals.total).toBe(decimal(expected.total));
        expect(result.totals.discount).toBe(decimal(expected.subtotal - expected.total));
        // Rounding per line moves the total by at most half a cent per line from the exact sum.
        const drift = minus(ratio(expected.total, 100n), expected.exact);
        expect((drift.n < 0n ? -drift.n : drift.n) * 200n <= drift.d * BigInt(lines.length)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('answers decimals with at most two fraction digits and a discount that is never negative (property)', () => {
    fc.assert(
      fc.property(fc.array(exactLine, { minLength: 1, maxLength: 10 }), (lines) => {
        const result = quoteTotals(lines.map(asInput));
        if (!result.ok) return;
        const { subtotal, discount, total } = result.totals;
        for (const amount of [subtotal, discount, total, ...result.totals.lines.map((l) => l.lineTotal)])
          expect(String(amount)).toMatch(/^\d+(\.\d{1,2})?$/);
        expect(discount).toBeGreaterThanOrEqual(0);
      }),
    );
  });

  it('adds 0.1 and 0.2 to exactly 0.3, where floating point would not', () => {
    expect(0.1 + 0.2).not.toBe(0.3);
    const result = quoteTotals([
      { description: 'a', quantity: 1, unitPrice: 0.1 },
      { description: 'b', quantity: 1, unitPrice: 0.2 },
    ]);
    expect(result).toEqual({
      ok: true,
      totals: expect.objectContaining({ subtotal: 0.3, discount: 0, total: 0.3 }),
    });
  });

  it('prices 3-decimal unit prices exactly, half up to the cent', () => {
    // 1.005 × 100 is 100.49999999999999 in floating point, so Math.round would give 1.00.
    expect(Math.round(1.005 * 100) / 100).toBe(1);
    const result = quoteTotals([
      { description: 'a', quantity: 1, unitPrice: 1.005 },
      { description: 'b', quantity: 3, unitPrice: 0.125 },
      { description: 'c', quantity: 2.5, unitPrice: 19.999 },
      { description: 'd', quantity: 0.001, unitPrice: 4.999 },
      { description: 'e', quantity: 10, unitPrice: 9.99, discountPct: 12.5 },
    ]);
    if (!result.ok) throw new Error('expected totals');
    expect(result.totals.lines.map((line) => line.lineTotal)).toEqual([1.01, 0.38, 50, 0, 87.41]);
    // Subtotal rounds each line before discounts: 1.01 + 0.38 + 50.00 + 0.00 + 99.90.
    expect(result.totals.subtotal).toBe(151.29);
    expect(result.totals.total).toBe(138.8);
    expect(result.totals.discount).toBe(12.49);
  });

  it('handles free lines and full discounts', () => {
    const result = quoteTotals([
      { description: 'gift', quantity: 2, unitPrice: 0 },
      { description: 'comped', quantity: 1, unitPrice: 99.999, discountPct: 100 },
    ]);
    expect(result.ok && result.totals).toMatchObject({ subtotal: 100, discount: 100, total: 0 });
  });

  it('refuses what the schema refuses, with a path per problem', () => {
    const result = quoteTotals([
      { description: 'a', quantity: 0, unitPrice: 1 },
      { description: 'b', quantity: -1, unitPrice: -0.01 },
      { description: 'c', quantity: 1.0001, unitPrice: 1.2345, discountPct: 100.01 },
      { description: 'd', quantity: 1, unitPrice: 1, discountPct: 0.001 },
    ]);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors.map((error) => error.path)).toEqual([
      'lines.0.quantity',
      'lines.1.quantity',
      'lines.1.unitPrice',
      'lines.2.quantity',
      'lines.2.unitPrice',
      'lines.2.discountPct',
      'lines.3.discountPct',
    ]);
    expect(quoteTotals([]).ok).toBe(false);
    const many = Array.from({ length: 201 }, () => ({ description: 'x', quantity: 1, unitPrice: 1 }));
    expect(quoteTotals(many).ok).toBe(false);
    expect(quoteTotals(many.slice(1)).ok).toBe(true);
  });

  it('refuses totals beyond the largest deal amount', () => {
    const line = { description: 'big', quantity: 1_000_000, unitPrice: 1_000_000 };
    expect(quoteTotals([line]).ok).toBe(true);
    const result = quoteTotals([line, { ...line, unitPrice: 0.01 }]);
    expect(!result.ok && result.errors).toEqual([
      { path: 'lines', message: 'must add up to at most 1,000,000,000,000' },
    ]);
  });
});

describe('exact decimals', () => {
  it('reads a number as the decimal it prints as, in any notation', () => {
    expect(scaled(0.1, 3)).toBe(100n);
    expect(scaled(12.345, 3)).toBe(12_345n);
    expect(scaled(12.3456, 3)).toBeUndefined();
    expect(scaled(1e21, 2)).toBe(10n ** 23n);
    expect(scaled(1.5e-7, 3)).toBeUndefined();
    expect(scaled(-0.5, 2)).toBe(-50n);
    expect(scaled(Number.NaN, 2)).toBeUndefined();
    expect(scaled(Number.POSITIVE_INFINITY, 2)).toBeUndefined();
  });

  it('round-trips every thousandth through a JSON number (property)', () => {
    fc.assert(
      fc.property(fc.bigInt(0n, 10n ** 12n), (thousandths) => {
        const value = JSON.parse(JSON.stringify(Number(thousandths) / 1000)) as number;
        expect(scaled(value, 3)).toBe(thousandths);
      }),
    );
  });

  it('turns cents into the decimal number a client reads', () => {
    expect(fromCents(30n)).toBe(0.3);
    expect(fromCents(-5n)).toBe(-0.05);
    expect(fromCents(10n ** 14n)).toBe(1e12);
    expect(fromCents(99_999_999_999_999n)).toBe(999_999_999_999.99);
  });
});
