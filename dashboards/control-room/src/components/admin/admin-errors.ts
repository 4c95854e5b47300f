/**
 * A refusal as the admin screens say it: `admin.errors.<code>` for the codes only these screens
 * meet (a user that exists, a key field that cannot change), then the shared `errors.<code>`, then
 * the server's English message with its code. Nobody matches on message text.
 */
import { useI18n } from 'vue-i18n';
import { ApiRequestError } from '../../api/http.js';
import { useErrorText } from '../../logic/api-error.js';

export function useAdminErrorText(): (e: unknown) => string {
  const i18n = useI18n();
  const shared = useErrorText();
  return (e) => {
    if (e instanceof ApiRequestError) {
      const key = `admin.errors.${e.code}`;
      if (i18n.te(key)) return `${i18n.t(key)} (${e.code})`;
    }
    return shared(e);
  };
}
