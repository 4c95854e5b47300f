/**
 * The evaluation engine: every evaluator for every point of a site, behind the ingestion
 * observer signature `observe(pointId, ts, value, quality)`. Pure and browser-safe: time comes in
 * through sample timestamps (limits, delays, rate of change: source time) and tick(nowMs)
 * (staleness, gateway loss: evaluation clock). Output is ConditionChange transitions only.
 *
 * Per reading (hot path): an id → index lookup in an Int32Array, a few typed-array reads and
 * writes, no closures and no objects; a ConditionChange is allocated only on a transition.
 *
 * Ordering (ARCHITECTURE "the core never trusts arrival order"): a sample whose timestamp is not
 * newer than the newest one seen for the point never drives the live state machines. A duplicate
 * (the time of the newest, or of one of the last RECENT_LIVE_SAMPLES the live lane evaluated: an
 * MQTT QoS 1 copy) is counted and ignored; an older one (a collector replaying its spool after an
 * uplink outage, live data first) goes to the point's late lane (late-lane.ts), which evaluates
 * the limits over replayed samples in their own source-time order and reports what they show as
 * `late` changes with source times: an alarm that happened while the link was down is recorded,
 * and the live state is left alone.
 *
 * Restart semantics: every condition starts UNKNOWN (condition-ledger.ts), so the first sample of
 * a point after construction emits its current state: clears for the conditions that are normal
 * (STALE, rate of change, the limits), and a raise for one that holds once its on-delay has run.
 *
 * NO_LIMITS: validation already reports POINT_NO_LIMITS when the site is loaded; the engine also
 * raises the NO_LIMITS data-quality condition once per enabled point without LL/L/H/HH (at the
 * first tick, or at the first sample if that comes earlier) so that the defect shows on the
 * console and in the regulator's data-quality figures (REFERENCE §1, §8 item 1). A point that has
 * limits clears it at its first sample (restart) or when a reconfiguration adds limits.
 *
 * Fail-safe (a lost or failed measurement never clears a process alarm): STALE and
 * GATEWAY_OFFLINE are data-quality conditions raised beside HH/H/L/LL, never instead of them; an
 * active limit alarm stays active, and a running off-delay stays pending, until an in-order, in-range
 * sample clears it. Bad quality holds the limits too, and a saturated gas or O₂ reading drives
 * them (sensor-fault.ts).
 *
 * Disabled points (是否停用) are not evaluated; disabling one clears its active conditions.
 */
import type { ConditionSink } from '../alarms/alarm-types.js';
import { coreErrors } from '../errors.js';
import {
  ACTIVE,
  C_NO_LIMITS,
  C_ROC_FALL,
  C_ROC_RISE,
  ConditionLedger,
  POINT_CONDITIONS,
  UNKNOWN,
  type PointCondition,
} from './condition-ledger.js';
import {
  hasNoLimits,
  sameEvaluationConfig,
  type EvaluatedGateway,
  type EvaluatedPoint,
} from './evaluated-point.js';
import { RateOfChangeEvaluator } from './rate-of-change-evaluator.js';
import { SAMPLE_GOOD, SAMPLE_HOLD, SAMPLE_OVER, SensorFaultEvaluator } from './sensor-fault.js';
import { GatewayFaults, type ReportedSource } from './gateway-faults.js';
import { LateLane } from './late-lane.js';
import { ADOPTED_CHANGED, ADOPTED_SAME, StalenessMonitor } from './staleness-monitor.js';
import { createSampleRegister, SAMPLE_TS, SAMPLE_VALUE, type SampleRegister } from './sample-register.js';
import { ThresholdEvaluator } from './threshold-evaluator.js';

export interface EvaluationEngineOptions {
  /** Normalised points with their ids, e.g. `siteIndex.points()`. Disabled points are skipped. */
  readonly points: Iterable<EvaluatedPoint>;
  /** The site's gateways (`site.gateways`), for their offline timeouts. */
  readonly gateways?: Iterable<EvaluatedGateway>;
  readonly sink: ConditionSink;
  /**
   * Rate of change: width of the spike-rejecting running median, and the number of samples
   * needed before a slope is judged. Odd, 3–9. @default 3 (a single outlier never raises)
   */
  readonly rocMinSamples?: number;
  /**
   * A point's late lane with no replayed sample for this long (evaluation clock) is settled:
   * what it still holds active is reconciled with the live state (late-lane.ts). @default 60000, ms
   */
  readonly lateSettleMs?: number;
}

