/**
 * LL / L / H / HH limit evaluation with per-limit deadband, on-delay and off-delay
 * (REFERENCE §7, §8 item 13; OPC UA Part 9 LimitAlarm; ISA-18.2 / IEC 62682).
 *
 * Decisions:
 * - Raise when the value reaches the limit (H: v ≥ H; L: v ≤ L), as for a gas set point
 *   (GB/T 50493-2019 §5.5.2: level-1 = H, level-2 = HH; O₂ deficiency = L, excess = H).
 *   Return to normal only once the value clears the limit by its deadband (H: v < H − db;
 *   L: v > L + db), so a value oscillating inside the deadband raises once.
 * - Each limit has its own delay machine (alarm-delay.ts); the annunciation follows ISA-18.2
 *   practice for a ladder: only the highest active condition of a side is annunciated. While HH
 *   is active, H is kept inactive (a jump straight to HH raises HH alone); when HH clears with the
 *   value still past H, H is raised. Same for LL / L. An H alarm already open when HH comes is
 *   shown suppressed by design meanwhile, not returned to normal (alarms/designed-suppression.ts).
 * - Within one sample raises are emitted before clears, so the point never looks normal in the
 *   middle of an H ↔ HH hand-over.
 * - A limit whose on-delay is still running is undecided: nothing is emitted for it. This makes
 *   the first sample after start-up clear the normal conditions and raise the held one only after
 *   its on-delay (restart semantics).
 * - A saturated reading (gas above range max, O₂ beyond either bound; sensor-fault.ts) runs the
 *   same machines with every limit of its side reached and every limit of the other side cleared,
 *   whatever the configured values: fail-safe, a detector pegged at full scale is at least at its
 *   level-2 set point (GB/T 50493-2019 §5.5.2) even if HH was configured above the range. On-delay,
 *   off-delay and deadband apply unchanged, so the alarm clears only once a real in-range value
 *   clears the limit by its deadband.
 */
import { advanceDelay, delayVerdict, M_ACTIVE, M_NORMAL } from './alarm-delay.js';
import { ACTIVE, C_H, C_HH, C_L, C_LL, INACTIVE, type ConditionLedger } from './condition-ledger.js';
import type { EvaluatedPoint } from './evaluated-point.js';
import { SAMPLE_TS, SAMPLE_VALUE, type SampleRegister } from './sample-register.js';

/** Machine slots within a point, low to high. */
const LL = 0;
const L = 1;
const H = 2;
const HH = 3;

const orNaN = (v: number | null): number => (v === null ? Number.NaN : v);

export class ThresholdEvaluator {
  readonly #ledger: ConditionLedger;
  readonly #sample: SampleRegister;
  /** Per point × 4 (LL, L, H, HH): limit (NaN = not configured) and deadband, point unit. */
  readonly #limit: Float64Array;
  readonly #deadband: Float64Array;
  readonly #onDelayMs: Float64Array;
  readonly #offDelayMs: Float64Array;
  /** Fast path bounds: lowest configured high limit, highest configured low limit. */
  readonly #hiTrip: Float64Array;
  readonly #loTrip: Float64Array;
  readonly #machine: Uint8Array;
  readonly #since: Float64Array;
  /** 0 when every machine is normal and every ladder condition was emitted inactive. */
  readonly #busy: Uint8Array;

  constructor(ledger: ConditionLedger, sample: SampleRegister, points: readonly EvaluatedPoint[]) {
    const n = points.length;
    this.#ledger = ledger;
    this.#sample = sample;
    this.#limit = new Float64Array(n * 4);
    this.#deadband = new Float64Array(n * 4);
    this.#onDelayMs = new Float64Array(n);
    this.#offDelayMs = new Float64Array(n);
    this.#hiTrip = new Float64Array(n);
    this.#loTrip = new Float64Array(n);
    this.#machine = new Uint8Array(n * 4);
    this.#since = new Float64Array(n * 4);
    this.#busy = new Uint8Array(n).fill(1);
    points.forEach((p, i) => {
      const b = i * 4;
      const { limits, deadband } = p;
      this.#limit.set([orNaN(limits.ll), orNaN(limits.l), orNaN(limits.h), orNaN(limits.hh)], b);
      this.#deadband.set([deadband.ll, deadband.l, deadband.h, deadband.hh], b);
      this.#onDelayMs[i] = p.onDelayMs;
      this.#offDelayMs[i] = p.offDelayMs;
      this.#hiTrip[i] = Math.min(limits.h ?? Infinity, limits.hh ?? Infinity);
      this.#loTrip[i] = Math.max(limits.l ?? -Infinity, limits.ll ?? -Infinity);
    });
  }

