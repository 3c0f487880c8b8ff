/**
 * Whether a JSON number can be kept exactly. A JSON number arrives as an IEEE
 * 754 double, so an integer beyond 2^53 − 1 has already lost digits
 * (9007199254740993 reads as …992), and DynamoDB numbers hold magnitudes from
 * 1e-130 to below 1e126 only (5e-324 and 1e200 cannot be stored). Accepted:
 * safe integers, and other finite numbers of magnitude at least 1e-130
 * (a double that is not an integer is always below 2^53).
 */
export const isStorableNumber = (value: number): boolean =>
  Number.isSafeInteger(value) ||
  (Number.isFinite(value) && !Number.isInteger(value) && Math.abs(value) >= 1e-130);

export const STORABLE_NUMBER_RULE =
  'must be a safe integer (at most 2^53 − 1) or a decimal of magnitude at least 1e-130';
