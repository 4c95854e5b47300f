import type { Reading } from '@hazardwatch/contracts';
import { pino, type Logger } from 'pino';
import { EdgeError, isEdgeError } from '../errors.js';
import type { ReadingSink, Source, SourceStatus } from '../source.js';
import { applyScale } from '../tag-mapping.js';
import { ModbusConnection } from './modbus-connection.js';
import {
  compileModbusOptions,
  type CompiledModbusOptions,
  type ModbusSourceOptions,
} from './modbus-options.js';
import { planRequests, splitRequest, type CompiledModbusTag, type ModbusRequest } from './modbus-plan.js';
import { Backoff, systemClock, type Clock } from '@hazardwatch/kit';
import { SourceStatusTracker } from './status-tracker.js';
import { decodeRegisters } from './word-order.js';

export interface ModbusSourceStatus extends SourceStatus {
  /** Completed poll cycles. */
  readonly polls: number;
  /** Poll cycles not started because the previous poll still ran at their due time. */
  readonly skippedPolls: number;
  /** Request attempts repeated after a timeout or a transient exception. */
  readonly retries: number;
  /** Read requests one poll cycle currently sends. */
  readonly requestsPerPoll: number;
}

type ReadOutcome =
  | { readonly ok: true; readonly values: readonly number[] }
  | { readonly ok: false; readonly error: EdgeError };

/** How many refused tags a status detail names before it summarises. */
const DETAIL_TAGS = 5;

/**
 * Modbus TCP source: polls holding/input registers, coils and discrete inputs of one unit.
 *
 * Failure policy (a source never invents a value, see `source.ts`):
 * - timeout after all retries, or a dropped socket → the connection is abandoned and re-made with
 *   back-off; state `connecting`. A Modbus TCP device that stops answering on an open socket is
 *   nearly always a half-open connection or a rebooting device, and a fresh socket also discards
 *   any answers still in flight.
 * - exception 1–3 (illegal function/address/value) → the tags of that request are misconfigured:
 *   a coalesced request is split into one request per tag so the good tags keep flowing, the bad
 *   ones get no reading; state `degraded` naming them.
 * - other exceptions (device busy/failure, gateway target) → retried, then no reading this cycle
 *   for that request's tags; state `degraded`.
 * Tags without a reading in a cycle get nothing at all (no `bad` reading: it would need a value),
 * so the core sees them go stale.
 */
export class ModbusSource implements Source {
  readonly kind = 'modbus' as const;
  readonly name: string;
  readonly #options: ModbusSourceOptions;
  #timers: Pick<Clock, 'setTimeout' | 'clearTimeout'> = systemClock;
  readonly #log: Logger;
  readonly #status: SourceStatusTracker;
  readonly #abort = new AbortController();
  #sink: ReadingSink | undefined;
  #loop: Promise<void> | undefined;
  #connection: ModbusConnection | undefined;
  #plan: ModbusRequest[] = [];
  #polls = 0;
  #skippedPolls = 0;
  #retries = 0;

