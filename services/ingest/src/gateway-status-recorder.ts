import type { GatewayStatusRecord } from '@hazardwatch/store';
import type { Logger } from 'pino';
import type { GatewayState } from './gateway-presence.js';
import type { IngestCounters } from './ingest-counters.js';
import type { Clock } from '@hazardwatch/kit';

/** Where gateway states are persisted (GatewayStatusRepository in production). */
export interface GatewayStatusStore {
  upsert(records: readonly GatewayStatusRecord[], nowMs: number): Promise<void>;
  /** Removes the rows of gateways `known` refuses. @returns how many. */
  retain(known: (enterprise: string, gateway: string) => boolean): Promise<number>;
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
  /**
   * Whether the site in force has this gateway, asked at each write: a state recorded just before
   * its gateway left the site is not written, and `prune` removes such gateways' rows.
   */
  readonly known: (enterprise: string, gateway: string) => boolean;
  readonly counters: IngestCounters;
  readonly logger: Logger;
  readonly now: () => number;
  readonly timers: Pick<Clock, 'setTimeout'>;
}

/**
 * Persists gateway presence off the ingest path: `record` only overwrites the gateway's pending
 * state (so there is at most one row per gateway per flush, whatever the message rate), and one
 * upsert at a time writes what is pending. A failed write is logged and counted and its states are
 * kept for the next flush unless a newer state replaced them; it never throws into, waits on, or
 * holds back readings or acknowledgements. The table is a cache of presence, not a ledger, so a
 * crash between a status message and its flush only leaves the row one heartbeat behind.
 *
 * Only gateways the site knows have a row (issue #16 item 7): states of others are not written,
 * and `prune` (at start and after a site change) removes the rows of gateways the site lacks, in
 * the same one-at-a-time order as the upserts, so a late upsert cannot bring a removed row back.
 */
export class GatewayStatusRecorder {
  private pending = new Map<string, GatewayState>();
  private writing: Promise<void> | undefined;
  private timerSet = false;
  /** A prune is asked for and not yet done (kept through a failed write). */
  private pruneWanted = false;
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

  /** Removes, with the next write, the rows of gateways the site in force does not have. */
  prune(): void {
    if (this.closed) return;
    this.pruneWanted = true;
    this.schedule();
  }

  /** Writes what is pending (once; a failure stays counted) and stops taking states. */
  async close(): Promise<void> {
    this.closed = true;
    await this.writing;
    if (this.hasWork()) await this.flush();
  }

  private hasWork(): boolean {
    return this.pending.size > 0 || this.pruneWanted;
  }

  private schedule(): void {
    if (this.timerSet || this.writing) return;
    this.timerSet = true;
    this.deps.timers.setTimeout(
      () => {
        this.timerSet = false;
        if (!this.closed && !this.writing && this.hasWork()) void this.flush();
      },
      this.failed ? this.retryDelayMs : this.flushDelayMs,
    );
  }

  private flush(): Promise<void> {
    const { store, known } = this.deps;
    const batch = this.pending;
    this.pending = new Map();
    const prune = this.pruneWanted;
    this.pruneWanted = false;
    const records: GatewayStatusRecord[] = [...batch.values()]
      .filter((s) => known(s.enterprise, s.gateway))
      .map((s) => ({
        enterprise: s.enterprise,
        gateway: s.gateway,
        online: s.online,
        lastSeenMs: s.lastSeenMs,
        spoolDepth: s.spoolDepth ?? null,
        sinceMs: s.sinceMs,
      }));
    const work = async (): Promise<void> => {
      if (records.length > 0) {
        await store.upsert(records, this.deps.now());
        this.deps.counters.gatewayStatusWrites++;
      }
      if (prune) {
        const removed = await store.retain(known);
        if (removed > 0) this.log.info({ removed }, 'gateway status of gateways not in the site removed');
      }
    };
    const write = work()
      .then(
        () => {
          this.failed = false;
        },
        (err: unknown) => {
          this.failed = true;
          this.deps.counters.gatewayStatusWritesFailed++;
          this.log.warn({ err, gateways: records.length, prune }, 'gateway status write failed');
          // Retry with the next flush, unless a newer state of the same gateway came in meanwhile.
          for (const [key, state] of batch) if (!this.pending.has(key)) this.pending.set(key, state);
          if (prune) this.pruneWanted = true;
        },
      )
      .finally(() => {
        this.writing = undefined;
        if (!this.closed && this.hasWork()) this.schedule();
      });
    this.writing = write;
    return write;
  }
}
