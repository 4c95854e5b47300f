/**
 * Instrument-fault conditions, kept apart from process alarms (REFERENCE §8 item 18; ISA-18.2
 * treats a failed measurement as a diagnostic alarm, not a process one):
 * - SENSOR_BAD while readings carry Bad quality (OPC UA status class; QUALITY_CODES.bad = 2);
 * - OUT_OF_RANGE while a non-bad reading lies outside the point's range [min, max] (量程,
 *   REFERENCE §1 sensor metadata) or is not a finite number.
 *
 * Decision: a bad or out-of-range reading never drives the limit or rate-of-change evaluators.
 * Their last good state is held (an active H stays active, a running delay keeps its start), so a
 * failing transmitter neither raises nor clears a process alarm. Uncertain quality (1) is
 * evaluated normally: OPC UA allows an Uncertain value to be used, and dropping it would hide real
 * excursions behind a degraded but working instrument.
 * While quality is bad, OUT_OF_RANGE is held too: a bad value says nothing about the range.
 */
import { ACTIVE, C_OUT_OF_RANGE, C_SENSOR_BAD, INACTIVE, type ConditionLedger } from './condition-ledger.js';
import type { EvaluatedPoint } from './evaluated-point.js';
import { SAMPLE_TS, SAMPLE_VALUE, type SampleRegister } from './sample-register.js';

/** QUALITY_CODES.bad in @hazardwatch/contracts; any higher code is treated as bad as well. */
const QUALITY_BAD = 2;

export class SensorFaultEvaluator {
  readonly #ledger: ConditionLedger;
  readonly #sample: SampleRegister;
  readonly #min: Float64Array;
  readonly #max: Float64Array;

  constructor(ledger: ConditionLedger, sample: SampleRegister, points: readonly EvaluatedPoint[]) {
    this.#ledger = ledger;
    this.#sample = sample;
    this.#min = Float64Array.from(points, (p) => p.range.min);
    this.#max = Float64Array.from(points, (p) => p.range.max);
  }

  /** Judge the in-order sample in the register; true when it may drive process evaluation. */
  evaluate(i: number, quality: number): boolean {
    const ledger = this.#ledger;
    if (quality >= QUALITY_BAD) {
      if (ledger.state(i, C_SENSOR_BAD) !== ACTIVE) this.#change(i, C_SENSOR_BAD, true, null);
      return false;
    }
    if (ledger.state(i, C_SENSOR_BAD) !== INACTIVE) this.#change(i, C_SENSOR_BAD, false, null);
    const v = this.#sample[SAMPLE_VALUE]!;
    // Negated form so that NaN counts as out of range.
    if (!(v >= this.#min[i]! && v <= this.#max[i]!)) {
      if (ledger.state(i, C_OUT_OF_RANGE) !== ACTIVE) {
        this.#change(i, C_OUT_OF_RANGE, true, v < this.#min[i]! ? this.#min[i]! : this.#max[i]!);
      }
      return false;
    }
    if (ledger.state(i, C_OUT_OF_RANGE) !== INACTIVE) this.#change(i, C_OUT_OF_RANGE, false, null);
    return true;
  }

  #change(i: number, condition: number, active: boolean, limit: number | null): void {
    const v = this.#sample[SAMPLE_VALUE]!;
    this.#ledger.set(i, condition, active, this.#sample[SAMPLE_TS]!, Number.isFinite(v) ? v : null, limit);
  }
}
