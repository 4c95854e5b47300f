/**
 * The phone page's sentences, in the UI's language: a cause in words, the current step, the
 * pressing deadline with the time left, and a subject (enterprise · hazard) named from the site.
 */
import { useI18n } from 'vue-i18n';
import type { WarningAction, WarningCause, WarningRow } from '@hazardwatch/contracts';
import { useApp } from '../../app-context.js';
import type { Locale } from '../../i18n/index.js';
import { formatCst, formatDurationWords } from '../../logic/format.js';
import { causeWords, type PressingDeadline } from './phone-warning.js';

export function usePhoneText() {
  const { t, locale } = useI18n();
  const { site } = useApp();
  const lang = (): Locale => (locale.value === 'en' ? 'en' : 'zh-CN');

  /** `LT-1101 液氯储罐V-1101液位：高高报，触发值 90 %，阈值 85 %`. */
  const cause = (c: WarningCause): string => {
    const w = causeWords(c, lang());
    return t('mobile.cause', {
      point: w.point,
      condition: t(`condition.${w.condition}`),
      value: w.value,
      limit: w.limit,
    });
  };
  const step = (s: WarningAction | null): string => (s === null ? '—' : t(`mobile.steps.${s}`));
  /** Beijing time without the year and seconds: a deadline is today or tomorrow. */
  const shortTime = (ms: number): string => formatCst(ms).slice(5, 16);
  const deadline = (d: PressingDeadline): string =>
    t('mobile.due', { step: t(`warnings.steps.${d.step}`), time: shortTime(d.dueAt) });
  const left = (d: PressingDeadline): string =>
    t(d.leftMs < 0 ? 'mobile.overdueBy' : 'mobile.left', {
      d: formatDurationWords(Math.abs(d.leftMs), lang()),
    });
  const subject = (w: Pick<WarningRow, 'enterprise' | 'hazard'>): string => {
    const enterprise = site.enterprises.value.find((e) => e.code === w.enterprise)?.name ?? w.enterprise;
    if (w.hazard === null) return enterprise;
    const hazard =
      site.hazards.value.find((h) => h.enterprise === w.enterprise && h.code === w.hazard)?.name ?? w.hazard;
    return `${enterprise} · ${hazard}`;
  };
  return { cause, step, deadline, left, subject, shortTime };
}
