/** The verification report as a fixed-width text table with Chinese + English headings. */
import { WARNING_COLOUR_ZH } from '@hazardwatch/contracts';
import type { ExpectationVerdict, VerificationReport } from './verify-expectations.js';

const STATUS: Readonly<Record<ExpectationVerdict['status'], string>> = {
  pass: 'PASS 通过',
  fail: 'FAIL 失败',
  skipped: 'SKIP 跳过',
};
const TYPE: Readonly<Record<ExpectationVerdict['type'], string>> = {
  alarm: 'alarm 应报警',
  no_alarm: 'no alarm 不应报警',
};

/** Display width: CJK and full-width characters take two columns. */
function width(text: string): number {
  let w = 0;
  for (const ch of text)
    w += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(
      ch,
    )
      ? 2
      : 1;
  return w;
}
const pad = (text: string, w: number): string => text + ' '.repeat(Math.max(0, w - width(text)));

export function formatVerificationTable(report: VerificationReport): string {
  const head = [
    '结果 Result',
    '期望 Expectation',
    '类型 Type',
    '报警 Alarm',
    '延迟 Delay',
    '颜色 Colour',
    '说明 Note',
  ];
  const rows = report.verdicts.map((v) => [
    STATUS[v.status],
    v.id,
    TYPE[v.type],
    v.subject,
    v.delayMs === undefined ? '—' : `${(v.delayMs / 1000).toFixed(1)} s`,
    v.matched === undefined
      ? '—'
      : `${v.matched.colour} ${WARNING_COLOUR_ZH[v.matched.colour]}${v.colourOk === false ? ' ✗' : ''}`,
    v.reason,
  ]);
  const widths = head.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i] ?? ''))));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => pad(c, widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  const passed = report.verdicts.filter((v) => v.status === 'pass').length;
  const failed = report.verdicts.filter((v) => v.status === 'fail').length;
  const skipped = report.verdicts.length - passed - failed;
  return [
    `场景 Scenario: ${report.scenario}`,
    line(head),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    `${report.passed ? 'PASSED 通过' : 'FAILED 失败'}: ${passed} pass 通过, ${failed} fail 失败, ${skipped} skipped 跳过`,
  ].join('\n');
}
