import {
  SYSTEM_EVENT_ACTOR,
  eventSystemReason,
  type AlarmCondition,
  type AlarmRow,
  type AlarmState,
  type ExportLanguage,
  type JournalEntry,
  type WarningColour,
} from '@hazardwatch/contracts';
import type { SiteIndex } from '@hazardwatch/core';
import type { XlsxCell } from '../export/xlsx.js';
import { systemReasonText } from './system-reason-words.js';

/**
 * Columns of the journal and console exports (issue #21; docs/journal.md), headed and labelled in
 * the caller's language. The words are the dashboard's (i18n state / condition / colour), kept
 * here as typed tables so a new state or condition fails to compile until it has both.
 */
interface Words {
  readonly lang: ExportLanguage;
  /** The engine's own events' actor (`system`). */
  readonly system: string;
  readonly colour: Readonly<Record<WarningColour, string>>;
  readonly state: Readonly<Record<AlarmState, string>>;
  readonly condition: Readonly<Record<AlarmCondition, string>>;
  readonly yes: string;
  readonly journalHeader: readonly string[];
  readonly consoleHeader: readonly string[];
  readonly journalSheet: string;
  readonly consoleSheet: string;
}

const ZH: Words = {
  lang: 'zh-CN',
  system: '系统',
  colour: { red: '红', orange: '橙', yellow: '黄', blue: '蓝' },
  state: {
    UNACK: '未确认',
    ACKED: '已确认',
    RTNUN: '已恢复未确认',
    SHLVD: '已搁置',
    DSUPR: '设计抑制',
    OOSRV: '停用',
    NORM: '正常',
  },
  condition: {
    HH: '高高报',
    H: '高报',
    L: '低报',
    LL: '低低报',
    ROC_RISE: '上升速率',
    ROC_FALL: '下降速率',
    STALE: '数据中断',
    SENSOR_BAD: '传感器故障',
    OUT_OF_RANGE: '超量程',
    GATEWAY_OFFLINE: '网关离线',
    SOURCE_DOWN: '数据源中断',
    DATA_LOSS: '数据丢失',
    JOB_FAILED: '平台后台作业失败',
    JOB_STALE: '平台后台作业逾期未成功',
    NO_LIMITS: '未设阈值',
  },
  yes: '是',
  journalHeader: [
    '时间',
    '颜色',
    '企业',
    '重大危险源',
    '位号',
    '测点名称',
    '报警类型',
    '原状态',
    '新状态',
    '值',
    '阈值',
    '单位',
    '操作人',
    '原因',
    '迟到',
    '报警编号',
  ],
  consoleHeader: [
    '报警时间',
    '颜色',
    '企业',
    '重大危险源',
    '位号',
    '测点名称',
    '报警类型',
    '状态',
    '值',
    '阈值',
    '单位',
    '确认时间',
    '确认人',
    '迟到',
    '报警编号',
  ],
  journalSheet: '报警日志',
  consoleSheet: '当前报警',
};

const EN: Words = {
  lang: 'en',
  system: 'System',
  colour: { red: 'Red', orange: 'Orange', yellow: 'Yellow', blue: 'Blue' },
  state: {
    UNACK: 'Unacknowledged',
    ACKED: 'Acknowledged',
    RTNUN: 'Returned, unacked',
    SHLVD: 'Shelved',
    DSUPR: 'Suppressed by design',
    OOSRV: 'Out of service',
    NORM: 'Normal',
  },
  condition: {
    HH: 'High-high',
    H: 'High',
    L: 'Low',
    LL: 'Low-low',
    ROC_RISE: 'Rising fast',
    ROC_FALL: 'Falling fast',
    STALE: 'Stale',
    SENSOR_BAD: 'Sensor fault',
    OUT_OF_RANGE: 'Out of range',
    GATEWAY_OFFLINE: 'Gateway offline',
    SOURCE_DOWN: 'Source down',
    DATA_LOSS: 'Data lost',
    JOB_FAILED: 'Platform job failed',
    JOB_STALE: 'Platform job overdue',
    NO_LIMITS: 'No limits',
  },
  yes: 'yes',
  journalHeader: [
    'Time',
    'Colour',
    'Enterprise',
    'Major hazard',
    'Tag',
    'Point',
    'Condition',
    'From state',
    'To state',
    'Value',
    'Limit',
    'Unit',
    'Actor',
    'Reason',
    'Late',
    'Alarm id',
  ],
  consoleHeader: [
    'Raised',
    'Colour',
    'Enterprise',
    'Major hazard',
    'Tag',
    'Point',
    'Condition',
    'State',
    'Value',
    'Limit',
    'Unit',
    'Acknowledged',
    'Acknowledged by',
    'Late',
    'Alarm id',
  ],
  journalSheet: 'Alarm journal',
  consoleSheet: 'Active alarms',
};

