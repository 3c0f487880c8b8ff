import { useEffect, useState } from 'preact/hooks';
import { en } from './en.ts';
import { es } from './es.ts';

/**
 * English and Spanish. The language is the browser's (navigator.languages) until the user picks
 * one, which is remembered in localStorage. Every area keeps its messages in its own
 * `messages.ts` ({en, es} objects of the same keys) and registers them with `addMessages`, so
 * catalogs load with the page that uses them.
 */
export type Lang = 'en' | 'es';
export const langs: readonly Lang[] = ['en', 'es'];
type Catalog = Record<string, string>;

const catalogs: Record<Lang, Catalog> = { en: { ...en }, es: { ...es } };
const LANG_KEY = 'crm.lang';
const listeners = new Set<() => void>();

function browserLang(): Lang {
  for (const tag of navigator.languages ?? [navigator.language]) {
    const base = tag.toLowerCase().split('-')[0];
    if (base === 'es' || base === 'en') return base;
  }
  return 'en';
}

let current: Lang = (() => {
  const stored = localStorage.getItem(LANG_KEY);
  return stored === 'en' || stored === 'es' ? stored : browserLang();
})();

export function lang(): Lang {
  return current;
}

/** The user's locale for Intl formatting: the browser's own when it speaks the chosen language. */
export function locale(): string {
  const tag = navigator.languages?.find((candidate) => candidate.toLowerCase().startsWith(current));
  return tag ?? current;
}

export function setLang(next: Lang): void {
  current = next;
  localStorage.setItem(LANG_KEY, next);
  document.documentElement.lang = next;
  for (const listener of listeners) listener();
}

/** Adds an area's messages; a key missing in one language falls back to English. */
export function addMessages(messages: { readonly en: Catalog; readonly es: Catalog }): void {
  Object.assign(catalogs.en, messages.en);
  Object.assign(catalogs.es, messages.es);
}

/** The message for `key` with `{name}` placeholders filled; the key itself when it has none. */
export function t(key: string, vars?: Record<string, string | number>): string {
  const template = catalogs[current][key] ?? catalogs.en[key] ?? key;
  if (!vars) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    vars[name] === undefined ? whole : String(vars[name]),
  );
}

/** Re-renders a component when the language changes. */
export function useLang(): Lang {
  const [value, setValue] = useState(current);
  useEffect(() => {
    const listener = () => setValue(current);
    listeners.add(listener);
    return () => void listeners.delete(listener);
  }, []);
  return value;
}

document.documentElement.lang = current;
