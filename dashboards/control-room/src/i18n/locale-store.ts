import type { Locale } from './index.js';

const KEY = 'hw.locale';

/** The language chosen in this browser; zh-CN unless English was picked. */
export function savedLocale(): Locale {
  return localStorage.getItem(KEY) === 'en' ? 'en' : 'zh-CN';
}

export function rememberLocale(locale: Locale): void {
  localStorage.setItem(KEY, locale);
}
