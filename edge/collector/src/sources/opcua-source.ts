/**
 * OPC-UA source: subscribes to a plant's OPC-UA server and hands readings to the sink, mapped to
 * point tags and scaled.
 *
 * Recovery is ours, not node-opcua's: one `OpcuaConnection` generation is built from scratch
 * (client, session, browse paths resolved anew, subscriptions, monitored items) and torn down
 * whole at the first sign of trouble — connection lost or closed, session closed, subscription
 * terminated or timed out, or the watchdog finding a subscription silent for `watchdogMs` (no data
 * and no keep-alive, as on a half-open TCP link). Then the source waits its backoff (doubling from
 * `reconnectInitialMs` to `reconnectMaxMs`, reset by a successful connect) and builds the next
 * one, for as long as it runs. An outage is a gap: nothing is sent for it.
 */
import { mkdirSync } from 'node:fs';
import { OPCUACertificateManager, type DataValue } from 'node-opcua';
import type { Reading } from '@hazardwatch/contracts';
import type { ChangeReportingSource, ReadingSink, SourceKind, SourceState, SourceStatus } from '../source.js';
import { OpcuaConnection } from './opcua-connection.js';
import { Backoff, type TimerHandle } from '@hazardwatch/kit';
import {
  compileOpcuaOptions,
  type CompiledOpcuaOptions,
  type CompiledOpcuaTag,
  type OpcuaSourceOptions,
} from './opcua-options.js';
import { readingFromDataValue } from './opcua-status.js';
// node-opcua's own warnings leave the console for the JSON log from the moment it is loaded.
import './opcua-log.js';

/** Counters beyond `SourceStatus`, for diagnostics and tests. */
export interface OpcuaSourceCounters {
  /** DataValues without a usable number (skipped, never invented). */
  readonly skipped: number;
  /** Generations built (first connect included). */
  readonly connects: number;
  readonly subscriptions: number;
  readonly monitoredItems: number;
  /** Tags not monitored now, with the reason. */
  readonly unavailable: Readonly<Record<string, string>>;
}

export class OpcuaSource implements ChangeReportingSource {
  readonly kind: SourceKind = 'opcua';
  readonly reportsByChange = true;
  readonly name: string;
  readonly options: CompiledOpcuaOptions;
  readonly pointTags: readonly string[];
  private readonly indexOf: ReadonlyMap<string, number>;
  /** Links built so far; the current one is number `link`. */
  private links = 0;
  /** Tags logged as unavailable (logged once, until they are back). */
  private readonly reportedUnavailable = new Set<number>();
  private sink: ReadingSink | undefined;
  private state: SourceState = 'connecting';
  private detail: string | undefined;
  private count = { readings: 0, errors: 0, reconnects: 0, skipped: 0, connects: 0 };
  private lastReadingAt: number | undefined;
  private connection: OpcuaConnection | undefined;
  private certificates: OPCUACertificateManager | undefined;
  private loop: Promise<void> | undefined;
  private readonly stopping = deferred<string>();
  private stopped = false;
  private pending: Reading[] = [];
  private flushQueued = false;
  private readonly delays = new Set<() => void>();

  /** @throws EdgeError HW_EDGE_SOURCE_CONFIG */
  constructor(options: OpcuaSourceOptions) {
    this.options = compileOpcuaOptions(options);
    this.name = options.name;
    this.pointTags = this.options.tags.map((t) => t.tag);
    this.indexOf = new Map(this.options.tags.map((t) => [t.tag, t.index]));
  }

  get link(): number {
    return this.links;
  }

  unchangedThrough(tag: string): number | undefined {
    const index = this.indexOf.get(tag);
    if (this.stopped || index === undefined) return undefined;
    return this.connection?.unchangedThrough(index);
  }

  start(sink: ReadingSink): Promise<void> {
    if (this.sink !== undefined || this.stopped) return Promise.resolve();
    this.sink = sink;
    mkdirSync(this.options.pkiDir, { recursive: true });
    this.certificates = new OPCUACertificateManager({
      rootFolder: this.options.pkiDir,
      automaticallyAcceptUnknownCertificate: this.options.acceptUnknownServerCertificate,
      disableFileWatchers: true,
    });
    this.loop = this.run().catch((err: unknown) => this.options.logger.error({ err }, 'source loop failed'));
    return Promise.resolve();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.state = 'stopped';
    this.pending = [];
    this.stopping.resolve('stopped');
    for (const cancel of [...this.delays]) cancel();
    await this.loop;
    await this.certificates?.dispose().catch(() => undefined);
    this.options.logger.info({ readings: this.count.readings }, 'source stopped');
  }

