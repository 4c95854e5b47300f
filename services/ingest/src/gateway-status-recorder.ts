import type { GatewayStatusRecord } from '@hazardwatch/store';
import type { Logger } from 'pino';
import type { GatewayState } from './gateway-presence.js';
import type { IngestCounters } from './ingest-counters.js';
import type { Timers } from './retry-backoff.js';

/** Where gateway states are persisted (GatewayStatusRepository in production). */
export interface GatewayStatusStore {
  upsert(records: readonly GatewayStatusRecord[], nowMs: number): Promise<void>;
}

export interface GatewayStatusRecorderOptions {
  /**
   * States gathered this long go out in one upsert (retained status messages of every gateway
   * arrive together on connect). @default 200, ms
   */
  readonly flushDelayMs?: number;
  /** Wait after a failed write before the next one (a database outage logs once per this). @default 5000, ms */
  readonly retryDelayMs?: number;
}

export interface GatewayStatusRecorderDeps {
  readonly store: GatewayStatusStore;
  readonly counters: IngestCounters;
  readonly logger: Logger;
  readonly now: () => number;
  readonly timers: Timers;
}

/**
 * Persists gateway presence off the ingest path: `record` only overwrites the gateway's pending
 * state (so there is at most one row per gateway per flush, whatever the message rate), and one
 * upsert at a time writes what is pending. A failed write is logged and counted and its states are
 * kept for the next flush unless a newer state replaced them; it never throws into, waits on, or
 * holds back readings or acknowledgements. The table is a cache of presence, not a ledger, so a
 * crash between a status message and its flush only leaves the row one heartbeat behind.
 */
export class GatewayStatusRecorder {
  private pending = new Map<string, GatewayState>();
  private writing: Promise<void> | undefined;
  private timerSet = false;
  private closed = false;
  private readonly flushDelayMs: number;
  private readonly retryDelayMs: number;
  private failed = false;
  private readonly log: Logger;

  constructor(
    private readonly deps: GatewayStatusRecorderDeps,
    options: GatewayStatusRecorderOptions = {},
  ) {
    this.flushDelayMs = options.flushDelayMs ?? 200;
    this.retryDelayMs = options.retryDelayMs ?? 5000;
    this.log = deps.logger.child({ component: 'gateway-status' });
  }

  record(state: GatewayState): void {
    if (this.closed) return;
    this.pending.set(`${state.enterprise}/${state.gateway}`, state);
    this.schedule();
  }

  /** Writes what is pending (once; a failure stays counted) and stops taking states. */
  async close(): Promise<void> {
    this.closed = true;
    await this.writing;
    if (this.pending.size > 0) await this.flush();
  }

  private schedule(): void {
    if (this.timerSet || this.writing) return;
    this.timerSet = true;
    this.deps.timers.setTimeout(
      () => {
        this.timerSet = false;
        if (!this.closed && !this.writing && this.pending.size > 0) void this.flush();
      },
      this.failed ? this.retryDelayMs : this.flushDelayMs,
    );
  }

  private flush(): Promise<void> {
    const batch = this.pending;
    this.pending = new Map();
    const records: GatewayStatusRecord[] = [...batch.values()].map((s) => ({
      enterprise: s.enterprise,
      gateway: s.gateway,
      online: s.online,
      lastSeenMs: s.lastSeenMs,
      spoolDepth: s.spoolDepth ?? null,
    }));
    const write = this.deps.store
      .upsert(records, this.deps.now())
      .then(
        () => {
          this.failed = false;
          this.deps.counters.gatewayStatusWrites++;
        },
        (err: unknown) => {
          this.failed = true;
          this.deps.counters.gatewayStatusWritesFailed++;
          this.log.warn({ err, gateways: records.length }, 'gateway status write failed');
          // Retry with the next flush, unless a newer state of the same gateway came in meanwhile.
          for (const [key, state] of batch) if (!this.pending.has(key)) this.pending.set(key, state);
        },
      )
      .finally(() => {
        this.writing = undefined;
        if (!this.closed && this.pending.size > 0) this.schedule();
      });
    this.writing = write;
    return write;
  }
}
