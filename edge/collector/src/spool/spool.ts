import type { Reading } from '@hazardwatch/contracts';

/**
 * The spool seam: a bounded, FIFO, crash-safe queue of reading batches between the sources and
 * the uplink. Implementations run the shared contract suite in `test/spool-contract.ts`.
 */
export interface SpoolEntry {
  /** Monotonic id, increasing in append order, unique for the life of the spool directory. */
  readonly id: number;
  readonly readings: readonly Reading[];
}

export interface SpoolDepth {
  readonly entries: number;
  readonly readings: number;
  readonly bytes: number;
  /** Smallest reading timestamp (ms) among the spooled readings, undefined when empty. */
  readonly oldestTs?: number;
}

/** Emitted (and counted) when the spool drops data to stay within its bounds: never silent. */
export interface SpoolDrop {
  readonly reason: 'max_bytes' | 'max_age' | 'corrupt';
  readonly entries: number;
  readonly readings: number;
  readonly oldestTs?: number;
  readonly newestTs?: number;
}

export interface Spool {
  /** Appends one batch; durable per the implementation's fsync policy once the promise resolves. */
  append(readings: readonly Reading[]): Promise<SpoolEntry>;
  /**
   * Up to `maxEntries` of the oldest entries not yet removed and not currently leased by an
   * earlier `take` (entries are leased until removed or released), oldest first.
   */
  take(maxEntries: number): SpoolEntry[];
  /** Returns leased entries to the queue (e.g. the uplink dropped before the broker acknowledged). */
  release(ids: readonly number[]): void;
  /** Removes entries for good (after the broker acknowledged them). Unknown ids are ignored. */
  remove(ids: readonly number[]): Promise<void>;
  depth(): SpoolDepth;
  /** Listener for drops made to honour the bounds. */
  onDrop(listener: (drop: SpoolDrop) => void): void;
  close(): Promise<void>;
}