/** Conditions whose limit is a process limit in the point's unit; other limits (slopes, timeouts) are not exported. */
const UNIT_LIMITS: ReadonlySet<AlarmCondition> = new Set<AlarmCondition>(['HH', 'H', 'L', 'LL']);
const limitCell = (condition: AlarmCondition, limit: number | null): number | null =>
  UNIT_LIMITS.has(condition) ? limit : null;

export const wordsOf = (lang: ExportLanguage): Words => (lang === 'en' ? EN : ZH);

/**
 * The export's language: `lang` when given, else the first Accept-Language entry we speak
 * (`en…` → English, `zh…` → Chinese), else zh-CN.
 */
export function exportLanguage(
  lang: ExportLanguage | undefined,
  acceptLanguage: string | undefined,
): ExportLanguage {
  if (lang !== undefined) return lang;
  for (const part of (acceptLanguage ?? '').split(',')) {
    const tag = part.split(';')[0]?.trim().toLowerCase() ?? '';
    if (tag.startsWith('en')) return 'en';
    if (tag.startsWith('zh')) return 'zh-CN';
  }
  return 'zh-CN';
}

/** The reason of an event: the engine's own in the export's language, a person's text as typed. */
function reasonCell(e: JournalEntry, w: Words): string | null {
  const r = eventSystemReason(e);
  return r === null ? e.reason : systemReasonText(r, w.lang, w.colour, w.condition);
}

/** One journal event as a row of cells (times as Date: the writers format them with their offset). */
export function journalCells(e: JournalEntry, w: Words): XlsxCell[] {
  return [
    new Date(e.ts),
    e.colour === null ? null : w.colour[e.colour],
    e.enterpriseName ?? e.enterprise,
    e.hazardName ?? e.hazard,
    e.tag ?? e.gateway,
    e.pointName,
    w.condition[e.condition],
    w.state[e.from],
    w.state[e.to],
    e.value,
    limitCell(e.condition, e.limit),
    e.unit,
    e.actor === SYSTEM_EVENT_ACTOR ? w.system : e.actor,
    reasonCell(e, w),
    e.late ? w.yes : null,
    e.alarmId,
  ];
}

/** One open alarm of the console as a row of cells, named from the site model. */
export function consoleCells(a: AlarmRow, site: SiteIndex | undefined, w: Words): XlsxCell[] {
  const point = a.pointId === null ? undefined : site?.pointById(a.pointId);
  const enterprise = a.enterprise === null ? undefined : site?.enterprise(a.enterprise);
  const hazard =
    a.enterprise === null || a.hazard === null ? undefined : site?.hazard(a.enterprise, a.hazard);
  return [
    new Date(a.raisedAt),
    a.colour === null ? null : w.colour[a.colour],
    enterprise?.name ?? a.enterprise,
    hazard?.name ?? a.hazard,
    a.tag ?? a.gateway,
    point?.name ?? null,
    w.condition[a.condition],
    w.state[a.state],
    a.value,
    limitCell(a.condition, a.limit),
    point?.unit ?? null,
    a.ackedAt === null ? null : new Date(a.ackedAt),
    a.ackedBy,
    a.late ? w.yes : null,
    a.id,
  ];
}
