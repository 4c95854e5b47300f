/**
 * The alarm record the lifecycle works on, the event every state change yields, and the table of
 * ISA-18.2 transitions (REFERENCE §7; IEC 62682 = GB/T 41261-2022) that both enforce.
 */
import type { AlarmCondition, AlarmEvent, AlarmState, WarningColour } from '@hazardwatch/contracts';
import type { AlarmSource } from './alarm-types.js';

/** One alarm occurrence, from its first annunciation until it returns to NORM (closed). */
export interface AlarmRecord {
  readonly id: string;
  readonly source: AlarmSource;
  /** `sourceKey(source)`, kept so records can be grouped without rebuilding it. */
  readonly sourceKey: string;
  readonly condition: AlarmCondition;
  readonly state: AlarmState;
  /** The condition currently holds (after the evaluator's on-delay/off-delay/deadband). */
  readonly active: boolean;
  /** GB/T 41261-2022 报警锁定: stays UNACK after the condition clears, until acknowledged. */
  readonly latched: boolean;
  /** 预警 colour (severity). A rise while ACKED re-alarms to UNACK (ISA-18.2 C→B). */
  readonly colour: WarningColour;
  /** ms UTC of the record's creation (first occurrence, or the operator action on a normal alarm). */
  readonly raisedAt: number;
  /** ms UTC of the last state change; the re-alarm timer runs from here while ACKED. */
  readonly stateSinceMs: number;
  /** ms UTC of the last transition of the condition to active; chattering release runs from here. */
  readonly lastActivationMs: number | null;
  readonly ackedAt: number | null;
  readonly ackedBy: string | null;
  /** Last process value and limit reported with a condition change. */
  readonly value: number | null;
  readonly limit: number | null;
  readonly shelvedUntilMs: number | null;
  readonly shelveReason: string | null;
  readonly suppressReason: string | null;
  /** `system` for an automatic (chattering) suppression, else the operator. */
  readonly suppressedBy: string | null;
  readonly outOfServiceReason: string | null;
  /** ≥ `count` activations within `windowMs` (REFERENCE §7 chattering KPI). */
  readonly chattering: boolean;
  /**
   * Raised from replayed readings and still driven by the late lane (alarm-book.ts): a journal of
   * what happened while the link was down. Absent on records stored before late alarms existed.
   */
  readonly late?: boolean;
  /**
   * Set while the alarm is DSUPR by design (designed-suppression.ts): the condition whose alarm
   * suppresses it, and whether the operator had acknowledged this occurrence before. Absent
   * otherwise, and on records stored before designed suppression existed.
   */
  readonly designSuppression?: DesignSuppression;
}

/** Why an alarm is suppressed by design, kept so that its unsuppression lands in its real state. */
export interface DesignSuppression {
  /** The higher alarm of the same point and side: HH suppresses H, LL suppresses L. */
  readonly by: AlarmCondition;
  /**
   * The alarm was ACKED when suppressed. Its ladder partner (the evaluator) reports it inactive
   * while `by` holds, so this is not reset by those reports: it says whether the acknowledgement
   * requirement comes back on unsuppression (ISA-18.2: suppression hides the annunciation only).
   */
  readonly acked: boolean;
}

/** One append-only state change: the wire `AlarmEvent` (a gateway source has `pointId: null`). */
export type AlarmLifecycleEvent = AlarmEvent;

/** States in which the alarm is annunciated to the operator (not shelved, suppressed or out of service). */
export const ANNUNCIATED_STATES: readonly AlarmState[] = ['NORM', 'UNACK', 'ACKED', 'RTNUN'];

/**
 * Allowed `from → to` pairs (REFERENCE §7):
 * A→B occurs; B→C ack; C→A return to normal; B→D return unacknowledged; D→A ack; D→B re-alarm;
 * C→B re-alarm (higher severity or re-alarm time); → SHLVD by the operator; → DSUPR by design;
 * → OOSRV for maintenance; each of those ends in A or B depending on the current condition.
 * One addition, DSUPR → C: a designed suppression (designed-suppression.ts) of an alarm the
 * operator had already acknowledged, whose condition still holds, ends acknowledged.
 * Precedence, our choice: OOSRV > DSUPR > SHLVD, so a higher one may replace a lower one but not
 * the reverse (an out-of-service alarm cannot be shelved).
 */
const TRANSITIONS: Readonly<Record<AlarmState, readonly AlarmState[]>> = {
  NORM: ['UNACK', 'SHLVD', 'DSUPR', 'OOSRV'],
  UNACK: ['ACKED', 'RTNUN', 'SHLVD', 'DSUPR', 'OOSRV'],
  ACKED: ['NORM', 'UNACK', 'SHLVD', 'DSUPR', 'OOSRV'],
  RTNUN: ['NORM', 'UNACK', 'SHLVD', 'DSUPR', 'OOSRV'],
  SHLVD: ['NORM', 'UNACK', 'DSUPR', 'OOSRV'],
  DSUPR: ['NORM', 'UNACK', 'ACKED', 'OOSRV'],
  OOSRV: ['NORM', 'UNACK'],
};

/** True for a listed transition. A comment is the one event with `from === to`, and is not a transition. */
export function isAllowedTransition(from: AlarmState, to: AlarmState): boolean {
  return TRANSITIONS[from].includes(to);
}

/** Every allowed transition, for documentation and tests. */
export function allowedTransitions(): readonly (readonly [AlarmState, AlarmState])[] {
  return (Object.keys(TRANSITIONS) as AlarmState[]).flatMap((from) =>
    TRANSITIONS[from].map((to) => [from, to] as const),
  );
}