  status(): SourceStatus {
    return {
      name: this.name,
      kind: this.kind,
      state: this.state,
      ...(this.detail === undefined ? {} : { detail: this.detail }),
      readings: this.count.readings,
      errors: this.count.errors,
      reconnects: this.count.reconnects,
      ...(this.lastReadingAt === undefined ? {} : { lastReadingAt: this.lastReadingAt }),
    };
  }

  counters(): OpcuaSourceCounters {
    const c = this.connection;
    const unavailable: Record<string, string> = {};
    for (const [index, reason] of c?.unavailable ?? []) {
      const tag = this.options.tags[index];
      if (tag !== undefined) unavailable[tag.tag] = reason;
    }
    return {
      skipped: this.count.skipped,
      connects: this.count.connects,
      subscriptions: c?.subscriptionCount ?? 0,
      monitoredItems: c?.monitoredCount ?? 0,
      unavailable,
    };
  }

  /** Builds generations until stopped; each one lives until it fails, then backoff. */
  private async run(): Promise<void> {
    const o = this.options;
    // Full jitter: the sources of a gateway that lost the same server do not retry in step.
    const backoff = new Backoff({ initialMs: o.reconnectInitialMs, maxMs: o.reconnectMaxMs });
    while (!this.stopped) {
      const { reason, connected } = await this.generation();
      if (this.stopped) return;
      this.count.errors++;
      this.state = 'connecting';
      this.detail = reason;
      // A generation that connected resets the backoff: the next loss starts from the initial delay.
      if (connected) backoff.reset();
      const delayMs = backoff.next();
      o.logger.warn({ reason, attempt: backoff.attempt, delayMs }, 'opcua link down; rebuilding');
      await this.delay(delayMs).promise;
    }
  }

  /** One generation: open, serve until it fails or the source stops, close. */
  private async generation(): Promise<{ reason: string; connected: boolean }> {
    const o = this.options;
    const ended = deferred<string>();
    // A server certificate trusted since the last attempt (`hazardwatch edge trust-server` moved
    // it from rejected/ to trusted/certs/) counts from this attempt on: no restart needed.
    if (this.links > 0)
      await this.certificates!.reloadCertificates().catch((err: unknown) =>
        o.logger.warn({ err }, 'opcua pki folders not reloaded'),
      );
    const connection = new OpcuaConnection(o, this.certificates!, {
      value: (tag, dv) => this.onValue(connection, tag, dv),
      failed: (reason) => ended.resolve(reason),
    });
    this.connection = connection;
    this.links++;
    const interrupted = Promise.race([ended.promise, this.stopping.promise]);
    const timeout = this.delay(o.connectTimeoutMs);
    try {
      const outcome = await Promise.race([
        connection.open().then(() => undefined),
        interrupted,
        timeout.promise.then(() => 'connect timed out'),
      ]);
      if (outcome !== undefined) throw new Error(outcome);
    } catch (err) {
      await connection.close();
      return {
        reason: `connect failed: ${err instanceof Error ? err.message : String(err)}`,
        connected: false,
      };
    }
    if (this.count.connects > 0) this.count.reconnects++;
    this.count.connects++;
    this.updateState(connection);
    o.logger.info(
      { subscriptions: connection.subscriptionCount, monitoredItems: connection.monitoredCount },
      'opcua connected',
    );
    const timers = this.startTimers(connection, (reason) => ended.resolve(reason));
    const reason = await interrupted;
    timers.cancel();
    await connection.close();
    return { reason: `lost: ${reason}`, connected: true };
  }