/** Columnar readings, e.g. the store's ReadingBuffer. */
export interface ReadingColumns {
  readonly pointIds: Int32Array;
  /** Source timestamps, ms UTC. */
  readonly ts: Float64Array;
  readonly values: Float64Array;
  /** QUALITY_CODES values. */
  readonly qualities: Uint8Array;
}

/** A condition the restored alarm book holds open and active on a point, for holdActive(). */
export interface HeldCondition {
  readonly pointId: number;
  readonly condition: string;
}

/** A gateway's stored presence (the ingest's gateway status), for replay(). */
export interface ReplayedGateway {
  readonly enterprise: string;
  readonly gateway: string;
  /** Evaluation clock when it was last heard from, ms UTC. */
  readonly lastSeenMs: number;
  readonly online: boolean;
}

export interface ReplaySummary {
  /** Points with at least one replayed reading. */
  readonly points: number;
  /** Readings replayed (in source-time order per point). */
  readonly readings: number;
  /** Rows skipped: unknown or disabled point, or not newer than the point's previous row. */
  readonly skipped: number;
}

export interface EvaluationCounters {
  /** In-order samples evaluated. */
  readonly accepted: number;
  /**
   * Samples with the same timestamp as one of the last RECENT_LIVE_SAMPLES its point's live lane
   * evaluated (an MQTT QoS 1 duplicate: a gateway re-sending what the broker had taken, or the
   * broker redelivering what this process had taken), however much newer data came in between.
   */
  readonly duplicate: number;
  /** Samples older than the live newest of their point, evaluated by its late lane (replayed). */
  readonly late: number;
  /** Samples older than the live newest and not newer than the late lane's newest (redelivered). */
  readonly outOfOrder: number;
  /** Samples for an id that is not an enabled point of the configuration. */
  readonly unknownPoint: number;
}

const ACCEPTED = 0;
const DUPLICATE = 1;
const OUT_OF_ORDER = 2;
const UNKNOWN_POINT = 3;
const LATE = 4;

/**
 * Per point, the source times of this many of the newest samples its live lane evaluated (or a
 * takeover replayed) are remembered, so that a copy of one arriving after newer data is known for
 * a duplicate rather than taken for a replayed reading. MQTT QoS 1 delivers at least once: a
 * gateway whose PUBACK was lost re-sends the message after it reconnects, and the broker redelivers
 * what this process had not yet acknowledged when its own connection dropped — in both cases
 * after newer messages. Evaluated again in the late lane, the copy raised a late alarm for an
 * episode already recorded (a second alarm once the first had closed) or noted "also active in
 * replayed readings" on the live one. A redelivered message holds few samples per point (one
 * per point in a gateway's message, a second or two of unacknowledged data); a copy older than
 * the remembered ones still goes to the late lane. 8 × 8 bytes per point.
 */
export const RECENT_LIVE_SAMPLES = 8;

/** Id tables up to this many slots per point are dense arrays; sparser ids use a Map. */
const DENSE_SLOTS_PER_POINT = 8;

/** Everything built from one configuration; replaced as a whole on reconfigure(). */
interface Layout {
  readonly points: readonly EvaluatedPoint[];
  readonly dense: Int32Array | null;
  readonly sparse: ReadonlyMap<number, number> | null;
  readonly ledger: ConditionLedger;
  /** The sample being evaluated (sample-register.ts). */
  readonly sample: SampleRegister;
  readonly fault: SensorFaultEvaluator;
  readonly threshold: ThresholdEvaluator;
  readonly roc: RateOfChangeEvaluator;
  readonly staleness: StalenessMonitor;
  /** Newest sample timestamp per point; −∞ before the first one. */
  readonly newest: Float64Array;
  /** RECENT_LIVE_SAMPLES source times per point (a ring; NaN: empty), the newest live samples. */
  readonly recent: Float64Array;
  /** Per point, the ring slot the next live sample's time goes to. */
  readonly recentNext: Uint8Array;
  readonly noLimits: Uint8Array;
  /** Built at the first replayed (older than live newest) sample. */
  late: LateLane | null;
}

