import { describe, expect, it } from 'vitest';
import { isCalendarDate, isCalendarDateTime } from '#shared/domain/calendar';
import { isoDate, isoDateOrDateTime, isoDateTime } from '#shared/schemas/common';

const impossibleDates = [
  '2030-02-30',
  '2030-02-29',
  '1900-02-29',
  '2030-04-31',
  '2030-13-01',
  '2030-00-01',
  '2030-01-00',
];
const impossibleTimes = [
  '2030-02-30T10:00:00Z',
  '2030-01-31T24:00:00Z',
  '2030-01-31T23:60:00Z',
  '2030-01-31T23:59:60Z',
  '2030-01-31T10:00:00+24:00',
  '2030-01-31T10:00:00+05:60',
];

describe('calendar checks', () => {
  it('accept days and instants that exist, leap days included', () => {
    for (const value of ['2028-02-29', '2000-02-29', '2030-12-31', '2030-04-30'])
      expect(isCalendarDate(value)).toBe(true);
    for (const value of ['2028-02-29T23:59:59.999Z', '2030-01-31T00:00Z', '2030-06-30T12:00:00-03:30'])
      expect(isCalendarDateTime(value)).toBe(true);
  });

  it('refuse what Date.parse would roll over', () => {
    for (const value of impossibleDates) expect(isCalendarDate(value), value).toBe(false);
    for (const value of impossibleTimes) expect(isCalendarDateTime(value), value).toBe(false);
  });

  it('back the one date and date-time schema every route uses', () => {
    for (const value of impossibleDates) {
      expect(isoDate().safeParse(value).success, value).toBe(false);
      expect(isoDateOrDateTime().safeParse(value).success, value).toBe(false);
    }
    for (const value of impossibleTimes) {
      expect(isoDateTime().safeParse(value).success, value).toBe(false);
      expect(isoDateOrDateTime().safeParse(value).success, value).toBe(false);
    }
    expect(isoDateTime().parse('2030-01-31T10:00:00+02:00')).toBe('2030-01-31T08:00:00.000Z');
    expect(isoDate().parse('2028-02-29')).toBe('2028-02-29');
  });
});
