/**
 * The export of what the trends view shows: `GET /history/export` with the very points, range and
 * bucket budget the shown trend was read with (so the server picks the same resolution), saved
 * under the name the server gives it (services/api routes/history-export.ts).
 */
import type { HazardApi } from '../../api/endpoints.js';
import type { Locale } from '../../i18n/index.js';
import { cstInputValue } from '../../logic/format.js';

export type ExportFormat = 'csv' | 'xlsx';

export interface ShownTrend {
  readonly points: readonly number[];
  readonly from: number;
  readonly to: number;
  readonly maxPoints: number;
}

/** `yyyyMMdd-HHmm` in China time. */
const stamp = (ms: number): string => cstInputValue(ms).replace(/-/g, '').replace('T', '-').replace(':', '');

/** As the server names it: `趋势_20261206-0800_20261207-0800.csv` / `trend_….xlsx`. */
export function exportFileName(locale: Locale, shown: ShownTrend, format: ExportFormat): string {
  return `${locale === 'zh-CN' ? '趋势' : 'trend'}_${stamp(shown.from)}_${stamp(shown.to)}.${format}`;
}

/** The query of the export of a shown trend. */
export function exportQuery(shown: ShownTrend, format: ExportFormat, locale: Locale) {
  return {
    points: shown.points.join(','),
    from: shown.from,
    to: shown.to,
    maxPoints: shown.maxPoints,
    format,
    lang: locale,
  };
}

/** Fetches the file (the token travels in a header, so a plain link would not do) and saves it. */
export async function downloadExport(
  api: HazardApi,
  shown: ShownTrend,
  format: ExportFormat,
  locale: Locale,
): Promise<void> {
  const blob = await api.http.get<Blob>('/history/export', exportQuery(shown, format, locale));
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = exportFileName(locale, shown, format);
  document.body.append(a);
  a.click();
  a.remove();
  // The browser has taken the file once the click is handled; the URL is only freed later.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
