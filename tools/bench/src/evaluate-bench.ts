import { performance } from 'node:perf_hooks';
import { GCProfiler, getHeapStatistics } from 'node:v8';
import {
  EvaluationEngine,
  type ConditionChange,
  type ConditionSink,
  type EvaluatedPoint,
  type PointKind,
} from '@hazardwatch/core';

export interface EvaluateBenchOptions {
  /** Points in the synthetic site. @default 100000 in the CLI */
  readonly points: number;
  /** Readings driven through observe(), warm-up included. @default 20000000 in the CLI */
  readonly readings: number;
}

export interface EvaluateBenchResult {
  readonly bench: 'evaluate';
  /** Measured readings per second through EvaluationEngine.observeRows (batches of BATCH_ROWS), one core, no I/O. */
  readonly readingsPerSec: number;
  /** Heap bytes allocated per measured reading, engine and harness together (see allocationMethod). */
  readonly bytesAllocatedPerReading: number;
  readonly points: number;
  /** Readings requested (warm-up + measured). */
  readonly readings: number;
  readonly warmupReadings: number;
  readonly measuredReadings: number;
  readonly durationS: number;
  /** ConditionChanges emitted during the measured part. */
  readonly changes: number;
  /** Measured readings that were beyond a limit (the excursions driving those changes). */
  readonly excursionReadings: number;
  readonly gcCount: number;
  /** The same readings generated but not evaluated: what the harness itself costs. */
  readonly harness: { readonly readingsPerSec: number; readonly bytesAllocatedPerReading: number };
  /**
   * One observe(pointId, ts, value, quality) call per reading instead of observeRows, as the
   * ingest observer interface does today; measured on a tenth of the readings.
   */
  readonly observePerCall: { readonly readingsPerSec: number; readonly bytesAllocatedPerReading: number };
  /** Memory held by the site config and the engine (JS heap + typed-array stores), MB. */
  readonly engineHeapMb: number;
  readonly allocationMethod: string;
}

const POINTS_PER_GATEWAY = 100;
const GATEWAYS_PER_ENTERPRISE = 10;
/** Source-time step between two readings of one point (one "round" over all points). */
const ROUND_MS = 1000;
/** Each point is pushed beyond a limit for EXCURSION_ROUNDS rounds out of every EXCURSION_PERIOD. */
const EXCURSION_PERIOD = 2000;
const EXCURSION_ROUNDS = 3;
const NOISE_SIZE = 1 << 16;
const BATCH_ROWS = 4096;

interface Kind {
  readonly name: PointKind;
  readonly limits: EvaluatedPoint['limits'];
  readonly deadband: number;
  readonly onDelayMs: number;
  readonly offDelayMs: number;
  readonly range: { min: number; max: number };
  /** Normal operating value and the noise amplitude around it. */
  readonly normal: number;
  readonly noise: number;
  /** Value during an excursion. */
  readonly excursion: number;
}

/** Mixed kinds with limits, deadbands and delays (REFERENCE §2, §3, §7 starting values). */
const KINDS: readonly Kind[] = [
  {
    name: 'temperature',
    limits: { ll: -10, l: 0, h: 60, hh: 80 },
    deadband: 1,
    onDelayMs: 0,
    offDelayMs: 0,
    range: { min: -40, max: 200 },
    normal: 30,
    noise: 2,
    excursion: 85,
  },
  {
    name: 'pressure',
    limits: { ll: null, l: 0.1, h: 1.6, hh: 1.8 },
    deadband: 0.02,
    onDelayMs: 2000,
    offDelayMs: 0,
    range: { min: 0, max: 4 },
    normal: 0.8,
    noise: 0.05,
    excursion: 1.7,
  },
  {
    name: 'level',
    limits: { ll: 5, l: 10, h: 85, hh: 95 },
    deadband: 2,
    onDelayMs: 0,
    offDelayMs: 2000,
    range: { min: 0, max: 100 },
    normal: 50,
    noise: 1,
    excursion: 3,
  },
  {
    name: 'combustible_gas',
    limits: { ll: null, l: null, h: 25, hh: 50 },
    deadband: 1,
    onDelayMs: 0,
    offDelayMs: 0,
    range: { min: 0, max: 100 },
    normal: 1,
    noise: 0.5,
    excursion: 30,
  },
  {
    name: 'oxygen',
    limits: { ll: null, l: 19.5, h: 23.5, hh: null },
    deadband: 0.2,
    onDelayMs: 0,
    offDelayMs: 0,
    range: { min: 0, max: 25 },
    normal: 20.9,
    noise: 0.1,
    excursion: 18,
  },
];