  constructor(options: ModbusSourceOptions) {
    this.name = options.name;
    this.#options = options;
    this.#log = (options.logger ?? pino({ level: 'silent' })).child({
      component: 'modbus-source',
      source: options.name,
    });
    this.#status = new SourceStatusTracker(options.name, 'modbus', this.#log);
  }

  start(sink: ReadingSink): Promise<void> {
    if (this.#loop || this.#stopped) return Promise.resolve();
    let compiled: CompiledModbusOptions;
    try {
      compiled = compileModbusOptions(this.#options);
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    this.#plan = planRequests(compiled.tags, compiled.limits);
    this.#timers = compiled.timers;
    this.#sink = sink;
    this.#log.info(
      { host: compiled.host, port: compiled.port, tags: compiled.tags.length, requests: this.#plan.length },
      'modbus source starting',
    );
    this.#loop = this.#run(compiled).catch((err: unknown) => {
      // A bug, not a plant condition: report it rather than let the promise vanish.
      this.#log.error({ err }, 'modbus source loop failed');
      this.#status.setState('degraded', `internal error: ${String(err)}`);
    });
    return Promise.resolve();
  }

  async stop(): Promise<void> {
    this.#status.setState('stopped');
    this.#abort.abort();
    this.#connection?.destroy();
    await this.#loop;
  }

  status(): ModbusSourceStatus {
    return {
      ...this.#status.snapshot(),
      polls: this.#polls,
      skippedPolls: this.#skippedPolls,
      retries: this.#retries,
      requestsPerPoll: this.#plan.length,
    };
  }

  get #stopped(): boolean {
    return this.#abort.signal.aborted;
  }

  async #run(o: CompiledModbusOptions): Promise<void> {
    // A device down for maintenance is not hammered with connection attempts, one that blips is
    // back within the initial delay; full jitter keeps a gateway's sources from retrying in step.
    const backoff = new Backoff({ initialMs: o.reconnectInitialMs, maxMs: o.reconnectMaxMs });
    const endpoint = { source: o.name, host: o.host, port: o.port, unitId: o.unitId, timeoutMs: o.timeoutMs };
    let connectedBefore = false;
    while (!this.#stopped) {
      let connection: ModbusConnection;
      try {
        connection = await ModbusConnection.open(endpoint);
      } catch (err) {
        if (this.#stopped) break;
        this.#status.addError();
        this.#status.setState('connecting', describe(err));
        this.#log.debug({ err }, 'modbus connect failed');
        await this.#sleep(backoff.next());
        continue;
      }
      if (this.#stopped) {
        connection.destroy();
        break;
      }
      this.#connection = connection;
      if (connectedBefore) this.#status.addReconnect();
      connectedBefore = true;
      const lost = await this.#pollUntilLost(connection, o, backoff);
      connection.destroy();
      this.#connection = undefined;
      if (this.#stopped) break;
      this.#status.addError();
      this.#status.setState('connecting', lost.message);
      await this.#sleep(backoff.next());
    }
  }

  /** Polls at a fixed rate until the connection is lost (returns why) or the source stops. */
  async #pollUntilLost(
    connection: ModbusConnection,
    o: CompiledModbusOptions,
    backoff: Backoff,
  ): Promise<EdgeError> {
    while (!this.#stopped) {
      const startedAt = o.clock.now();
      const lost = await this.#pollOnce(connection, o, backoff);
      if (lost) return lost;
      // Polls run one after another, so they never overlap: a poll that outlasts the interval
      // makes the due polls lapse (counted) and the next one starts at the next interval boundary.
      const elapsed = Math.max(0, o.clock.now() - startedAt);
      const intervals = Math.max(1, Math.ceil(elapsed / o.pollIntervalMs));
      if (intervals > 1) {
        this.#skippedPolls += intervals - 1;
        this.#log.debug({ elapsedMs: elapsed, skipped: intervals - 1 }, 'poll outlasted its interval');
      }
      await this.#sleep(intervals * o.pollIntervalMs - elapsed);
    }
    return new EdgeError('HW_EDGE_SOURCE_DISCONNECTED', { source: o.name, peer: `${o.host}:${o.port}` });
  }

  /** One poll cycle; returns the error when the connection was lost during it. */
  async #pollOnce(
    connection: ModbusConnection,
    o: CompiledModbusOptions,
    backoff: Backoff,
  ): Promise<EdgeError | undefined> {
    const values: { tag: string; value: number }[] = [];
    const problems = new Map<string, string>();
    const queue = [...this.#plan];
    const nextPlan: ModbusRequest[] = [];
    let lost: EdgeError | undefined;
    let anyRead = false;
    for (let request = queue.shift(); request; request = queue.shift()) {
      if (lost || this.#stopped) {
        nextPlan.push(request);
        continue;
      }
      const outcome = await this.#readWithRetries(connection, request, o);
      if (outcome.ok) {
        anyRead = true;
        nextPlan.push(request);
        for (const tag of request.tags) {
          const value = applyScale(tag.scale, decodeTag(tag, request, outcome.values));
          // A float32 NaN is how many transmitters flag a sensor fault; it is not a reading.
          if (Number.isFinite(value)) values.push({ tag: tag.tag, value });
          else problems.set(tag.tag, 'non-finite value');
        }
        continue;
      }
      const err = outcome.error;
      this.#status.addError();
      if (err.code === 'HW_EDGE_MODBUS_TIMEOUT' || err.code === 'HW_EDGE_SOURCE_DISCONNECTED') {
        lost = err;
        nextPlan.push(request);
      } else if (err.code === 'HW_EDGE_MODBUS_ILLEGAL_REQUEST' && request.tags.length > 1) {
        this.#log.warn(
          { table: request.table, start: request.start, count: request.count, err },
          'request refused; reading its tags one by one',
        );
        queue.unshift(...splitRequest(request));
      } else {
        this.#log.warn({ tags: request.tags.map((t) => t.tag), err }, 'tags not read');
        for (const tag of request.tags) problems.set(tag.tag, err.message);
        nextPlan.push(request);
      }
    }
    this.#plan = nextPlan;
    if (this.#stopped) return undefined;
    this.#deliver(values, o);
    this.#polls += 1;
    if (anyRead) backoff.reset();
    if (lost) return lost;
    if (problems.size === 0) this.#status.setState('connected');
    else this.#status.setState('degraded', summarise(problems));
    return undefined;
  }

  async #readWithRetries(
    connection: ModbusConnection,
    request: ModbusRequest,
    o: CompiledModbusOptions,
  ): Promise<ReadOutcome> {
    for (let attempt = 0; ; attempt += 1) {
      try {
        const { values } = await connection.read(request.table, request.start, request.count);
        return { ok: true, values };
      } catch (err) {
        const error = isEdgeError(err)
          ? err
          : new EdgeError('HW_EDGE_SOURCE_DISCONNECTED', { source: o.name, peer: o.host }, { cause: err });
        if (
          !error.retryable ||
          error.code === 'HW_EDGE_SOURCE_DISCONNECTED' ||
          attempt >= o.retries ||
          this.#stopped
        ) {
          return { ok: false, error };
        }
        this.#retries += 1;
        this.#log.debug({ attempt: attempt + 1, err: error }, 'retrying modbus request');
      }
    }
  }

  /** All readings of a cycle carry its completion time: that is when the values were known. */
  #deliver(values: readonly { tag: string; value: number }[], o: CompiledModbusOptions): void {
    if (values.length === 0 || !this.#sink) return;
    const ts = Math.floor(o.clock.now());
    const readings: Reading[] = values.map(({ tag, value }) => ({ tag, ts, value }));
    this.#status.addReadings(readings.length, ts);
    try {
      this.#sink(readings);
    } catch (err) {
      this.#log.error({ err }, 'reading sink threw');
    }
  }

  /** Waits `ms`, or less if the source stops meanwhile. */
  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.#stopped) return resolve();
      const done = (): void => {
        this.#timers.clearTimeout(timer);
        this.#abort.signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = this.#timers.setTimeout(done, Math.max(0, ms));
      this.#abort.signal.addEventListener('abort', done, { once: true });
    });
  }
}

function decodeTag(tag: CompiledModbusTag, request: ModbusRequest, values: readonly number[]): number {
  const offset = tag.address - request.start;
  if (tag.type === 'bool') return values[offset] ? 1 : 0;
  return decodeRegisters(values.slice(offset, offset + tag.width), tag.type, tag.wordOrder);
}

function summarise(problems: ReadonlyMap<string, string>): string {
  const entries = [...problems];
  const named = entries.slice(0, DETAIL_TAGS).map(([tag, reason]) => `${tag}: ${reason}`);
  const more = entries.length > DETAIL_TAGS ? `; and ${entries.length - DETAIL_TAGS} more` : '';
  return `${entries.length} tag(s) not read — ${named.join('; ')}${more}`;
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