function indexOf(l: Layout, id: number): number {
  if (l.dense !== null) {
    const i = l.dense[id];
    return i === undefined ? -1 : i;
  }
  return l.sparse!.get(id) ?? -1;
}

/** Notes `ts` as evaluated by point i's live lane (it is its newest now). */
function rememberLive(l: Layout, i: number, ts: number): void {
  const slot = l.recentNext[i]!;
  l.recent[i * RECENT_LIVE_SAMPLES + slot] = ts;
  l.recentNext[i] = slot + 1 === RECENT_LIVE_SAMPLES ? 0 : slot + 1;
}

/** Whether point i's live lane evaluated a sample at `ts` among its remembered newest ones. */
function seenLive(l: Layout, i: number, ts: number): boolean {
  const base = i * RECENT_LIVE_SAMPLES;
  for (let k = 0; k < RECENT_LIVE_SAMPLES; k++) if (l.recent[base + k] === ts) return true;
  return false;
}

function buildLayout(
  all: Iterable<EvaluatedPoint>,
  gateways: Iterable<EvaluatedGateway>,
  sink: ConditionSink,
  rocMinSamples: number,
): Layout {
  const points = [...all].filter((p) => p.enabled);
  let maxId = -1;
  const seen = new Set<number>();
  for (const p of points) {
    if (!Number.isSafeInteger(p.id) || p.id < 0 || seen.has(p.id)) {
      throw coreErrors.create('HW_CORE_SITE_INDEX_BAD_ID', {
        id: p.id,
        enterprise: p.enterprise,
        tag: p.tag,
      });
    }
    seen.add(p.id);
    if (p.id > maxId) maxId = p.id;
  }
  let dense: Int32Array | null = null;
  let sparse: Map<number, number> | null = null;
  if (maxId < DENSE_SLOTS_PER_POINT * points.length + 1024) {
    dense = new Int32Array(maxId + 1).fill(-1);
    points.forEach((p, i) => (dense![p.id] = i));
  } else sparse = new Map(points.map((p, i) => [p.id, i]));
  const ledger = new ConditionLedger(
    sink,
    points.map((p) => p.id),
  );
  const sample = createSampleRegister();
  return {
    points,
    dense,
    sparse,
    ledger,
    sample,
    fault: new SensorFaultEvaluator(ledger, sample, points),
    threshold: new ThresholdEvaluator(ledger, sample, points),
    roc: new RateOfChangeEvaluator(ledger, sample, points, { minSamples: rocMinSamples }),
    staleness: new StalenessMonitor(ledger, sample, sink, points, [...gateways]),
    newest: new Float64Array(points.length).fill(-Infinity),
    recent: new Float64Array(points.length * RECENT_LIVE_SAMPLES).fill(NaN),
    recentNext: new Uint8Array(points.length),
    noLimits: Uint8Array.from(points, (p) => (hasNoLimits(p) ? 1 : 0)),
    late: null,
  };
}

export class EvaluationEngine {
  readonly #sink: ConditionSink;
  readonly #rocMinSamples: number;
  readonly #lateSettleMs: number;
  readonly #gatewayFaults: GatewayFaults;
  readonly #counters = new Float64Array(5);
  #l: Layout;

  /** Throws HW_CORE_SITE_INDEX_BAD_ID for a duplicate or invalid point id, HW_CORE_INVALID_NUMBER for a bad option. */
  constructor(options: EvaluationEngineOptions) {
    const minSamples = options.rocMinSamples ?? 3;
    if (!Number.isInteger(minSamples) || minSamples < 3 || minSamples > 9 || minSamples % 2 === 0) {
      throw coreErrors.create('HW_CORE_INVALID_NUMBER', {
        name: 'rocMinSamples (odd, 3–9)',
        value: minSamples,
      });
    }
    const settle = options.lateSettleMs ?? 60_000;
    if (!(Number.isFinite(settle) && settle >= 0)) {
      throw coreErrors.create('HW_CORE_INVALID_NUMBER', { name: 'lateSettleMs (ms ≥ 0)', value: settle });
    }
    this.#sink = options.sink;
    this.#rocMinSamples = minSamples;
    this.#lateSettleMs = settle;
    this.#gatewayFaults = new GatewayFaults(options.sink);
    this.#l = buildLayout(options.points, options.gateways ?? [], this.#sink, minSamples);
  }

