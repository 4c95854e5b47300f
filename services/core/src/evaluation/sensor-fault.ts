/**
 * Instrument-fault conditions, kept apart from process alarms (REFERENCE §8 item 18; ISA-18.2
 * treats a failed measurement as a diagnostic alarm, not a process one):
 * - SENSOR_BAD while readings carry Bad quality (OPC UA status class; QUALITY_CODES.bad = 2);
 * - OUT_OF_RANGE while a non-bad reading lies outside the point's range [min, max] (量程,
 *   REFERENCE §1 sensor metadata) or is not a finite number.
 *
 * What a faulted reading does to the limit evaluation (the verdict of evaluate()):
 * - Bad quality, every kind: HOLD. The last good state is held (an active HH stays active, a
 *   running delay keeps its start); a bad value neither raises nor clears a process alarm.
 *   Acceptable because bad quality is a declared sensor fault: SENSOR_BAD is annunciated at
 *   once, nothing is cleared, and for gas channels the fire-control-room relevance of a detector
 *   fault is decided by the colour policy (GB/T 50493-2019 §5.1.2: control-unit fault signals go
 *   to the fire-control room), not by pretending a value. While quality is bad, OUT_OF_RANGE is
 *   held too: a bad value says nothing about the range.
 * - Out of range on the dangerous side of a gas or O₂ channel: SATURATED. Fail-safe principle: a
 *   detector pegged at full scale during a real leak is the reading that matters most, so it
 *   counts as beyond every limit of that side (the level-1/level-2 set points of GB/T 50493-2019
 *   §5.5.2 are H/HH) and OUT_OF_RANGE is raised as well. The dangerous sides:
 *   - combustible, toxic and open-path gas: above range max (concentration over full scale);
 *   - oxygen: above range max (enrichment, §5.5.2 over-oxygen 23.5 %VOL) and below range min
 *     (deficiency, §5.5.2 19.5 %VOL, the side that kills).
 * - Any other out-of-range reading: HOLD, with OUT_OF_RANGE. This covers a gas channel below
 *   range min (negative zero drift says nothing about a leak), a non-finite value on any kind,
 *   and every non-gas kind (a temperature beyond its range is a transmitter or wiring fault far
 *   more often than a process value, and the limits there are inside the range anyway).
 * Uncertain quality (1) is evaluated normally: OPC UA allows an Uncertain value to be used
 * (Uncertain_EngineeringUnitsExceeded is how a saturated transmitter is often reported), and
 * dropping it would hide real excursions behind a degraded but working instrument.
 */
import { GAS_LEVEL_KINDS } from '../gas-rules.js';
import type { PointKind } from '../site-schema.js';
import { ACTIVE, C_OUT_OF_RANGE, C_SENSOR_BAD, INACTIVE, type ConditionLedger } from './condition-ledger.js';
import type { EvaluatedPoint } from './evaluated-point.js';
import { SAMPLE_TS, SAMPLE_VALUE, type SampleRegister } from './sample-register.js';

/** QUALITY_CODES.bad in @hazardwatch/contracts; any higher code is treated as bad as well. */
const QUALITY_BAD = 2;

// Verdicts of SensorFaultEvaluator.evaluate(): what the sample may do to process evaluation.
/** In range, not bad: evaluate limits and rate of change with the value. */
export const SAMPLE_GOOD = 0;
/** Hold the last good state of limits and rate of change. */
export const SAMPLE_HOLD = 1;
/** Above range max on a side that saturates: every high limit counts as reached. */
export const SAMPLE_OVER = 2;
/** Below range min on a side that saturates: every low limit counts as reached. */
export const SAMPLE_UNDER = 3;

/** Saturation policy bits per point. */
const SATURATES_HIGH = 1;
const SATURATES_LOW = 2;

/** The sides of a point's range beyond which a reading is a process excursion (file comment). */
export function saturationPolicy(kind: PointKind): number {
  if (GAS_LEVEL_KINDS.has(kind)) return SATURATES_HIGH;
  if (kind === 'oxygen') return SATURATES_HIGH | SATURATES_LOW;
  return 0;
}

export class SensorFaultEvaluator {
  readonly #ledger: ConditionLedger;
  readonly #sample: SampleRegister;
  readonly #min: Float64Array;
  readonly #max: Float64Array;
  readonly #saturates: Uint8Array;

  constructor(ledger: ConditionLedger, sample: SampleRegister, points: readonly EvaluatedPoint[]) {
    this.#ledger = ledger;
    this.#sample = sample;
    this.#min = Float64Array.from(points, (p) => p.range.min);
    this.#max = Float64Array.from(points, (p) => p.range.max);
    this.#saturates = Uint8Array.from(points, (p) => saturationPolicy(p.kind));
  }

  /** Judge the in-order sample in the register; returns a SAMPLE_* verdict. */
  evaluate(i: number, quality: number): number {
    const ledger = this.#ledger;
    if (quality >= QUALITY_BAD) {
      if (ledger.state(i, C_SENSOR_BAD) !== ACTIVE) this.#change(i, C_SENSOR_BAD, true, null);
      return SAMPLE_HOLD;
    }
    if (ledger.state(i, C_SENSOR_BAD) !== INACTIVE) this.#change(i, C_SENSOR_BAD, false, null);
    const v = this.#sample[SAMPLE_VALUE]!;
    // Negated form so that NaN counts as out of range.
    if (!(v >= this.#min[i]! && v <= this.#max[i]!)) return this.#outOfRange(i);
    if (ledger.state(i, C_OUT_OF_RANGE) !== INACTIVE) this.#change(i, C_OUT_OF_RANGE, false, null);
    return SAMPLE_GOOD;
  }

  #outOfRange(i: number): number {
    const v = this.#sample[SAMPLE_VALUE]!;
    const min = this.#min[i]!;
    const max = this.#max[i]!;
    if (this.#ledger.state(i, C_OUT_OF_RANGE) !== ACTIVE) {
      this.#change(i, C_OUT_OF_RANGE, true, v < min ? min : max);
    }
    const saturates = this.#saturates[i]!;
    if (v > max && (saturates & SATURATES_HIGH) !== 0) return SAMPLE_OVER;
    if (v < min && (saturates & SATURATES_LOW) !== 0) return SAMPLE_UNDER;
    return SAMPLE_HOLD;
  }

  #change(i: number, condition: number, active: boolean, limit: number | null): void {
    const v = this.#sample[SAMPLE_VALUE]!;
    this.#ledger.set(i, condition, active, this.#sample[SAMPLE_TS]!, Number.isFinite(v) ? v : null, limit);
  }
}
