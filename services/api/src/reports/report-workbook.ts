/**
 * A duty report as an Excel workbook (issue #21; docs/reports.md), in the caller's language
 * (zh-CN first, English complete): summary, alarms by colour, top offenders, 预警, online rate,
 * points out of service. Written by the shared writer (export/xlsx.ts); times in China time.
 */
import type { Report, WarningColour } from '@hazardwatch/contracts';
import type { DeepReadonly } from '@hazardwatch/core';
import type { XlsxCell, XlsxSheet } from '../export/xlsx.js';

export const REPORT_LANGS = ['zh-CN', 'en'] as const;
export type ReportLang = (typeof REPORT_LANGS)[number];

const HOUR_MS = 3_600_000;

type SummaryKey =
  | 'scope'
  | 'report'
  | 'period'
  | 'from'
  | 'to'
  | 'partial'
  | 'generatedAt'
  | 'enterprises'
  | 'alarms'
  | 'process'
  | 'quality'
  | 'warningsOpened'
  | 'warningsHandledOnTime'
  | 'warningsOverdue'
  | 'onlineRate'
  | 'outOfService';

/** The 预警 figures, in the order the sheet lists them. */
const WARNING_FIGURES = [
  'standing',
  'opened',
  'carriedOver',
  'closedInPeriod',
  'openAtEnd',
  'signed',
  'signedOnTime',
  'fedBack',
  'fedBackOnTime',
  'verified',
  'closed',
  'handledOnTime',
  'overdue',
] as const;
type WarningFigure = (typeof WARNING_FIGURES)[number];

interface Words {
  readonly sheets: readonly [string, string, string, string, string, string];
  readonly item: string;
  readonly value: string;
  readonly periodKind: Readonly<Record<Report['period']['kind'], string>>;
  readonly scopeKind: Readonly<Record<Report['scope']['kind'], string>>;
  readonly colour: Readonly<Record<WarningColour | 'none', string>>;
  readonly yes: string;
  readonly no: string;
  readonly all: string;
  readonly total: string;
  readonly summary: Readonly<Record<SummaryKey, string>>;
  readonly enterprise: string;
  readonly enterpriseName: string;
  readonly rank: string;
  readonly tag: string;
  readonly pointName: string;
  readonly hazard: string;
  readonly gateway: string;
  readonly condition: string;
  readonly worstColour: string;
  readonly count: string;
  readonly warnings: Readonly<Record<WarningFigure, string>>;
  readonly overdue: readonly string[];
  readonly online: readonly string[];
  readonly oos: readonly string[];
}

const ZH: Words = {
  sheets: ['概要', '报警按颜色', '报警排名', '预警', '在线率', '停用点位'],
  item: '项目',
  value: '数值',
  periodKind: { day: '日报', week: '周报', month: '月报' },
  scopeKind: { region: '区域', enterprise: '企业' },
  colour: { red: '红', orange: '橙', yellow: '黄', blue: '蓝', none: '无颜色' },
  yes: '是',
  no: '否',
  all: '全部',
  total: '合计',
  summary: {
    scope: '范围',
    report: '报表',
    period: '周期',
    from: '开始（北京时间）',
    to: '结束（北京时间）',
    partial: '周期未结束（截至生成时间）',
    generatedAt: '生成时间',
    enterprises: '企业数',
    alarms: '报警总数',
    process: '工艺报警',
    quality: '数据质量报警',
    warningsOpened: '新发预警',
    warningsHandledOnTime: '按时处置完毕的预警',
    warningsOverdue: '超时预警',
    onlineRate: '联网在线率（%）',
    outOfService: '停用点位',
  },
  enterprise: '企业编码',
  enterpriseName: '企业名称',
  rank: '排名',
  tag: '位号',
  pointName: '点位名称',
  hazard: '重大危险源',
  gateway: '网关',
  condition: '报警类型',
  worstColour: '最高颜色',
  count: '次数',
  warnings: {
    standing: '期间存在的预警',
    opened: '新发预警',
    carriedOver: '上期结转',
    closedInPeriod: '期间消警',
    openAtEnd: '期末未消警',
    signed: '已签收',
    signedOnTime: '按时签收',
    fedBack: '已处置反馈',
    fedBackOnTime: '按时处置反馈',
    verified: '已核查',
    closed: '已消警',
    handledOnTime: '按时处置完毕',
    overdue: '超时',
  },
  overdue: ['超时预警编号', '企业编码', '重大危险源', '颜色', '状态', '发布时间', '超时环节'],
  online: ['企业编码', '企业名称', '网关', '从未上报', '不在线时长（小时）', '在线率（%）'],
  oos: ['企业编码', '位号', '点位名称', '重大危险源', '停用时间', '期内停用时长（小时）', '变更记录'],
};