  /**
   * Hot path: one accepted reading. `ts` is the source timestamp (ms UTC), `quality` the
   * QUALITY_CODES value (0 good, 1 uncertain, 2 bad).
   */
  observe(pointId: number, ts: number, value: number, quality: number): void {
    const l = this.#l;
    l.sample[SAMPLE_TS] = ts;
    l.sample[SAMPLE_VALUE] = value;
    this.#evaluateSample(l, pointId, quality);
  }

  /**
   * Hot path, batched: rows [start, end) of columnar readings (the shape of the store's
   * ReadingBuffer). Same semantics as observe() per row, but the doubles go straight from the
   * typed arrays into the sample register: a caller of observe() that V8 does not inline it into
   * boxes `ts` and `value` into two heap numbers per reading (≈ 32 bytes, see the evaluate bench).
   */
  observeRows(rows: ReadingColumns, start: number, end: number): void {
    const l = this.#l;
    const sample = l.sample;
    const { pointIds, ts, values, qualities } = rows;
    for (let r = start; r < end; r++) {
      sample[SAMPLE_TS] = ts[r]!;
      sample[SAMPLE_VALUE] = values[r]!;
      this.#evaluateSample(l, pointIds[r]!, qualities[r]!);
    }
  }

  /** The sample is in the register; only integers cross calls from here on (sample-register.ts). */
  #evaluateSample(l: Layout, pointId: number, quality: number): void {
    const i = indexOf(l, pointId);
    if (i < 0) {
      this.#counters[UNKNOWN_POINT]!++;
      return;
    }
    const ts = l.sample[SAMPLE_TS]!;
    const newest = l.newest[i]!;
    if (!(ts > newest)) {
      if (ts === newest || seenLive(l, i, ts)) this.#counters[DUPLICATE]!++;
      else this.#late(l, i, quality);
      return;
    }
    l.newest[i] = ts;
    rememberLive(l, i, ts);
    this.#counters[ACCEPTED]!++;
    l.staleness.arrived(i);
    if (newest === -Infinity) this.#firstSample(l, i);
    const verdict = l.fault.evaluate(i, quality);
    if (verdict === SAMPLE_GOOD) {
      l.threshold.evaluate(i);
      if (l.roc.has(i)) l.roc.evaluate(i);
    } else if (verdict !== SAMPLE_HOLD) {
      // Saturated gas / O₂ reading (sensor-fault.ts): the limits see it as beyond every limit of
      // its side. Rate of change holds: a clipped value has no meaningful slope, and the limit
      // alarm is the one that must not be missed.
      l.threshold.evaluateSaturated(i, verdict === SAMPLE_OVER);
    }
  }

  /**
   * Takeover (issue #23): rebuild the evaluators' short-term state from stored readings before the
   * first tick and the first live sample, so that a new owner carries on where the previous one
   * stopped instead of from empty machines. `rows` are recent raw readings (source time ascending
   * per point; points may interleave), `nowMs` the evaluation clock at the takeover.
   *
   * - The rows drive the limit machines (deadband, on- and off-delays), the rate-of-change windows
   *   and the sensor-fault checks exactly as live samples would, with the sink muted: history the
   *   previous owner announced is not announced again.
   * - Then each replayed point's decided state is emitted once, dated and valued by its last row:
   *   an active condition as a raise (the alarm book holds it open already: no second alarm; if
   *   the previous owner died before storing it, it is raised now), a normal one as a clear (an
   *   alarm the book holds open for a condition that ended is returned, one already returned is
   *   left alone), nothing for a condition whose on-delay is still running — it completes at the
   *   first live sample at least the delay after the sample that started it (source time), not
   *   a full delay after the takeover.
   * - Staleness: each replayed point's timeout runs from its last row (source time, capped at
   *   `nowMs`), each listed gateway's from its stored last-seen time; a gateway stored offline is
   *   offline. STALE itself is left to the clock: raised at the first tick the deadline has passed,
   *   cleared by the next live sample.
   * The point's newest timestamp is its last row, so a redelivered message of a stored reading is
   * a duplicate here. Throws HW_CORE_REPLAY_AFTER_START once ticked or fed live.
   */
  replay(rows: ReadingColumns, nowMs: number, gateways: Iterable<ReplayedGateway> = []): ReplaySummary {
    const l = this.#l;
    if (l.staleness.started) throw coreErrors.create('HW_CORE_REPLAY_AFTER_START', { reason: 'ticked' });
    if (this.#counters[ACCEPTED]! > 0 || this.#counters[DUPLICATE]! > 0 || this.#counters[LATE]! > 0) {
      throw coreErrors.create('HW_CORE_REPLAY_AFTER_START', { reason: 'live samples evaluated' });
    }
    const n = l.points.length;
    const lastRow = new Int32Array(n).fill(-1);
    const sample = l.sample;
    const { pointIds, ts, values, qualities } = rows;
    let replayed = 0;
    let skipped = 0;
    l.ledger.muted = true;
    try {
      for (let r = 0; r < pointIds.length; r++) {
        const i = indexOf(l, pointIds[r]!);
        const t = ts[r]!;
        if (i < 0 || !(t > l.newest[i]!)) {
          skipped++;
          continue;
        }
        sample[SAMPLE_TS] = t;
        sample[SAMPLE_VALUE] = values[r]!;
        if (l.newest[i] === -Infinity) this.#firstSample(l, i);
        l.newest[i] = t;
        rememberLive(l, i, t);
        this.#judge(l, i, qualities[r]!);
        lastRow[i] = r;
        replayed++;
      }
    } finally {
      l.ledger.muted = false;
    }
    let points = 0;
    for (let i = 0; i < n; i++) {
      const r = lastRow[i]!;
      if (r < 0) continue;
      points++;
      const t = ts[r]!;
      sample[SAMPLE_TS] = t;
      sample[SAMPLE_VALUE] = values[r]!;
      l.ledger.forget(i);
      l.ledger.set(i, C_NO_LIMITS, l.noLimits[i] === 1, t, null, null);
      l.fault.evaluate(i, qualities[r]!);
      l.threshold.reannounce(i);
      l.roc.reannounce(i);
      l.staleness.seedPoint(i, Math.min(t, nowMs));
    }
    for (const gw of gateways) {
      const g = l.staleness.gatewayIndex(gw.enterprise, gw.gateway);
      if (g < 0) continue;
      l.staleness.seedGateway(g, Math.min(gw.lastSeenMs, nowMs));
      if (!gw.online) l.staleness.gatewayOffline(g, Math.min(gw.lastSeenMs, nowMs));
    }
    return { points, readings: replayed, skipped };
  }

  /**
   * A restart or takeover (issue #23): the limit conditions (HH, H, L, LL) and rates of change
   * (ROC_RISE, ROC_FALL) the restored alarm book holds open and active start raised in their
   * machines instead of normal. Without this a fresh machine judged a value inside the deadband
   * (or a bad-quality reading, which holds the last good state) as normal, and a rate of change
   * with no slope judged yet (every replayed reading bad) as normal too, and returned an alarm
   * the plant had not cleared: after any restart, and at a takeover whenever the raise was older
   * than the replayed window. Call before replay() and before the first tick or live sample;
   * other conditions (sensor faults, staleness) are judged from the readings as before. Unknown
   * points and conditions the point no longer has are skipped. @returns how many were taken.
   */
  holdActive(held: Iterable<HeldCondition>): number {
    const l = this.#l;
    if (l.staleness.started) throw coreErrors.create('HW_CORE_REPLAY_AFTER_START', { reason: 'ticked' });
    if (this.#counters[ACCEPTED]! > 0 || this.#counters[DUPLICATE]! > 0 || this.#counters[LATE]! > 0) {
      throw coreErrors.create('HW_CORE_REPLAY_AFTER_START', { reason: 'live samples evaluated' });
    }
    let taken = 0;
    for (const { pointId, condition } of held) {
      const i = indexOf(l, pointId);
      const c = POINT_CONDITIONS.indexOf(condition as PointCondition);
      if (i < 0 || c < 0) continue;
      if (c === C_ROC_RISE || c === C_ROC_FALL ? l.roc.holdActive(i, c) : l.threshold.holdActive(i, c))
        taken++;
    }
    return taken;
  }

  /** The limits, rate of change and sensor checks for the in-order sample in the register. */
  #judge(l: Layout, i: number, quality: number): void {
    const verdict = l.fault.evaluate(i, quality);
    if (verdict === SAMPLE_GOOD) {
      l.threshold.evaluate(i);
      if (l.roc.has(i)) l.roc.evaluate(i);
    } else if (verdict !== SAMPLE_HOLD) {
      l.threshold.evaluateSaturated(i, verdict === SAMPLE_OVER);
    }
  }

  /** A replayed sample (older than the live newest of point i): off the in-order hot path. */
  #late(l: Layout, i: number, quality: number): void {
    const lane = l.late ?? (l.late = new LateLane(this.#sink, l.sample, l.points));
    this.#counters[lane.evaluate(i, quality, l.staleness.clock) ? LATE : OUT_OF_ORDER]!++;
  }

  /** Advance the evaluation clock (host wall clock, e.g. every second): staleness, gateway loss, late lanes. */
  tick(nowMs: number): void {
    const l = this.#l;
    const wasStarted = l.staleness.started;
    l.staleness.tick(nowMs);
    if (l.late !== null && l.late.pending > 0) l.late.settle(nowMs, this.#lateSettleMs, l.newest);
    if (wasStarted || !l.staleness.started) return;
    for (let i = 0; i < l.points.length; i++) {
      if (l.noLimits[i] === 1) l.ledger.set(i, C_NO_LIMITS, true, nowMs, null, null);
    }
  }

  /** Host: MQTT last will / broker says the gateway is gone. @returns false for an unknown gateway. */
  gatewayOffline(enterprise: string, gateway: string, ts: number): boolean {
    const g = this.#l.staleness.gatewayIndex(enterprise, gateway);
    if (g < 0) return false;
    this.#l.staleness.gatewayOffline(g, ts);
    return true;
  }

  /** Host: birth or heartbeat. @returns false for an unknown gateway. */
  gatewayOnline(enterprise: string, gateway: string, ts: number): boolean {
    const g = this.#l.staleness.gatewayIndex(enterprise, gateway);
    if (g < 0) return false;
    this.#l.staleness.gatewayOnline(g, ts);
    return true;
  }

  /**
   * Host: a heartbeat (or birth) listing the gateway's sources and their states, on the evaluation
   * clock: SOURCE_DOWN (gateway-faults.ts). A heartbeat is also a sign of life: call gatewayOnline
   * for it too. @returns false for an unknown gateway.
   */
  gatewaySources(
    enterprise: string,
    gateway: string,
    sources: readonly ReportedSource[],
    ts: number,
  ): boolean {
    if (this.#l.staleness.gatewayIndex(enterprise, gateway) < 0) return false;
    this.#gatewayFaults.sources(enterprise, gateway, sources, ts);
    return true;
  }

  /**
   * Host: the gateway reported `readings` dropped by its spool (`data_loss`), on the evaluation
   * clock: DATA_LOSS raised and returned to normal (gateway-faults.ts). @returns false for an
   * unknown gateway.
   */
  gatewayDataLoss(enterprise: string, gateway: string, readings: number, ts: number): boolean {
    if (this.#l.staleness.gatewayIndex(enterprise, gateway) < 0) return false;
    this.#gatewayFaults.dataLoss(enterprise, gateway, readings, ts);
    return true;
  }

  /** Stale now: own timeout ran out, or the gateway is offline. undefined for an unknown point. */
  isStale(pointId: number): boolean | undefined {
    const i = indexOf(this.#l, pointId);
    return i < 0 ? undefined : this.#l.staleness.isStale(i);
  }

  isGatewayOffline(enterprise: string, gateway: string): boolean | undefined {
    const g = this.#l.staleness.gatewayIndex(enterprise, gateway);
    return g < 0 ? undefined : this.#l.staleness.isGatewayOffline(g);
  }

  /** The conditions last emitted active for a point (diagnostics, tests). */
  activeConditions(pointId: number): PointCondition[] {
    const l = this.#l;
    const i = indexOf(l, pointId);
    if (i < 0) return [];
    return POINT_CONDITIONS.filter((_, c) => l.ledger.state(i, c) === ACTIVE);
  }

  counters(): EvaluationCounters {
    const c = this.#counters;
    return {
      accepted: c[ACCEPTED]!,
      duplicate: c[DUPLICATE]!,
      late: c[LATE]!,
      outOfOrder: c[OUT_OF_ORDER]!,
      unknownPoint: c[UNKNOWN_POINT]!,
    };
  }

  /**
   * Replace the configuration. Points (by id) and gateways (by enterprise + code) that remain keep
   * their state; a point whose evaluation settings are unchanged keeps its delay machines and
   * rate-of-change history, a changed one keeps what was emitted and is re-judged at its next
   * sample (its rate-of-change conditions are cleared: the history no longer applies). Removed
   * or disabled points and removed gateways have their active conditions cleared.
   */
  reconfigure(points: Iterable<EvaluatedPoint>, gateways: Iterable<EvaluatedGateway> = []): void {
    const old = this.#l;
    // Replays in progress are reconciled with the live state before the layout goes.
    old.late?.settleAll(old.newest);
    const next = buildLayout(points, gateways, this.#sink, this.#rocMinSamples);
    const started = old.staleness.started;
    const clock = old.staleness.clock;
    next.staleness.adoptClock(old.staleness);
    const pointMarks = new Uint8Array(next.points.length);
    const kept = new Uint8Array(old.points.length);
    next.points.forEach((p, j) => {
      const i = indexOf(old, p.id);
      if (i < 0) {
        if (started && next.noLimits[j] === 1) next.ledger.set(j, C_NO_LIMITS, true, clock, null, null);
        return;
      }
      kept[i] = 1;
      const same = sameEvaluationConfig(old.points[i]!, p);
      pointMarks[j] = same ? ADOPTED_SAME : ADOPTED_CHANGED;
      next.ledger.adopt(old.ledger, i, j);
      next.newest[j] = old.newest[i]!;
      next.recent.set(
        old.recent.subarray(i * RECENT_LIVE_SAMPLES, (i + 1) * RECENT_LIVE_SAMPLES),
        j * RECENT_LIVE_SAMPLES,
      );
      next.recentNext[j] = old.recentNext[i]!;
      next.threshold.adopt(old.threshold, i, j, same);
      next.roc.adopt(old.roc, i, j, same);
      next.staleness.adoptPoint(old.staleness, i, j);
      if (same) return;
      const ts = started ? clock : old.newest[i]!;
      if (next.noLimits[j] === 1 || next.ledger.state(j, C_NO_LIMITS) !== UNKNOWN) {
        next.ledger.set(j, C_NO_LIMITS, next.noLimits[j] === 1, ts, null, null);
      }
      if (next.ledger.state(j, C_ROC_RISE) === ACTIVE) next.ledger.set(j, C_ROC_RISE, false, ts, null, null);
      if (next.ledger.state(j, C_ROC_FALL) === ACTIVE) next.ledger.set(j, C_ROC_FALL, false, ts, null, null);
    });
    old.points.forEach((_, i) => {
      if (kept[i] === 0) old.ledger.clearAll(i, started ? clock : old.newest[i]!);
    });
    const oldGateways = new Map(old.staleness.gatewayEntries());
    const gatewayMarks = new Uint8Array(next.staleness.gatewayCount());
    const keptGateways = new Set<number>();
    for (const [key, g] of next.staleness.gatewayEntries()) {
      const og = oldGateways.get(key);
      if (og === undefined) continue;
      next.staleness.adoptGateway(old.staleness, og, g);
      gatewayMarks[g] = 1;
      keptGateways.add(og);
    }
    for (const og of oldGateways.values()) if (!keptGateways.has(og)) old.staleness.retireGateway(og);
    this.#gatewayFaults.retain(
      new Set([...next.staleness.gatewayEntries()].map(([key]) => key)),
      Math.max(clock, 0),
    );
    next.staleness.rearm(pointMarks, gatewayMarks);
    this.#l = next;
  }

  #firstSample(l: Layout, i: number): void {
    const ts = l.sample[SAMPLE_TS]!;
    // Restart semantics: rate of change is judged only after a window of new data, so it starts
    // normal; the limit conditions follow from the first good sample (threshold-evaluator.ts).
    l.ledger.set(i, C_ROC_RISE, false, ts, null, null);
    l.ledger.set(i, C_ROC_FALL, false, ts, null, null);
    l.ledger.set(i, C_NO_LIMITS, l.noLimits[i] === 1, ts, null, null);
  }
}
