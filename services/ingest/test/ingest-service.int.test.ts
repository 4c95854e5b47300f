import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { topicFilter } from '@hazardwatch/contracts';
import { DEFAULT_ALARM_SETTINGS } from '@hazardwatch/core';
import {
  buildIngestService,
  IngestConfigSchema,
  type IngestConfig,
  type IngestService,
} from '@hazardwatch/ingest';
import { ManualClock, parseConfig, systemClock } from '@hazardwatch/kit';
import { importSiteDocument, migrate, sqlClientFromPg, type SqlClient } from '@hazardwatch/store';
import { createTestDatabase, openTestPool, providedServices, type TestDatabase } from '@hazardwatch/testkit';
import { discardSession, logger, publisher, publishReadings, waitFor } from './support.js';

const EXAMPLE = fileURLToPath(new URL('../../core/examples/site.example.yaml', import.meta.url));
const SECOND = 1000;
/** The example site's gatewayOfflineAfterSec default (its first enterprise's GW01 has no override). */
const OFFLINE_AFTER_MS = 180 * SECOND;

/**
 * buildIngestService runs every timed duty on the clock it is given (issue #18): here a
 * ManualClock, so a silent gateway — found only by the alarm tick, never by a message — goes
 * offline when, and only when, the test advances the clock.
 */
