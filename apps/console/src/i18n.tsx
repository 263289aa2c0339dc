import { createContext, ReactNode, useContext, useEffect, useMemo, useState } from 'react';
import type { Money } from './types';

/** A locale's strings: a text, or a text per plural category (Intl.PluralRules) for those that count. */
type Messages = Record<string, string | Partial<Record<Intl.LDMLPluralRule, string>>>;

/**
 * Every file of ./locales is a language, named by its file (BCP 47: en, ru, tr; az, kk, ky, uz to come): adding a
 * language is adding its file. What a file lacks is said in English.
 */
const FILES = import.meta.glob<Messages>('./locales/*.json', { eager: true, import: 'default' });
const FALLBACK = 'en';

export interface Language {
  code: string;
  /** The language's own name for itself, as the switch lists it. */
  name: string;
  messages: Messages;
}

export const LANGUAGES: Language[] = Object.entries(FILES)
  .map(([path, messages]) => ({
    code: /([\w-]+)\.json$/.exec(path)?.[1] ?? path,
    name: String(messages['language.name']),
    messages,
  }))
  .sort((a, b) => a.code.localeCompare(b.code));

const CHOSEN = 'accord.language';

function initialLanguage(): string {
  const chosen = localStorage.getItem(CHOSEN);
  const wanted = [chosen, ...navigator.languages.map((tag) => tag.split('-')[0])];
  return wanted.find((code) => LANGUAGES.some((language) => language.code === code)) ?? FALLBACK;
}

type Params = Record<string, string | number>;

export interface I18n {
  locale: string;
  setLocale(code: string): void;
  /** The text of a key, its {placeholders} filled; with a `count`, in the plural form the locale uses for it. */
  t(key: string, params?: Params): string;
  date(iso: string): string;
  dateTime(iso: string): string;
  number(value: number): string;
  money(money: Money): string;
  /** "in 3 days", "2 hours ago": from now to the instant, in its largest whole unit. */
  relative(iso: string, now?: number): string;
}

const I18nContext = createContext<I18n | null>(null);

export function I18nProvider({ children }: { children: ReactNode }) {
  const [locale, setLocale] = useState(initialLanguage);
  useEffect(() => {
    document.documentElement.lang = locale;
    localStorage.setItem(CHOSEN, locale);
  }, [locale]);
  const i18n = useMemo(() => makeI18n(locale, setLocale), [locale]);
  return <I18nContext.Provider value={i18n}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const i18n = useContext(I18nContext);
  if (!i18n) throw new Error('useI18n outside I18nProvider');
  return i18n;
}

function makeI18n(locale: string, setLocale: (code: string) => void): I18n {
  const own = LANGUAGES.find((language) => language.code === locale)?.messages ?? {};
  const fallback = LANGUAGES.find((language) => language.code === FALLBACK)?.messages ?? {};
  const plurals = new Intl.PluralRules(locale);
  const dates = new Intl.DateTimeFormat(locale, { dateStyle: 'medium' });
  const dateTimes = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' });
  const numbers = new Intl.NumberFormat(locale);
  const relatives = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
  const text = (key: string, count: number | undefined): string => {
    const message = own[key] ?? fallback[key];
    if (message === undefined) return key;
    if (typeof message === 'string') return message;
    const form = count === undefined ? 'other' : plurals.select(count);
    return message[form] ?? message.other ?? key;
  };
  return {
    locale,
    setLocale,
    t: (key, params = {}) => {
      const count = typeof params.count === 'number' ? params.count : undefined;
      return text(key, count).replace(/\{(\w+)\}/g, (whole, name: string) =>
        name in params
          ? typeof params[name] === 'number'
            ? numbers.format(params[name] as number)
            : String(params[name])
          : whole,
      );
    },
    // What is not an instant (a damaged event has none) is shown as it is, never thrown at the page.
    date: (iso) => (Number.isNaN(Date.parse(iso)) ? iso : dates.format(new Date(iso))),
    dateTime: (iso) => (Number.isNaN(Date.parse(iso)) ? iso : dateTimes.format(new Date(iso))),
    number: (value) => numbers.format(value),
    money: ({ amount, currency }) =>
      // The amount is a decimal string; Intl takes it as such, without going through a float.
      new Intl.NumberFormat(locale, { style: 'currency', currency }).format(amount as unknown as number),
    relative: (iso, now = Date.now()) => {
      const seconds = (Date.parse(iso) - now) / 1000;
      for (const [unit, size] of UNITS)
        if (Math.abs(seconds) >= size || unit === 'second')
          return relatives.format(Math.trunc(seconds / size), unit);
      return '';
    },
  };
}

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 86400],
  ['month', 30 * 86400],
  ['day', 86400],
  ['hour', 3600],
  ['minute', 60],
  ['second', 1],
];