  /** One good, in-range, in-order sample of point i, in the sample register. */
  evaluate(i: number): void {
    // Hot path: everything normal and the value strictly inside the limits ⇒ nothing can change.
    const v = this.#sample[SAMPLE_VALUE]!;
    if (this.#busy[i] === 0 && v < this.#hiTrip[i]! && v > this.#loTrip[i]!) return;
    this.#evaluateFully(i);
  }

  #evaluateFully(i: number): void {
    const ts = this.#sample[SAMPLE_TS]!;
    const v = this.#sample[SAMPLE_VALUE]!;
    const b = i * 4;
    const on = this.#onDelayMs[i]!;
    const off = this.#offDelayMs[i]!;
    for (let k = b; k < b + 4; k++) {
      const limit = this.#limit[k]!;
      if (Number.isNaN(limit)) continue;
      const db = this.#deadband[k]!;
      const high = k - b >= H;
      const beyond = high ? v >= limit : v <= limit;
      const cleared = high ? v < limit - db : v > limit + db;
      advanceDelay(this.#machine, this.#since, k, beyond, cleared, ts, on, off);
    }
    this.#annunciate(i, ts, v);
  }

  /**
   * One in-order sample of point i beyond its range on a saturating side (sensor-fault.ts):
   * `over` = above range max (high limits reached), else below range min (low limits reached).
   * Off the hot path: only out-of-range readings of gas and O₂ channels come here.
   */
  evaluateSaturated(i: number, over: boolean): void {
    const ts = this.#sample[SAMPLE_TS]!;
    const v = this.#sample[SAMPLE_VALUE]!;
    const b = i * 4;
    const on = this.#onDelayMs[i]!;
    const off = this.#offDelayMs[i]!;
    for (let k = b; k < b + 4; k++) {
      if (Number.isNaN(this.#limit[k]!)) continue;
      const high = k - b >= H;
      const beyond = high === over;
      advanceDelay(this.#machine, this.#since, k, beyond, !beyond, ts, on, off);
    }
    this.#annunciate(i, ts, v);
  }

  #annunciate(i: number, ts: number, v: number): void {
    const b = i * 4;
    const m = this.#machine;
    const hh = delayVerdict(m[b + HH]!);
    const h = hh === 1 ? 0 : delayVerdict(m[b + H]!);
    const ll = delayVerdict(m[b + LL]!);
    const l = ll === 1 ? 0 : delayVerdict(m[b + L]!);
    // Raises first, then clears (see file comment).
    if (hh === 1) this.#emit(i, C_HH, HH, true, ts, v);
    if (h === 1) this.#emit(i, C_H, H, true, ts, v);
    if (ll === 1) this.#emit(i, C_LL, LL, true, ts, v);
    if (l === 1) this.#emit(i, C_L, L, true, ts, v);
    if (hh === 0) this.#emit(i, C_HH, HH, false, ts, v);
    if (h === 0) this.#emit(i, C_H, H, false, ts, v);
    if (ll === 0) this.#emit(i, C_LL, LL, false, ts, v);
    if (l === 0) this.#emit(i, C_L, L, false, ts, v);
    const ledger = this.#ledger;
    const quiet =
      m[b] === M_NORMAL &&
      m[b + 1] === M_NORMAL &&
      m[b + 2] === M_NORMAL &&
      m[b + 3] === M_NORMAL &&
      ledger.state(i, C_HH) === INACTIVE &&
      ledger.state(i, C_H) === INACTIVE &&
      ledger.state(i, C_L) === INACTIVE &&
      ledger.state(i, C_LL) === INACTIVE;
    this.#busy[i] = quiet ? 0 : 1;
  }

  /**
   * Emit point i's decided limit conditions again, dated and valued by the sample in the register
   * (the last replayed one; the ledger was told to forget them): raised for an active machine or a
   * running off-delay, cleared for a normal one, nothing while an on-delay runs.
   */
  reannounce(i: number): void {
    this.#annunciate(i, this.#sample[SAMPLE_TS]!, this.#sample[SAMPLE_VALUE]!);
  }

  #emit(i: number, condition: number, slot: number, active: boolean, ts: number, v: number): void {
    const limit = this.#limit[i * 4 + slot]!;
    // A saturated reading may be ±Infinity: no number to report (as for OUT_OF_RANGE).
    this.#ledger.set(
      i,
      condition,
      active,
      ts,
      Number.isFinite(v) ? v : null,
      Number.isNaN(limit) ? null : limit,
    );
  }

  /**
   * A restart or takeover (issue #23): limit `condition` of point i is held open and active by
   * the restored alarm book, so its machine starts raised rather than normal — a value inside the
   * deadband, or a bad-quality reading (which holds), then keeps the alarm as the evaluator that
   * raised it would have, and only a value past the deadband (and the off-delay) returns it.
   * @returns false when point i has no such limit configured (it is then judged from normal).
   */
  holdActive(i: number, condition: number): boolean {
    const slot =
      condition === C_HH ? HH : condition === C_H ? H : condition === C_L ? L : condition === C_LL ? LL : -1;
    if (slot < 0 || Number.isNaN(this.#limit[i * 4 + slot]!)) return false;
    this.#machine[i * 4 + slot] = M_ACTIVE;
    this.#busy[i] = 1;
    return true;
  }

  /** Every machine of point i back to normal (the late lane settled); judged fully at its next sample. */
  reset(i: number): void {
    this.#machine.fill(M_NORMAL, i * 4, i * 4 + 4);
    this.#busy[i] = 1;
  }

  /**
   * Carry a point over from a previous evaluator (reconfiguration). With unchanged configuration
   * the machines are copied; otherwise they restart from what was emitted (an active alarm stays
   * active and is judged against the new limit, deadband and off-delay at the next sample).
   */
  adopt(from: ThresholdEvaluator, fromPoint: number, toPoint: number, sameConfig: boolean): void {
    const src = fromPoint * 4;
    const dst = toPoint * 4;
    if (sameConfig) {
      this.#machine.set(from.#machine.subarray(src, src + 4), dst);
      this.#since.set(from.#since.subarray(src, src + 4), dst);
      this.#busy[toPoint] = from.#busy[fromPoint]!;
      return;
    }
    const conditions = [C_LL, C_L, C_H, C_HH] as const;
    for (let s = 0; s < 4; s++) {
      const active =
        this.#ledger.state(toPoint, conditions[s]!) === ACTIVE && !Number.isNaN(this.#limit[dst + s]!);
      this.#machine[dst + s] = active ? M_ACTIVE : M_NORMAL;
    }
    this.#busy[toPoint] = 1;
  }
}
