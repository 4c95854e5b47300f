import { describe, expect, it } from 'vitest';
import type { ConditionChange } from '@hazardwatch/core';
import { TimescaleJobWatch } from '@hazardwatch/ingest';
import { ManualClock } from '@hazardwatch/kit';
import type { TimescaleJobRow } from '@hazardwatch/store';
import { logger } from './support.js';

const MINUTE = 60_000;
const T0 = Date.UTC(2026, 11, 6, 8, 0);

const refresh: TimescaleJobRow = {
  identity: 'refresh:readings_1m',
  jobId: 1002,
  scheduled: true,
  scheduleIntervalMs: MINUTE,
  registeredAtMs: T0,
  lastRunStartedAtMs: T0 + 30_000,
  lastRunFinishedAtMs: T0 + 31_000,
  lastSuccessAtMs: T0 + 31_000,
  lastRunStatus: 'Success',
  jobStatus: 'Scheduled',
  nextStartMs: T0 + 91_000,
  totalRuns: 1,
  totalSuccesses: 1,
  totalFailures: 0,
  lastError: null,
  effect: null,
};

describe('TimescaleJobWatch', () => {
  it('keeps its last judgement when the statistics cannot be read, and counts the failed read', async () => {
    const clock = new ManualClock(T0 + MINUTE);
    let fail = false;
    const changes: ConditionChange[] = [];
    const watch = new TimescaleJobWatch({
      readJobs: () => (fail ? Promise.reject(new Error('connection refused')) : Promise.resolve([refresh])),
      clock,
      logger,
      alarms: { change: (c) => void changes.push(c) },
    });
    await watch.check();
    // First check: every condition told once (inactive), so a restored alarm is brought up to date.
    expect(changes.map((c) => [c.condition, c.active])).toEqual([
      ['JOB_FAILED', false],
      ['JOB_STALE', false],
    ]);
    fail = true;
    clock.advance(10 * MINUTE);
    await expect(watch.check()).resolves.toBeUndefined();
    expect(watch.degraded()).toEqual([]);
    expect(changes).toHaveLength(2);
    const metrics = await watch.metrics();
    expect(metrics).toContain('hw_timescaledb_job_reads_failed_total 1');
    expect(metrics).toContain('hw_timescaledb_job_healthy{job="refresh:readings_1m"} 1');
    expect(metrics).toContain(
      'hw_timescaledb_job_last_success_timestamp_seconds{job="refresh:readings_1m"} 1796544031',
    );

    fail = false;
    await watch.check();
    expect(watch.degraded().map((j) => [j.job, j.verdict])).toEqual([['refresh:readings_1m', 'stale']]);
    expect(changes.slice(2).map((c) => [c.condition, c.active, c.limit])).toEqual([
      ['JOB_STALE', true, 2 * MINUTE],
    ]);
  });

  it('raises JOB_STALE for an effect not met with how overdue the chunk is, above the limit', async () => {
    const DAY = 24 * 60 * MINUTE;
    const now = T0 + 10 * DAY;
    const changes: ConditionChange[] = [];
    // Compression every 12 h, compress_after 7 days, succeeded a minute ago; a chunk that ended
    // 9 days ago is still uncompressed: due at 7 days, 2 days overdue against 24 h of slack.
    const compression: TimescaleJobRow = {
      ...refresh,
      identity: 'compression:readings',
      scheduleIntervalMs: 12 * 60 * MINUTE,
      lastRunStartedAtMs: now - 2 * MINUTE,
      lastRunFinishedAtMs: now - MINUTE,
      lastSuccessAtMs: now - MINUTE,
      effect: { afterMs: 7 * DAY, oldestPendingEndMs: now - 9 * DAY },
    };
    const watch = new TimescaleJobWatch({
      readJobs: () => Promise.resolve([compression]),
      clock: new ManualClock(now),
      logger,
      alarms: { change: (c) => void changes.push(c) },
    });
    await watch.check();
    expect(changes.map((c) => [c.condition, c.active, c.value, c.limit, c.cause])).toEqual([
      ['JOB_FAILED', false, null, null, undefined],
      ['JOB_STALE', true, 2 * DAY, DAY, 'NOT_COMPRESSED'],
    ]);
    expect(watch.degraded().map((j) => [j.verdict, j.staleCause, j.effectMet])).toEqual([
      ['stale', 'effect', false],
    ]);
  });

  it('raises JOB_FAILED with what is left and how overdue, or with the failed run alone', async () => {
    const DAY = 24 * 60 * MINUTE;
    const now = T0 + 10 * DAY;
    const failed = (oldestPendingEndMs: number | null): TimescaleJobRow => ({
      ...refresh,
      identity: 'compression:readings',
      scheduleIntervalMs: 12 * 60 * MINUTE,
      lastRunStartedAtMs: now - 2 * MINUTE,
      lastRunFinishedAtMs: now - MINUTE,
      lastRunStatus: 'Failed',
      lastError: 'permission denied for table readings',
      lastSuccessAtMs: now - MINUTE - 12 * 60 * MINUTE,
      effect: { afterMs: 7 * DAY, oldestPendingEndMs },
    });
    const raised = async (row: TimescaleJobRow) => {
      const changes: ConditionChange[] = [];
      await new TimescaleJobWatch({
        readJobs: () => Promise.resolve([row]),
        clock: new ManualClock(now),
        logger,
        alarms: { change: (c) => void changes.push(c) },
      }).check();
      return changes.map((c) => [c.condition, c.active, c.value, c.limit, c.cause]);
    };
    // A chunk that ended 9 days ago is still uncompressed: 2 days overdue against 24 h of slack.
    expect(await raised(failed(now - 9 * DAY))).toEqual([
      ['JOB_FAILED', true, 2 * DAY, DAY, 'NOT_COMPRESSED'],
      ['JOB_STALE', false, null, DAY, undefined],
    ]);
    // Nothing left: the failed run is all that is known.
    expect(await raised(failed(null))).toEqual([
      ['JOB_FAILED', true, null, null, 'RUN_FAILED'],
      ['JOB_STALE', false, null, DAY, undefined],
    ]);
  });
});
