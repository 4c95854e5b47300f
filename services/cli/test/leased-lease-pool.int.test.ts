/**
 * A leased worker's lease renewals do not wait for the ingest's database connections (issue #23).
 * bench failover on a loaded machine: with every connection of the worker's pool busy with COPY
 * writes and a takeover's restores, renewals queued behind them past the lease's margin, the
 * workers dropped their partitions and took them from each other in turn. Here one `hazardwatch
 * ingest` worker with a pool of one connection writes into a readings table the test holds locked
 * for three leases: its COPY holds the pool's only connection meanwhile. Its partitions must stay
 * held at the same epoch (renewed on connections of their own) and the reading stored once after.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { telemetryTopic } from '@hazardwatch/contracts';
import { PARTITION_COUNT, PartitionSessions } from '@hazardwatch/ingest';
import { createTestDatabase, providedServices, waitFor, type TestDatabase } from '@hazardwatch/testkit';
import { stopProcess } from './process-support.js';
import { enterpriseCodes, startLeasedWorker, tankFarmSite, type LeasedWorker } from './leased-support.js';

const { postgresAdminUrl, mqttUrl } = providedServices();
const LEASE_MS = 2000;
const [ENTERPRISE] = enterpriseCodes(1) as [string];

describe('a leased worker whose database pool is all busy', () => {
  let db: TestDatabase;
  let check: pg.Client;
  let worker: LeasedWorker;
  const prefix = `hw-lp-${randomBytes(3).toString('hex')}`;

  beforeAll(async () => {
    db = await createTestDatabase(postgresAdminUrl, 'hw_lpool');
    check = new pg.Client({ connectionString: db.url });
    await check.connect();
    const sitePath = join(mkdtempSync(join(tmpdir(), 'hw-lpool-')), 'site.json');
    writeFileSync(sitePath, JSON.stringify(tankFarmSite([ENTERPRISE])));
    // Ready: every partition held and the sessions subscribed (a message before would reach no one).
    worker = await startLeasedWorker({
      name: 'w1',
      databaseUrl: db.url,
      mqttUrl,
      sitePath,
      clientIdPrefix: prefix,
      timing: { leaseMs: LEASE_MS, heartbeatMs: 300, marginMs: 400 },
      poolSize: 1,
    });
    await waitFor(
      () =>
        check
          .query<{ n: number }>(
            "SELECT count(*)::int AS n FROM partition_leases WHERE owner LIKE 'w1-%' AND expires_at > now()",
          )
          .then((r) => r.rows[0]!.n),
      (n) => n === PARTITION_COUNT,
      'the worker holding every partition',
      30_000,
    );
  }, 90_000);

  afterAll(async () => {
    if (worker) await stopProcess(worker.proc.child, 10_000);
    for (let p = 0; p < PARTITION_COUNT; p++)
      await (
        await mqtt.connectAsync(mqttUrl, { clientId: PartitionSessions.clientId(prefix, p), clean: true })
      ).endAsync();
    await check?.end();
    await db?.drop();
  }, 60_000);

  it('keeps every partition at the same epoch while its COPY waits three leases on a lock', async () => {
    const epochs = async (): Promise<string> =>
      JSON.stringify(
        (
          await check.query<{ partition: number; epoch: string; owner: string }>(
            'SELECT partition, epoch::text, owner FROM partition_leases ORDER BY partition',
          )
        ).rows,
      );
    const before = await epochs();
    const locker = new pg.Client({ connectionString: db.url });
    await locker.connect();
    const pub = await mqtt.connectAsync(mqttUrl, { clientId: `${prefix}-pub`, clean: true });
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE readings IN ACCESS EXCLUSIVE MODE');
      const ts = Date.now();
      await pub.publishAsync(
        telemetryTopic({ enterprise: ENTERPRISE, gateway: 'GW01' }),
        JSON.stringify({ readings: [{ tag: 'TT-1', ts, value: 20 }] }),
        { qos: 1 },
      );
      // The worker's COPY is waiting for the lock, on its pool's only connection.
      await waitFor(
        () =>
          check
            .query<{ n: number }>(
              'SELECT count(*)::int AS n FROM pg_locks l JOIN pg_database d ON d.oid = l.database WHERE d.datname = current_database() AND NOT l.granted',
            )
            .then((r) => r.rows[0]!.n),
        (n) => n > 0,
        "the worker's write waiting for the lock",
        20_000,
      ).catch((err: unknown) => {
        throw new Error(`${String(err)}\n${worker.proc.output().split('\n').slice(-15).join('\n')}`);
      });
      await new Promise((r) => setTimeout(r, 3 * LEASE_MS));
      await locker.query('COMMIT');
      await waitFor(
        () => check.query<{ n: number }>('SELECT count(*)::int AS n FROM readings').then((r) => r.rows[0]!.n),
        (n) => n === 1,
        'the reading stored',
        20_000,
      ).catch((err: unknown) => {
        throw new Error(`${String(err)}\n${worker.proc.output().split('\n').slice(-15).join('\n')}`);
      });
    } finally {
      await locker.end();
      await pub.endAsync();
    }
    // Renewed throughout: no partition lost, taken again or dropped at its deadline.
    expect(await epochs()).toBe(before);
    expect(worker.proc.output()).not.toContain('partition lease not renewed in time');
    expect(worker.proc.output()).not.toContain('partition lease lost');
  }, 60_000);
});
