import type { DeadLetterRow } from '@hazardwatch/store';
import type { IngestCounters } from './ingest-counters.js';

export interface DeadLetterGateOptions {
  /** Letters waiting for storage (gathered, queued and being written), at most. */
  readonly maxQueued: number;
  /** Bytes those letters hold (raw payload plus texts, UTF-16 length as bytes), at most. */
  readonly maxQueuedBytes: number;
  /** Raw payload bytes kept per letter; longer payloads are cut (and counted as truncated). */
  readonly maxRawBytes: number;
  /** Sustained dead letters per gateway per second (token bucket refill). */
  readonly ratePerSec: number;
  /** Dead letters a gateway may produce at once (token bucket size). */
  readonly burst: number;
}

interface Bucket {
  tokens: number;
  atMs: number;
}

/**
 * Decides which dead letters are kept, so that neither memory nor the table grows with what
 * devices send: per gateway a token bucket (a flood from one device cannot crowd out the others'
 * letters, and made-up gateways share one bucket), then a bound on letters and bytes waiting for
 * storage. A letter refused is counted by reason, never silently lost; a kept letter's raw payload
 * is cut to `maxRawBytes` and copied, so it does not pin the MQTT packet it came from.
 */
export class DeadLetterGate {
  private readonly buckets = new Map<string, Bucket>();
  private queued = 0;
  private queuedBytes = 0;

  constructor(
    private readonly options: DeadLetterGateOptions,
    private readonly counters: IngestCounters,
    private readonly now: () => number,
  ) {}

  /** Letters admitted and not yet released. */
  get queuedLetters(): number {
    return this.queued;
  }

  /**
   * The letter to keep (raw cut and copied), or undefined when it is dropped (counted).
   * `key` names the gateway's bucket; callers bound it (unknown gateways share one key).
   */
  admit(key: string, letter: DeadLetterRow): { letter: DeadLetterRow; bytes: number } | undefined {
    const { counters, options } = this;
    const raw = letter.raw;
    const rawBytes = raw ? Math.min(raw.byteLength, options.maxRawBytes) : 0;
    const bytes =
      rawBytes +
      letter.topic.length +
      letter.reason.length +
      (letter.detail?.length ?? 0) +
      (letter.tag?.length ?? 0) +
      (letter.enterprise?.length ?? 0) +
      (letter.gateway?.length ?? 0);
    if (this.queued + 1 > options.maxQueued || this.queuedBytes + bytes > options.maxQueuedBytes) {
      counters.deadLettersDropped.queue_full++;
      return undefined;
    }
    if (!this.take(key)) {
      counters.deadLettersDropped.rate_limited++;
      return undefined;
    }
    if (raw && raw.byteLength > options.maxRawBytes) counters.deadLettersTruncated++;
    this.queued++;
    this.queuedBytes += bytes;
    return {
      letter: raw ? { ...letter, raw: Buffer.from(raw.subarray(0, rawBytes)) } : letter,
      bytes,
    };
  }

  /** Letters that left memory (stored, or given up). */
  release(letters: number, bytes: number): void {
    this.queued -= letters;
    this.queuedBytes -= bytes;
  }

  private take(key: string): boolean {
    const nowMs = this.now();
    const { burst, ratePerSec } = this.options;
    let bucket = this.buckets.get(key);
    if (!bucket) this.buckets.set(key, (bucket = { tokens: burst, atMs: nowMs }));
    const elapsedMs = Math.max(0, nowMs - bucket.atMs);
    bucket.tokens = Math.min(burst, bucket.tokens + (elapsedMs * ratePerSec) / 1000);
    bucket.atMs = nowMs;
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }
}
