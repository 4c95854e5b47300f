import type { ParsedTopic, RejectReason } from '@hazardwatch/contracts';
import {
  isRetryableStorageError,
  ReadingBuffer,
  type DeadLetterRow,
  type WriteOutcome,
} from '@hazardwatch/store';
import type { Logger } from 'pino';
import type { AckTicket } from './durable-ack-subscriber.js';
import type { IngestCounters } from './ingest-counters.js';
import type { DecodeSink, TelemetryDecoder } from './telemetry-decoder.js';
import { backoffDelay, type BackoffOptions, type Clock } from '@hazardwatch/kit';
import { DeadLetterGate } from './dead-letter-gate.js';

/**
 * Label values for gateways the site does not know: every made-up code counts under one series
 * (and shares one dead-letter rate), so what devices send cannot grow /metrics or memory.
 */
export const UNKNOWN_LABEL = '_unknown';
const UNKNOWN_KEY = `${UNKNOWN_LABEL}/${UNKNOWN_LABEL}`;

/** Sees every accepted reading as it is decoded (latest values, evaluators, live push). */
export interface ReadingObserver {
  observe(pointId: number, ts: number, value: number, quality: number): void;
  /** Optional columnar form: rows [start, end) of a buffer in one call (no per-reading call). */
  observeRows?(rows: ReadingBuffer, start: number, end: number): void;
}

export interface BatchWriter {
  write(rows: ReadingBuffer, deadLetters: readonly DeadLetterRow[]): Promise<WriteOutcome>;
}

export interface PipelineOptions {
  /** A batch is cut at this many rows even while writes are in flight. */
  readonly maxBatchRows: number;
  /** Concurrent COPY writes. */
  readonly maxInFlightWrites: number;
  /** Rows buffered (pending + queued) above which intake pauses. */
  readonly maxBufferedRows: number;
  /** Dead letters waiting for storage, at most; more are counted as dropped (queue_full). */
  readonly maxDeadLettersQueued: number;
  /** Bytes those dead letters hold, at most (queue_full beyond). */
  readonly maxDeadLetterQueuedBytes: number;
  /** Bytes of raw payload kept with a dead letter (cut beyond, counted as truncated). */
  readonly maxDeadLetterRawBytes: number;
  /** Dead letters per gateway per second, sustained (rate_limited beyond). */
  readonly deadLetterRatePerSec: number;
  /** Dead letters a gateway may produce at once. */
  readonly deadLetterBurst: number;
  readonly retryInitialDelayMs: number;
  readonly retryMaxDelayMs: number;
}

export interface PipelineDeps {
  readonly decoder: TelemetryDecoder;
  readonly writer: BatchWriter;
  readonly counters: IngestCounters;
  readonly observers: readonly ReadingObserver[];
  readonly logger: Logger;
  readonly now: () => number;
  readonly timers: Pick<Clock, 'setTimeout'>;
  /** Uniform in [0, 1) for the retry backoff's jitter, injected by tests. @default Math.random */
  readonly random?: () => number;
  /** Flow control towards the broker connection. */
  readonly intake?: { pause(): void; resume(): void };
}

/** Work that must be durable before the batch's messages are acknowledged (e.g. alarm events). */
export type DurableWork = () => Promise<void>;

/** Where rows [start, next origin's start) of a batch came from, for dead letters of its rows. */
interface Origin {
  readonly start: number;
  /** The gateway's bounded key (counters, dead-letter rate). */
  readonly key: string;
  readonly topic: string;
  readonly enterprise: string;
  readonly gateway: string;
  readonly receivedAtMs: number;
}

const NO_ROWS = new ReadingBuffer(0);

