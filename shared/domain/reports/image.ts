import { isCalendarDate } from '../calendar.ts';
import { toMinor } from '../money.ts';
import type { Image } from './aggregate.ts';

/**
 * Reading report inputs from stored images, which are plain values of any
 * shape: a field of the wrong type reads as absent, so a malformed item
 * contributes nothing rather than failing the stream.
 */

export const text = (image: Image, field: string): string | undefined => {
  const value = image[field];
  return typeof value === 'string' && value !== '' ? value : undefined;
};

export const number = (image: Image, field: string): number | undefined => {
  const value = image[field];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
};

export const strings = (image: Image, field: string): string[] => {
  const value = image[field];
  return Array.isArray(value)
    ? value.filter((item): item is string => typeof item === 'string' && item !== '')
    : [];
};

/** `YYYY-MM-DD` of an ISO date or date-time (UTC, as stored), or undefined. */
export function dayOf(value: string | undefined): string | undefined {
  const day = value?.slice(0, 10);
  return day && isCalendarDate(day) ? day : undefined;
}

/** `YYYY-MM` of an ISO date or date-time, or undefined. */
export const monthOf = (value: string | undefined): string | undefined => dayOf(value)?.slice(0, 7);

/** `YYYY-MM-DDTHH` (UTC) of an ISO date-time, or undefined. */
export function hourOf(value: string | undefined): string | undefined {
  if (!value || !dayOf(value) || !/^\d{4}-\d{2}-\d{2}T\d{2}/.test(value)) return undefined;
  return new Date(value).toISOString().slice(0, 13);
}

/** Whole seconds from `from` to `to` (ISO), never negative; undefined when either is unreadable. */
export function secondsBetween(from: string | undefined, to: string | undefined): number | undefined {
  if (!from || !to) return undefined;
  const start = Date.parse(from);
  const end = Date.parse(to);
  if (Number.isNaN(start) || Number.isNaN(end)) return undefined;
  return Math.max(0, Math.round((end - start) / 1000));
}

/** A money counter's name: `amount#EUR` holds minor units of euros. */
export const moneyCounter = (name: string, currency: string): string => `${name}#${currency}`;

/** The image's amount in minor units with its currency, when it has both. */
export function money(image: Image): { minor: number; currency: string } | undefined {
  const amount = number(image, 'amount');
  const currency = text(image, 'currency');
  return amount !== undefined && currency ? { minor: toMinor(amount), currency } : undefined;
}
