import { describe, expect, it } from 'vitest';
import { ManualClock } from '@hazardwatch/kit';
import { judgeJob, judgeJobs, type JobObservation, type JobVerdict } from '@hazardwatch/core';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const T0 = Date.UTC(2026, 11, 6, 0, 0);

/** A compression job: every 12 h, so stale after 24 h without a success. */
const job = (over: Partial<JobObservation> = {}): JobObservation => ({
  identity: 'compression:readings',
  scheduled: true,
  scheduleIntervalMs: 12 * HOUR,
  registeredAtMs: T0,
  lastSuccessAtMs: null,
  lastRunStatus: null,
  ...over,
});

describe('judgeJob', () => {
  const cases: Array<[string, Partial<JobObservation>, number, JobVerdict, string | null]> = [
    ['registered, never ran, within 2 × interval', {}, T0 + 24 * HOUR, 'healthy', null],
    ['registered, never ran, 2 × interval passed', {}, T0 + 24 * HOUR + 1, 'stale', 'JOB_STALE'],
    [
      'succeeded within 2 × interval',
      { lastSuccessAtMs: T0 + 30 * HOUR, lastRunStatus: 'Success' },
      T0 + 50 * HOUR,
      'healthy',
      null,
    ],
    [
      'last success longer ago than 2 × interval',
      { lastSuccessAtMs: T0 + 30 * HOUR, lastRunStatus: 'Success' },
      T0 + 54 * HOUR + 1,
      'stale',
      'JOB_STALE',
    ],
    [
      'last run failed, success recent (failing wins)',
      { lastSuccessAtMs: T0 + HOUR, lastRunStatus: 'Failed' },
      T0 + 2 * HOUR,
      'failing',
      'JOB_FAILED',
    ],
    [
      'last run failed and stale (one alarm: failed)',
      { lastRunStatus: 'Failed' },
      T0 + 100 * HOUR,
      'failing',
      'JOB_FAILED',
    ],
    ['paused, within 2 × interval', { scheduled: false }, T0 + HOUR, 'unscheduled', null],
    ['paused and stale', { scheduled: false }, T0 + 25 * HOUR, 'stale', 'JOB_STALE'],
    [
      're-registered after an old success: counts from the registration',
      { lastSuccessAtMs: T0 - 100 * HOUR, registeredAtMs: T0, lastRunStatus: 'Success' },
      T0 + 23 * HOUR,
      'healthy',
      null,
    ],
  ];
  it.each(cases)('%s', (_name, over, nowMs, verdict, condition) => {
    const health = judgeJob(job(over), nowMs, T0 - 1000 * HOUR);
    expect(health.verdict).toBe(verdict);
    expect(health.condition).toBe(condition);
    expect(health.limitMs).toBe(24 * HOUR);
  });

  it('counts a job that says neither registration nor success from when watching began', () => {
    const unknown = job({ registeredAtMs: null });
    expect(judgeJob(unknown, T0 + 24 * HOUR, T0 + HOUR).verdict).toBe('healthy');
    expect(judgeJob(unknown, T0 + 25 * HOUR + 1, T0 + HOUR)).toMatchObject({
      verdict: 'stale',
      sinceMs: T0 + HOUR,
      staleAtMs: T0 + 25 * HOUR,
    });
  });
});

describe('judgeJobs', () => {
  it('judges every job at the clock’s now, a 1-minute refresh sooner than daily retention', () => {
    const clock = new ManualClock(T0);
    const jobs = [
      job({ identity: 'refresh:readings_1m', scheduleIntervalMs: MINUTE }),
      job({ identity: 'retention:readings', scheduleIntervalMs: 24 * HOUR }),
    ];
    expect(judgeJobs(jobs, clock, T0).map((h) => h.verdict)).toEqual(['healthy', 'healthy']);
    clock.advance(3 * MINUTE);
    expect(judgeJobs(jobs, clock, T0).map((h) => [h.identity, h.verdict])).toEqual([
      ['refresh:readings_1m', 'stale'],
      ['retention:readings', 'healthy'],
    ]);
  });
});
