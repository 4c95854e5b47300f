/**
 * The zh-CN text of a notification, rendered once when the deliveries are written (so the record
 * keeps what was sent): colour, enterprise and hazard names from the site model, what happened,
 * the time in Asia/Shanghai, the deadline if any, and a link to the 预警.
 */
import type { WarningColour } from '@hazardwatch/contracts';
import type { OutboundWarningNotification, SiteIndex, WarningRecipient } from '@hazardwatch/core';

/** The parts of the site model a message names things from. */
export type MessageSiteView = Pick<SiteIndex, 'enterprise' | 'hazard' | 'pointById'>;

/** What one recipient is sent, whatever the channel. */
export interface RenderedMessage {
  /** One line: e-mail subject, first line of a robot message. */
  readonly title: string;
  /** The whole message, lines separated by `\n`. */
  readonly text: string;
  /** Link to the 预警 in the dashboard; null without a configured public URL. */
  readonly link: string | null;
  /**
   * Template variables for SMS providers that only send registered templates (docs/notifications.md):
   * colour, enterprise, hazard, event, time, deadline. No links (providers refuse URL variables).
   */
  readonly params: Readonly<Record<string, string>>;
}

export const COLOUR_LABELS: Readonly<Record<WarningColour, string>> = {
  red: '红色预警',
  orange: '橙色预警',
  yellow: '黄色预警',
  blue: '蓝色预警',
};

const KIND_LABELS: Readonly<Record<string, string>> = {
  opened: '新发预警',
  upgraded: '预警升级',
  escalated: '逾期未处置，已上报上级',
  reminder: '处置提醒',
  urged: '督办',
  closed: '预警已解除（消警）',
  summary: '报警泛滥期间的预警汇总',
};

const ROLE_LABELS: Readonly<Record<string, string>> = {
  principal: '主要负责人',
  technical: '技术负责人',
  operational: '操作负责人',
  regulator: '监管部门',
};

const LEVEL_LABELS: Readonly<Record<string, string>> = {
  enterprise: '企业',
  county: '县（区）/园区',
  city: '市',
  province: '省',
};

/**
 * `YYYY-MM-DD HH:mm:ss` in Asia/Shanghai. China has kept UTC+8 without daylight saving since
 * 1991, so a fixed offset is exact (and does not depend on the host's ICU data).
 */
export function shanghaiTime(ms: number): string {
  return new Date(ms + 8 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
}

function deadlineOf(n: OutboundWarningNotification): number | null {
  // A step deadline, when the 预警 desk puts one on the notification (sign / feedback / urge).
  // (`deadline` as on WarningEvent, or `deadlineMs`; ms UTC).
  const { deadline, deadlineMs } = n as { readonly deadline?: unknown; readonly deadlineMs?: unknown };
  const d = deadline ?? deadlineMs;
  return typeof d === 'number' && Number.isFinite(d) ? d : null;
}

function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}${path}`;
}

export function renderWarningMessage(
  n: OutboundWarningNotification,
  recipient: WarningRecipient | null,
  site: MessageSiteView,
  publicUrl: string | null,
): RenderedMessage {
  const colour = COLOUR_LABELS[n.colour];
  const enterprise = site.enterprise(n.enterprise)?.name ?? n.enterprise;
  const event = KIND_LABELS[n.kind] ?? n.kind;
  const lines: string[] = [];
  let hazard = '';
  let link: string | null = null;
  const deadline = n.kind === 'summary' ? null : deadlineOf(n);
  if (n.kind === 'summary') {
    lines.push(`【${colour}】${enterprise}：${event}`);
    lines.push(`企业：${enterprise}（${n.enterprise}）`);
    lines.push(`汇总：${n.count} 条通知，涉及 ${n.warningIds.length} 条预警`);
    lines.push(`时间：${shanghaiTime(n.fromMs)} 至 ${shanghaiTime(n.toMs)}（北京时间）`);
    if (publicUrl !== null) link = joinUrl(publicUrl, '/#/alarms');
  } else {
    hazard = n.hazard === null ? '' : (site.hazard(n.enterprise, n.hazard)?.name ?? n.hazard);
    lines.push(`【${colour}】${enterprise}${hazard ? ` ${hazard}` : ''}：${event}`);
    lines.push(`企业：${enterprise}（${n.enterprise}）`);
    if (n.hazard !== null) lines.push(`重大危险源：${hazard}（${n.hazard}）`);
    lines.push(`时间：${shanghaiTime(n.ts)}（北京时间）`);
    lines.push(`当前处置层级：${LEVEL_LABELS[n.level] ?? n.level}`);
    if (deadline !== null) lines.push(`处置期限：${shanghaiTime(deadline)}（北京时间）`);
    if (publicUrl !== null) link = joinUrl(publicUrl, `/#/warnings/${encodeURIComponent(n.warningId)}`);
  }
  if (recipient !== null) {
    const role = ROLE_LABELS[recipient.role] ?? recipient.role;
    lines.push(`接收人：${recipient.name ?? ''}（${role}）`);
  }
  if (link !== null) lines.push(`详情：${link}`);
  return {
    title: lines[0]!,
    text: lines.join('\n'),
    link,
    params: {
      colour,
      enterprise,
      hazard,
      event,
      time: shanghaiTime(n.ts),
      deadline: deadline === null ? '' : shanghaiTime(deadline),
    },
  };
}

/** A gas alarm the fire-control room must see (GB/T 50493-2019 §5.1.2). */
export interface FireControlNotice {
  readonly type: 'fire_control';
  readonly alarmId: string;
  readonly enterprise: string;
  readonly hazard: string | null;
  readonly pointId: number;
  readonly tag: string;
  readonly pointName: string;
  readonly pointKind: string;
  readonly condition: string;
  readonly value: number | null;
  readonly unit: string;
  /** ms UTC. */
  readonly ts: number;
}

const CONDITION_LABELS: Readonly<Record<string, string>> = {
  HH: '二级报警',
  H: '一级报警',
  SENSOR_BAD: '探测器/控制单元故障',
};

export function renderFireControlMessage(
  notice: FireControlNotice,
  site: MessageSiteView,
  publicUrl: string | null,
): RenderedMessage {
  const enterprise = site.enterprise(notice.enterprise)?.name ?? notice.enterprise;
  const hazard =
    notice.hazard === null ? '' : (site.hazard(notice.enterprise, notice.hazard)?.name ?? notice.hazard);
  const event = `${CONDITION_LABELS[notice.condition] ?? notice.condition}`;
  const link = publicUrl === null ? null : joinUrl(publicUrl, `/#/point/${notice.pointId}`);
  const lines = [
    `【消防控制室】${enterprise} ${notice.pointName}：可燃/有毒气体${event}`,
    `企业：${enterprise}（${notice.enterprise}）`,
    ...(notice.hazard === null ? [] : [`重大危险源：${hazard}（${notice.hazard}）`]),
    `检测点：${notice.pointName}（位号 ${notice.tag}）`,
    ...(notice.value === null ? [] : [`测量值：${notice.value} ${notice.unit}`]),
    `时间：${shanghaiTime(notice.ts)}（北京时间）`,
    '依据：GB/T 50493-2019 第5.1.2条',
    ...(link === null ? [] : [`详情：${link}`]),
  ];
  return {
    title: lines[0]!,
    text: lines.join('\n'),
    link,
    params: {
      colour: '消防控制室',
      enterprise,
      hazard,
      event: `${notice.pointName}${event}`,
      time: shanghaiTime(notice.ts),
      deadline: '',
    },
  };
}
