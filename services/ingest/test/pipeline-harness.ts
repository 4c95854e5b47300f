import { pino } from 'pino';
import type { ParsedTopic } from '@hazardwatch/contracts';
import {
  IngestCounters,
  IngestPipeline,
  pointDirectoryFrom,
  TelemetryDecoder,
  type AckTicket,
  type BatchWriter,
  type DecodeLimits,
  type PipelineOptions,
} from '@hazardwatch/ingest';
import { ManualClock } from '@hazardwatch/kit';
import type { DeadLetterRow, ReadingBuffer, WriteOutcome } from '@hazardwatch/store';

/**
 * Test doubles for the ingest pipeline's own seams: a scripted BatchWriter, a manual clock for the
 * retry backoff, and counting tickets. The decoder is the real one.
 */

/** Fixed platform clock, ms UTC. */
export const NOW = 1_700_000_000_000;
export const TOPIC: ParsedTopic = { enterprise: 'E1', gateway: 'GW1', kind: 'telemetry' };
export const TOPIC_NAME = 'hw/v1/E1/GW1/telemetry';
export const TAGS = Array.from({ length: 10 }, (_, i) => `T${i}`);
/** Point id of TAGS[i] is i + 1. */
export const pointId = (tag: string): number => TAGS.indexOf(tag) + 1;

export const DEFAULT_LIMITS: DecodeLimits = {
  maxPayloadBytes: 1024 * 1024,
  maxReadingsPerMessage: 1000,
  maxFutureSkewMs: 300_000,
  maxAgeMs: 86_400_000,
};

export const DEFAULT_OPTIONS: PipelineOptions = {
  maxBatchRows: 1000,
  maxInFlightWrites: 1,
  maxBufferedRows: 10_000,
  maxDeadLettersQueued: 100,
  maxDeadLetterQueuedBytes: 1024 * 1024,
  maxDeadLetterRawBytes: 4096,
  deadLetterRatePerSec: 1000,
  deadLetterBurst: 1000,
  retryInitialDelayMs: 100,
  retryMaxDelayMs: 1000,
};

export type Row = [pointId: number, ts: number, value: number, quality: number];

export interface WriteCall {
  readonly rows: Row[];
  readonly deadLetters: DeadLetterRow[];
  resolve(outcome?: Partial<WriteOutcome>): void;
  reject(error: Error): void;
  settled: boolean;
}

/** A BatchWriter whose writes stay open until the test settles them (or `respond` answers at once). */
export class ScriptedWriter implements BatchWriter {
  readonly calls: WriteCall[] = [];
  /** Answers a write immediately; return undefined to leave it open. */
  respond: ((call: WriteCall) => 'ok' | Error | undefined) | undefined;

  write(rows: ReadingBuffer, deadLetters: readonly DeadLetterRow[]): Promise<WriteOutcome> {
    const copy: Row[] = [];
    for (let i = 0; i < rows.length; i++)
      copy.push([rows.pointIds[i]!, rows.ts[i]!, rows.values[i]!, rows.qualities[i]!]);
    return new Promise<WriteOutcome>((resolve, reject) => {
      const call: WriteCall = {
        rows: copy,
        deadLetters: [...deadLetters],
        settled: false,
        resolve: (outcome = {}) => {
          call.settled = true;
          resolve({
            rows: copy.length - (outcome.storageRejected ?? 0) - (outcome.duplicates ?? 0),
            duplicates: 0,
            storageRejected: 0,
            deduplicated: false,
            deadLettersLost: 0,
            ...outcome,
          });
        },
        reject: (error) => {
          call.settled = true;
          reject(error);
        },
      };
      this.calls.push(call);
      const answer = this.respond?.(call);
      if (answer === 'ok') call.resolve();
      else if (answer instanceof Error) call.reject(answer);
    });
  }

  get open(): WriteCall[] {
    return this.calls.filter((c) => !c.settled);
  }

  /** The one open write; fails the test if there is not exactly one. */
  only(): WriteCall {
    const open = this.open;
    if (open.length !== 1) throw new Error(`expected exactly one open write, found ${open.length}`);
    return open[0]!;
  }
}

export class CountingTicket implements AckTicket {
  count = 0;
  dropped = 0;
  done(): void {
    this.count++;
  }
  drop(): void {
    this.dropped++;
  }
}

/**
 * Lets queued macrotasks and promise continuations run: the pipeline schedules its flush with
 * setImmediate so that every packet already read joins the batch. Not a sleep: no time passes.
 */
export async function settle(turns = 5): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

export interface Harness {
  readonly pipeline: IngestPipeline;
  readonly writer: ScriptedWriter;
  /** The retry backoff's timers: nothing fires until `advance`. */
  readonly timers: ManualClock;
  readonly counters: IngestCounters;
  readonly observed: Row[];
  readonly intake: { pauses: number; resumes: number };
  /** The platform clock the pipeline reads (dead-letter rate limits); tests move it. */
  readonly clock: { ms: number };
  /** Sends one message; returns its ticket. */
  send(payload: string | Buffer): CountingTicket;
}

export function harness(
  options: Partial<PipelineOptions> = {},
  limits: Partial<DecodeLimits> = {},
  /** The backoff's jitter draw; Math.random when not given. */
  random?: () => number,
): Harness {
  const directory = pointDirectoryFrom(
    [{ enterprise: 'E1', code: 'GW1' }],
    TAGS.map((tag) => ({ enterprise: 'E1', tag, id: pointId(tag), gateway: 'GW1', enabled: true })),
  );
  const writer = new ScriptedWriter();
  const timers = new ManualClock();
  const counters = new IngestCounters();
  const observed: Row[] = [];
  const intake = { pauses: 0, resumes: 0 };
  const clock = { ms: NOW };
  const pipeline = new IngestPipeline(
    {
      decoder: new TelemetryDecoder(() => directory, { ...DEFAULT_LIMITS, ...limits }),
      writer,
      counters,
      observers: [{ observe: (id, ts, value, quality) => void observed.push([id, ts, value, quality]) }],
      logger: pino({ level: 'silent' }),
      now: () => clock.ms,
      timers,
      ...(random ? { random } : {}),
      intake: { pause: () => void intake.pauses++, resume: () => void intake.resumes++ },
    },
    { ...DEFAULT_OPTIONS, ...options },
  );
  return {
    pipeline,
    writer,
    timers,
    counters,
    observed,
    intake,
    clock,
    send: (payload) => {
      const ticket = new CountingTicket();
      pipeline.acceptTelemetry(
        TOPIC,
        TOPIC_NAME,
        Buffer.isBuffer(payload) ? payload : Buffer.from(payload),
        ticket,
      );
      return ticket;
    },
  };
}

/** A telemetry message of `n` good readings on consecutive tags, source timestamps from `ts`. */
export function goodMessage(n: number, ts = NOW - 60_000, value = 1): string {
  const readings = Array.from({ length: n }, (_, i) => ({
    tag: TAGS[i % TAGS.length]!,
    ts: ts + i,
    value: value + i,
  }));
  return JSON.stringify({ readings });
}

/** The rows `goodMessage(n, ts, value)` decodes to. */
export function goodRows(n: number, ts = NOW - 60_000, value = 1): Row[] {
  return Array.from({ length: n }, (_, i) => [pointId(TAGS[i % TAGS.length]!), ts + i, value + i, 0]);
}
