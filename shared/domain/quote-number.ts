/**
 * Human-readable quote numbers (SPEC issue "sales by product"): per tenant and
 * calendar year (UTC) of creation, counting from 1: `Q-2026-0001`. Four digits
 * at least; the 10,000th quote of a year is `Q-2026-10000`.
 */
export const formatQuoteNumber = (year: number, sequence: number): string =>
  `Q-${year}-${String(sequence).padStart(4, '0')}`;

/** The numbering year of a record created at `createdAt` (ISO date-time, UTC). */
export const quoteYear = (createdAt: string): number => Number(createdAt.slice(0, 4));