const EN: Words = {
  sheets: ['Summary', 'Alarms by colour', 'Top offenders', 'Warnings', 'Online rate', 'Out of service'],
  item: 'Item',
  value: 'Value',
  periodKind: { day: 'Daily report', week: 'Weekly report', month: 'Monthly report' },
  scopeKind: { region: 'Region', enterprise: 'Enterprise' },
  colour: { red: 'Red', orange: 'Orange', yellow: 'Yellow', blue: 'Blue', none: 'No colour' },
  yes: 'Yes',
  no: 'No',
  all: 'All',
  total: 'Total',
  summary: {
    scope: 'Scope',
    report: 'Report',
    period: 'Period',
    from: 'From (China time)',
    to: 'To (China time)',
    partial: 'Period not yet ended (figures so far)',
    generatedAt: 'Generated at',
    enterprises: 'Enterprises',
    alarms: 'Alarms',
    process: 'Process alarms',
    quality: 'Data-quality alarms',
    warningsOpened: 'Warnings opened',
    warningsHandledOnTime: 'Warnings handled on time',
    warningsOverdue: 'Warnings overdue',
    onlineRate: 'Online rate (%)',
    outOfService: 'Points out of service',
  },
  enterprise: 'Enterprise code',
  enterpriseName: 'Enterprise name',
  rank: 'Rank',
  tag: 'Tag',
  pointName: 'Point name',
  hazard: 'Major hazard',
  gateway: 'Gateway',
  condition: 'Condition',
  worstColour: 'Worst colour',
  count: 'Count',
  warnings: {
    standing: 'Standing in the period',
    opened: 'Opened',
    carriedOver: 'Carried over',
    closedInPeriod: 'Closed in the period',
    openAtEnd: 'Open at the end',
    signed: 'Signed',
    signedOnTime: 'Signed on time',
    fedBack: 'Handling reported',
    fedBackOnTime: 'Handling reported on time',
    verified: 'Verified',
    closed: 'Closed',
    handledOnTime: 'Handled on time',
    overdue: 'Overdue',
  },
  overdue: [
    'Overdue warning',
    'Enterprise code',
    'Major hazard',
    'Colour',
    'State',
    'Opened at',
    'Missed steps',
  ],
  online: [
    'Enterprise code',
    'Enterprise name',
    'Gateway',
    'Never heard from',
    'Unavailable (h)',
    'Online rate (%)',
  ],
  oos: [
    'Enterprise code',
    'Tag',
    'Point name',
    'Hazard',
    'Out of service since',
    'Out within the period (h)',
    'Change record',
  ],
};

export const reportWords = (lang: ReportLang): Words => (lang === 'en' ? EN : ZH);

const hours = (ms: number): number => Math.round((ms / HOUR_MS) * 100) / 100;
const pct = (v: number | null): XlsxCell => (v === null ? null : Math.round(v * 100) / 100);

/** The download's file name: `日报_<scope>_<label>.xlsx` / `daily-report_<scope>_<label>.xlsx`. */
export function reportFileName(report: DeepReadonly<Report>, lang: ReportLang): string {
  const kind =
    lang === 'en'
      ? `${report.period.kind}ly-report`.replace('dayly', 'daily')
      : ZH.periodKind[report.period.kind];
  return `${kind}_${report.scope.code}_${report.period.label}.xlsx`;
}

