import { describe, expect, it } from 'vitest';
import { parseLocalNumber } from '../../console/src/ui/parse-number.ts';

/** Amounts typed in the user's locale: a Spanish "55.790" is fifty-five thousand, not 55.79. */
describe('parseLocalNumber', () => {
  it('reads English numbers with thousands separators', () => {
    expect(parseLocalNumber('1,500', 'en-US')).toBe(1500);
    expect(parseLocalNumber('1,500.25', 'en-US')).toBe(1500.25);
    expect(parseLocalNumber('0.5', 'en-US')).toBe(0.5);
  });

  it('reads Spanish numbers with their decimal comma', () => {
    expect(parseLocalNumber('55.790', 'es-ES')).toBe(55790);
    expect(parseLocalNumber('1.500,5', 'es-ES')).toBe(1500.5);
    expect(parseLocalNumber('0,5', 'es-ES')).toBe(0.5);
    expect(parseLocalNumber(' -12 ', 'es-ES')).toBe(-12);
  });

  it('gives NaN for text that is no number, never a guess', () => {
    expect(parseLocalNumber('abc', 'en-US')).toBeNaN();
    expect(parseLocalNumber('1.2.3', 'en-US')).toBeNaN();
    expect(parseLocalNumber('', 'en-US')).toBeNaN();
  });
});
