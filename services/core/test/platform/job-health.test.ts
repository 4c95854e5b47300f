import { describe, expect, it } from 'vitest';
import { ManualClock } from '@hazardwatch/kit';
import {
  KNOWN_CLASH_ERROR,
  judgeJob,
  judgeJobs,
  type JobObservation,
  type JobVerdict,
} from '@hazardwatch/core';

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
      staleCause: 'run',
      overdueMs: 24 * HOUR + 1,
    });
  });
});

describe('judgeJob by the effect (PostgreSQL 15.20: every job reports the clash)', () => {
  const DAY = 24 * HOUR;
  const NOW = T0 + 10 * DAY;
  /** compress_after 7 days, every 12 h: a chunk must be compressed once it ended 8 days ago. */
  const compression = (over: Partial<JobObservation> = {}): JobObservation =>
    job({
      lastRunStatus: 'Failed',
      lastRunFinishedAtMs: NOW - HOUR,
      lastError: KNOWN_CLASH_ERROR,
      effect: { afterMs: 7 * DAY, oldestPendingEndMs: NOW - 7 * DAY - HOUR },
      ...over,
    });
  const cases: Array<[string, Partial<JobObservation>, JobVerdict, string | null, boolean | null]> = [
    ['clash, effect met: effective, no alarm', {}, 'effective', null, true],
    [
      'clash, nothing pending at all: effective',
      { effect: { afterMs: 7 * DAY, oldestPendingEndMs: null } },
      'effective',
      null,
      true,
    ],
    [
      'clash, an uncompressed chunk ended more than compress_after + 2 × interval ago: failing',
      { effect: { afterMs: 7 * DAY, oldestPendingEndMs: NOW - 8 * DAY - 1 } },
      'failing',
      'JOB_FAILED',
      false,
    ],
    ['clash, effect not read: failing as before', { effect: null }, 'failing', 'JOB_FAILED', null],
    [
      'another error with the effect met: failing',
      { lastError: 'permission denied for table readings_encoded' },
      'failing',
      'JOB_FAILED',
      true,
    ],
    [
      'clash, effect met, but the last run ended more than 2 × interval ago: stale',
      { lastRunFinishedAtMs: NOW - 24 * HOUR - 1 },
      'stale',
      'JOB_STALE',
      true,
    ],
    ['clash, effect met, paused: unscheduled', { scheduled: false }, 'unscheduled', null, true],
    [
      'succeeded recently but the effect is not met: stale',
      {
        lastRunStatus: 'Success',
        lastError: null,
        lastSuccessAtMs: NOW - HOUR,
        effect: { afterMs: 7 * DAY, oldestPendingEndMs: NOW - 9 * DAY },
      },
      'stale',
      'JOB_STALE',
      false,
    ],
    [
      'paused and the effect is not met: stale',
      {
        scheduled: false,
        lastRunStatus: null,
        lastError: null,
        registeredAtMs: NOW - HOUR,
        effect: { afterMs: 7 * DAY, oldestPendingEndMs: NOW - 9 * DAY },
      },
      'stale',
      'JOB_STALE',
      false,
    ],
    [
      'succeeded with the effect met: healthy',
      { lastRunStatus: 'Success', lastError: null, lastSuccessAtMs: NOW - HOUR },
      'healthy',
      null,
      true,
    ],
  ];
  it.each(cases)('%s', (_name, over, verdict, condition, effectMet) => {
    const health = judgeJob(compression(over), NOW, T0);
    expect([health.verdict, health.condition, health.effectMet]).toEqual([verdict, condition, effectMet]);
  });

  it('keeps the clash’s text for readiness and metrics, whatever the verdict', () => {
    const text = `ERROR: ${KNOWN_CLASH_ERROR}`;
    expect(judgeJob(compression({ lastError: text }), NOW, T0).clash).toBe(text);
    expect(judgeJob(compression({ lastError: 'other' }), NOW, T0).clash).toBeNull();
  });

  it('says why it is stale and how overdue, above the limit also when only the effect is not met', () => {
    // Succeeded an hour ago; a chunk that ended 9 days ago fell due at 2 days (7 + 2 × 12 h slack).
    const effectOnly = judgeJob(
      compression({
        lastRunStatus: 'Success',
        lastError: null,
        lastSuccessAtMs: NOW - HOUR,
        effect: { afterMs: 7 * DAY, oldestPendingEndMs: NOW - 9 * DAY },
      }),
      NOW,
      T0,
    );
    expect(effectOnly).toMatchObject({
      verdict: 'stale',
      staleCause: 'effect',
      overdueMs: 2 * DAY,
      limitMs: 24 * HOUR,
    });
    expect(effectOnly.overdueMs!).toBeGreaterThan(effectOnly.limitMs);
    // Just past the slack: 1 ms over the limit, never below it.
    const justOver = judgeJob(
      compression({
        lastRunStatus: 'Success',
        lastError: null,
        lastSuccessAtMs: NOW - HOUR,
        effect: { afterMs: 7 * DAY, oldestPendingEndMs: NOW - 8 * DAY - 1 },
      }),
      NOW,
      T0,
    );
    expect([justOver.staleCause, justOver.overdueMs]).toEqual(['effect', 24 * HOUR + 1]);
    expect(effectOnly.cause).toBe('NOT_COMPRESSED');
    // Paused, registered an hour ago, a chunk left: the effect, not the run.
    const paused = judgeJob(
      compression({
        scheduled: false,
        lastRunStatus: null,
        lastError: null,
        registeredAtMs: NOW - HOUR,
        effect: { afterMs: 7 * DAY, oldestPendingEndMs: NOW - 9 * DAY },
      }),
      NOW,
      T0,
    );
    expect([paused.staleCause, paused.overdueMs]).toEqual(['effect', 2 * DAY]);
    // No run within 2 × interval and a chunk left: the run (it explains the chunk); since its success.
    const both = judgeJob(
      compression({
        lastRunStatus: 'Success',
        lastError: null,
        lastSuccessAtMs: NOW - 30 * HOUR,
        effect: { afterMs: 7 * DAY, oldestPendingEndMs: NOW - 9 * DAY },
      }),
      NOW,
      T0,
    );
    expect([both.staleCause, both.overdueMs, both.cause]).toEqual(['run', 30 * HOUR, 'NO_SUCCESS_ON_TIME']);
    // Not stale: neither.
    const healthy = judgeJob(
      compression({ effect: { afterMs: 7 * DAY, oldestPendingEndMs: null } }),
      NOW,
      T0,
    );
    expect([healthy.verdict, healthy.staleCause, healthy.overdueMs, healthy.cause]).toEqual([
      'effective',
      null,
      null,
      null,
    ]);
    // Failing with its effect met: the failed run is all that is known; no value.
    const failing = judgeJob(compression({ lastError: 'other' }), NOW, T0);
    expect([failing.verdict, failing.staleCause, failing.overdueMs, failing.cause]).toEqual([
      'failing',
      null,
      null,
      'RUN_FAILED',
    ]);
    // Failing with a chunk left uncompressed: what is left, and how overdue (JOB_FAILED said neither).
    const failingLeft = judgeJob(
      compression({ lastError: 'other', effect: { afterMs: 7 * DAY, oldestPendingEndMs: NOW - 9 * DAY } }),
      NOW,
      T0,
    );
    expect([failingLeft.verdict, failingLeft.overdueMs, failingLeft.limitMs, failingLeft.cause]).toEqual([
      'failing',
      2 * DAY,
      DAY,
      'NOT_COMPRESSED',
    ]);
    // The clash with the effect not met fails the same way (PostgreSQL 15.20).
    const clashLeft = judgeJob(
      compression({ effect: { afterMs: 7 * DAY, oldestPendingEndMs: NOW - 9 * DAY } }),
      NOW,
      T0,
    );
    expect([clashLeft.condition, clashLeft.overdueMs, clashLeft.cause]).toEqual([
      'JOB_FAILED',
      2 * DAY,
      'NOT_COMPRESSED',
    ]);
  });

  it('judges retention by its oldest chunk against drop_after + 2 × interval', () => {
    const retention = (oldestPendingEndMs: number): JobObservation =>
      compression({
        identity: 'retention:readings',
        scheduleIntervalMs: DAY,
        effect: { afterMs: 30 * DAY, oldestPendingEndMs },
      });
    expect(judgeJob(retention(NOW - 32 * DAY), NOW, T0).verdict).toBe('effective');
    expect(judgeJob(retention(NOW - 32 * DAY - 1), NOW, T0).verdict).toBe('failing');
  });

  it('names the cause of an effect not met by the policy: not compressed, not dropped, or another', () => {
    const left = (identity: string): JobObservation =>
      compression({
        identity,
        lastRunStatus: 'Success',
        lastError: null,
        lastSuccessAtMs: NOW - HOUR,
        effect: { afterMs: 7 * DAY, oldestPendingEndMs: NOW - 9 * DAY },
      });
    expect(
      ['compression:readings', 'retention:readings_1h', 'refresh:readings_1m'].map(
        (identity) => judgeJob(left(identity), NOW, T0).cause,
      ),
    ).toEqual(['NOT_COMPRESSED', 'NOT_DROPPED', 'EFFECT_NOT_MET']);
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