export function reportSheets(report: DeepReadonly<Report>, lang: ReportLang): XlsxSheet[] {
  const w = reportWords(lang);
  const names = new Map(report.enterprises.map((e) => [e.code, e.name]));
  const a = report.alarms;
  const wr = report.warnings;
  const s = w.summary;
  const summary: XlsxCell[][] = [
    [s.scope, `${w.scopeKind[report.scope.kind]} ${report.scope.name} (${report.scope.code})`],
    [s.report, w.periodKind[report.period.kind]],
    [s.period, report.period.label],
    [s.from, new Date(report.period.fromMs)],
    [s.to, new Date(report.period.toMs)],
    [s.partial, report.period.partial ? w.yes : w.no],
    [s.generatedAt, new Date(report.generatedAt)],
    [s.enterprises, report.enterprises.length],
    [s.alarms, a.total],
    ...(['red', 'orange', 'yellow', 'blue', 'none'] as const).map((c): XlsxCell[] => [
      `${s.alarms} · ${w.colour[c]}`,
      a.byColour[c],
    ]),
    [s.process, a.process],
    [s.quality, a.quality],
    [s.warningsOpened, wr.opened],
    [s.warningsHandledOnTime, wr.handledOnTime],
    [s.warningsOverdue, wr.overdue],
    [s.onlineRate, pct(report.online.onlineRatePct)],
    [s.outOfService, report.outOfService.count],
  ];
  const colourCols = ['red', 'orange', 'yellow', 'blue', 'none'] as const;
  const byColour: XlsxCell[][] = [
    ...a.byEnterprise.map((e): XlsxCell[] => [
      e.enterprise,
      names.get(e.enterprise) ?? e.enterprise,
      e.total,
      ...colourCols.map((c) => e.byColour[c]),
    ]),
    [w.total, w.all, a.total, ...colourCols.map((c) => a.byColour[c])],
  ];
  const top: XlsxCell[][] = a.topSources.map((t, i) => [
    i + 1,
    t.enterprise,
    names.get(t.enterprise) ?? t.enterprise,
    t.tag,
    t.name,
    t.hazard,
    t.gateway,
    t.condition,
    t.colour === null ? w.colour.none : w.colour[t.colour],
    t.count,
  ]);
  const warningRows: XlsxCell[][] = [
    ...WARNING_FIGURES.map((k): XlsxCell[] => [w.warnings[k], wr[k]]),
    ...(['red', 'orange', 'yellow', 'blue'] as const).map((c): XlsxCell[] => [
      `${w.warnings.opened} · ${w.colour[c]}`,
      wr.openedByColour[c],
    ]),
    [],
    [...w.overdue],
    ...wr.overdueItems.map((o): XlsxCell[] => [
      o.id,
      o.enterprise,
      o.hazard,
      w.colour[o.colour],
      o.state,
      new Date(o.openedAt),
      o.steps.join(', '),
    ]),
  ];
  const online: XlsxCell[][] = report.online.enterprises.flatMap((e): XlsxCell[][] => [
    [
      e.enterprise,
      names.get(e.enterprise) ?? e.enterprise,
      w.all,
      null,
      hours(e.unavailableMs),
      pct(e.onlineRatePct),
    ],
    ...e.gatewayRows.map((g): XlsxCell[] => [
      e.enterprise,
      names.get(e.enterprise) ?? e.enterprise,
      g.gateway,
      g.neverHeard ? w.yes : w.no,
      hours(g.unavailableMs),
      pct(g.onlineRatePct),
    ]),
  ]);
  const oos: XlsxCell[][] = report.outOfService.items.map((p) => [
    p.enterprise,
    p.tag,
    p.name,
    p.hazard,
    p.sinceMs === null ? null : new Date(p.sinceMs),
    hours(p.outMs),
    p.changeId,
  ]);
  const [s0, s1, s2, s3, s4, s5] = w.sheets;
  return [
    { name: s0, header: [w.item, w.value], rows: summary },
    {
      name: s1,
      header: [w.enterprise, w.enterpriseName, w.total, ...colourCols.map((c) => w.colour[c])],
      rows: byColour,
    },
    {
      name: s2,
      header: [
        w.rank,
        w.enterprise,
        w.enterpriseName,
        w.tag,
        w.pointName,
        w.hazard,
        w.gateway,
        w.condition,
        w.worstColour,
        w.count,
      ],
      rows: top,
    },
    { name: s3, header: [w.item, w.value], rows: warningRows },
    { name: s4, header: w.online, rows: online },
    { name: s5, header: w.oos, rows: oos },
  ];
}
