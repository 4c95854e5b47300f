import type { Reading } from '@hazardwatch/contracts';

/**
 * The spool seam: a bounded, FIFO, crash-safe queue of reading batches between the sources and
 * the uplink. Implementations run the shared contract suite in `test/spool-contract.ts`.
 *
 * Lease semantics: an entry is either queued (in the backlog, returned by `take`) or leased (held
 * by a caller that is publishing it). A lease ends with `remove` (the broker acknowledged it) or
 * `release` (it goes back to the backlog at its id position). Leases are in memory only: after a
 * restart every entry not removed is queued again.
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
  /** Readings dropped; a corrupt record whose header cannot be trusted counts 0 readings. */
  readonly readings: number;
  readonly oldestTs?: number;
  readonly newestTs?: number;
}

export interface AppendOptions {
  /**
   * Return the entry already leased to the caller, so the live path can publish it at once
   * without it also being handed out by `take`. @default false
   */
  readonly lease?: boolean;
}

export interface Spool {
  /**
   * Appends one batch; durable per the implementation's fsync policy once the promise resolves.
   * Promises resolve in append order.
   */
  append(readings: readonly Reading[], options?: AppendOptions): Promise<SpoolEntry>;
  /**
   * Up to `maxEntries` of the oldest entries not yet removed and not currently leased (by `take`
   * or `append({ lease: true })`), oldest first; they are leased until removed or released.
   */
  take(maxEntries: number): SpoolEntry[];
  /** Returns leased entries to the queue in id order (e.g. the uplink dropped before the PUBACK). Unknown ids are ignored. */
  release(ids: readonly number[]): void;
  /** Removes entries for good (after the broker acknowledged them). Unknown ids are ignored. */
  remove(ids: readonly number[]): Promise<void>;
  depth(): SpoolDepth;
  /**
   * Whether the entry is still in the spool (not removed, not dropped). An append's entry may be
   * dropped to honour the bounds before its promise resolves; it is then reported as lost and
   * must not be published.
   */
  holds(id: number): boolean;
  /**
   * Listener for drops made to honour the bounds or found corrupt. Drops that happened before the
   * first listener was registered (e.g. corrupt records found while opening) are delivered to it
   * when it registers, so none goes unreported.
   */
  onDrop(listener: (drop: SpoolDrop) => void): void;
  close(): Promise<void>;
}
