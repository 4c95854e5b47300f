import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, providedServices, waitFor, type TestDatabase } from '@hazardwatch/testkit';
import { TIMESCALE_JOB_IDENTITIES, sqlClientFromPg, timescaleJobs } from '@hazardwatch/store';
import { loadRuntimeConfig, startIngestService } from 'hazardwatch';

const logger = pino({ level: 'silent' });
const EXAMPLE = fileURLToPath(new URL('../../core/examples/site.example.yaml', import.meta.url));

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** Whether the test server (HW_TEST_DATABASE_URL) preloads TimescaleDB, so its jobs really run. */
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

interface ReadyBody {
  ready: boolean;
  status: 'ok' | 'degraded';
  jobs: Array<{ job: string; verdict: string; jobId: number; lastRunStatus: string | null }>;
}

/**
 * Issue #20: TimescaleDB background job health on the ingest process's /readyz, /metrics and as
 * platform alarms, against a real TimescaleDB server whose scheduler runs the jobs (only where
 * HW_TEST_DATABASE_URL names one; CI has none). Whatever the server makes of the jobs (on
 * PostgreSQL 15.20 with TimescaleDB 2.17.2 every one fails: "cannot drop portal"), the process
 * must say it: readiness stays 200, the body says degraded with each failing job, /metrics has
 * its series, and a JOB_FAILED alarm stands for it.
 */
describe.runIf(await serverRunsTimescale())('TimescaleDB job health in the ingest process', () => {
  const { postgresAdminUrl } = providedServices();
  let db: TestDatabase;
  let dir: string;
  const running: Array<{ close(): Promise<void> }> = [];

  beforeEach(async () => {
    db = await createTestDatabase(postgresAdminUrl);
    dir = await mkdtemp(join(tmpdir(), 'hw-jobs-'));
  });
  afterEach(async () => {
    for (const r of running.splice(0).reverse()) await r.close();
    await db.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('reports every job the scheduler ran on /readyz (200, degraded when failing), /metrics and as alarms', async () => {
    const healthPort = await freePort();
    const configFile = join(dir, 'hazardwatch.yaml');
    await writeFile(configFile, 'ingest:\n  schedule:\n    jobHealthIntervalMs: 1000\n');
    const config = loadRuntimeConfig(
      {
        DATABASE_URL: db.url,
        HW_MQTT_EMBEDDED_PORT: '0',
        HW_SITE_FILE: EXAMPLE,
        HW_HEALTH_PORT: String(healthPort),
      },
      configFile,
    );
    const service = await startIngestService(config, logger);
    running.push(service);
    const client = sqlClientFromPg(service.store.pool);
    expect(service.store.migration.dialect).toBe('timescaledb');

    // Every job brought forward: the scheduler runs each now instead of in up to a day.
    const registered = await timescaleJobs(client, 'timescaledb');
    expect(registered.map((j) => j.identity).sort()).toEqual([...TIMESCALE_JOB_IDENTITIES].sort());
    for (const j of registered) await client.query('SELECT alter_job($1, next_start => now())', [j.jobId]);
    const ran = await waitFor(
      () => timescaleJobs(client, 'timescaledb'),
      (jobs) => jobs.every((j) => j.totalRuns >= 1 && j.jobStatus !== 'Running'),
      'every job to have run',
      90_000,
    );
    const failing = ran
      .filter((j) => j.lastRunStatus === 'Failed')
      .map((j) => j.identity)
      .sort();

    const readyz = async (): Promise<[number, ReadyBody]> => {
      const res = await fetch(`http://127.0.0.1:${healthPort}/readyz`);
      return [res.status, (await res.json()) as ReadyBody];
    };
    const [status, body] = await waitFor(
      readyz,
      ([, b]) =>
        JSON.stringify(
          b.jobs
            .filter((j) => j.verdict === 'failing')
            .map((j) => j.job)
            .sort(),
        ) === JSON.stringify(failing),
      'readiness to list the failing jobs',
    );
    expect([status, body.ready, body.status]).toEqual([200, true, failing.length > 0 ? 'degraded' : 'ok']);

    const metrics = await (await fetch(`http://127.0.0.1:${healthPort}/metrics`)).text();
    for (const j of ran) {
      const healthy = failing.includes(j.identity) ? 0 : 1;
      expect(metrics).toContain(`hw_timescaledb_job_healthy{job="${j.identity}"} ${healthy}`);
      expect(metrics).toMatch(new RegExp(`hw_timescaledb_job_runs_total\\{job="${j.identity}"\\} [1-9]`));
    }

    // `serve`-like (every enterprise): this process raises the platform alarms.
    const open = await waitFor(
      async () =>
        (
          await client.query<{ source_key: string }>(
            `SELECT source_key FROM alarms WHERE condition = 'JOB_FAILED' AND closed_at IS NULL ORDER BY 1`,
          )
        ).rows.map((r) => r.source_key),
      (keys) => keys.length === failing.length,
      'a JOB_FAILED alarm per failing job',
    );
    expect(open).toEqual(failing.map((f) => `platform:timescaledb/${f}`));
  }, 150_000);
});
