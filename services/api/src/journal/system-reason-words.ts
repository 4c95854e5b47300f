import type {
  AlarmCondition,
  ExportLanguage,
  PlatformCause,
  SeverityCause,
  SystemReason,
  SystemReasonCode,
  WarningColour,
} from '@hazardwatch/contracts';

/**
 * The engine's reasons (@hazardwatch/contracts system-reason.ts) in the export's language (issue
 * #21). The texts are the dashboard's `systemReason` messages (i18n zh-CN.ts / en.ts), kept here
 * as typed tables because the API cannot import the dashboard: a new code fails to compile until
 * it has both languages.
 */
interface ReasonWords {
  readonly text: Readonly<Record<SystemReasonCode, string>>;
  readonly cause: Readonly<Record<SeverityCause, string>>;
  /** Why a platform alarm holds (the dashboard's systemReason.platformCause). */
  readonly platformCause: Readonly<Record<PlatformCause, string>>;
  readonly minutes: (n: number) => string;
  readonly seconds: (n: number) => string;
}

const ZH: ReasonWords = {
  text: {
    CONDITION_ACTIVE: '报警条件成立',
    CONDITION_ACTIVE_CAUSE: '报警条件成立：{cause}',
    RETURNED_UNACKED: '已恢复正常，未确认',
    RETURNED_NORMAL: '已恢复正常',
    REALARM_ACTIVE_AGAIN: '再次报警：报警条件再次成立',
    REALARM_ACTIVE_AGAIN_CAUSE: '再次报警：报警条件再次成立（{cause}）',
    LATE_ALSO_ACTIVE: '迟到数据：补传读数中报警条件同样成立',
    LIVE_ACTIVE: '实时读数中报警条件成立，转为实时报警',
    REALARM_SEVERITY: '再次报警：颜色 {from} → {to}（{cause}）',
    CHATTERING: '振荡报警：{window}内 ≥{count} 次',
    SHELVE_EXPIRED: '搁置到期',
    REALARM_AFTER_ACK: '再次报警：确认后 {duration} 仍处于报警',
    CHATTERING_ENDED: '振荡结束：{duration}内无新报警',
    SUPPRESSED_BY: '被{by}设计抑制',
    SUPPRESSOR_CLEARED: '{by}已解除',
    LATCHED_RESET: '锁定报警经确认复位',
  },
  cause: { SITE_MODEL_CHANGED: '站点模型变更' },
  platformCause: {
    NO_SUCCESS_ON_TIME: '作业未按时运行成功',
    RUN_FAILED: '最近一次运行失败',
    NOT_COMPRESSED: '压缩未按时完成',
    NOT_DROPPED: '过期数据未删除',
    EFFECT_NOT_MET: '策略未按时执行',
  },
  minutes: (n) => `${n} 分钟`,
  seconds: (n) => `${n} 秒`,
};

const EN: ReasonWords = {
  text: {
    CONDITION_ACTIVE: 'Condition active',
    CONDITION_ACTIVE_CAUSE: 'Condition active: {cause}',
    RETURNED_UNACKED: 'Returned to normal, unacknowledged',
    RETURNED_NORMAL: 'Returned to normal',
    REALARM_ACTIVE_AGAIN: 'Re-alarm: condition active again',
    REALARM_ACTIVE_AGAIN_CAUSE: 'Re-alarm: condition active again ({cause})',
    LATE_ALSO_ACTIVE: 'Late: condition also active in replayed readings',
    LIVE_ACTIVE: 'Condition active in live readings; now a live alarm',
    REALARM_SEVERITY: 'Re-alarm: colour {from} → {to} ({cause})',
    CHATTERING: 'Chattering: ≥{count} in {window}',
    SHELVE_EXPIRED: 'Shelve expired',
    REALARM_AFTER_ACK: 'Re-alarm: still active {duration} after acknowledgement',
    CHATTERING_ENDED: 'Chattering ended: quiet for {duration}',
    SUPPRESSED_BY: 'Suppressed by design ({by})',
    SUPPRESSOR_CLEARED: '{by} no longer in alarm',
    LATCHED_RESET: 'Latched alarm reset by acknowledgement',
  },
  cause: { SITE_MODEL_CHANGED: 'site model changed' },
  platformCause: {
    NO_SUCCESS_ON_TIME: 'no successful run on time',
    RUN_FAILED: 'last run failed',
    NOT_COMPRESSED: 'chunks not compressed on time',
    NOT_DROPPED: 'expired data not dropped',
    EFFECT_NOT_MET: 'policy not carried out on time',
  },
  minutes: (n) => `${n} min`,
  seconds: (n) => `${n} s`,
};

/** A duration in whole minutes when it is one, else in seconds. */
function duration(ms: number, w: ReasonWords): string {
  return ms % 60_000 === 0 ? w.minutes(ms / 60_000) : w.seconds(ms / 1000);
}

/** The parameters of a reason, named as in its text. */
function params(
  r: SystemReason,
  w: ReasonWords,
  colour: Readonly<Record<WarningColour, string>>,
  condition: Readonly<Record<AlarmCondition, string>>,
): Record<string, string> {
  switch (r.code) {
    case 'REALARM_SEVERITY':
      return { from: colour[r.from], to: colour[r.to], cause: w.cause[r.cause] };
    case 'CONDITION_ACTIVE_CAUSE':
    case 'REALARM_ACTIVE_AGAIN_CAUSE':
      return { cause: w.platformCause[r.cause] };
    case 'CHATTERING':
      return { count: String(r.count), window: duration(r.windowS * 1000, w) };
    case 'REALARM_AFTER_ACK':
    case 'CHATTERING_ENDED':
      return { duration: duration(r.ms, w) };
    case 'SUPPRESSED_BY':
    case 'SUPPRESSOR_CLEARED':
      return { by: condition[r.by] };
    default:
      return {};
  }
}

/** `r` in `lang`, with colours and conditions named by the export's own words. */
export function systemReasonText(
  r: SystemReason,
  lang: ExportLanguage,
  colour: Readonly<Record<WarningColour, string>>,
  condition: Readonly<Record<AlarmCondition, string>>,
): string {
  const w = lang === 'en' ? EN : ZH;
  const values = params(r, w, colour, condition);
  return w.text[r.code].replace(/\{(\w+)\}/g, (whole, name: string) => values[name] ?? whole);
}
