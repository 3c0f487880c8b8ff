/**
 * A number as a person types it in their locale: "1,500.5" in English, "1.500,5" in Spanish.
 * Group separators and spaces are dropped and the locale's decimal mark read as the point, so
 * "55.790" in Spanish is 55790, not 55.79. Anything else (letters, two decimal marks) is NaN,
 * for the caller to send as typed so the API's error shows next to the input.
 */
export function parseLocalNumber(text: string, locale: string): number {
  const parts = new Intl.NumberFormat(locale).formatToParts(12345.6);
  const group = parts.find((part) => part.type === 'group')?.value ?? ',';
  const decimal = parts.find((part) => part.type === 'decimal')?.value ?? '.';
  const plain = text
    .trim()
    .replace(/[\s\u00a0\u202f]/g, '')
    .split(group)
    .join('')
    .replace(decimal, '.');
  return /^[-+]?(\d+\.?\d*|\.\d+)$/.test(plain) ? Number(plain) : Number.NaN;
}
