import type { Reading } from '@hazardwatch/contracts';

/**
 * The source seam (STYLE.md rule 8): OPC-UA, Modbus TCP and MQTT bridge all implement it and all
 * run the shared contract suite in `test/source-contract.ts`.
 *
 * A source owns its connection to the plant: it connects, re-connects by itself for as long as it
 * runs (a source never gives up), and hands readings to the sink already mapped to point tags and
 * scaled to engineering units. Readings carry the source timestamp and an honest quality; a source
 * never invents a value to fill a gap (a gap stays a gap and the core sees the point go stale).
 */
export type SourceKind = 'opcua' | 'modbus' | 'mqtt';

/**
 * `connecting`: no usable connection yet or re-connecting after a loss.
 * `connected`: data flows (every configured tag is being read).
 * `degraded`: connected but some tags fail (bad node id, device timeout); see `detail`.
 * `stopped`: `stop()` was called.
 */
export type SourceState = 'connecting' | 'connected' | 'degraded' | 'stopped';

export interface SourceStatus {
  readonly name: string;
  readonly kind: SourceKind;
  readonly state: SourceState;
  /** Human-readable reason for the current state (last error), if any. */
  readonly detail?: string;
  /** Readings handed to the sink since start. */
  readonly readings: number;
  /** Read/connect errors since start. */
  readonly errors: number;
  /** Successful re-connections after a loss (the first connection does not count). */
  readonly reconnects: number;
  /** Wall-clock ms of the last reading handed to the sink. */
  readonly lastReadingAt?: number;
}

/** Receives readings from a source; called synchronously, must not throw, never blocks the source. */
export type ReadingSink = (readings: readonly Reading[]) => void;

export interface Source {
  readonly name: string;
  readonly kind: SourceKind;
  /**
   * Starts connecting and reading; resolves once started (not once connected: an unreachable
   * plant is a state, not an error). Rejects only for configuration the source cannot run with.
   */
  start(sink: ReadingSink): Promise<void>;
  /** Stops reading and closes connections; no sink call happens after it resolves. Idempotent. */
  stop(): Promise<void>;
  status(): SourceStatus;
}

/**
 * A source that reports a tag only when it changes (OPC-UA subscriptions). The collector repeats
 * such a tag's last value as a heartbeat (quiet-tag-repeater.ts), as far as the source vouches
 * for it.
 */
export interface ChangeReportingSource extends Source {
  readonly reportsByChange: true;
  /** Every tag the source reads. */
  readonly pointTags: readonly string[];
  /**
   * Number of the link (session and subscriptions) values now come from; it changes each time
   * the link is rebuilt. Values delivered on an earlier link are never repeated.
   */
  readonly link: number;
  /**
   * Up to when (ms, the source's clock, like the readings' timestamps) the live subscription that
   * delivered the tag's last value has seen no change of it; undefined when nothing alive vouches
   * for the tag (link lost, item not monitored, no value on this link yet).
   */
  unchangedThrough(tag: string): number | undefined;
}

export function reportsByChange(source: Source): source is ChangeReportingSource {
  return (source as Partial<ChangeReportingSource>).reportsByChange === true;
}
