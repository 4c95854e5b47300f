import { qualityFromCode, type LiveValue } from '@hazardwatch/contracts';
import { systemClock, type Clock, type TimerHandle } from '@hazardwatch/kit';
import type { ReadingBuffer } from '@hazardwatch/store';
import type { ReadingObserver } from './ingest-pipeline.js';

/** Where a tap delivers its batches of latest values (the API's live gateway is one). */
export interface LiveValueSink {
  values(values: readonly LiveValue[]): void;
}

export interface LiveValueTapOptions {
  /** How often pending values are flushed to the sinks, ms. @default 25 */
  readonly intervalMs?: number;
  /** @default systemClock */
  readonly clock?: Clock;
}

/**
 * Latest value per point since the last flush: the ingest's hot path only overwrites a map entry,
 * and each sink gets one batch per interval (the live gateway then conflates per client to its
 * own pace). Idle — no timer, nothing kept — while no sink is attached.
 */
export class LiveValueTap implements ReadingObserver {
  private pending = new Map<number, LiveValue>();
  private readonly sinks = new Set<LiveValueSink>();
  private timer: TimerHandle | undefined;
  private readonly intervalMs: number;
  private readonly clock: Clock;

  constructor(options: LiveValueTapOptions = {}) {
    this.intervalMs = options.intervalMs ?? 25;
    this.clock = options.clock ?? systemClock;
  }

  observe(pointId: number, ts: number, value: number, quality: number): void {
    if (this.sinks.size === 0) return;
    const previous = this.pending.get(pointId);
    if (previous && previous.ts > ts) return;
    this.pending.set(pointId, { pointId, ts, value, quality: qualityFromCode(quality) ?? 'bad' });
  }

  observeRows(rows: ReadingBuffer, start: number, end: number): void {
    if (this.sinks.size === 0) return;
    for (let i = start; i < end; i++)
      this.observe(rows.pointIds[i]!, rows.ts[i]!, rows.values[i]!, rows.qualities[i]!);
  }

  /** Starts delivering batches to `sink`; the returned function stops it. */
  add(sink: LiveValueSink): () => void {
    this.sinks.add(sink);
    this.timer ??= this.clock.setInterval(() => this.flush(), this.intervalMs);
    return () => {
      this.sinks.delete(sink);
      if (this.sinks.size === 0 && this.timer !== undefined) {
        this.clock.clearInterval(this.timer);
        this.timer = undefined;
        this.pending.clear();
      }
    };
  }

  private flush(): void {
    if (this.pending.size === 0) return;
    const batch = [...this.pending.values()];
    this.pending = new Map();
    for (const sink of this.sinks) sink.values(batch);
  }
}