class Batch {
  readonly rows: ReadingBuffer;
  readonly deadLetters: DeadLetterRow[] = [];
  readonly tickets: AckTicket[] = [];
  readonly work: DurableWork[] = [];
  readonly origins: Origin[] = [];
  /** Bytes its dead letters hold (released from the dead-letter gate when the batch is done). */
  deadLetterBytes = 0;
  /** Rows and dead letters are stored (a retry then only redoes the remaining work). */
  rowsDone = false;
  /** The write failed for good: the rows became dead letters and are not written. */
  poisoned = false;
  workDone = 0;
  constructor(capacity: number) {
    this.rows = new ReadingBuffer(capacity);
  }
  get empty(): boolean {
    return (
      this.tickets.length === 0 &&
      this.rows.length === 0 &&
      this.deadLetters.length === 0 &&
      this.work.length === 0
    );
  }
}

export interface BatchStats {
  rows: number;
  commitMs: number;
}

/**
 * Decode → observe → batch → write → acknowledge.
 *
 * Group commit: while a write is in flight, arriving readings gather in the pending batch; when a
 * writer slot frees, everything gathered goes in one COPY. A quiet system therefore writes each
 * message at once (low latency) and a busy one writes large batches (high throughput), with no
 * timer to tune. Tickets are released only after their batch is durable. A write that failed
 * transiently (database outage: see isRetryableStorageError) is retried with backoff for as long as
 * it takes, never dropped; one that failed for good is poisoned: its rows are dead-lettered.
 */
export class IngestPipeline {
  private pending: Batch;
  private readonly queue: Batch[] = [];
  private inFlight = 0;
  private inFlightRows = 0;
  private queuedRows = 0;
  private flushScheduled = false;
  private paused = false;
  private closing = false;
  /** close() waiting for the writes that were running when it stopped waiting for the rest. */
  private writesEndedWaiters: Array<() => void> = [];
  private idleWaiters: Array<() => void> = [];
  private readonly log: Logger;
  /** Gateways whose bad seq was logged (each is counted every time in seqInvalid). */
  private readonly badSeqReported = new Set<string>();
  private readonly backoff: BackoffOptions;
  private readonly gate: DeadLetterGate;
  private readonly batchListeners: Array<(stats: BatchStats) => void> = [];
  /** False while the database is failing writes. */
  storageHealthy = true;

  constructor(
    private readonly deps: PipelineDeps,
    private readonly options: PipelineOptions,
  ) {
    this.log = deps.logger.child({ component: 'ingest-pipeline' });
    this.pending = new Batch(1024);
    // Full jitter: a fleet of ingest workers that lost the same database does not come back in
    // lock-step.
    this.backoff = {
      initialMs: options.retryInitialDelayMs,
      maxMs: options.retryMaxDelayMs,
      ...(deps.random ? { random: deps.random } : {}),
    };
    this.gate = new DeadLetterGate(
      {
        maxQueued: options.maxDeadLettersQueued,
        maxQueuedBytes: options.maxDeadLetterQueuedBytes,
        maxRawBytes: options.maxDeadLetterRawBytes,
        ratePerSec: options.deadLetterRatePerSec,
        burst: options.deadLetterBurst,
      },
      deps.counters,
      deps.now,
    );
  }

  /** Dead letters waiting for storage. */
  get deadLettersQueued(): number {
    return this.gate.queuedLetters;
  }

  onBatch(listener: (stats: BatchStats) => void): void {
    this.batchListeners.push(listener);
  }

