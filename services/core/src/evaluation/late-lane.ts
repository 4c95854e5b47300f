/**
 * The late lane: evaluation of replayed readings (ARCHITECTURE "Faults are facts": a replayed
 * reading is evaluated in source-time order and can raise a late alarm).
 *
 * Why a second lane: an edge collector sends live readings first when its uplink returns and
 * replays its disk spool after them, so the readings taken while the link was down arrive older
 * than the point's live newest. The live machines must not see them (a late normal sample must
 * never clear a live alarm, a late high one must never complete a live on-delay), but an HH held
 * for 20 s during the outage is a fact that must be recorded. So each point has a second,
 * separate set of limit machines (same limits, deadband, on-/off-delay, ladder and saturation
 * rules, threshold-evaluator.ts and sensor-fault.ts) fed only with samples older than the live
 * newest, in their own source-time order; its changes are marked `late` and dated with source
 * times.
 *
 * Scope: the process limits (HH/H/L/LL). Rate of change needs a continuous window and is not
 * judged on replays; sensor-fault and staleness are about the instrument and link *now*, so the
 * lane computes them (saturation and holds still apply) but does not report them.
 *
 * Order within the lane: a replayed sample not newer than the lane's newest for the point (the
 * spool redelivered it, or two replays overlap) is dropped and counted as out of order.
 *
 * Settling: a lane that has had no sample for `settleMs` of evaluation clock is done with this
 * replay. A limit still active in it is then reconciled with the live lane: it is cleared, dated
 * with the live newest (the live lane, which saw the value then, says the point is where it
 * says). If the live lane holds the same condition, the alarm book has already handed the alarm
 * to the live lane and ignores the late clear (alarm-book.ts). The machines restart normal for
 * the next replay.
 *
 * Cost: nothing until the first late sample (the lane is built on demand); in-order readings never
 * come here.
 */
import { PROCESS_CONDITIONS, type AlarmCondition } from '@hazardwatch/contracts';
import type { ConditionChange, ConditionSink } from '../alarms/alarm-types.js';
import { ConditionLedger } from './condition-ledger.js';
import type { EvaluatedPoint } from './evaluated-point.js';
import { SAMPLE_TS, type SampleRegister } from './sample-register.js';
import { SAMPLE_GOOD, SAMPLE_HOLD, SAMPLE_OVER, SensorFaultEvaluator } from './sensor-fault.js';
import { ThresholdEvaluator } from './threshold-evaluator.js';

const REPORTED: ReadonlySet<AlarmCondition> = new Set(PROCESS_CONDITIONS);

export class LateLane {
  readonly #sample: SampleRegister;
  readonly #ledger: ConditionLedger;
  readonly #fault: SensorFaultEvaluator;
  readonly #threshold: ThresholdEvaluator;
  /** Newest replayed sample per point; −∞ before the first. */
  readonly #newest: Float64Array;
  /** Evaluation clock of the last replayed sample per point (−∞: before the first tick). */
  readonly #lastArrival: Float64Array;
  /** Points with replayed samples not yet settled. */
  readonly #open = new Set<number>();

  constructor(sink: ConditionSink, sample: SampleRegister, points: readonly EvaluatedPoint[]) {
    this.#sample = sample;
    const reported: ConditionSink = {
      change: (c: ConditionChange) => {
        if (REPORTED.has(c.condition)) sink.change(c);
      },
    };
    this.#ledger = new ConditionLedger(
      reported,
      points.map((p) => p.id),
      true,
    );
    this.#fault = new SensorFaultEvaluator(this.#ledger, sample, points);
    this.#threshold = new ThresholdEvaluator(this.#ledger, sample, points);
    this.#newest = new Float64Array(points.length).fill(-Infinity);
    this.#lastArrival = new Float64Array(points.length).fill(-Infinity);
  }

  /**
   * The sample in the register is older than point i's live newest.
   * @returns false when it was dropped (not newer than the lane's newest).
   */
  evaluate(i: number, quality: number, clock: number): boolean {
    const ts = this.#sample[SAMPLE_TS]!;
    if (!(ts > this.#newest[i]!)) return false;
    this.#newest[i] = ts;
    this.#lastArrival[i] = clock;
    this.#open.add(i);
    const verdict = this.#fault.evaluate(i, quality);
    if (verdict === SAMPLE_GOOD) this.#threshold.evaluate(i);
    else if (verdict !== SAMPLE_HOLD) this.#threshold.evaluateSaturated(i, verdict === SAMPLE_OVER);
    return true;
  }

  /** Points with an unsettled replay (diagnostics, tests). */
  get pending(): number {
    return this.#open.size;
  }

  /**
   * Settle the lanes quiet for `settleMs` at evaluation clock `now` (file comment); `liveNewest`
   * is the live lane's newest sample per point.
   */
  settle(now: number, settleMs: number, liveNewest: Float64Array): void {
    for (const i of this.#open) {
      const last = this.#lastArrival[i]!;
      if (last === -Infinity) {
        // Replayed before the first tick: the quiet time runs from now.
        this.#lastArrival[i] = now;
        continue;
      }
      if (now - last < settleMs) continue;
      this.settlePoint(i, liveNewest[i]!);
    }
  }

  /** Reconcile point i with the live lane now: clear what is active (at `ts`), restart normal. */
  settlePoint(i: number, ts: number): void {
    this.#ledger.clearAll(i, ts);
    this.#threshold.reset(i);
    this.#open.delete(i);
  }

  /** Settle every open lane (reconfiguration: the layout is replaced). */
  settleAll(liveNewest: Float64Array): void {
    for (const i of this.#open) this.settlePoint(i, liveNewest[i]!);
  }
}
