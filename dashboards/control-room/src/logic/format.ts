/** Display formatting shared by the views (24-hour clock, as control rooms use). */
import type { Locale } from '../i18n/index.js';

export function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

export function formatTime(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  const d = new Date(ms);
  return `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}

export function formatDateTime(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${formatTime(ms)}`;
}

/** `MM-DD HH:mm:ss`: a time in a list that may span days (the year is in the tooltip). */
export function formatMonthDayTime(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  const d = new Date(ms);
  return `${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${formatTime(ms)}`;
}

/** `1d 02:03:04`, `02:03:04` or `03:04`: how long an alarm has stood. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const hms = h > 0 || d > 0 ? `${pad2(h)}:${pad2(m)}:${pad2(sec)}` : `${pad2(m)}:${pad2(sec)}`;
  return d > 0 ? `${d}d ${hms}` : hms;
}

/** A value with up to 3 significant decimals, never `1.2000000000000002`. */
export function formatValue(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  const abs = Math.abs(v);
  const digits = abs >= 100 ? 1 : abs >= 10 ? 2 : 3;
  return String(Number(v.toFixed(digits)));
}

const DURATION_UNITS: Record<Locale, { d: string; h: string; m: string; mOnly: string; s: string }> = {
  'zh-CN': { d: '天', h: '小时', m: '分', mOnly: '分钟', s: '秒' },
  en: { d: 'd', h: 'h', m: 'min', mOnly: 'min', s: 's' },
};

/**
 * A duration in words of the locale, its two largest units (`2 分钟`, `1 小时 30 分`, `1 d 1 h` /
 * `2 min`, `1 h 30 min`): for timeouts and limits, which `02:00` leaves ambiguous (issue #21).
 * @param ms duration, ms (rounded down to seconds; negative = 0)
 */
export function formatDurationWords(ms: number, locale: Locale): string {
  const u = DURATION_UNITS[locale];
  const s = Math.max(0, Math.floor(ms / 1000));
  const parts: Array<[number, string]> = [
    [Math.floor(s / 86_400), u.d],
    [Math.floor((s % 86_400) / 3600), u.h],
    [Math.floor((s % 3600) / 60), u.m],
    [s % 60, u.s],
  ];
  const first = parts.findIndex(([n]) => n > 0);
  if (first < 0) return `0 ${u.s}`;
  const shown = parts.slice(first, first + 2).filter(([n]) => n > 0);
  // Minutes alone read 分钟 in Chinese (2 分钟), 分 beside hours or seconds (1 小时 30 分, 2 分 5 秒).
  if (shown.length === 1 && shown[0]![1] === u.m) return `${shown[0]![0]} ${u.mOnly}`;
  return shown.map(([n, unit]) => `${n} ${unit}`).join(' ');
}

/** Conditions whose limit is a duration (ms), never in a point's unit. */
const DURATION_LIMITS: ReadonlySet<string> = new Set(['STALE', 'GATEWAY_OFFLINE', 'JOB_STALE', 'JOB_FAILED']);
/** Platform conditions whose value is how far past due the job is (ms), when there is one. */
const OVERDUE_VALUES: ReadonlySet<string> = new Set(['JOB_STALE', 'JOB_FAILED']);
/** Whether an alarm's limit is a duration (staleness, gateway loss, an overdue platform job). */
export const isDurationLimit = (condition: string): boolean => DURATION_LIMITS.has(condition);

const duration = (ms: number, locale: Locale | undefined): string =>
  locale === undefined ? formatDuration(ms) : formatDurationWords(ms, locale);

/**
 * An alarm's limit: a value for process conditions, a timeout for staleness, gateway loss and an
 * overdue platform job (ms) — in words of `locale` when given (`2 分钟` / `2 min`), else as a
 * clock (`02:00`).
 */
export function formatLimit(condition: string, limit: number | null | undefined, locale?: Locale): string {
  if (isDurationLimit(condition) && typeof limit === 'number') return duration(limit, locale);
  return formatValue(limit);
}

/**
 * An alarm's value: a reading for most conditions; for JOB_STALE (and JOB_FAILED with chunks
 * left) how far past due the job is (ms, against its limit of 2 × the interval, issue #20) — a
 * duration like its limit.
 */
export function formatAlarmValue(
  condition: string,
  value: number | null | undefined,
  locale?: Locale,
): string {
  if (OVERDUE_VALUES.has(condition) && typeof value === 'number') return duration(value, locale);
  return formatValue(value);
}

/** China Standard Time, UTC+8 all year (no daylight saving), ms. */
const CST_OFFSET_MS = 8 * 3_600_000;

/**
 * `YYYY-MM-DD HH:mm:ss` in Asia/Shanghai whatever the browser's zone: a 预警 record's times are
 * read against regulatory deadlines set in Beijing time, and two screens must agree.
 */
export function formatCst(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  const d = new Date(ms + CST_OFFSET_MS);
  return (
    `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())} ` +
    `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`
  );
}

/** `<input type="datetime-local">` value for a time, in Asia/Shanghai. */
export function cstInputValue(ms: number): string {
  return formatCst(ms).slice(0, 16).replace(' ', 'T');
}

/** The time an `<input type="datetime-local">` value means, read in Asia/Shanghai; NaN if invalid. */
export function parseCstInput(value: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(value);
  if (!m) return Number.NaN;
  const [, y, mo, d, h, mi] = m.map(Number) as [number, number, number, number, number, number];
  return Date.UTC(y, mo - 1, d, h, mi) - CST_OFFSET_MS;
}
