import type { MinuteRollup, ReadingBuffer, TimeRollups, WriteOutcome } from '@hazardwatch/store';

const MS_PER_MINUTE = 60_000;

const minuteOf = (ts: number): number => Math.floor(ts / MS_PER_MINUTE) * MS_PER_MINUTE;

/** A run of whole minutes [fromMs, toMs) to recompute from the raw readings. */
export interface MinuteRun {
  readonly fromMs: number;
  readonly toMs: number;
}

/**
 * The minutes whose rollups must be recomputed from the raw readings (late data, a redelivered
 * batch, what a previous run may have stored but not rolled up). Fed after a batch is durable,
 * never on receipt: a refresh must not take a minute whose rows are still on their way to the
 * database, or its rollup would miss them for good. A set of minutes, not one span: a single
 * reading hours late costs one minute's recompute, not every minute since.
 */
export class DirtyMinutes {
  private readonly minutes = new Set<number>();

  /** Marks the minutes of rows [0, rows.length) of a stored batch. */
  markRows(rows: ReadingBuffer): void {
    const ts = rows.ts;
    let last = NaN;
    for (let i = 0; i < rows.length; i++) {
      const minute = minuteOf(ts[i]!);
      if (minute !== last) this.minutes.add((last = minute));
    }
  }

  /** Marks the minutes of one reading time. */
  markTime(ts: number): void {
    this.minutes.add(minuteOf(ts));
  }

  /** Marks every minute touching [fromMs, toMs). */
  markSpan(fromMs: number, toMs: number): void {
    for (let m = minuteOf(fromMs); m < toMs; m += MS_PER_MINUTE) this.minutes.add(m);
  }

  has(minuteMs: number): boolean {
    return this.minutes.has(minuteMs);
  }

  get size(): number {
    return this.minutes.size;
  }

  /**
   * Takes the dirty minutes before `cutoffMs` as runs of consecutive minutes, oldest first, and
   * keeps the rest. Refreshing only minutes that are over means each minute is aggregated once,
   * not once per refresh while it is still filling.
   */
  takeBefore(cutoffMs: number = Infinity): MinuteRun[] {
    const taken = [...this.minutes].filter((m) => m < cutoffMs).sort((a, b) => a - b);
    const runs: MinuteRun[] = [];
    for (const m of taken) {
      this.minutes.delete(m);
      const last = runs.at(-1);
      if (last && last.toMs === m) runs[runs.length - 1] = { fromMs: last.fromMs, toMs: m + MS_PER_MINUTE };
      else runs.push({ fromMs: m, toMs: m + MS_PER_MINUTE });
    }
    return runs;
  }
}

/** One minute's aggregates, one slot per point. */
class MinuteTable {
  readonly slots = new Map<number, number>();
  readonly min: number[] = [];
  readonly max: number[] = [];
  readonly sum: number[] = [];
  readonly count: number[] = [];
  readonly lastTs: number[] = [];
  readonly last: number[] = [];

  add(pointId: number, ts: number, value: number): void {
    const slot = this.slots.get(pointId);
    if (slot === undefined) {
      this.slots.set(pointId, this.min.length);
      this.min.push(value);
      this.max.push(value);
      this.sum.push(value);
      this.count.push(1);
      this.lastTs.push(ts);
      this.last.push(value);
      return;
    }
    if (value < this.min[slot]!) this.min[slot] = value;
    if (value > this.max[slot]!) this.max[slot] = value;
    this.sum[slot]! += value;
    this.count[slot]!++;
    // Rows of a batch need not be in time order: the latest time wins, as in the SQL refresh.
    if (ts > this.lastTs[slot]!) {
      this.lastTs[slot] = ts;
      this.last[slot] = value;
    }
  }

  rollups(bucketMs: number): MinuteRollup[] {
    const out: MinuteRollup[] = [];
    for (const [pointId, slot] of this.slots) {
      out.push({
        bucketMs,
        pointId,
        min: this.min[slot]!,
        max: this.max[slot]!,
        sum: this.sum[slot]!,
        count: this.count[slot]!,
        last: this.last[slot]!,
      });
    }
    return out;
  }
}

/**
 * 1-minute aggregates (min, max, sum, count, last) of the readings this process stored, built as
 * each batch becomes durable, so the minute rollups (both dialects) need not read the minute back
 * from the database (TimeRollups.storeMinutes). A minute is taken once it is over; what this
 * process cannot vouch for is marked dirty instead, for a recompute from the raw readings:
 * - minutes before `coverFromMs`: a previous process (or nobody) may have stored part of them;
 * - minutes already taken: a late reading;
 * - a batch stored through the conflict-tolerant path (a redelivery: some rows were stored before)
 *   or with rows the database refused: which rows are new is not known here.
 * Complete by construction when every reading of a point passes through one process, which the
 * ingest's scale-out (one worker per enterprise partition, every subscriber of a topic seeing all
 * of it) guarantees.
 */
export class MinuteAccumulator {
  private readonly tables = new Map<number, MinuteTable>();
  /** Minutes before this were taken (or are before coverFromMs): later rows for them are late. */
  private takenBefore: number;

