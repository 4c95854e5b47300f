/**
 * Rate-of-change (ROC_RISE / ROC_FALL) evaluation, only for points that configure it: there is
 * no national ROC threshold, so slope and window are per-tag settings agreed with the site and
 * never defaults (REFERENCE §6, §8 item 14).
 *
 * Method (robust to irregular spacing and to a lone outlier):
 * 1. Spike rejection: samples pass through a running median of `minSamples` (odd, default 3), so
 *    up to ⌊minSamples/2⌋ consecutive outliers never reach the slope. Nothing is judged before
 *    `minSamples` samples were seen.
 * 2. Slope over at least the window: slope = (f_now − f_ref) / (t_now − t_ref), where f_now is
 *    the current median and t_now that median sample's own timestamp (so the filter lag does not
 *    bias a ramp), and ref is the newest retained median at least `windowMs` older. The span is
 *    therefore ≥ the window whatever the spacing, and a burst of closely spaced samples cannot
 *    make a steep slope out of a small step. Until the history reaches back one window, no slope
 *    is judged.
 * 3. Fixed memory: the history is decimated (one retained sample per window/8), so a point keeps
 *    ~11 samples per channel whatever its reporting rate; the reference is then at most
 *    window/8 + one sample gap older than the window.
 * The point's on-delay and off-delay apply as for limits (alarm attributes, REFERENCE §7); there
 * is no deadband on a slope. Several channels of one direction raise one condition (any of them).
 */
import { advanceDelay, delayVerdict, M_ACTIVE } from './alarm-delay.js';
import { ACTIVE, C_ROC_FALL, C_ROC_RISE, INACTIVE, type ConditionLedger } from './condition-ledger.js';
import type { EvaluatedPoint } from './evaluated-point.js';
import { SAMPLE_TS, SAMPLE_VALUE, type SampleRegister } from './sample-register.js';

/** Retained history samples per shortest window. */
const PER_WINDOW = 8;
const MAX_HISTORY = 64;
const MS_PER_MIN = 60_000;
// #decided slots.
const SLOPE = 0;
const RISE_SLOPE = 1;
const RISE_LIMIT = 2;
const FALL_SLOPE = 3;
const FALL_LIMIT = 4;

export interface RateOfChangeOptions {
  /** Odd median width, 3–9. @default 3 */
  readonly minSamples: number;
}

export class RateOfChangeEvaluator {
  readonly #ledger: ConditionLedger;
  readonly #sample: SampleRegister;
  readonly #width: number;
  /** Point index → ROC slot, −1 when the point has no ROC configuration. */
  readonly #slot: Int32Array;
  // Channels of slot s are chStart[s] … chStart[s+1]−1.
  readonly #chStart: Int32Array;
  readonly #chRising: Uint8Array;
  readonly #chSlope: Float64Array;
  readonly #chWindow: Float64Array;
  // Median filter input ring: width values per slot.
  readonly #raw: Float64Array;
  /** Values seen, saturating at the width. */
  readonly #rawCount: Int32Array;
  /** Next write position in the ring. */
  readonly #rawPos: Int32Array;
  readonly #rawTs: Float64Array;
  /** Scratch for the median of widths above 3. */
  readonly #order: Int32Array;
  /** Scratch doubles (slot names below), so that no double is passed through a call. */
  readonly #decided = new Float64Array(5);
  // Decimated history ring of filtered samples.
  readonly #histOffset: Int32Array;
  readonly #histCap: Int32Array;
  readonly #histHead: Int32Array;
  readonly #histLen: Int32Array;
  readonly #histTs: Float64Array;
  readonly #histV: Float64Array;
  readonly #step: Float64Array;
  readonly #maxWindow: Float64Array;
  readonly #lastStored: Float64Array;
  // Delay machines: slot × 2 (0 rise, 1 fall).
  readonly #machine: Uint8Array;
  readonly #since: Float64Array;
  readonly #onDelayMs: Float64Array;
  readonly #offDelayMs: Float64Array;

