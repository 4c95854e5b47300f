import { createI18n } from 'vue-i18n';
import { en } from './en.js';
import { zhCN, type Messages } from './zh-CN.js';

export type Locale = 'zh-CN' | 'en';

/** zh-CN first. Free of browser globals, so tests build it as the app does. */
export function createAppI18n(locale: Locale = 'zh-CN') {
  return createI18n<[Messages], Locale, false>({
    legacy: false,
    locale,
    fallbackLocale: 'zh-CN',
    messages: { 'zh-CN': zhCN, en },
  });
}