  /** @param coverFromMs the first minute this process can see whole (a minute boundary). */
  constructor(
    coverFromMs: number,
    private readonly dirty: DirtyMinutes,
  ) {
    this.takenBefore =
      minuteOf(coverFromMs) === coverFromMs ? coverFromMs : minuteOf(coverFromMs) + MS_PER_MINUTE;
  }

  /** Minutes held (not yet taken). */
  get minutes(): number {
    return this.tables.size;
  }

  /** Adds a durable batch (written whole by the fast path); rows it cannot vouch for go dirty. */
  add(rows: ReadingBuffer): void {
    const { pointIds, ts, values } = rows;
    let tableMinute = NaN;
    let table: MinuteTable | undefined;
    for (let i = 0; i < rows.length; i++) {
      const t = ts[i]!;
      const minute = minuteOf(t);
      if (minute < this.takenBefore) {
        this.dirty.markTime(t);
        continue;
      }
      if (minute !== tableMinute) {
        tableMinute = minute;
        table = this.tables.get(minute);
        if (!table) this.tables.set(minute, (table = new MinuteTable()));
      }
      table!.add(pointIds[i]!, t, values[i]!);
    }
  }

  /** Takes the aggregates of every minute before `cutoffMs` (minute boundary); later rows for them are late. */
  takeBefore(cutoffMs: number = Infinity): MinuteRollup[] {
    const out: MinuteRollup[] = [];
    for (const [minute, table] of [...this.tables].sort((a, b) => a[0] - b[0])) {
      if (minute >= cutoffMs) continue;
      // A loop, not push(...): a site of 100,000+ points would exceed the argument limit.
      for (const rollup of table.rollups(minute)) out.push(rollup);
      this.tables.delete(minute);
    }
    if (Number.isFinite(cutoffMs) && cutoffMs > this.takenBefore) this.takenBefore = cutoffMs;
    if (!Number.isFinite(cutoffMs)) {
      // Everything was taken (shutdown): from now on every row is late.
      this.takenBefore = Infinity;
    }
    return out;
  }
}

export interface IngestRollupsOptions {
  readonly rollups: Pick<TimeRollups, 'rollUp'>;
  /** Aggregate minutes in memory (both dialects); false: every minute is recomputed from raw readings. */
  readonly aggregateMinutes: boolean;
  /** The first time this process can see whole (start + the future skew the decoder accepts). */
  readonly coverFromMs: number;
}

/**
 * The ingest's side of the rollups: learns of every stored batch, and rolls up the minutes that
 * are over — those aggregated in memory are stored as they are, dirty ones are recomputed from the
 * raw readings (a minute both dirty and aggregated is recomputed: the raw rows are the whole
 * truth). Whatever fails stays dirty for the next run.
 */
export class IngestRollups {
  readonly dirty = new DirtyMinutes();
  private readonly minutes: MinuteAccumulator | undefined;

  constructor(private readonly options: IngestRollupsOptions) {
    this.minutes = options.aggregateMinutes
      ? new MinuteAccumulator(options.coverFromMs, this.dirty)
      : undefined;
  }

  /**
   * A batch is durable: one the fast path wrote whole is aggregated; one that took the
   * conflict-tolerant path (a redelivery) or lost rows makes its minutes dirty.
   */
  stored(rows: ReadingBuffer, outcome: Pick<WriteOutcome, 'deduplicated' | 'storageRejected'>): void {
    if (this.minutes && !outcome.deduplicated && outcome.storageRejected === 0) this.minutes.add(rows);
    else this.dirty.markRows(rows);
  }

  /** Rolls up every minute before `cutoffMs` (Infinity at shutdown: the open minute too). */
  async rollUp(cutoffMs: number, pace: boolean): Promise<void> {
    const runs = this.dirty.takeBefore(cutoffMs);
    let minutes: readonly MinuteRollup[] = [];
    let done = false;
    try {
      const recomputed = new Set<number>();
      for (const run of runs) for (let m = run.fromMs; m < run.toMs; m += MS_PER_MINUTE) recomputed.add(m);
      minutes = (this.minutes?.takeBefore(cutoffMs) ?? []).filter((m) => !recomputed.has(m.bucketMs));
      if (minutes.length > 0 || runs.length > 0)
        await this.options.rollups.rollUp({ minutes, recompute: runs }, { pace });
      done = true;
    } finally {
      // Whatever was taken stays dirty unless the cycle finished (each step is idempotent): lost
      // from memory, recomputed from the raw rows next time.
      if (!done) {
        for (const m of minutes) this.dirty.markTime(m.bucketMs);
        for (const run of runs) this.dirty.markSpan(run.fromMs, run.toMs);
      }
    }
  }
}

/**
 * When the next rollup refresh should start: `graceMs` after the next minute boundary, so the
 * readings of the minute just ended (delayed by batching and the network) are in.
 */
export function nextRollupAt(nowMs: number, graceMs: number): number {
  const boundary = Math.floor((nowMs - graceMs) / MS_PER_MINUTE) * MS_PER_MINUTE + MS_PER_MINUTE;
  return boundary + graceMs;
}

/** The last minute boundary at or before `nowMs − graceMs`: minutes before it are complete. */
export function completeBefore(nowMs: number, graceMs: number): number {
  return Math.floor((nowMs - graceMs) / MS_PER_MINUTE) * MS_PER_MINUTE;
}
