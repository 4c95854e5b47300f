/**
 * A refused request as the operator reads it: the API's error code (services/api errors.ts, the
 * 预警 desk's HW_CORE_WARNING_*) translated through `errors.<code>` in the current locale, the
 * server's English message kept for anything not translated yet. Nobody matches on message text.
 */
import { useI18n } from 'vue-i18n';
import { ApiRequestError } from '../api/http.js';

export function useErrorText(): (e: unknown) => string {
  const i18n = useI18n();
  const t = (key: string): string => i18n.t(key);
  const te = (key: string): boolean => i18n.te(key);
  return (e) => {
    if (e instanceof ApiRequestError) {
      const key = `errors.${e.code}`;
      return te(key) ? `${t(key)} (${e.code})` : `${e.code}: ${e.message}`;
    }
    return e instanceof Error ? e.message : String(e);
  };
}
