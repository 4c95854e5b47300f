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
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { telemetryTopic } from '@hazardwatch/contracts';
import { PARTITION_COUNT, PartitionSessions } from '@hazardwatch/ingest';
import { createTestDatabase, providedServices, waitFor, type TestDatabase } from '@hazardwatch/testkit';
import { freePort, startProcess, stopProcess, type StartedProcess } from './process-support.js';

const CLI = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const { postgresAdminUrl, mqttUrl } = providedServices();
const LEASE_MS = 2000;
const ENTERPRISE = `91320623P${randomBytes(5).toString('hex').toUpperCase()}`.slice(0, 18);
const person = { name: '王建国', phone: '+8613800000001' };

const site = {
  version: 1,
  regions: [
    { code: '320000', name: '江苏省', kind: 'province' },
    { code: '320600', name: '南通市', kind: 'city', parent: '320000' },
    { code: '320623', name: '如东县', kind: 'county', parent: '320600' },
  ],
  enterprises: [
    { code: ENTERPRISE, name: '示例化工有限公司', region: '320623', location: { lon: 121, lat: 32.5 } },
  ],
  hazards: [
    {
      code: 'TF1',
      enterprise: ENTERPRISE,
      name: '储罐区',
      declaredLevel: 4,
      type: 'tank_farm',
      responsible: { principal: person, technical: person, operational: person },
      location: { lon: 121.001, lat: 32.501 },
      inventory: [{ substance: 'Cl2', designMaxTonnes: 10 }],
      exposedPopulation: 1,
    },
  ],
  gateways: [{ code: 'GW01', enterprise: ENTERPRISE, name: '网关' }],
  points: [
    {
      tag: 'TT-1',
      enterprise: ENTERPRISE,
      hazard: 'TF1',
      gateway: 'GW01',
      name: '储罐温度',
      kind: 'temperature',
      unit: '°C',
      range: { min: 0, max: 200 },
      limits: { h: 150 },
    },
  ],
};

describe('a leased worker whose database pool is all busy', () => {
  let db: TestDatabase;
  let check: pg.Client;
  let worker: StartedProcess;
  const prefix = `hw-lp-${randomBytes(3).toString('hex')}`;

  beforeAll(async () => {
    db = await createTestDatabase(postgresAdminUrl, 'hw_lpool');
    check = new pg.Client({ connectionString: db.url });
    await check.connect();
    const sitePath = join(mkdtempSync(join(tmpdir(), 'hw-lpool-')), 'site.json');
    writeFileSync(sitePath, JSON.stringify(site));
    const health = await freePort();
    worker = startProcess(process.execPath, [CLI, 'ingest'], {
      env: {
        PATH: process.env['PATH'],
        DATABASE_URL: db.url,
        MQTT_URL: mqttUrl,
        HW_SITE_FILE: sitePath,
        HW_HEALTH_PORT: String(health),
        HW_INGEST_CLIENT_ID: prefix,
        HW_INGEST_PARTITIONS: 'leased',
        HW_INGEST_WORKER_ID: 'w1',
        HW_INGEST_LEASE_MS: String(LEASE_MS),
        HW_INGEST_HEARTBEAT_MS: '300',
        HW_INGEST_LEASE_MARGIN_MS: '400',
        HW_DB_POOL_SIZE: '1',
        LOG_LEVEL: 'info',
      },
    });
    await waitFor(
      async () => {
        if (worker.child.exitCode !== null) throw new Error(`worker exited:\n${worker.output()}`);
        return check
          .query<{ n: number }>(
            "SELECT count(*)::int AS n FROM partition_leases WHERE owner LIKE 'w1-%' AND expires_at > now()",
          )
          .then(
            (r) => r.rows[0]!.n,
            () => 0,
          );
      },
      (n) => n === PARTITION_COUNT,
      'the worker holding every partition',
      60_000,
    );
    // Its partitions' sessions subscribed: a message published before would reach no one.
    await waitFor(
      () =>
        fetch(`http://127.0.0.1:${health}/readyz`).then(
          async (r) => (r.ok ? ((await r.json()) as { ready?: boolean }) : null),
          () => null,
        ),
      (r) => r?.ready === true,
      'the worker ready',
      30_000,
    );
  }, 90_000);

  afterAll(async () => {
    if (worker) await stopProcess(worker.child, 10_000);
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
        throw new Error(`${String(err)}\n${worker.output().split('\n').slice(-15).join('\n')}`);
      });
      await new Promise((r) => setTimeout(r, 3 * LEASE_MS));
      await locker.query('COMMIT');
      await waitFor(
        () => check.query<{ n: number }>('SELECT count(*)::int AS n FROM readings').then((r) => r.rows[0]!.n),
        (n) => n === 1,
        'the reading stored',
        20_000,
      ).catch((err: unknown) => {
        throw new Error(`${String(err)}\n${worker.output().split('\n').slice(-15).join('\n')}`);
      });
    } finally {
      await locker.end();
      await pub.endAsync();
    }
    // Renewed throughout: no partition lost, taken again or dropped at its deadline.
    expect(await epochs()).toBe(before);
    expect(worker.output()).not.toContain('partition lease not renewed in time');
    expect(worker.output()).not.toContain('partition lease lost');
  }, 60_000);
});
