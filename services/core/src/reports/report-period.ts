/**
 * Report periods (日报 / 周报 / 月报) in China time. A duty centre's day runs from 00:00 to 24:00
 * Beijing time (Asia/Shanghai, UTC+8, no daylight saving since 1991), so a period is computed on
 * the UTC+8 calendar and answered as a half-open UTC range [fromMs, toMs).
 * - day: the calendar day of `date`;
 * - week: the ISO 8601 week (Monday–Sunday) containing `date`;
 * - month: the calendar month containing `date`.
 */
/** `day`, `week`, `month`: the contracts' REPORT_PERIOD_KINDS (GET /reports `period`). */
export type ReportPeriodKind = 'day' | 'week' | 'month';

/** Asia/Shanghai's offset from UTC, ms. China has kept UTC+8 all year since 1991. */
export const CHINA_OFFSET_MS = 8 * 3_600_000;
const DAY_MS = 86_400_000;

export interface ReportPeriod {
  readonly kind: ReportPeriodKind;
  /** `2026-12-06` (day), `2026-W49` (ISO week), `2026-12` (month), in China time. */
  readonly label: string;
  /** First day of the period, `YYYY-MM-DD` China time. */
  readonly firstDay: string;
  /** Last day of the period (inclusive), `YYYY-MM-DD` China time. */
  readonly lastDay: string;
  /** Start, inclusive, ms UTC (00:00 China time of the first day). */
  readonly fromMs: number;
  /** End, exclusive, ms UTC (00:00 China time of the day after the last). */
  readonly toMs: number;
  /** How far the period is reported: `toMs`, or now for a period not yet ended. */
  readonly endMs: number;
  /** The period has not ended yet: its figures cover [fromMs, endMs) only. */
  readonly partial: boolean;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** `YYYY-MM-DD` of a UTC-midnight ms value (the China calendar day shifted to UTC). */
const isoDay = (utcMidnight: number): string => new Date(utcMidnight).toISOString().slice(0, 10);

/** The calendar day a `YYYY-MM-DD` names, as UTC midnight ms; null when it is no such day (2026-02-30). */
export function parseReportDate(date: string): number | null {
  const m = DATE.exec(date);
  if (m === null) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const ms = Date.UTC(y, mo - 1, d);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return null;
  return ms;
}

/** The China-time calendar day of an instant, `YYYY-MM-DD`. */
export function chinaDay(ms: number): string {
  return isoDay(Math.floor((ms + CHINA_OFFSET_MS) / DAY_MS) * DAY_MS);
}

/** ISO 8601 week-numbering year and week of a UTC-midnight day. */
function isoWeek(dayMs: number): { year: number; week: number } {
  const weekday = (new Date(dayMs).getUTCDay() + 6) % 7; // Monday = 0
  const thursday = dayMs + (3 - weekday) * DAY_MS; // the week belongs to the year of its Thursday
  const year = new Date(thursday).getUTCFullYear();
  const week = Math.floor((thursday - Date.UTC(year, 0, 1)) / (7 * DAY_MS)) + 1;
  return { year, week };
}

/**
 * The period of `kind` containing `date` (China calendar), as seen at `nowMs`; null when `date`
 * is not a calendar day. A period that has not started yet is still answered (callers refuse it).
 */
export function reportPeriod(kind: ReportPeriodKind, date: string, nowMs: number): ReportPeriod | null {
  const day = parseReportDate(date);
  if (day === null) return null;
  let first: number;
  let next: number;
  let label: string;
  const d = new Date(day);
  switch (kind) {
    case 'day':
      first = day;
      next = day + DAY_MS;
      label = isoDay(day);
      break;
    case 'week': {
      first = day - ((d.getUTCDay() + 6) % 7) * DAY_MS;
      next = first + 7 * DAY_MS;
      const w = isoWeek(day);
      label = `${w.year}-W${pad(w.week)}`;
      break;
    }
    case 'month':
      first = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
      next = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
      label = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}`;
      break;
  }
  const fromMs = first - CHINA_OFFSET_MS;
  const toMs = next - CHINA_OFFSET_MS;
  const partial = nowMs < toMs;
  return Object.freeze({
    kind,
    label,
    firstDay: isoDay(first),
    lastDay: isoDay(next - DAY_MS),
    fromMs,
    toMs,
    endMs: partial ? Math.max(fromMs, nowMs) : toMs,
    partial,
  });
}