function buildPoints(count: number): {
  points: EvaluatedPoint[];
  gateways: { enterprise: string; code: string; offlineAfterMs: number }[];
} {
  const points: EvaluatedPoint[] = [];
  const gateways: { enterprise: string; code: string; offlineAfterMs: number }[] = [];
  for (let i = 0; i < count; i++) {
    const g = Math.floor(i / POINTS_PER_GATEWAY);
    const enterprise = `BE${Math.floor(g / GATEWAYS_PER_ENTERPRISE)}`;
    const gateway = `G${g % GATEWAYS_PER_ENTERPRISE}`;
    if (i % POINTS_PER_GATEWAY === 0) gateways.push({ enterprise, code: gateway, offlineAfterMs: 300_000 });
    const kind = KINDS[i % KINDS.length]!;
    const db = kind.deadband;
    points.push({
      id: i + 1,
      kind: kind.name,
      tag: `T${i}`,
      enterprise,
      gateway,
      limits: kind.limits,
      deadband: { ll: db, l: db, h: db, hh: db },
      onDelayMs: kind.onDelayMs,
      offDelayMs: kind.offDelayMs,
      staleAfterMs: 300_000,
      // One point in ten has a rate-of-change limit (REFERENCE §6: per-tag configuration).
      rateOfChange:
        i % 10 === 3
          ? [{ direction: 'rising', slopePerMin: (kind.range.max - kind.range.min) / 4, windowMs: 60_000 }]
          : [],
      range: kind.range,
      enabled: true,
    });
  }
  return { points, gateways };
}

class CountingSink implements ConditionSink {
  count = 0;
  change(_change: ConditionChange): void {
    this.count++;
  }
}

/** `usedHeapSize` in GCProfiler output (camelCase at runtime, snake_case in @types/node). */
function usedHeap(stats: object): number {
  const s = stats as { usedHeapSize?: number; used_heap_size?: number };
  return s.usedHeapSize ?? s.used_heap_size ?? 0;
}

function collectGarbage(): boolean {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) return false;
  gc();
  return true;
}

interface Measurement {
  readonly seconds: number;
  readonly bytes: number;
  readonly gcs: number;
}

/**
 * Time and heap allocation of `work`: bytes = Δ used heap + Σ bytes each GC reclaimed meanwhile
 * (v8.GCProfiler reports the used heap before and after every GC), so allocations are counted
 * whether or not a GC ran.
 */
function measure(work: () => void): Measurement {
  collectGarbage();
  const profiler = new GCProfiler();
  profiler.start();
  const used0 = getHeapStatistics().used_heap_size;
  const t0 = performance.now();
  work();
  const t1 = performance.now();
  const used1 = getHeapStatistics().used_heap_size;
  const gcs = profiler.stop().statistics;
  const reclaimed = gcs.reduce(
    (sum, g) => sum + Math.max(0, usedHeap(g.beforeGC.heapStatistics) - usedHeap(g.afterGC.heapStatistics)),
    0,
  );
  return { seconds: (t1 - t0) / 1000, bytes: used1 - used0 + reclaimed, gcs: gcs.length };
}

/** Synthetic reading source: columnar batches, all state in typed arrays (nothing allocated per row). */
class ReadingSource {
  readonly rows = {
    pointIds: new Int32Array(BATCH_ROWS),
    ts: new Float64Array(BATCH_ROWS),
    values: new Float64Array(BATCH_ROWS),
    qualities: new Uint8Array(BATCH_ROWS),
  };
  /** [next point index, round, excursion readings] */
  readonly state = new Float64Array(3);
  readonly #normal: Float64Array;
  readonly #amplitude: Float64Array;
  readonly #excursion: Float64Array;
  readonly #noise: Float64Array;

  constructor(
    points: number,
    readonly startTs: number,
  ) {
    const perKind = (f: (k: Kind) => number) =>
      Float64Array.from({ length: points }, (_, i) => f(KINDS[i % KINDS.length]!));
    this.#normal = perKind((k) => k.normal);
    this.#amplitude = perKind((k) => k.noise);
    this.#excursion = perKind((k) => k.excursion);
    let seed = 12345;
    this.#noise = Float64Array.from({ length: NOISE_SIZE }, () => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed / 2 ** 31 - 1;
    });
  }

  get round(): number {
    return this.state[1]!;
  }

  /** Fill the next batch: points round-robin in gateway order, one reading per point per round. */
  fill(count: number): void {
    const { pointIds, ts, values } = this.rows;
    const state = this.state;
    const n = this.#normal.length;
    let i = state[0]!;
    let round = state[1]!;
    let excursions = state[2]!;
    for (let r = 0; r < count; r++) {
      const inExcursion = (round + i * 13) % EXCURSION_PERIOD < EXCURSION_ROUNDS;
      pointIds[r] = i + 1;
      ts[r] = this.startTs + round * ROUND_MS;
      values[r] = inExcursion
        ? this.#excursion[i]!
        : this.#normal[i]! + this.#amplitude[i]! * this.#noise[(round * 7919 + i) & (NOISE_SIZE - 1)]!;
      if (inExcursion) excursions++;
      if (++i === n) {
        i = 0;
        round++;
      }
    }
    state[0] = i;
    state[1] = round;
    state[2] = excursions;
  }
}

