import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import pg from 'pg';
import { providedServices, startTcpProxy, type TcpProxy } from '@hazardwatch/testkit';
import type { IngestApp } from '@hazardwatch/ingest';
import {
  discardSession,
  duplicateCount,
  ingestConfig,
  ingestFixture,
  publisher,
  publishReadings,
  rowCount,
  startIngest,
  uid,
  waitFor,
  type IngestFixture,
} from './support.js';

const TAGS = ['TI-101', 'PI-101', 'LI-101', 'DISABLED'];

describe('ingest → PostgreSQL through a real broker', () => {
  const { postgresAdminUrl, mqttUrl } = providedServices();
  let fx: IngestFixture;
  let pub: MqttClient;
  let apps: IngestApp[] = [];
  let clientIds: string[] = [];
  let proxies: TcpProxy[] = [];

  beforeEach(async () => {
    fx = await ingestFixture(postgresAdminUrl, TAGS);
    pub = await publisher(mqttUrl);
  });

  afterEach(async () => {
    for (const app of apps) await app.close().catch(() => undefined);
    await pub.endAsync();
    for (const id of clientIds) await discardSession(mqttUrl, id);
    for (const p of proxies) await p.close();
    await fx.close();
    apps = [];
    clientIds = [];
    proxies = [];
  });

  async function start(pool = fx.pool, clientId = uid('ingest-')): Promise<IngestApp> {
    clientIds.push(clientId);
    const app = startIngest(ingestConfig(mqttUrl, fx.enterprise, clientId), pool, fx.directory);
    apps.push(app);
    await app.start();
    return app;
  }

  const now = Date.now();
  const good = (n: number, offset = 0) =>
    Array.from({ length: n }, (_, i) => ({
      tag: TAGS[i % 3]!,
      ts: now - 60_000 + offset + i,
      value: i * 1.5,
    }));

  it('lands a good batch with values and qualities intact', async () => {
    const app = await start();
    await publishReadings(pub, fx.enterprise, fx.gateway, [
      { tag: 'TI-101', ts: now - 1000, value: 21.25 },
      { tag: 'PI-101', ts: now - 1000, value: 0.1 + 0.2, quality: 'uncertain' },
      { tag: 'LI-101', ts: now - 1000, value: -3, quality: 'bad' },
    ]);
    await waitFor(async () => (await rowCount(fx.pool)) === 3, 20_000, '3 rows');
    const { rows } = await fx.pool.query<{ point_id: number; ts: Date; value: number; quality: number }>(
      'SELECT point_id, ts, value, quality FROM readings ORDER BY point_id',
    );
    const byId = new Map(rows.map((r) => [r.point_id, [r.ts.getTime(), r.value, r.quality]]));
    expect(byId.get(fx.pointIds.get('TI-101')!)).toEqual([now - 1000, 21.25, 0]);
    expect(byId.get(fx.pointIds.get('PI-101')!)).toEqual([now - 1000, 0.1 + 0.2, 1]);
    expect(byId.get(fx.pointIds.get('LI-101')!)).toEqual([now - 1000, -3, 2]);
    // Accepted counts rows once their batch is durable: the rows may be visible a moment before.
    await app.pipeline.drain();
    expect(app.counters.snapshot()).toMatchObject({ messages: 1, accepted: 3, rejected: 0 });
  });

  it('lands the good part of a mixed batch and dead-letters each bad reading with its reason', async () => {
    const app = await start();
    await publishReadings(pub, fx.enterprise, fx.gateway, [
      { tag: 'TI-101', ts: now - 5000, value: 1 },
      { tag: 'NOPE-1', ts: now - 5000, value: 1 },
      { tag: 'TI-101', ts: now + 3_600_000, value: 1 },
      { tag: 'TI-101', ts: now - 30 * 86_400_000, value: 1 },
      { tag: 'PI-101', ts: now - 5000, value: 'high' },
      { tag: 'DISABLED', ts: now - 5000, value: 1 },
      { tag: 'LI-101', ts: now - 5000, value: 7 },
    ]);
    // Whole-message rejections beside it: malformed JSON, unknown gateway, bad envelope.
    await pub.publishAsync(`hw/v1/${fx.enterprise}/GW1/telemetry`, '{"readings": [', { qos: 1 });
    await pub.publishAsync(`hw/v1/${fx.enterprise}/GW9/telemetry`, JSON.stringify({ readings: good(1) }), {
      qos: 1,
    });
    await pub.publishAsync(`hw/v1/${fx.enterprise}/GW1/telemetry`, JSON.stringify({ data: [] }), { qos: 1 });
    await publishReadings(pub, fx.enterprise, 'GW2', [{ tag: 'TI-101', ts: now - 5000, value: 1 }]);
    await waitFor(() => app.counters.messages === 5, 20_000, '5 messages');
    await app.pipeline.drain();
    expect(await rowCount(fx.pool)).toBe(2);
    const { rows } = await fx.pool.query<{
      reason: string;
      tag: string | null;
      gateway: string | null;
      raw: Buffer;
    }>('SELECT reason, tag, gateway, raw FROM dead_letters ORDER BY id');
    expect(rows).toHaveLength(9);
    // Within a message, letters are stored in reading order: a message is never split across
    // batches and a batch's letters go in one INSERT.
    expect(rows.filter((r) => r.gateway === 'GW1' && r.tag !== null).map((r) => [r.reason, r.tag])).toEqual([
      ['unknown_point', 'NOPE-1'],
      ['ts_in_future', 'TI-101'],
      ['ts_too_old', 'TI-101'],
      ['bad_reading', 'PI-101'],
      ['point_disabled', 'DISABLED'],
    ]);
    // Across messages no order is promised: up to maxInFlightWrites batches are written at once
    // (and a retried batch lets later ones pass), so a later message's letters may take lower ids
    // (ingest-pipeline.test.ts shows it with a scripted writer). Hence a set, one letter per reason.
    const others = rows
      .filter((r) => !(r.gateway === 'GW1' && r.tag !== null))
      .sort((a, b) => a.reason.localeCompare(b.reason))
      .map((r) => [r.reason, r.tag, r.gateway]);
    expect(others).toEqual([
      ['bad_envelope', null, 'GW1'],
      ['malformed_json', null, 'GW1'],
      ['unknown_gateway', null, 'GW9'],
      ['wrong_gateway', 'TI-101', 'GW2'],
    ]);
    expect(rows.find((r) => r.reason === 'malformed_json')!.raw.toString()).toBe('{"readings": [');
    const counts = app.counters.snapshot();
    expect(counts.accepted).toBe(2);
    expect(counts.rejected).toBe(9);
    expect(counts.rejectedByReason).toMatchObject({
      unknown_point: 1,
      ts_in_future: 1,
      wrong_gateway: 1,
      malformed_json: 1,
    });
    expect(counts.byGateway[`${fx.enterprise}/GW1`]).toEqual({ valid: 2, rejected: 7 });
  });

  it('is idempotent when a batch is delivered again', async () => {
    const app = await start();
    const readings = good(300);
    await publishReadings(pub, fx.enterprise, fx.gateway, readings);
    await waitFor(async () => (await rowCount(fx.pool)) === 300, 20_000, '300 rows');
    await publishReadings(pub, fx.enterprise, fx.gateway, readings);
    await publishReadings(pub, fx.enterprise, fx.gateway, [...readings.slice(0, 10), ...good(5, 100_000)]);
    await waitFor(() => app.counters.messages === 3, 20_000, '3 messages');
    await app.pipeline.drain();
    expect(await rowCount(fx.pool)).toBe(305);
    expect(await duplicateCount(fx.pool)).toBe(0);
    // Counters add up against the database: a redelivered reading is received again but neither
    // accepted nor written again; it is counted as a duplicate.
    const c = app.counters.snapshot();
    expect(c.rowsWritten).toBe(305);
    expect(c.accepted).toBe(305);
    expect(c.received).toBe(300 + 300 + 15);
    expect(c.duplicates).toBe(310);
    expect(c.rejected).toBe(0);
    expect(c.accepted + c.duplicates + c.rejected).toBe(c.received);
  });

  it('loses nothing and duplicates nothing when the database goes away mid-stream', async () => {
    const url = new URL(fx.db.url);
    const proxy = await startTcpProxy(url.hostname, Number(url.port || 5432));
    proxies.push(proxy);
    url.hostname = '127.0.0.1';
    url.port = String(proxy.port);
    const pool = new pg.Pool({ connectionString: url.toString(), max: 2, connectionTimeoutMillis: 2000 });
    pool.on('error', () => undefined);
    try {
      const app = await start(pool);
      for (let m = 0; m < 10; m++) await publishReadings(pub, fx.enterprise, fx.gateway, good(50, m * 1000));
      await waitFor(async () => (await rowCount(fx.pool)) === 500, 20_000, 'first 500 rows');
      proxy.cut();
      for (let m = 10; m < 30; m++) await publishReadings(pub, fx.enterprise, fx.gateway, good(50, m * 1000));
      await waitFor(() => app.counters.storageRetries > 0, 20_000, 'a failed write');
      expect(app.pipeline.storageHealthy).toBe(false);
      expect(await rowCount(fx.pool)).toBe(500);
      proxy.restore();
      await waitFor(async () => (await rowCount(fx.pool)) === 1500, 30_000, 'all 1500 rows');
      await app.pipeline.drain();
      expect(app.pipeline.storageHealthy).toBe(true);
      expect(await duplicateCount(fx.pool)).toBe(0);
      expect(app.subscriber.unacknowledged).toBe(0);
    } finally {
      for (const app of apps.splice(0)) await app.close().catch(() => undefined);
      await pool.end();
    }
  });

  it('loses nothing when the ingest process dies before its messages were durable', async () => {
    const url = new URL(fx.db.url);
    const proxy = await startTcpProxy(url.hostname, Number(url.port || 5432));
    proxies.push(proxy);
    url.hostname = '127.0.0.1';
    url.port = String(proxy.port);
    const pool = new pg.Pool({ connectionString: url.toString(), max: 2, connectionTimeoutMillis: 2000 });
    pool.on('error', () => undefined);
    const clientId = uid('ingest-');
    try {
      const first = await start(pool, clientId);
      proxy.cut();
      for (let m = 0; m < 20; m++) await publishReadings(pub, fx.enterprise, fx.gateway, good(25, m * 1000));
      await waitFor(() => first.counters.messages === 20, 20_000, '20 messages received');
      expect(first.subscriber.unacknowledged).toBeGreaterThan(0);
      // Crash: the connection drops without acknowledging anything.
      await first.subscriber.kill();
      apps.splice(apps.indexOf(first), 1);
      expect(await rowCount(fx.pool)).toBe(0);
      proxy.restore();
      const second = await start(fx.pool, clientId);
      await waitFor(async () => (await rowCount(fx.pool)) === 500, 30_000, 'all 500 rows after restart');
      await second.pipeline.drain();
      expect(await duplicateCount(fx.pool)).toBe(0);
    } finally {
      await pool.end();
    }
  });
});