  /** Watchdog and the retry of unavailable tags, for one generation. */
  private startTimers(connection: OpcuaConnection, fail: (reason: string) => void): { cancel(): void } {
    const o = this.options;
    const handles = new Set<TimerHandle>();
    let cancelled = false;
    const every = (ms: number, tick: () => Promise<void> | void): void => {
      const handle = o.timers.setTimeout(() => {
        handles.delete(handle);
        if (cancelled) return;
        Promise.resolve()
          .then(tick)
          .catch((err: unknown) => o.logger.warn({ err }, 'opcua timer task failed'))
          .finally(() => {
            if (!cancelled) every(ms, tick);
          });
      }, ms);
      handles.add(handle);
    };
    // Half-open links and dead subscriptions send nothing at all: silence is the only signal.
    every(Math.max(50, Math.min(o.watchdogMs / 4, o.publishingIntervalMs)), () => {
      const silent = connection.silentForMs(o.clock());
      if (silent > o.watchdogMs) fail(`watchdog: no publish response for ${silent} ms`);
    });
    every(o.retryUnavailableMs, async () => {
      if (connection.unavailable.size === 0) return;
      await connection.retryUnavailable();
      this.updateState(connection);
    });
    return {
      cancel: () => {
        cancelled = true;
        for (const h of handles) o.timers.clearTimeout(h);
      },
    };
  }

  private onValue(connection: OpcuaConnection, tag: CompiledOpcuaTag, dataValue: DataValue): void {
    if (this.stopped || this.connection !== connection) return;
    const outcome = readingFromDataValue(tag.tag, tag.scale, dataValue, this.options.clock());
    if (outcome.kind === 'reading') {
      this.pending.push(outcome.reading);
      this.queueFlush();
      return;
    }
    this.count.errors++;
    if (outcome.kind === 'skipped') {
      this.count.skipped++;
      return;
    }
    connection.markGone(tag, dataValue.statusCode.name);
    this.updateState(connection);
  }

  /** One sink call per burst of notifications (a publish response carries many). */
  private queueFlush(): void {
    if (this.flushQueued) return;
    this.flushQueued = true;
    queueMicrotask(() => {
      this.flushQueued = false;
      const batch = this.pending;
      this.pending = [];
      if (this.stopped || batch.length === 0 || this.sink === undefined) return;
      this.count.readings += batch.length;
      this.lastReadingAt = this.options.clock();
      try {
        this.sink(batch);
      } catch (err) {
        this.options.logger.error({ err }, 'reading sink threw');
      }
    });
  }

  private updateState(connection: OpcuaConnection): void {
    if (this.stopped || this.connection !== connection) return;
    const missing = connection.unavailable;
    this.logUnavailable(missing);
    if (missing.size === 0) {
      this.state = 'connected';
      this.detail = undefined;
      return;
    }
    const names = [...missing].slice(0, 5).map(([i, why]) => `${this.options.tags[i]?.tag ?? i} (${why})`);
    this.state = 'degraded';
    this.detail = `${missing.size} of ${this.options.tags.length} tags unavailable: ${names.join(', ')}${
      missing.size > 5 ? ', …' : ''
    }`;
  }

  /**
   * A tag the server does not have is logged once, with its address, when it goes missing, and
   * once when it is back — not on every reconnect or retry (its state is in `status()` all along).
   */
  private logUnavailable(missing: ReadonlyMap<number, string>): void {
    const log = this.options.logger;
    for (const [index, reason] of missing) {
      if (this.reportedUnavailable.has(index)) continue;
      this.reportedUnavailable.add(index);
      const t = this.options.tags[index];
      log.warn(
        { tag: t?.tag, nodeId: t?.nodeId, browsePath: t?.browsePath, reason },
        'opcua tag unavailable; the other tags keep flowing',
      );
    }
    for (const index of [...this.reportedUnavailable]) {
      if (missing.has(index)) continue;
      this.reportedUnavailable.delete(index);
      const t = this.options.tags[index];
      log.info({ tag: t?.tag, nodeId: t?.nodeId, browsePath: t?.browsePath }, 'opcua tag available again');
    }
  }

  /** A delay on the injected timers; `stop()` ends every pending one, so nothing outlives the source. */
  private delay(ms: number): { readonly promise: Promise<void>; cancel(): void } {
    const timers = this.options.timers;
    let done!: () => void;
    const promise = new Promise<void>((resolve) => {
      const handle = timers.setTimeout(() => done(), ms);
      done = () => {
        timers.clearTimeout(handle);
        this.delays.delete(done);
        resolve();
      };
    });
    this.delays.add(done);
    return { promise, cancel: done };
  }
}

interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}