/**
 * Evaluation throughput, pure in-process: a synthetic site of `points` points (five kinds with
 * limits, deadbands and delays, 10 % with a rate-of-change limit, 100 points per gateway), fed
 * round-robin in gateway order with increasing source timestamps, mostly normal values with
 * short excursions beyond H/HH/L/LL, in columnar batches through observeRows(), with one
 * tick(now) per round.
 *
 * The first readings are warm-up (JIT, and the first-sample start-up clears, ~9 changes per
 * point) and are not measured. Allocation: see measure(); with `--expose-gc` the heap is also
 * collected before each measurement. The harness alone (generation without evaluation) is
 * measured too, so the engine's share can be read off.
 */
export function runEvaluateBench(options: EvaluateBenchOptions): EvaluateBenchResult {
  const n = options.points;
  const gcExposed = collectGarbage();
  const footprint = (): number => {
    const h = getHeapStatistics();
    return h.used_heap_size + h.external_memory; // typed-array stores live outside the JS heap
  };
  const heapBefore = footprint();
  const { points, gateways } = buildPoints(n);
  const sink = new CountingSink();
  const engine = new EvaluationEngine({ points, gateways, sink });
  collectGarbage();
  const engineHeapMb = Math.max(0, footprint() - heapBefore) / 2 ** 20;

  const source = new ReadingSource(n, 1_700_000_000_000);
  const rows = source.rows;
  const evaluateBatches = (readings: number): void => {
    for (let done = 0; done < readings; done += BATCH_ROWS) {
      const count = Math.min(BATCH_ROWS, readings - done);
      const round = source.round;
      source.fill(count);
      engine.observeRows(rows, 0, count);
      if (source.round !== round) engine.tick(source.startTs + source.round * ROUND_MS);
    }
  };
  const observeEach = (readings: number): void => {
    for (let done = 0; done < readings; done += BATCH_ROWS) {
      const count = Math.min(BATCH_ROWS, readings - done);
      const round = source.round;
      source.fill(count);
      const { pointIds, ts, values, qualities } = rows;
      for (let r = 0; r < count; r++) engine.observe(pointIds[r]!, ts[r]!, values[r]!, qualities[r]!);
      if (source.round !== round) engine.tick(source.startTs + source.round * ROUND_MS);
    }
  };
  const generateOnly = (readings: number): void => {
    for (let done = 0; done < readings; done += BATCH_ROWS)
      source.fill(Math.min(BATCH_ROWS, readings - done));
  };

  const warmup = Math.min(options.readings, Math.max(3 * n, Math.floor(options.readings / 20)));
  evaluateBatches(warmup);
  observeEach(Math.min(warmup, 2 * n));
  generateOnly(Math.min(warmup, 2 * n));
  const measured = options.readings - warmup;
  const changesBefore = sink.count;
  const excursionsBefore = source.state[2]!;
  const main = measure(() => evaluateBatches(measured));
  const changes = sink.count - changesBefore;
  const excursionReadings = source.state[2]! - excursionsBefore;
  const side = Math.max(BATCH_ROWS, Math.floor(measured / 10));
  const perCall = measure(() => observeEach(side));
  const harness = measure(() => generateOnly(side));
  const perReading = (m: Measurement, count: number) => ({
    readingsPerSec: Math.round(count / m.seconds),
    bytesAllocatedPerReading: count > 0 ? Math.round((m.bytes / count) * 1000) / 1000 : 0,
  });
  const headline = perReading(main, measured);
  return {
    bench: 'evaluate',
    readingsPerSec: headline.readingsPerSec,
    bytesAllocatedPerReading: headline.bytesAllocatedPerReading,
    points: n,
    readings: options.readings,
    warmupReadings: warmup,
    measuredReadings: measured,
    durationS: Math.round(main.seconds * 1000) / 1000,
    changes,
    excursionReadings,
    gcCount: main.gcs,
    harness: perReading(harness, side),
    observePerCall: perReading(perCall, side),
    engineHeapMb: Math.round(engineHeapMb * 10) / 10,
    allocationMethod: `Δ used heap + Σ reclaimed per GC (v8.GCProfiler)${gcExposed ? '; heap collected before each measurement (--expose-gc)' : ''}`,
  };
}