  constructor(
    ledger: ConditionLedger,
    sample: SampleRegister,
    points: readonly EvaluatedPoint[],
    options: RateOfChangeOptions,
  ) {
    this.#ledger = ledger;
    this.#sample = sample;
    this.#width = options.minSamples;
    this.#order = new Int32Array(this.#width);
    this.#slot = new Int32Array(points.length).fill(-1);
    const withRoc: number[] = [];
    let channels = 0;
    points.forEach((p, i) => {
      if (p.rateOfChange.length === 0) return;
      this.#slot[i] = withRoc.length;
      withRoc.push(i);
      channels += p.rateOfChange.length;
    });
    const slots = withRoc.length;
    this.#chStart = new Int32Array(slots + 1);
    this.#chRising = new Uint8Array(channels);
    this.#chSlope = new Float64Array(channels);
    this.#chWindow = new Float64Array(channels);
    this.#raw = new Float64Array(slots * this.#width);
    this.#rawTs = new Float64Array(slots * this.#width);
    this.#rawCount = new Int32Array(slots);
    this.#rawPos = new Int32Array(slots);
    this.#histOffset = new Int32Array(slots);
    this.#histCap = new Int32Array(slots);
    this.#histHead = new Int32Array(slots);
    this.#histLen = new Int32Array(slots);
    this.#step = new Float64Array(slots);
    this.#maxWindow = new Float64Array(slots);
    this.#lastStored = new Float64Array(slots).fill(-Infinity);
    this.#machine = new Uint8Array(slots * 2);
    this.#since = new Float64Array(slots * 2);
    this.#onDelayMs = new Float64Array(slots);
    this.#offDelayMs = new Float64Array(slots);
    let ch = 0;
    let hist = 0;
    withRoc.forEach((i, s) => {
      const p = points[i]!;
      this.#chStart[s] = ch;
      let minW = Infinity;
      let maxW = 0;
      for (const r of p.rateOfChange) {
        this.#chRising[ch] = r.direction === 'rising' ? 1 : 0;
        this.#chSlope[ch] = r.slopePerMin;
        this.#chWindow[ch] = r.windowMs;
        minW = Math.min(minW, r.windowMs);
        maxW = Math.max(maxW, r.windowMs);
        ch++;
      }
      const step = Math.max(minW / PER_WINDOW, maxW / (MAX_HISTORY - 3));
      this.#step[s] = step;
      this.#maxWindow[s] = maxW;
      this.#histOffset[s] = hist;
      this.#histCap[s] = Math.min(MAX_HISTORY, Math.ceil(maxW / step) + 3);
      hist += this.#histCap[s];
      this.#onDelayMs[s] = p.onDelayMs;
      this.#offDelayMs[s] = p.offDelayMs;
    });
    this.#chStart[slots] = ch;
    this.#histTs = new Float64Array(hist);
    this.#histV = new Float64Array(hist);
  }

  /** The point has a rate-of-change configuration. */
  has(i: number): boolean {
    return this.#slot[i]! >= 0;
  }