describe('buildIngestService on an injected clock', () => {
  const { postgresAdminUrl, mqttUrl } = providedServices();
  let db: TestDatabase;
  let pool: pg.Pool;
  let client: SqlClient;
  let service: IngestService | undefined;
  let clientId: string;

  beforeEach(async () => {
    db = await createTestDatabase(postgresAdminUrl);
    pool = openTestPool(db.url, { max: 4 });
    client = sqlClientFromPg(pool);
    clientId = `hw-clock-${randomBytes(3).toString('hex')}`;
  });

  afterEach(async () => {
    await service?.close();
    service = undefined;
    await discardSession(mqttUrl, clientId);
    await pool.end();
    await db.drop();
  });

  /** The schema, and the example site stored for an enterprise code of this test's own. */
  async function exampleSite(nowMs: number) {
    const migration = await migrate(client, { logger, dialect: 'postgres' });
    const enterprise = `91320623K${randomBytes(4).toString('hex').toUpperCase()}`.slice(0, 18);
    const site = await importSiteDocument(
      client,
      readFileSync(EXAMPLE, 'utf8').replaceAll('91320623MA1W000001', enterprise),
      'yaml',
      nowMs,
    );
    if (!site.ok) throw new Error('example site invalid');
    return { migration, enterprise, site };
  }

  /** The ingest service of the example site on the system clock, started. */
  async function startOnSystemClock(
    config: IngestConfig,
    migration: Awaited<ReturnType<typeof exampleSite>>['migration'],
    site: Awaited<ReturnType<typeof exampleSite>>['site'],
  ): Promise<IngestService> {
    const s = buildIngestService(config, {
      logger,
      clock: systemClock,
      store: { pool, client, dialect: migration.dialect, retention: migration.retention },
      connectionString: db.url,
      site: { index: site.index, version: site.version },
      alarmSettings: DEFAULT_ALARM_SETTINGS,
    });
    await s.start();
    return s;
  }

  it('raises GATEWAY_OFFLINE through the alarm tick when the clock passes offlineAfter, not before', async () => {
    const clock = new ManualClock(Date.now());
    const { migration, enterprise, site } = await exampleSite(clock.now());
    const settings = parseConfig(IngestConfigSchema, {
      mqtt: { url: mqttUrl, clientId, subscriptions: [topicFilter('telemetry', enterprise)] },
      // Only the alarm tick matters here; the other duties run rarely so the advance stays cheap.
      schedule: { alarmTickMs: SECOND, outboxIntervalMs: 3_600_000, timeIndexIntervalMs: 3_600_000 },
    });
    if (!settings.ok) throw new Error(settings.errors.join('; '));
    service = buildIngestService(settings.value, {
      logger,
      clock,
      store: { pool, client, dialect: migration.dialect, retention: migration.retention },
      connectionString: db.url,
      site: { index: site.index, version: site.version },
      alarmSettings: DEFAULT_ALARM_SETTINGS,
    });
    await service.start();
    const offline = (s: IngestService) =>
      s.alarms.book
        .open()
        .filter(
          (a) =>
            a.condition === 'GATEWAY_OFFLINE' &&
            a.source.kind === 'gateway' &&
            a.source.enterprise === enterprise &&
            a.source.gateway === 'GW01',
        );

    // The first tick starts the evaluation clock; the gateway has not been silent for long yet.
    clock.advance(SECOND);
    clock.advance(OFFLINE_AFTER_MS - 2 * SECOND);
    expect(offline(service)).toEqual([]);
    clock.advance(2 * SECOND);
    expect(offline(service)).toHaveLength(1);
    expect(offline(service)[0]!.raisedAt).toBe(clock.now());
    // Persisted like any alarm, stamped with the injected clock's time.
    await expect
      .poll(
        async () =>
          (
            await client.query<{ n: number }>(
              `SELECT count(*)::int AS n FROM alarms WHERE condition = 'GATEWAY_OFFLINE' AND source_key = $1`,
              [`gateway:${enterprise}/GW01`],
            )
          ).rows[0]?.n,
        { timeout: 10_000 },
      )
      .toBe(1);
  });

  it('a gateway re-sending a message after newer ones (its PUBACK lost) is a duplicate: no late note, no second alarm', async () => {
    const { migration, enterprise, site } = await exampleSite(Date.now());
    const settings = parseConfig(IngestConfigSchema, {
      mqtt: { url: mqttUrl, clientId, subscriptions: [topicFilter('telemetry', enterprise)] },
    });
    if (!settings.ok) throw new Error(settings.errors.join('; '));
    service = await startOnSystemClock(settings.value, migration, site);
    const running = service;
    const source = `point:${site.index.pointByKey(enterprise, 'LT-1101')!.id}`;
    const history = async (): Promise<{ alarms: number; events: string[] }> => {
      const alarms = await client.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM alarms WHERE source_key = $1 AND condition = 'H'`,
        [source],
      );
      const events = await client.query<{ e: string }>(
        `SELECT e.to_state AS e FROM alarm_events e JOIN alarms a ON a.id = e.alarm_id
          WHERE a.source_key = $1 AND a.condition = 'H' ORDER BY e.id`,
        [source],
      );
      return { alarms: alarms.rows[0]!.n, events: events.rows.map((r) => r.e) };
    };
    const duplicatesStored = (n: number) =>
      waitFor(() => Promise.resolve(running.app.counters.duplicates >= n), 10_000, `${n} duplicates`);
    const dev = await publisher(mqttUrl);
    try {
      // LT-1101: H = 80 %, on-delay 10 s, off-delay 5 s. Raised …
      const t = Date.now() - 60_000;
      const high = [
        { tag: 'LT-1101', ts: t, value: 82 },
        { tag: 'LT-1101', ts: t + 11_000, value: 82 },
      ];
      await publishReadings(dev, enterprise, 'GW01', high);
      await waitFor(async () => (await history()).events.length === 1, 10_000, 'H raised');
      // … a newer message, then the first one again: a QoS 1 copy, not a replayed reading.
      await publishReadings(dev, enterprise, 'GW01', [{ tag: 'LT-1101', ts: t + 12_000, value: 81 }]);
      await publishReadings(dev, enterprise, 'GW01', high);
      await duplicatesStored(2);
      expect(await history()).toEqual({ alarms: 1, events: ['UNACK'] });

      // Returned and acknowledged: the alarm is closed. The copy again must not open a second one.
      await publishReadings(dev, enterprise, 'GW01', [
        { tag: 'LT-1101', ts: t + 13_000, value: 70 },
        { tag: 'LT-1101', ts: t + 19_000, value: 70 },
      ]);
      await waitFor(async () => (await history()).events.length === 2, 10_000, 'H returned');
      const open = running.alarms.book.open().find((a) => a.condition === 'H' && a.source.kind === 'point');
      expect(running.alarms.act({ alarmId: open!.id }, { action: 'ack', actor: 'operator' }).ok).toBe(true);
      await waitFor(async () => (await history()).events.length === 3, 10_000, 'H acknowledged');
      await publishReadings(dev, enterprise, 'GW01', high);
      await duplicatesStored(4);
      expect(await history()).toEqual({ alarms: 1, events: ['UNACK', 'RTNUN', 'NORM'] });
      expect(running.alarms.book.open().filter((a) => a.condition === 'H')).toEqual([]);
    } finally {
      await dev.endAsync();
    }
  });

  it('a restart keeps an alarm whose value sits inside the deadband: only a value past it returns the alarm', async () => {
    const { migration, enterprise, site } = await exampleSite(Date.now());
    const settings = parseConfig(IngestConfigSchema, {
      mqtt: { url: mqttUrl, clientId, subscriptions: [topicFilter('telemetry', enterprise)] },
    });
    if (!settings.ok) throw new Error(settings.errors.join('; '));
    const start = (): Promise<IngestService> => startOnSystemClock(settings.value, migration, site);
    const states = async (): Promise<string[]> =>
      (
        await client.query<{ to_state: string }>(
          `SELECT e.to_state FROM alarm_events e JOIN alarms a ON a.id = e.alarm_id
            WHERE a.source_key = $1 AND a.condition = 'H' ORDER BY e.id`,
          [`point:${site.index.pointByKey(enterprise, 'LT-1101')!.id}`],
        )
      ).rows.map((r) => r.to_state);
    const stored = async (n: number): Promise<void> =>
      waitFor(
        async () =>
          (
            await client.query<{ n: number }>('SELECT count(*)::int AS n FROM readings WHERE point_id = $1', [
              site.index.pointByKey(enterprise, 'LT-1101')!.id,
            ])
          ).rows[0]!.n >= n,
        10_000,
        `${n} readings stored`,
      );
    const dev = await publisher(mqttUrl);
    try {
      // LT-1101: H = 80 %, deadband 1, on-delay 10 s (off-delay 5 s by default). Raised, then 79.5 (inside the deadband).
      const t = Date.now() - 60_000;
      service = await start();
      await publishReadings(dev, enterprise, 'GW01', [
        { tag: 'LT-1101', ts: t, value: 82 },
        { tag: 'LT-1101', ts: t + 11_000, value: 82 },
        { tag: 'LT-1101', ts: t + 12_000, value: 79.5 },
      ]);
      await waitFor(async () => (await states()).length === 1, 10_000, 'H raised');
      await stored(3);
      await service.close();
      service = undefined;

      // Restarted: the first reading is still inside the deadband. Nothing returns.
      service = await start();
      await publishReadings(dev, enterprise, 'GW01', [{ tag: 'LT-1101', ts: t + 20_000, value: 79.5 }]);
      await stored(4);
      await publishReadings(dev, enterprise, 'GW01', [{ tag: 'LT-1101', ts: t + 21_000, value: 79.2 }]);
      await stored(5);
      expect(await states()).toEqual(['UNACK']);
      // Past the deadband (below 79) for the site's default off-delay of 5 s.
      await publishReadings(dev, enterprise, 'GW01', [
        { tag: 'LT-1101', ts: t + 22_000, value: 78.9 },
        { tag: 'LT-1101', ts: t + 27_000, value: 78.5 },
      ]);
      await waitFor(async () => (await states()).length === 2, 10_000, 'H returned');
      expect(await states()).toEqual(['UNACK', 'RTNUN']);
    } finally {
      await dev.endAsync();
    }
  });
});
