/**
 * Calendar checks for ISO 8601 dates and date-times (RFC 3339 profile).
 * `Date.parse` rolls impossible values over (2030-02-30 becomes March 2nd),
 * so every date the API accepts is checked here, field by field, first.
 */

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|([+-])(\d{2}):(\d{2}))$/;

const isLeapYear = (year: number) => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;

/** Days in a month of the Gregorian calendar; `month` is 1-12. */
export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

const realDay = (year: number, month: number, day: number) =>
  month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);

/** `YYYY-MM-DD` naming a day that exists (RFC 3339 `full-date`). */
export function isCalendarDate(value: string): boolean {
  const match = DATE.exec(value);
  return match !== null && realDay(Number(match[1]), Number(match[2]), Number(match[3]));
}

/**
 * `YYYY-MM-DDTHH:MM[:SS[.fraction]]` with `Z` or a `±HH:MM` offset, naming an
 * instant that exists: a real day, hours 00-23, minutes and seconds 00-59
 * (no leap second: JavaScript dates cannot hold one), offsets up to ±23:59.
 */
export function isCalendarDateTime(value: string): boolean {
  const match = DATE_TIME.exec(value);
  if (!match) return false;
  const [, year, month, day, hour, minute, second, , offsetHour, offsetMinute] = match.map(Number);
  return (
    realDay(year as number, month as number, day as number) &&
    (hour as number) <= 23 &&
    (minute as number) <= 59 &&
    (match[6] === undefined || (second as number) <= 59) &&
    (match[7] === undefined || ((offsetHour as number) <= 23 && (offsetMinute as number) <= 59))
  );
}

/** A calendar date or date-time, as segment values and quote validity take. */
export const isCalendarDateOrDateTime = (value: string): boolean =>
  isCalendarDate(value) || isCalendarDateTime(value);
