import type { AlarmCondition } from '@hazardwatch/contracts';
import type { AlarmSource, ConditionSink } from '../alarms/alarm-types.js';

/**
 * The conditions an evaluator can hold on one point, in slot order. A point's emitted state for
 * each lives in one byte of a flat array (slot = point index × POINT_CONDITION_COUNT + condition).
 */
export const POINT_CONDITIONS = [
  'HH',
  'H',
  'L',
  'LL',
  'ROC_RISE',
  'ROC_FALL',
  'STALE',
  'SENSOR_BAD',
  'OUT_OF_RANGE',
  'NO_LIMITS',
] as const satisfies readonly AlarmCondition[];
export type PointCondition = (typeof POINT_CONDITIONS)[number];
export const POINT_CONDITION_COUNT = POINT_CONDITIONS.length;

/** Slot numbers, in the order of POINT_CONDITIONS. */
export const C_HH = 0;
export const C_H = 1;
export const C_L = 2;
export const C_LL = 3;
export const C_ROC_RISE = 4;
export const C_ROC_FALL = 5;
export const C_STALE = 6;
export const C_SENSOR_BAD = 7;
export const C_OUT_OF_RANGE = 8;
export const C_NO_LIMITS = 9;

/**
 * Emitted state of a condition. UNKNOWN is the state after start-up: whatever the first
 * evaluation decides is emitted, so a condition that ended while the process was down is
 * cleared in the alarm book (restart semantics), and a condition is never emitted twice in a row.
 */
export const UNKNOWN = 0;
export const INACTIVE = 1;
export const ACTIVE = 2;

/**
 * What has been told to the sink, per point and condition. Emits a ConditionChange only when the
 * decided state differs from the emitted one: the only allocation on the reading path.
 */
export class ConditionLedger {
  readonly #sink: ConditionSink;
  readonly #state: Uint8Array;
  /** One frozen source object per point, made once, shared by every change of that point. */
  readonly #sources: readonly AlarmSource[];
  readonly #late: boolean;
  /**
   * While true, set() records the decided state without telling the sink: the engine's replay of
   * stored readings at a takeover (evaluation-engine.ts replay()) rebuilds the evaluators' state
   * without re-announcing history the previous owner already announced.
   */
  muted = false;

  /**
   * @param late the ledger of the late lane (late-lane.ts): every condition starts INACTIVE (a
   * replay has nothing to report at its start) and every change is marked `late`.
   */
  constructor(sink: ConditionSink, pointIds: readonly number[], late = false) {
    this.#sink = sink;
    this.#late = late;
    this.#state = new Uint8Array(pointIds.length * POINT_CONDITION_COUNT);
    if (late) this.#state.fill(INACTIVE);
    this.#sources = pointIds.map((pointId) => Object.freeze({ kind: 'point', pointId }) as AlarmSource);
  }

  state(point: number, condition: number): number {
    return this.#state[point * POINT_CONDITION_COUNT + condition]!;
  }

  isActive(point: number, condition: number): boolean {
    return this.#state[point * POINT_CONDITION_COUNT + condition] === ACTIVE;
  }

  /** Record the decided state; emit when it differs from what was last emitted. */
  set(
    point: number,
    condition: number,
    active: boolean,
    ts: number,
    value: number | null,
    limit: number | null,
  ): void {
    const slot = point * POINT_CONDITION_COUNT + condition;
    const next = active ? ACTIVE : INACTIVE;
    if (this.#state[slot] === next) return;
    this.#state[slot] = next;
    if (this.muted) return;
    const source = this.#sources[point]!;
    const name = POINT_CONDITIONS[condition]!;
    this.#sink.change(
      this.#late
        ? { source, condition: name, active, ts, value, limit, late: true }
        : { source, condition: name, active, ts, value, limit },
    );
  }

  /** Clear every active condition of a point (the point left the configuration or was disabled). */
  clearAll(point: number, ts: number): void {
    for (let c = 0; c < POINT_CONDITION_COUNT; c++) {
      if (this.isActive(point, c)) this.set(point, c, false, ts, null, null);
    }
  }

  /**
   * Every condition of a point but STALE back to UNKNOWN, so that the next decision about each is
   * emitted whatever it is (after a muted replay: the decided state goes to the sink once).
   */
  forget(point: number): void {
    const base = point * POINT_CONDITION_COUNT;
    for (let c = 0; c < POINT_CONDITION_COUNT; c++) if (c !== C_STALE) this.#state[base + c] = UNKNOWN;
  }

  /** Carry a point's emitted states over from a previous ledger (reconfiguration). */
  adopt(from: ConditionLedger, fromPoint: number, toPoint: number): void {
    const src = fromPoint * POINT_CONDITION_COUNT;
    this.#state.set(from.#state.subarray(src, src + POINT_CONDITION_COUNT), toPoint * POINT_CONDITION_COUNT);
  }
}