  /**
   * One good, in-range, in-order sample of point i, in the sample register. Like the register,
   * the helpers below take and return integers only (indices into the typed arrays).
   */
  evaluate(i: number): void {
    const s = this.#slot[i]!;
    if (s < 0) return;
    const ts = this.#sample[SAMPLE_TS]!;
    const v = this.#sample[SAMPLE_VALUE]!;
    const w = this.#width;
    const pos = s * w + this.#rawPos[s]!;
    this.#raw[pos] = v;
    this.#rawTs[pos] = ts;
    const at = this.#medianAt(s);
    if (at < 0) return;
    this.#evict(s, at);

    // Per direction: [beyond, seen] flags and the slope/limit that decided it, in #decided.
    const decided = this.#decided;
    let riseBeyond = false;
    let fallBeyond = false;
    let hasRise = false;
    let hasFall = false;
    // A direction is judged once one of its channels has a slope (history spanning its window).
    let riseJudged = false;
    let fallJudged = false;
    for (let c = this.#chStart[s]!, end = this.#chStart[s + 1]!; c < end; c++) {
      this.#slopeInto(s, at, c);
      const slope = decided[SLOPE]!;
      const limit = this.#chSlope[c]!;
      if (this.#chRising[c] === 1) {
        hasRise = true;
        if (!Number.isNaN(slope)) riseJudged = true;
        if (!riseBeyond) {
          decided[RISE_SLOPE] = slope;
          decided[RISE_LIMIT] = limit;
          riseBeyond = slope >= limit;
        }
      } else {
        hasFall = true;
        if (!Number.isNaN(slope)) fallJudged = true;
        if (!fallBeyond) {
          decided[FALL_SLOPE] = slope;
          decided[FALL_LIMIT] = -limit;
          fallBeyond = -slope >= limit;
        }
      }
    }
    this.#store(s, at);
    const on = this.#onDelayMs[s]!;
    const off = this.#offDelayMs[s]!;
    for (let d = 0; d < 2; d++) {
      if (!(d === 0 ? hasRise : hasFall)) continue;
      // No slope yet: nothing decided (a machine held active by the alarm book stays so).
      if (!(d === 0 ? riseJudged : fallJudged)) continue;
      const beyond = d === 0 ? riseBeyond : fallBeyond;
      const k = s * 2 + d;
      advanceDelay(this.#machine, this.#since, k, beyond, !beyond, ts, on, off);
      const verdict = delayVerdict(this.#machine[k]!);
      if (verdict === -1) continue;
      const condition = d === 0 ? C_ROC_RISE : C_ROC_FALL;
      if (this.#ledger.state(i, condition) === (verdict === 1 ? ACTIVE : INACTIVE)) continue;
      const slope = decided[d === 0 ? RISE_SLOPE : FALL_SLOPE]!;
      this.#ledger.set(
        i,
        condition,
        verdict === 1,
        ts,
        Number.isNaN(slope) ? null : slope,
        decided[d === 0 ? RISE_LIMIT : FALL_LIMIT]!,
      );
    }
  }

  /**
   * Emit point i's decided rate-of-change conditions again at the register's timestamp (after a
   * muted replay; the ledger was told to forget them): raised while a direction's machine is active
   * or in its off-delay, cleared when normal (also when no slope was judged yet, or the point has
   * no channel of that direction: a rate of change starts normal), nothing while its on-delay
   * runs. The slope is not carried: value null.
   */
  /**
   * A restart or takeover (issue #23): `condition` (ROC_RISE or ROC_FALL) of point i is held open
   * and active by the restored alarm book, so its direction's machine starts raised. Bad-quality
   * readings, and good ones before the history spans a window again, then leave it raised (no
   * slope is judged, so nothing is decided); the first judged slope within the limit returns it.
   * @returns false when point i has no channel of that direction (it is judged from normal).
   */
  holdActive(i: number, condition: number): boolean {
    const s = this.#slot[i]!;
    const d = condition === C_ROC_RISE ? 0 : condition === C_ROC_FALL ? 1 : -1;
    if (s < 0 || d < 0) return false;
    for (let c = this.#chStart[s]!, end = this.#chStart[s + 1]!; c < end; c++) {
      if ((this.#chRising[c] === 1) === (d === 0)) {
        this.#machine[s * 2 + d] = M_ACTIVE;
        return true;
      }
    }
    return false;
  }

  reannounce(i: number): void {
    const s = this.#slot[i]!;
    const ts = this.#sample[SAMPLE_TS]!;
    for (let d = 0; d < 2; d++) {
      const condition = d === 0 ? C_ROC_RISE : C_ROC_FALL;
      let limit = Number.NaN;
      for (let c = s < 0 ? 0 : this.#chStart[s]!, end = s < 0 ? 0 : this.#chStart[s + 1]!; c < end; c++) {
        if ((this.#chRising[c] === 1) === (d === 0)) {
          limit = d === 0 ? this.#chSlope[c]! : -this.#chSlope[c]!;
          break;
        }
      }
      // No channel of this direction: normal, as at a point's first sample.
      if (Number.isNaN(limit)) {
        this.#ledger.set(i, condition, false, ts, null, null);
        continue;
      }
      const verdict = delayVerdict(this.#machine[s * 2 + d]!);
      if (verdict !== -1) this.#ledger.set(i, condition, verdict === 1, ts, null, limit);
    }
  }

  /**
   * Advance the median ring (the new value is already written at the write position) and return
   * the raw-array index of the running median of the last `width` values; −1 until `width`
   * values were seen. The median's own timestamp is used downstream, so a ramp's slope is not
   * biased by the filter lag.
   */
  #medianAt(s: number): number {
    const w = this.#width;
    const base = s * w;
    const pos = this.#rawPos[s]!;
    this.#rawPos[s] = pos + 1 === w ? 0 : pos + 1;
    const seen = this.#rawCount[s]!;
    if (seen < w) {
      this.#rawCount[s] = seen + 1;
      if (seen + 1 < w) return -1;
    }
    const raw = this.#raw;
    if (w === 3) {
      const a = raw[base]!;
      const b = raw[base + 1]!;
      const c = raw[base + 2]!;
      if ((a <= b && b <= c) || (c <= b && b <= a)) return base + 1;
      if ((b <= a && a <= c) || (c <= a && a <= b)) return base;
      return base + 2;
    }
    // Insertion sort of the slot's positions by value (width ≤ 9).
    const order = this.#order;
    for (let j = 0; j < w; j++) {
      const val = raw[base + j]!;
      let k = j - 1;
      while (k >= 0 && raw[order[k]!]! > val) {
        order[k + 1] = order[k]!;
        k--;
      }
      order[k + 1] = base + j;
    }
    return order[(w - 1) >> 1]!;
  }

  /**
   * Slope of channel c in units per minute, from the median at raw index `at` back to the newest
   * retained sample at least the channel's window older; NaN when there is none yet. Written to
   * #decided[SLOPE].
   */
  #slopeInto(s: number, at: number, c: number): void {
    const fts = this.#rawTs[at]!;
    const cutoff = fts - this.#chWindow[c]!;
    const off = this.#histOffset[s]!;
    const cap = this.#histCap[s]!;
    const head = this.#histHead[s]!;
    const len = this.#histLen[s]!;
    let ref = -1;
    for (let j = 0; j < len; j++) {
      const h = off + ((head + j) % cap);
      if (this.#histTs[h]! > cutoff) break;
      ref = h;
    }
    this.#decided[SLOPE] =
      ref < 0 ? Number.NaN : ((this.#raw[at]! - this.#histV[ref]!) / (fts - this.#histTs[ref]!)) * MS_PER_MIN;
  }

  /** Drop history older than needed: keep one sample at or before the longest window's start. */
  #evict(s: number, at: number): void {
    const cutoff = this.#rawTs[at]! - this.#maxWindow[s]!;
    const off = this.#histOffset[s]!;
    const cap = this.#histCap[s]!;
    let head = this.#histHead[s]!;
    let len = this.#histLen[s]!;
    while (len >= 2 && this.#histTs[off + ((head + 1) % cap)]! <= cutoff) {
      head = (head + 1) % cap;
      len--;
    }
    this.#histHead[s] = head;
    this.#histLen[s] = len;
  }

  /** Retain the median at raw index `at` when it is at least one decimation step newer. */
  #store(s: number, at: number): void {
    const fts = this.#rawTs[at]!;
    if (fts - this.#lastStored[s]! < this.#step[s]!) return;
    this.#lastStored[s] = fts;
    const off = this.#histOffset[s]!;
    const cap = this.#histCap[s]!;
    let head = this.#histHead[s]!;
    let len = this.#histLen[s]!;
    if (len === cap) {
      head = (head + 1) % cap;
      len--;
    }
    const h = off + ((head + len) % cap);
    this.#histTs[h] = fts;
    this.#histV[h] = this.#raw[at]!;
    this.#histHead[s] = head;
    this.#histLen[s] = len + 1;
  }

  /** Carry a point over (reconfiguration): everything when unchanged, else only the emitted state. */
  adopt(from: RateOfChangeEvaluator, fromPoint: number, toPoint: number, sameConfig: boolean): void {
    const src = from.#slot[fromPoint]!;
    const dst = this.#slot[toPoint]!;
    if (!sameConfig || src < 0 || dst < 0 || from.#width !== this.#width) return;
    const w = this.#width;
    this.#raw.set(from.#raw.subarray(src * w, src * w + w), dst * w);
    this.#rawTs.set(from.#rawTs.subarray(src * w, src * w + w), dst * w);
    this.#rawCount[dst] = from.#rawCount[src]!;
    this.#rawPos[dst] = from.#rawPos[src]!;
    const cap = this.#histCap[dst]!;
    const fromOff = from.#histOffset[src]!;
    const toOff = this.#histOffset[dst]!;
    this.#histTs.set(from.#histTs.subarray(fromOff, fromOff + cap), toOff);
    this.#histV.set(from.#histV.subarray(fromOff, fromOff + cap), toOff);
    this.#histHead[dst] = from.#histHead[src]!;
    this.#histLen[dst] = from.#histLen[src]!;
    this.#lastStored[dst] = from.#lastStored[src]!;
    this.#machine.set(from.#machine.subarray(src * 2, src * 2 + 2), dst * 2);
    this.#since.set(from.#since.subarray(src * 2, src * 2 + 2), dst * 2);
  }
}
