import type pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_ALARM_SETTINGS, EMPTY_SITE, KNOWN_CLASH_ERROR, SiteIndex } from '@hazardwatch/core';
import { AlarmEngine, TimescaleJobWatch, type DurableWork } from '@hazardwatch/ingest';
import { ManualClock } from '@hazardwatch/kit';
import {
  AlarmRepository,
  alarmEnterprise,
  migrate,
  NotificationOutbox,
  queryAlarms,
  sqlClientFromPg,
  WarningRepository,
  type SqlClient,
  type TimescaleJobRow,
} from '@hazardwatch/store';
import { createTestDatabase, openTestPool, providedServices, type TestDatabase } from '@hazardwatch/testkit';
import { logger } from './support.js';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 11, 6, 8, 0);
const KEY = 'platform:timescaledb/compression:readings';

/** The compression policy as the store reads it: every 12 h, registered at T0, never run. */
const compression = (over: Partial<TimescaleJobRow> = {}): TimescaleJobRow => ({
  identity: 'compression:readings',
  jobId: 1001,
  scheduled: true,
  scheduleIntervalMs: 12 * HOUR,
  registeredAtMs: T0,
  lastRunStartedAtMs: null,
  lastRunFinishedAtMs: null,
  lastSuccessAtMs: null,
  lastRunStatus: null,
  jobStatus: 'Scheduled',
  nextStartMs: null,
  totalRuns: 0,
  totalSuccesses: 0,
  totalFailures: 0,
  lastError: null,
  effect: null,
  ...over,
});

/**
 * The platform's own alarm for a TimescaleDB job (issue #20): raised through the alarm engine
 * into the real alarms tables when a job is stale or failing, and back to normal when it
 * succeeds; no enterprise (admin only), no roll-up colour, no 预警. The job statistics come from
 * the watch's read seam (the store query itself runs against TimescaleDB in
 * store/test/timescale-jobs.int.test.ts).
 */
