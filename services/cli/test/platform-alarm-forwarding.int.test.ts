import type pg from 'pg';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startActionForwarding, type ActionForwarding } from '@hazardwatch/api';
import { DEFAULT_ALARM_SETTINGS, EMPTY_SITE, SiteIndex } from '@hazardwatch/core';
import { ActionWorker, AlarmEngine, TimescaleJobWatch, type DurableWork } from '@hazardwatch/ingest';
import { ManualClock } from '@hazardwatch/kit';
import {
  ActionRequestRepository,
  AlarmRepository,
  migrate,
  NotificationOutbox,
  sqlClientFromPg,
  WarningRepository,
  type SqlClient,
  type TimescaleJobRow,
} from '@hazardwatch/store';
import { createTestDatabase, openTestPool, providedServices, type TestDatabase } from '@hazardwatch/testkit';

const logger = pino({ level: 'silent' });
const HOUR = 3_600_000;

/**
 * A platform alarm (a TimescaleDB job; no enterprise) acknowledged from a separate `hazardwatch
 * api` process: the action is forwarded to the ingest worker that raises platform alarms (the one
 * owning every enterprise), not refused as unroutable (issue #20). Real database, real LISTEN.
 */
describe('forwarded action on a platform alarm', () => {
  const { postgresAdminUrl } = providedServices();
  let db: TestDatabase;
  let pool: pg.Pool;
  let client: SqlClient;
  let worker: ActionWorker | undefined;
  let forwarding: ActionForwarding | undefined;

  beforeEach(async () => {
    db = await createTestDatabase(postgresAdminUrl);
    pool = openTestPool(db.url, { max: 4 });
    client = sqlClientFromPg(pool);
    await migrate(client, { logger, dialect: 'postgres' });
  });
  afterEach(async () => {
    await forwarding?.close();
    forwarding = undefined;
    await worker?.close();
    worker = undefined;
    await pool.end();
    await db.drop();
  });

  it('reaches the worker that owns every enterprise, which acknowledges it', async () => {
    const clock = new ManualClock(Date.now());
    const attached: DurableWork[] = [];
    const host = new AlarmEngine({
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
    await host.restore();
    const job: TimescaleJobRow = {
      identity: 'retention:readings',
      jobId: 1000,
      scheduled: true,
      scheduleIntervalMs: 24 * HOUR,
      registeredAtMs: clock.now() - 49 * HOUR,
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
    };
    await new TimescaleJobWatch({
      readJobs: () => Promise.resolve([job]),
      clock,
      logger,
      alarms: host,
    }).check();
    await Promise.all(attached.splice(0).map((w) => w()));
    const { rows } = await client.query<{ id: string }>(
      `SELECT id FROM alarms WHERE source_key = 'platform:timescaledb/retention:readings' AND condition = 'JOB_STALE'`,
    );
    expect(rows).toHaveLength(1);
    const alarmId = rows[0]!.id;

    worker = new ActionWorker({
      host,
      requests: new ActionRequestRepository(client),
      connectionString: db.url,
      workerId: 'all-enterprises',
      enterprises: null,
      logger,
    });
    await worker.start();
    forwarding = await startActionForwarding({ client, connectionString: db.url, logger, timeoutMs: 10_000 });

    const outcome = await forwarding.control.act(alarmId, { action: 'ack', actor: 'admin' });
    expect(outcome).toMatchObject({ ok: true });
    await Promise.all(attached.splice(0).map((w) => w()));
    const { rows: after } = await client.query<{ state: string }>('SELECT state FROM alarms WHERE id = $1', [
      alarmId,
    ]);
    expect(after).toEqual([{ state: 'ACKED' }]);
  });
});
