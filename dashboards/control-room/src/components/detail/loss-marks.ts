/**
 * A trend's reported holes (issue #16 item 4): each data-loss report of the point's gateway is a
 * marked band over its source-time span, labelled 数据丢失 / Data lost, readings and reason in its
 * tooltip — so readings a spool dropped read differently from a gap nobody reported, which stays
 * unmarked. A report without a span is a line at its report time.
 */
import type { DataLossReport } from '@hazardwatch/contracts';
import { formatDateTime, formatTime } from '../../logic/format.js';
import { lossReasonText, type Translate } from '../quality/loss-reason.js';

export interface LossMarks {
  /** ECharts markArea pairs over the x (time) axis. */
  readonly areas: ReadonlyArray<readonly [{ name: string; xAxis: number }, { xAxis: number }]>;
  /** ECharts markLine items (vertical lines) for reports without a span. */
  readonly lines: ReadonlyArray<{ name: string; xAxis: number }>;
  /** Tooltip HTML per mark: the areas' in order, then the lines'. */
  readonly tooltips: readonly string[];
}

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function tooltip(l: DataLossReport, t: Translate): string {
  const span =
    l.fromMs !== null && l.toMs !== null
      ? `${formatDateTime(l.fromMs)} – ${formatTime(l.toMs)}`
      : formatDateTime(l.reportedMs);
  // The reason is the collector's text: escaped, the tooltip is HTML.
  return [
    `<b>${escapeHtml(t('detail.dataLost'))}</b> ${span}`,
    escapeHtml(t('detail.lossTip', { gateway: l.gateway, n: l.readings.toLocaleString() })),
    escapeHtml(t('detail.lossReasonTip', { reason: lossReasonText(l.reason, t) })),
  ].join('<br/>');
}

/** The marks of `losses` inside the trend's range [from, to], clipped to it. */
export function lossMarks(
  losses: readonly DataLossReport[],
  range: { readonly from: number; readonly to: number },
  t: Translate,
): LossMarks {
  const name = t('detail.dataLost');
  const areas: Array<readonly [{ name: string; xAxis: number }, { xAxis: number }]> = [];
  const lines: Array<{ name: string; xAxis: number }> = [];
  const areaTips: string[] = [];
  const lineTips: string[] = [];
  for (const l of losses) {
    if (l.fromMs !== null && l.toMs !== null) {
      const from = Math.max(l.fromMs, range.from);
      const to = Math.min(l.toMs, range.to);
      if (from > to) continue;
      areas.push([{ name, xAxis: from }, { xAxis: to }]);
      areaTips.push(tooltip(l, t));
    } else {
      if (l.reportedMs < range.from || l.reportedMs > range.to) continue;
      lines.push({ name, xAxis: l.reportedMs });
      lineTips.push(tooltip(l, t));
    }
  }
  return { areas, lines, tooltips: [...areaTips, ...lineTips] };
}
