import { qualityFromCode, type LiveValue } from '@hazardwatch/contracts';
import type { ReadingObserver } from '@hazardwatch/ingest';
import type { ReadingBuffer } from '@hazardwatch/store';
import type { IngestService } from './ingest-service.js';

/** What the live gateway subscribes to (structurally the API's LiveSource). */
export interface InProcessLiveSink {
  stored(events: {
    alarmEvents: readonly unknown[];
    colourChanges: readonly unknown[];
    warningEvents: readonly unknown[];
  }): void;
  values(values: readonly LiveValue[]): void;
  gateway(presence: {
    enterprise: string;
    gateway: string;
    online: boolean;
    ts: number;
    spoolDepth: number | null;
  }): void;
}

/**
 * Latest value per point since the last flush: the ingest's hot path only overwrites a map entry,
 * and the live gateway gets one batch per interval (each client then conflates to its own pace).
 */
export class LiveValueTap implements ReadingObserver {
  private pending = new Map<number, LiveValue>();
  private readonly sinks = new Set<InProcessLiveSink>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly intervalMs = 25) {}

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

  add(sink: InProcessLiveSink): () => void {
    this.sinks.add(sink);
    this.timer ??= setInterval(() => this.flush(), this.intervalMs);
    return () => {
      this.sinks.delete(sink);
      if (this.sinks.size === 0 && this.timer) {
        clearInterval(this.timer);
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

/** The ingest service of this process as the live gateway's event source. */
export function liveSourceFor(
  service: IngestService,
  tap: LiveValueTap,
): { subscribe(sink: InProcessLiveSink): () => void } {
  return {
    subscribe: (sink) => {
      const stops = [
        service.alarms.onStored((events) => sink.stored(events)),
        service.app.presence.onChange((g) =>
          sink.gateway({
            enterprise: g.enterprise,
            gateway: g.gateway,
            online: g.online,
            ts: g.lastSeenMs,
            spoolDepth: g.spoolDepth ?? null,
          }),
        ),
        tap.add(sink),
      ];
      return () => {
        for (const stop of stops) stop?.();
      };
    },
  };
}