  /** Handles one telemetry message; synchronous, never throws for bad input. */
  acceptTelemetry(topic: ParsedTopic, topicName: string, payload: Buffer, ticket: AckTicket): void {
    const { counters } = this.deps;
    counters.messages++;
    const batch = this.pending;
    const gatewayKey = this.gatewayKey(topic.enterprise, topic.gateway);
    const gatewayCounts = counters.gateway(gatewayKey);
    const receivedAtMs = this.deps.now();
    const start = batch.rows.length;
    const rejectedBefore = counters.rejected;
    batch.origins.push({
      start,
      key: gatewayKey,
      topic: topicName,
      enterprise: topic.enterprise,
      gateway: topic.gateway,
      receivedAtMs,
    });
    const sink: DecodeSink = {
      accept: (pointId, ts, value, quality) => batch.rows.push(pointId, ts, value, quality),
      reject: (reason, detail, tag, reading) => {
        counters.rejected++;
        counters.rejectedByReason[reason]++;
        gatewayCounts.rejected++;
        this.deadLetter(batch, gatewayKey, {
          receivedAtMs,
          topic: topicName,
          enterprise: topic.enterprise,
          gateway: topic.gateway,
          reason,
          detail,
          tag,
          raw: reading === undefined ? payload : readingBytes(reading),
        });
      },
      badSeq: (detail) => {
        counters.seqInvalid++;
        // Once per gateway (bounded keys): a device sending a bad seq sends it in every message.
        if (!this.badSeqReported.has(gatewayKey)) {
          this.badSeqReported.add(gatewayKey);
          this.log.warn({ topic: topicName, detail }, 'seq ignored: not an integer >= 0 (readings kept)');
        }
      },
    };
    this.deps.decoder.decode(topic, payload, receivedAtMs, sink);
    // Accepted (stored as new rows) is counted once the batch is durable: a redelivered reading
    // is valid again but not stored again.
    const valid = batch.rows.length - start;
    counters.received += valid + counters.rejected - rejectedBefore;
    gatewayCounts.valid += valid;
    this.notifyObservers(batch.rows, start);
    batch.tickets.push(ticket);
    if (batch.rows.length >= this.options.maxBatchRows) this.cut();
    this.applyBackpressure();
    this.scheduleFlush();
  }

  /**
   * Joins work to the batch being gathered: it runs after the batch's rows are stored and before
   * its messages are acknowledged, so what readings caused (alarm transitions) is never lost to a
   * crash between acknowledgement and persistence. Retried like the rows while it fails
   * retryably; a non-retryable failure is logged and counted, never allowed to wedge ingestion.
   */
  attach(work: DurableWork): void {
    this.pending.work.push(work);
    this.scheduleFlush();
  }

  /** A message refused before decoding (unknown topic layout): counted and dead-lettered. */
  rejectMessage(
    topicName: string,
    payload: Buffer,
    reason: RejectReason,
    detail: string,
    ticket: AckTicket,
  ): void {
    const { counters } = this.deps;
    counters.messages++;
    counters.received++;
    counters.rejected++;
    counters.rejectedByReason[reason]++;
    this.deadLetter(this.pending, UNKNOWN_KEY, {
      receivedAtMs: this.deps.now(),
      topic: topicName,
      reason,
      detail,
      raw: payload,
    });
    this.pending.tickets.push(ticket);
    this.scheduleFlush();
  }

  /** Rows accepted but not yet durable (pending, queued and being written). */
  get bufferedRows(): number {
    return this.pending.rows.length + this.queuedRows + this.inFlightRows;
  }

