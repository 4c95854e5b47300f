import type pg from 'pg';
import { buildIngestApp, type IngestApp, type IngestConfig, type PointDirectory } from '@hazardwatch/ingest';
import { systemClock, type Clock, type TimerHandle } from '@hazardwatch/kit';
import { PgReadingWriter } from '@hazardwatch/store';
import { logger } from './support.js';

/**
 * Like `startIngest` from support.ts, with the platform clock and timers injected (STYLE.md rule
 * 10): the fuzz test decides the accepted time window exactly, and a test that leaves the
 * pipeline retrying can make its close() return at once.
 */
export function startClockedIngest(
  config: IngestConfig,
  pool: pg.Pool,
  directory: PointDirectory,
  clock: { now: () => number; timers?: Pick<Clock, 'setTimeout'> },
): IngestApp {
  const writer = new PgReadingWriter(pool, { logger, now: clock.now });
  return buildIngestApp(config, {
    logger,
    writer,
    directory: () => directory,
    now: clock.now,
    ...(clock.timers ? { timers: clock.timers } : {}),
  });
}

/** Real timers that can be told to hurry: after `hurry()`, every delay is 0 (ends close()'s 10 s grace). */
export class HurryableTimers implements Pick<Clock, 'setTimeout'> {
  private hurried = false;

  setTimeout(fn: () => void, ms: number): TimerHandle {
    return systemClock.setTimeout(fn, this.hurried ? 0 : ms);
  }

  hurry(): void {
    this.hurried = true;
  }
}
