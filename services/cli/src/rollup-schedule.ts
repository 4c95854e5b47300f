import type { ReadingBuffer } from '@hazardwatch/store';

const MS_PER_MINUTE = 60_000;

/**
 * The span of source timestamps stored since the last rollup refresh (late data included). Fed
 * after a batch is durable, never on receipt: a refresh must not take a range whose rows are still
 * on their way to the database, or the rollup of that minute would miss them for good.
 */
export class DirtyRange {
  private from = Infinity;
  private to = -Infinity;

  /** Marks rows [0, rows.length) of a stored batch. */
  markRows(rows: ReadingBuffer): void {
    const ts = rows.ts;
    let from = this.from;
    let to = this.to;
    for (let i = 0; i < rows.length; i++) {
      const t = ts[i]!;
      if (t < from) from = t;
      if (t > to) to = t;
    }
    this.from = from;
    this.to = to;
  }

  /** Marks [fromMs, toMs) as dirty, e.g. what a previous run may have stored but not rolled up. */
  markSpan(fromMs: number, toMs: number): void {
    if (!(toMs > fromMs)) return;
    if (fromMs < this.from) this.from = fromMs;
    if (toMs - 1 > this.to) this.to = toMs - 1;
  }

  /**
   * Takes the dirty span before `cutoffMs` as [fromMs, toMs) and keeps the rest dirty. Refreshing
   * only minutes that are over means each minute is aggregated once, not once per refresh while it
   * is still filling.
   */
  takeBefore(cutoffMs: number = Infinity): { fromMs: number; toMs: number } | undefined {
    if (this.from > this.to || this.from >= cutoffMs) return undefined;
    const toMs = Math.min(this.to + 1, cutoffMs);
    const range = { fromMs: this.from, toMs };
    if (this.to + 1 > cutoffMs) {
      this.from = cutoffMs;
    } else {
      this.from = Infinity;
      this.to = -Infinity;
    }
    return range;
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