  /** Resolves when everything accepted so far is durable. */
  async drain(): Promise<void> {
    if (this.isIdle()) return;
    this.scheduleFlush();
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Writes what is buffered (for up to 10 s), then stops retrying and starting batches: anything
   * not yet durable stays unacknowledged. Resolves once no write is running, so whatever the
   * writer still stores is over (and seen by its caller) before the caller goes on.
   */
  async close(): Promise<void> {
    await Promise.race([this.drain(), new Promise<void>((r) => this.deps.timers.setTimeout(r, 10_000))]);
    this.closing = true;
    if (this.inFlight > 0) await new Promise<void>((resolve) => this.writesEndedWaiters.push(resolve));
  }

  /** `enterprise/gateway` for a gateway the site knows; else `enterprise/_unknown` or `_unknown/_unknown`. */
  private gatewayKey(enterprise: string, gateway: string): string {
    switch (this.deps.decoder.knows(enterprise, gateway)) {
      case 'gateway':
        return `${enterprise}/${gateway}`;
      case 'enterprise':
        return `${enterprise}/${UNKNOWN_LABEL}`;
      default:
        return UNKNOWN_KEY;
    }
  }

  private deadLetter(batch: Batch, key: string, letter: DeadLetterRow): void {
    const admitted = this.gate.admit(key, letter);
    if (!admitted) return;
    batch.deadLetters.push(admitted.letter);
    batch.deadLetterBytes += admitted.bytes;
  }

  private notifyObservers(rows: ReadingBuffer, start: number): void {
    for (const o of this.deps.observers) {
      if (o.observeRows) {
        o.observeRows(rows, start, rows.length);
        continue;
      }
      for (let i = start; i < rows.length; i++)
        o.observe(rows.pointIds[i]!, rows.ts[i]!, rows.values[i]!, rows.qualities[i]!);
    }
  }

  private cut(): void {
    const batch = this.pending;
    if (batch.empty) return;
    this.queue.push(batch);
    this.queuedRows += batch.rows.length;
    this.pending = new Batch(Math.min(this.options.maxBatchRows, Math.max(1024, batch.rows.length)));
  }

  /** Stops taking messages off the broker connection while too much is waiting for storage. */
  private applyBackpressure(): void {
    if (!this.paused && this.bufferedRows >= this.options.maxBufferedRows) {
      this.paused = true;
      this.log.warn({ bufferedRows: this.bufferedRows }, 'intake paused: storage is behind');
      this.deps.intake?.pause();
    }
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    // setImmediate: every packet already read from the socket joins this batch first.
    setImmediate(() => {
      this.flushScheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    while (!this.closing && this.inFlight < this.options.maxInFlightWrites) {
      if (this.queue.length === 0) this.cut();
      const batch = this.queue.shift();
      if (!batch) break;
      this.queuedRows -= batch.rows.length;
      this.inFlight++;
      this.inFlightRows += batch.rows.length;
      void this.writeUntilDurable(batch).finally(() => {
        this.inFlight--;
        this.inFlightRows -= batch.rows.length;
        this.gate.release(batch.deadLetters.length, batch.deadLetterBytes);
        if (this.inFlight === 0) for (const wake of this.writesEndedWaiters.splice(0)) wake();
        if (this.paused && this.bufferedRows < this.options.maxBufferedRows / 2) {
          this.paused = false;
          this.log.info('intake resumed');
          this.deps.intake?.resume();
        }
        if (this.isIdle()) this.wakeIdle();
        else this.scheduleFlush();
      });
    }
  }

  private async writeUntilDurable(batch: Batch): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const started = performance.now();
      try {
        if (!batch.rowsDone) {
          const outcome = await this.deps.writer.write(
            batch.poisoned ? NO_ROWS : batch.rows,
            batch.deadLetters,
          );
          batch.rowsDone = true;
          this.deps.counters.rowsWritten += outcome.rows;
          this.deps.counters.accepted += outcome.rows;
          this.deps.counters.duplicates += outcome.duplicates;
          this.deps.counters.batchesWritten++;
          this.deps.counters.deadLettersDropped.refused += outcome.deadLettersLost;
          this.deps.counters.deadLettersWritten +=
            batch.deadLetters.length + outcome.storageRejected - outcome.deadLettersLost;
          if (outcome.storageRejected > 0) {
            this.deps.counters.rejectedByReason.storage_rejected += outcome.storageRejected;
            this.deps.counters.rejected += outcome.storageRejected;
          }
        }
        while (batch.workDone < batch.work.length) {
          try {
            await batch.work[batch.workDone]!();
          } catch (error) {
            if (isRetryableStorageError(error)) throw error;
            this.deps.counters.durableWorkFailed++;
            this.log.error({ err: error }, 'durable work refused by storage; skipped');
          }
          batch.workDone++;
        }
        const commitMs = performance.now() - started;
        if (!this.storageHealthy) this.log.info({ attempts: attempt + 1 }, 'storage recovered');
        this.storageHealthy = true;
        this.deps.counters.messagesDurable += batch.tickets.length;
        for (const ticket of batch.tickets) ticket.done();
        for (const listener of this.batchListeners) listener({ rows: batch.rows.length, commitMs });
        return;
      } catch (err) {
        if (!batch.rowsDone && !isRetryableStorageError(err)) {
          this.refusedForGood(batch, err);
          continue;
        }
        this.storageHealthy = false;
        this.deps.counters.storageRetries++;
        if (this.closing) {
          this.log.warn(
            { rows: batch.rows.length },
            'closing with an unwritten batch; it stays unacknowledged',
          );
          return;
        }
        const delayMs = backoffDelay(attempt, this.backoff);
        this.log.warn({ err, attempt, delayMs, rows: batch.rows.length }, 'batch write failed; will retry');
        await new Promise<void>((resolve) => this.deps.timers.setTimeout(resolve, delayMs));
      }
    }
  }

  /**
   * A write that failed for good (a bug, a statement the database cannot run) is never retried:
   * retrying cannot help and would hold every later acknowledgement behind it. The batch's rows
   * become `storage_rejected` dead letters (one per row, within the dead-letter bounds) and its
   * messages are acknowledged once those are stored; if the writer refuses them too, they are
   * counted as dropped and the messages acknowledged anyway.
   */
  private refusedForGood(batch: Batch, error: unknown): void {
    const { counters } = this.deps;
    if (batch.poisoned) {
      counters.deadLettersDropped.refused += batch.deadLetters.length;
      batch.rowsDone = true;
      this.log.error(
        { err: error, deadLetters: batch.deadLetters.length },
        'dead letters of a poisoned batch refused too; dropped',
      );
      return;
    }
    batch.poisoned = true;
    counters.batchesPoisoned++;
    const rows = batch.rows;
    counters.rejected += rows.length;
    counters.rejectedByReason.storage_rejected += rows.length;
    this.log.error(
      { err: error, rows: rows.length, messages: batch.tickets.length },
      'batch write failed for good (not an outage); its rows are dead-lettered as storage_rejected',
    );
    const detail = describeError(error);
    const now = this.deps.now();
    for (let o = 0; o < batch.origins.length; o++) {
      const origin = batch.origins[o]!;
      const end = batch.origins[o + 1]?.start ?? rows.length;
      for (let i = origin.start; i < end; i++) {
        this.deadLetter(batch, origin.key, {
          receivedAtMs: now,
          topic: origin.topic,
          enterprise: origin.enterprise,
          gateway: origin.gateway,
          reason: 'storage_rejected',
          detail,
          raw: Buffer.from(
            JSON.stringify({
              pointId: rows.pointIds[i],
              ts: rows.ts[i],
              value: rows.values[i],
              quality: rows.qualities[i],
            }),
          ),
        });
      }
    }
  }

  private isIdle(): boolean {
    return this.inFlight === 0 && this.queue.length === 0 && this.pending.empty;
  }

  private wakeIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}

/**
 * The offending reading as stored with its dead letter. A reading can be anything JSON allows,
 * including nesting too deep to serialise again: that must not take its message down.
 */
function readingBytes(reading: unknown): Buffer {
  // Already bytes: the reading's text as sent (the decoder's choice when parsing lost its value).
  if (reading instanceof Uint8Array) return Buffer.from(reading);
  try {
    return Buffer.from(JSON.stringify(reading) ?? 'null');
  } catch {
    return Buffer.from('"<reading not serialisable>"');
  }
}

/** An error as a dead letter's detail: its kind and code, then its message. */
function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  return `${error.name}${typeof code === 'string' ? ` ${code}` : ''}: ${error.message}`;
}
