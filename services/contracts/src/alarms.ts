/**
 * Alarm vocabulary on the wire (REST, socket.io, stored events). REFERENCE.md §5 and §8 item 3:
 * an alarm condition, a 预警 colour, a hazard level (一级–四级) and an enterprise's static risk
 * grade are different things and never share a type.
 */

/** ISA-18.2 / IEC 62682 (GB/T 41261-2022) alarm states. */
export const ALARM_STATES = ['NORM', 'UNACK', 'ACKED', 'RTNUN', 'SHLVD', 'DSUPR', 'OOSRV'] as const;
export type AlarmState = (typeof ALARM_STATES)[number];

/** States in which an alarm record is open (the condition or the operator's duty is outstanding). */
export const OPEN_ALARM_STATES: readonly AlarmState[] = [
  'UNACK',
  'ACKED',
  'RTNUN',
  'SHLVD',
  'DSUPR',
  'OOSRV',
];

/**
 * What an evaluator detects on a point (or a gateway). Process alarms are limit and
 * rate-of-change conditions; data-quality conditions (stale, comms loss, sensor fault) are kept
 * apart from them (REFERENCE §8 item 18) and are coloured blue by the default policy.
 */
export const PROCESS_CONDITIONS = ['HH', 'H', 'L', 'LL', 'ROC_RISE', 'ROC_FALL'] as const;
export const QUALITY_CONDITIONS = [
  'STALE',
  'SENSOR_BAD',
  'OUT_OF_RANGE',
  'GATEWAY_OFFLINE',
  'NO_LIMITS',
  /** A source of the gateway (OPC-UA, Modbus, …) reported down in its heartbeats; the gateway is alive. */
  'SOURCE_DOWN',
  /** The gateway reported readings its spool had to drop (`data_loss`). */
  'DATA_LOSS',
] as const;
/**
 * Conditions of the platform's own machinery (`platform:` sources, docs/operations.md): a
 * TimescaleDB background job whose last run failed, or that has not succeeded within twice its
 * schedule interval. Never on a point or gateway, never coloured into a roll-up, never a 预警.
 */
export const PLATFORM_CONDITIONS = ['JOB_FAILED', 'JOB_STALE'] as const;
export const ALARM_CONDITIONS = [
  ...PROCESS_CONDITIONS,
  ...QUALITY_CONDITIONS,
  ...PLATFORM_CONDITIONS,
] as const;
export type ProcessCondition = (typeof PROCESS_CONDITIONS)[number];
export type QualityCondition = (typeof QUALITY_CONDITIONS)[number];
export type PlatformCondition = (typeof PLATFORM_CONDITIONS)[number];
export type AlarmCondition = (typeof ALARM_CONDITIONS)[number];

/** 预警 colour (Jilin mechanism: 红 重大, 橙 较大, 黄 一般, 蓝 低). Ordered from lowest to highest. */
export const WARNING_COLOURS = ['blue', 'yellow', 'orange', 'red'] as const;
export type WarningColour = (typeof WARNING_COLOURS)[number];
/** Highest first: legends, counts and lists read top-down from red. */
export const WARNING_COLOURS_DESC: readonly WarningColour[] = Object.freeze([...WARNING_COLOURS].reverse());

/**
 * 0 = none (normal), 1 = blue … 4 = red. Colours are compared by rank, never by name, and every
 * package ranks them with this one function.
 */
export function colourRank(colour: WarningColour | null | undefined): number {
  return colour === null || colour === undefined ? 0 : WARNING_COLOURS.indexOf(colour) + 1;
}

export function isWarningColour(value: unknown): value is WarningColour {
  return typeof value === 'string' && (WARNING_COLOURS as readonly string[]).includes(value);
}

/** The highest of some colours; null when there is none. */
export function worstColour(colours: Iterable<WarningColour | null | undefined>): WarningColour | null {
  let worst: WarningColour | null = null;
  for (const c of colours) if (colourRank(c) > colourRank(worst)) worst = c ?? null;
  return worst;
}
export const WARNING_COLOUR_ZH: Readonly<Record<WarningColour, string>> = {
  red: '红',
  orange: '橙',
  yellow: '黄',
  blue: '蓝',
};

/** Operator actions on an alarm (ISA-18.2 §§ on acknowledge, shelve, out of service). */
export const ALARM_ACTIONS = [
  'ack',
  'shelve',
  'unshelve',
  'remove_from_service',
  'return_to_service',
  'suppress',
  'unsuppress',
  'comment',
] as const;
export type AlarmAction = (typeof ALARM_ACTIONS)[number];

/** One append-only state change of an alarm, as stored and pushed. */
export interface AlarmEvent {
  readonly alarmId: string;
  /** `point:<id>`, `gateway:<enterprise>/<gateway>` or `platform:<component>/<name>`. */
  readonly sourceKey: string;
  /** The point, or null for a gateway alarm (communication loss) or a platform alarm. */
  readonly pointId: number | null;
  readonly condition: AlarmCondition;
  readonly from: AlarmState;
  readonly to: AlarmState;
  /** ms UTC. */
  readonly ts: number;
  /** `system` or a user id. */
  readonly actor: string;
  readonly reason: string | null;
  /** The process value that caused a system transition, if any. */
  readonly value: number | null;
  /**
   * The transition was decided from replayed readings (a collector's spool after an uplink
   * outage), so `ts` is the source time it happened, earlier than when it became known. A late
   * alarm is a journal entry: it is shown and must be acknowledged, but never sounds the horn
   * and does not colour the roll-up (docs/operations.md §8). Absent or false otherwise.
   */
  readonly late?: boolean;
}