describe('TimescaleDB job health as a platform alarm (real database)', () => {
  const { postgresAdminUrl } = providedServices();
  let db: TestDatabase;
  let pool: pg.Pool;
  let client: SqlClient;
  let clock: ManualClock;
  let attached: DurableWork[];
  let jobs: TimescaleJobRow[];

  const engine = (): AlarmEngine =>
    new AlarmEngine({
      index: new SiteIndex(EMPTY_SITE),
      logger,
      now: () => clock.now(),
      client,
      alarms: new AlarmRepository(client),
      warnings: new WarningRepository(client),
      outbox: new NotificationOutbox(client),
      joinBatch: (work) => void attached.push(work),
      settings: DEFAULT_ALARM_SETTINGS,
    });
  const watch = (host: AlarmEngine | undefined): TimescaleJobWatch =>
    new TimescaleJobWatch({
      readJobs: () => Promise.resolve(jobs),
      clock,
      logger,
      ...(host ? { alarms: host } : {}),
    });
  /** Everything the engine produced is stored. */
  const stored = async (): Promise<void> => {
    await Promise.all(attached.splice(0).map((w) => w()));
  };
  const alarmRows = async () =>
    (
      await client.query<{
        id: string;
        condition: string;
        state: string;
        enterprise: string | null;
        point_id: number | null;
        colour: string;
        closed: boolean;
      }>(
        `SELECT id, condition, state, enterprise, point_id, colour, closed_at IS NOT NULL AS closed
         FROM alarms WHERE source_key = $1 ORDER BY raised_at, id`,
        [KEY],
      )
    ).rows;
  const transitions = async (alarmId: string) =>
    (
      await client.query<{ t: string }>(
        `SELECT from_state || '>' || to_state AS t FROM alarm_events WHERE alarm_id = $1 ORDER BY id`,
        [alarmId],
      )
    ).rows.map((r) => r.t);

  beforeEach(async () => {
    db = await createTestDatabase(postgresAdminUrl);
    pool = openTestPool(db.url, { max: 4 });
    client = sqlClientFromPg(pool);
    await migrate(client, { logger, dialect: 'postgres' });
    clock = new ManualClock(T0);
    attached = [];
    jobs = [compression()];
  });
  afterEach(async () => {
    await pool.end();
    await db.drop();
  });

  it('raises JOB_STALE after 2 × the interval without a success, for admins only, and returns it once the job succeeds', async () => {
    const host = engine();
    await host.restore();
    const w = watch(host);
    await w.check();
    clock.advance(24 * HOUR);
    await w.check();
    await stored();
    expect(await alarmRows()).toEqual([]);
    expect(w.degraded()).toEqual([]);

    clock.advance(60_000);
    await w.check();
    await stored();
    const [raised] = await alarmRows();
    expect(raised).toMatchObject({
      condition: 'JOB_STALE',
      state: 'UNACK',
      enterprise: null,
      point_id: null,
      colour: 'blue',
      closed: false,
    });
    expect(w.degraded()).toEqual([
      {
        job: 'compression:readings',
        verdict: 'stale',
        jobId: 1001,
        lastRunStatus: null,
        lastSuccessAt: null,
        staleAt: T0 + 24 * HOUR,
        error: null,
        effectMet: null,
        staleCause: 'run',
      },
    ]);
    const metrics = await w.metrics();
    expect(metrics).toContain('hw_timescaledb_job_healthy{job="compression:readings"} 0');
    expect(metrics).toContain(
      'hw_timescaledb_job_last_success_timestamp_seconds{job="compression:readings"} 0',
    );
    expect(metrics).toContain('hw_timescaledb_job_runs_total{job="compression:readings"} 0');

    // Never in a roll-up, never a 预警; listed for an admin (every enterprise), not for an enterprise.
    const colours = await client.query('SELECT 1 FROM colour_events');
    const warnings = await client.query('SELECT 1 FROM warnings');
    expect([colours.rows.length, warnings.rows.length]).toEqual([0, 0]);
    const page = { openOnly: true, pointIds: null, limit: 10, offset: 0 };
    const admin = await queryAlarms(client, undefined, { ...page, enterprises: null });
    expect(admin.items.map((a) => [a.condition, a.tag, a.enterprise])).toEqual([
      ['JOB_STALE', 'timescaledb/compression:readings', null],
    ]);
    expect((await queryAlarms(client, undefined, { ...page, enterprises: ['E1'] })).total).toBe(0);
    expect(await alarmEnterprise(client, raised!.id)).toBeNull();

    expect(host.act({ alarmId: raised!.id }, { action: 'ack', actor: 'admin' }).ok).toBe(true);
    await stored();

    clock.advance(HOUR);
    jobs = [
      compression({
        lastRunStartedAtMs: clock.now() - 1000,
        lastRunFinishedAtMs: clock.now(),
        lastSuccessAtMs: clock.now(),
        lastRunStatus: 'Success',
        totalRuns: 1,
        totalSuccesses: 1,
      }),
    ];
    await w.check();
    await stored();
    expect(await alarmRows()).toMatchObject([{ condition: 'JOB_STALE', state: 'NORM', closed: true }]);
    expect(await transitions(raised!.id)).toEqual(['NORM>UNACK', 'UNACK>ACKED', 'ACKED>NORM']);
    const raise = await client.query<{ value: number; reason: string }>(
      `SELECT value, reason FROM alarm_events WHERE alarm_id = $1 ORDER BY id LIMIT 1`,
      [raised!.id],
    );
    // Stale by the run: 24 h 1 min without a success, against 24 h; the raise says so.
    expect(raise.rows.map((r) => [Number(r.value), r.reason])).toEqual([
      [24 * HOUR + 60_000, 'condition active: no successful run on time'],
    ]);
    expect(w.degraded()).toEqual([]);
    expect(await w.metrics()).toContain('hw_timescaledb_job_healthy{job="compression:readings"} 1');
  });

  it('raises one JOB_FAILED for a failing job, not a second after a restart, and returns it on success', async () => {
    jobs = [
      compression({
        lastRunStartedAtMs: T0 + HOUR,
        lastRunFinishedAtMs: T0 + HOUR,
        lastRunStatus: 'Failed',
        totalRuns: 1,
        totalFailures: 1,
      }),
    ];
    clock.advance(30 * HOUR); // stale as well: one alarm, the failure
    const first = engine();
    await first.restore();
    await watch(first).check();
    await stored();
    const [failed] = await alarmRows();
    expect(failed).toMatchObject({ condition: 'JOB_FAILED', state: 'UNACK' });
    expect(await watch(first).metrics()).toBe(await watch(first).metrics()); // scrapes are repeatable

    // A restart: the engine restores the open alarm, a new watch tells the same state again.
    const second = engine();
    await second.restore();
    const w = watch(second);
    await w.check();
    await stored();
    expect((await alarmRows()).map((a) => [a.condition, a.state])).toEqual([['JOB_FAILED', 'UNACK']]);
    expect(await transitions(failed!.id)).toEqual(['NORM>UNACK']);

    clock.advance(HOUR);
    jobs = [
      compression({ lastSuccessAtMs: clock.now(), lastRunStatus: 'Success', totalRuns: 2, totalFailures: 1 }),
    ];
    await w.check();
    await stored();
    // Unacknowledged when it cleared: RTNUN until someone acknowledges it (ISA-18.2).
    expect((await alarmRows()).map((a) => [a.condition, a.state])).toEqual([['JOB_FAILED', 'RTNUN']]);
  });

  it('raises nothing for a run that reports the known clash while its effect is met, JOB_FAILED once the effect is not met', async () => {
    const DAY = 24 * HOUR;
    const clash = `ERROR: ${KNOWN_CLASH_ERROR}`;
    // PostgreSQL 15.20: the run compressed what it should, committed, and reports Failed.
    const ran = (oldestPendingEndMs: number | null): TimescaleJobRow =>
      compression({
        lastRunStartedAtMs: clock.now() - 2000,
        lastRunFinishedAtMs: clock.now() - 1000,
        lastRunStatus: 'Failed',
        totalRuns: 1,
        totalFailures: 1,
        lastError: clash,
        effect: { afterMs: 7 * DAY, oldestPendingEndMs },
      });
    clock.advance(2 * DAY);
    jobs = [ran(clock.now() - 7 * DAY)];
    const host = engine();
    await host.restore();
    const w = watch(host);
    await w.check();
    await stored();
    expect(await alarmRows()).toEqual([]);
    expect(w.degraded()).toEqual([
      expect.objectContaining({
        job: 'compression:readings',
        verdict: 'effective',
        error: clash,
        effectMet: true,
      }),
    ]);
    const metrics = await w.metrics();
    expect(metrics).toContain('hw_timescaledb_job_healthy{job="compression:readings"} 1');
    expect(metrics).toContain('hw_timescaledb_job_effect_met{job="compression:readings"} 1');
    expect(metrics).toContain(
      `hw_timescaledb_job_known_clash{job="compression:readings",error="ERROR: cannot drop portal \\"\\" while it is being set up"} 1`,
    );

    // A chunk left uncompressed: its range ended more than compress_after + 2 × 12 h ago.
    clock.advance(HOUR);
    jobs = [ran(clock.now() - 8 * DAY - 1)];
    await w.check();
    await stored();
    expect((await alarmRows()).map((a) => [a.condition, a.state])).toEqual([['JOB_FAILED', 'UNACK']]);
    expect(w.degraded().map((j) => [j.verdict, j.effectMet])).toEqual([['failing', false]]);
    const unmet = await w.metrics();
    expect(unmet).toContain('hw_timescaledb_job_healthy{job="compression:readings"} 0');
    expect(unmet).toContain('hw_timescaledb_job_effect_met{job="compression:readings"} 0');
    expect(unmet).not.toContain('hw_timescaledb_job_known_clash{');

    // Compressed again (by the next run, with the same clash): the alarm returns to normal.
    clock.advance(HOUR);
    jobs = [ran(null)];
    await w.check();
    await stored();
    expect((await alarmRows()).map((a) => [a.condition, a.state])).toEqual([['JOB_FAILED', 'RTNUN']]);
  });

  it('raises JOB_STALE for a chunk left uncompressed by a job that succeeds, its value how overdue the chunk is (above the limit)', async () => {
    const DAY = 24 * HOUR;
    // Succeeded an hour ago; a chunk whose range ended 9 days ago is still uncompressed
    // (compress_after 7 days): due 2 days ago, against 2 × 12 h of slack.
    const succeeded = (oldestPendingEndMs: number | null): TimescaleJobRow =>
      compression({
        lastRunStartedAtMs: clock.now() - HOUR - 1000,
        lastRunFinishedAtMs: clock.now() - HOUR,
        lastSuccessAtMs: clock.now() - HOUR,
        lastRunStatus: 'Success',
        totalRuns: 1,
        totalSuccesses: 1,
        effect: { afterMs: 7 * DAY, oldestPendingEndMs },
      });
    clock.advance(10 * DAY);
    jobs = [succeeded(clock.now() - 9 * DAY)];
    const host = engine();
    await host.restore();
    const w = watch(host);
    await w.check();
    await stored();
    const page = { openOnly: true, pointIds: null, limit: 10, offset: 0, enterprises: null };
    const [raised] = (await queryAlarms(client, undefined, page)).items;
    expect(raised).toMatchObject({ condition: 'JOB_STALE', state: 'UNACK', value: 2 * DAY, limit: DAY });
    expect(raised!.value!).toBeGreaterThan(raised!.limit!);
    // The raise names the cause: the job ran, the chunk was not compressed on time.
    const events = await client.query<{ value: number | null; reason: string | null }>(
      `SELECT value, reason FROM alarm_events WHERE alarm_id = $1 ORDER BY id`,
      [raised!.id],
    );
    expect(events.rows.map((r) => [Number(r.value), r.reason])).toEqual([
      [2 * DAY, 'condition active: chunks not compressed on time'],
    ]);
    // /readyz and /metrics say the same: stale by its effect, not met, not healthy.
    expect(w.degraded()).toEqual([
      expect.objectContaining({ verdict: 'stale', staleCause: 'effect', effectMet: false }),
    ]);
    const metrics = await w.metrics();
    expect(metrics).toContain('hw_timescaledb_job_healthy{job="compression:readings"} 0');
    expect(metrics).toContain('hw_timescaledb_job_effect_met{job="compression:readings"} 0');

    // Compressed by the next run: back to normal, unacknowledged.
    clock.advance(HOUR);
    jobs = [succeeded(null)];
    await w.check();
    await stored();
    expect((await alarmRows()).map((a) => [a.condition, a.state])).toEqual([['JOB_STALE', 'RTNUN']]);
    expect(w.degraded()).toEqual([]);
  });

  it('only reports, never raises, in a process that does not raise platform alarms', async () => {
    clock.advance(100 * HOUR);
    const w = watch(undefined);
    await w.check();
    await stored();
    expect(await alarmRows()).toEqual([]);
    expect(w.degraded().map((j) => j.verdict)).toEqual(['stale']);
  });
});
