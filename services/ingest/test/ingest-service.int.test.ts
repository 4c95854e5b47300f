import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { topicFilter } from '@hazardwatch/contracts';
import { DEFAULT_ALARM_SETTINGS } from '@hazardwatch/core';
import { buildIngestService, IngestConfigSchema, type IngestService } from '@hazardwatch/ingest';
import { ManualClock, parseConfig } from '@hazardwatch/kit';
import { importSiteDocument, migrate, sqlClientFromPg, type SqlClient } from '@hazardwatch/store';
import { createTestDatabase, openTestPool, providedServices, type TestDatabase } from '@hazardwatch/testkit';
import { discardSession, logger } from './support.js';

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

  it('raises GATEWAY_OFFLINE through the alarm tick when the clock passes offlineAfter, not before', async () => {
    const clock = new ManualClock(Date.now());
    const migration = await migrate(client, { logger, dialect: 'postgres' });
    const enterprise = `91320623K${randomBytes(4).toString('hex').toUpperCase()}`.slice(0, 18);
    const site = await importSiteDocument(
      client,
      readFileSync(EXAMPLE, 'utf8').replaceAll('91320623MA1W000001', enterprise),
      'yaml',
      clock.now(),
    );
    if (!site.ok) throw new Error('example site invalid');
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
});
