/**
 * Quote arithmetic, exact. A JSON number is read as the decimal the client
 * wrote (its shortest round-trip form, which is what `String()` gives), scaled
 * to an integer and multiplied as BigInt; only the final cents become numbers
 * again. No step is floating point, so 3 × 0.335 is 1.01 (half up), not 1.00,
 * and 0.1 + 0.2 is 0.30.
 */

/** Fraction digits a quantity, a unit price and a discount percentage may carry. */
export const QUANTITY_DIGITS = 3;
export const UNIT_PRICE_DIGITS = 3;
export const DISCOUNT_DIGITS = 2;

/** Upper bounds of the inputs; they keep every product well inside BigInt-to-number safety. */
export const MAX_QUANTITY = 1_000_000;
export const MAX_UNIT_PRICE = 1_000_000_000;
export const MAX_LINES = 200;

/**
 * Totals stay at most 10^12, the largest deal amount (accepting a quote sets
 * it); with the cents that is at most 15 significant digits, so the number a
 * client parses is exactly the decimal computed here.
 */
const MAX_TOTAL_CENTS = 10n ** 14n;

const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/;

/**
 * `value` × 10^digits as an exact integer, or `undefined` when `value` is not
 * finite or has more than `digits` fraction digits.
 */
export function scaled(value: number, digits: number): bigint | undefined {
  if (!Number.isFinite(value)) return undefined;
  const match = DECIMAL.exec(String(value));
  if (!match) return undefined;
  const [, sign, whole = '0', fraction = '', exponent = '0'] = match;
  // String() never writes trailing fraction zeros, so this is the true count.
  const fractionDigits = fraction.length - Number(exponent);
  if (fractionDigits > digits) return undefined;
  const magnitude = BigInt(whole + fraction) * 10n ** BigInt(digits - fractionDigits);
  return sign ? -magnitude : magnitude;
}

/** Whether `value` has at most `digits` fraction digits. */
export const hasAtMostDecimals = (value: number, digits: number): boolean =>
  scaled(value, digits) !== undefined;

/** Cents as the API's decimal number (at most two fraction digits). */
export function fromCents(cents: bigint): number {
  const sign = cents < 0n ? '-' : '';
  const magnitude = cents < 0n ? -cents : cents;
  return Number(`${sign}${magnitude / 100n}.${(magnitude % 100n).toString().padStart(2, '0')}`);
}

/** numerator / denominator rounded half up (both non-negative). */
const roundHalfUp = (numerator: bigint, denominator: bigint): bigint =>
  (2n * numerator + denominator) / (2n * denominator);

export interface QuoteLineInput {
  readonly productId?: string;
  readonly description: string;
  readonly quantity: number;
  readonly unitPrice: number;
  /** Percent off this line, 0-100. */
  readonly discountPct?: number;
}

export type QuoteLine = QuoteLineInput & { readonly lineTotal: number };

export interface QuoteTotals {
  readonly lines: QuoteLine[];
  /** Σ round(quantity × unitPrice): the quote before discounts. */
  readonly subtotal: number;
  /** subtotal − total. */
  readonly discount: number;
  /** Σ lineTotal. */
  readonly total: number;
}

export type TotalsResult =
  | { readonly ok: true; readonly totals: QuoteTotals }
  | { readonly ok: false; readonly errors: { path: string; message: string }[] };

// quantity, unitPrice and discount are scaled by 10^3, 10^3 and 10^2: their
// product over 10^3·10^3·10^4 is the amount in units, so cents divide by 10^8.
const GROSS_TO_CENTS = 10n ** 4n; // q·p / 10^6 units = q·p / 10^4 cents
const NET_TO_CENTS = 10n ** 8n;
const FULL_DISCOUNT = 100n * 10n ** BigInt(DISCOUNT_DIGITS);

/**
 * Per line `lineTotal` = round-half-up to cents of quantity × unitPrice ×
 * (1 − discountPct/100); subtotal = Σ round(quantity × unitPrice);
 * total = Σ lineTotal; discount = subtotal − total. Inputs the schema already
 * refuses are refused here too, so the function is safe on its own.
 */
export function quoteTotals(lines: readonly QuoteLineInput[]): TotalsResult {
  const errors: { path: string; message: string }[] = [];
  if (lines.length === 0) errors.push({ path: 'lines', message: 'must have at least 1 items' });
  if (lines.length > MAX_LINES)
    errors.push({ path: 'lines', message: `must have at most ${MAX_LINES} items` });
  let subtotal = 0n;
  let total = 0n;
  const priced: QuoteLine[] = [];
  lines.forEach((line, index) => {
    const at = (field: string) => `lines.${index}.${field}`;
    const quantity = scaled(line.quantity, QUANTITY_DIGITS);
    const unitPrice = scaled(line.unitPrice, UNIT_PRICE_DIGITS);
    const discount = scaled(line.discountPct ?? 0, DISCOUNT_DIGITS);
    if (quantity === undefined || quantity <= 0n || line.quantity > MAX_QUANTITY)
      errors.push({ path: at('quantity'), message: 'must be above 0 with at most 3 decimals' });
    if (unitPrice === undefined || unitPrice < 0n || line.unitPrice > MAX_UNIT_PRICE)
      errors.push({ path: at('unitPrice'), message: 'must be at least 0 with at most 3 decimals' });
    if (discount === undefined || discount < 0n || discount > FULL_DISCOUNT)
      errors.push({ path: at('discountPct'), message: 'must be 0 to 100 with at most 2 decimals' });
    if (quantity === undefined || unitPrice === undefined || discount === undefined) return;
    const gross = quantity * unitPrice;
    const lineTotal = roundHalfUp(gross * (FULL_DISCOUNT - discount), NET_TO_CENTS);
    subtotal += roundHalfUp(gross, GROSS_TO_CENTS);
    total += lineTotal;
    priced.push({ ...line, lineTotal: fromCents(lineTotal) });
  });
  if (subtotal > MAX_TOTAL_CENTS)
    errors.push({ path: 'lines', message: 'must add up to at most 1,000,000,000,000' });
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    totals: {
      lines: priced,
      subtotal: fromCents(subtotal),
      discount: fromCents(subtotal - total),
      total: fromCents(total),
    },
  };
}
