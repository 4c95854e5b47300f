import type { Logger } from 'pino';
import type { Clock, TimerHandle } from '@hazardwatch/kit';
import { completeBefore, nextRollupAt } from './minute-rollups.js';

/**
 * The ingest service's timed duties on one injected clock: periodic maintenance, the alarm tick,
 * and the once-a-minute rollup. A failing duty is logged and runs again at its next time; `stop`
 * clears every timer and waits for a rollup under way.
 */
export class DutySchedule {
  private readonly intervals: TimerHandle[] = [];
  private minuteTimer: TimerHandle | undefined;
  private minuteRun: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  /** Runs `task` every `ms`; a rejection is logged as a failed maintenance task. */
  every(ms: number, what: string, task: () => Promise<unknown>): void {
    this.intervals.push(
      this.clock.setInterval(
        () =>
          void task().catch((err: unknown) => this.log.error({ err, task: what }, 'maintenance task failed')),
        ms,
      ),
    );
  }

  /** Runs a synchronous `step` every `ms` (the alarm tick). */
  tick(ms: number, step: () => void): void {
    this.intervals.push(this.clock.setInterval(step, ms));
  }

  /**
   * Runs `task(completeBeforeMs)` `graceMs` after each minute boundary, for the minutes that are
   * over; paced and chained, so a long run delays the next and never overlaps it.
   */
  afterEachMinute(graceMs: number, what: string, task: (completeBeforeMs: number) => Promise<void>): void {
    const schedule = (): void => {
      if (this.stopped) return;
      const now = this.clock.now();
      this.minuteTimer = this.clock.setTimeout(
        () => {
          this.minuteRun = task(completeBefore(this.clock.now(), graceMs))
            .catch((err: unknown) => this.log.error({ err, task: what }, 'maintenance task failed'))
            .finally(schedule);
        },
        nextRollupAt(now, graceMs) - now,
      );
    };
    schedule();
  }

  /** Clears every timer; resolves once a minute task under way has finished. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.intervals.splice(0)) this.clock.clearInterval(t);
    this.clock.clearTimeout(this.minuteTimer);
    await this.minuteRun;
  }
}
