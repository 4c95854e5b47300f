import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt, { type MqttClient } from 'mqtt';
import pg from 'pg';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { telemetryTopic } from '@hazardwatch/contracts';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from '@hazardwatch/store/embedded-postgres';
import { createTestDatabase, providedServices, type TestDatabase } from '@hazardwatch/testkit';
import { ConfigError, loadRuntimeConfig, startIngestService, type IngestService } from 'hazardwatch';

const logger = pino({ level: 'silent' });
const EXAMPLE = fileURLToPath(new URL('../../core/examples/site.example.yaml', import.meta.url));
const EXAMPLE_ENTERPRISE = '91320623MA1W000001';

/** The example site under a unique enterprise code, so runs on a shared broker never cross. */
function siteFile(): { path: string; enterprise: string } {
  const enterprise = `91320623T${randomBytes(4).toString('hex').toUpperCase()}`.slice(0, 18);
  const dir = mkdtempSync(join(tmpdir(), 'hw-site-'));
  const path = join(dir, 'site.yaml');
  writeFileSync(path, readFileSync(EXAMPLE, 'utf8').replaceAll(EXAMPLE_ENTERPRISE, enterprise));
  return { path, enterprise };
}

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('hazardwatch ingest service', () => {
  const { postgresAdminUrl, mqttUrl } = providedServices();
  let services: IngestService[] = [];
  let pub: MqttClient;
  let cleanup: Array<() => Promise<unknown>> = [];

  beforeEach(async () => {
    pub = await mqtt.connectAsync(mqttUrl, { clientId: `hw-test-pub-${randomBytes(3).toString('hex')}` });
  });
  afterEach(async () => {
    for (const s of services) await s.close().catch(() => undefined);
    await pub.endAsync();
    for (const c of cleanup.reverse()) await c().catch(() => undefined);
    services = [];
    cleanup = [];
  });

  function env(databaseUrl: string, site: string, clientId: string, enterprise: string): NodeJS.ProcessEnv {
    cleanup.push(async () => (await mqtt.connectAsync(mqttUrl, { clientId, clean: true })).endAsync());
    // Only this test's enterprise: a shared broker carries other suites' traffic, and a session
    // subscribed to everything could fall behind and have its queue trimmed by the broker.
    return {
      DATABASE_URL: databaseUrl,
      MQTT_URL: mqttUrl,
      HW_SITE_FILE: site,
      HW_HEALTH_PORT: '0',
      HW_INGEST_CLIENT_ID: clientId,
      HW_INGEST_ENTERPRISES: enterprise,
    };
  }

  async function publish(enterprise: string, tag: string, count: number, offset: number): Promise<void> {
    const base = Date.now() - 120_000 + offset;
    const readings = Array.from({ length: count }, (_, i) => ({ tag, ts: base + i, value: 40 + (i % 10) }));
    await pub.publishAsync(telemetryTopic({ enterprise, gateway: 'GW01' }), JSON.stringify({ readings }), {
      qos: 1,
    });
  }

  /** The example site's ingest on a fresh database, and a client to look into that database. */
  async function startOnFreshDatabase(): Promise<{
    service: IngestService;
    site: { path: string; enterprise: string };
    db: TestDatabase;
    check: pg.Client;
  }> {
    const db: TestDatabase = await createTestDatabase(postgresAdminUrl);
    cleanup.push(() => db.drop());
    const site = siteFile();
    const service = await startIngestService(
      loadRuntimeConfig(env(db.url, site.path, `hw-t-${randomBytes(3).toString('hex')}`, site.enterprise)),
      logger,
    );
    services.push(service);
    const check = new pg.Client({ connectionString: db.url });
    await check.connect();
    cleanup.push(() => check.end());
    return { service, site, db, check };
  }

  it('stores the site file, gives its points ids, and lands readings for them', async () => {
    const { service, site, check } = await startOnFreshDatabase();
    await publish(site.enterprise, 'LT-1101', 10, 0);
    await publish(site.enterprise, 'PT-1101', 5, 0);
    await waitFor(
      async () => Number((await check.query('SELECT count(*) AS n FROM readings')).rows[0].n) === 15,
      '15 rows',
    );
    const { rows } = await check.query<{ version: string; points: string }>(
      'SELECT (SELECT max(version) FROM site_documents) AS version, (SELECT count(*) FROM point_ids) AS points',
    );
    expect(rows[0]).toEqual({ version: '1', points: '13' });
    // Stopping refreshes the rollups for everything stored, the minute still open included.
    await service.close();
    services = services.filter((s) => s !== service);
    const rollups = await check.query<{ m: string; h: string }>(
      'SELECT (SELECT sum(count) FROM readings_1m) AS m, (SELECT sum(count) FROM readings_1h) AS h',
    );
    expect(rollups.rows[0]).toEqual({ m: '15', h: '15' });
  });

  it('rolls up a write still running when closing stops waiting for the pipeline (10 s)', async () => {
    const { service, site, db, check } = await startOnFreshDatabase();
    // Another transaction holds one key the batch will write, uncommitted: the batch's COPY waits
    // on it (unique index) while readers, the final rollup's included, go on without it.
    const blocker = new pg.Client({ connectionString: db.url });
    await blocker.connect();
    cleanup.push(() => blocker.end());
    const base = Date.now() - 120_000;
    const { rows: ids } = await check.query<{ id: number }>("SELECT id FROM point_ids WHERE tag = 'LT-1101'");
    await blocker.query('BEGIN');
    await blocker.query(
      'INSERT INTO readings (point_id, ts, value, quality) VALUES ($1, to_timestamp($2 / 1000.0), 1, 0)',
      [ids[0]!.id, base],
    );
    const readings = Array.from({ length: 10 }, (_, i) => ({ tag: 'LT-1101', ts: base + i, value: 40 + i }));
    await pub.publishAsync(
      telemetryTopic({ enterprise: site.enterprise, gateway: 'GW01' }),
      JSON.stringify({ readings }),
      { qos: 1 },
    );
    await waitFor(
      async () =>
        (
          await check.query(
            "SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE 'COPY readings%'",
          )
        ).rowCount === 1,
      'the batch waiting on the uncommitted key',
    );
    // When the pipeline's close starts (after any rollup run in progress), so the wait below
    // ends past its 10-s timeout, when closing has gone on towards the final rollup.
    let pipelineClosing: number | undefined;
    const pipeline = service.app.pipeline;
    const closePipeline = pipeline.close.bind(pipeline);
    pipeline.close = () => {
      pipelineClosing = Date.now();
      return closePipeline();
    };
    const closed = service.close();
    services = services.filter((s) => s !== service);
    await waitFor(
      () => Promise.resolve(pipelineClosing !== undefined && Date.now() - pipelineClosing > 10_500),
      "the pipeline's close timeout",
    );
    await blocker.query('ROLLBACK');
    await closed;
    const { rows } = await check.query<{ raw: string; m: string; h: string }>(
      'SELECT (SELECT count(*) FROM readings) AS raw, (SELECT sum(count) FROM readings_1m) AS m, (SELECT sum(count) FROM readings_1h) AS h',
    );
    expect(rows[0]).toEqual({ raw: '10', m: '10', h: '10' });
  }, 40_000);

  it('refuses an invalid site file, naming the point and rule, and leaves nothing running', async () => {
    const db = await createTestDatabase(postgresAdminUrl);
    cleanup.push(() => db.drop());
    const site = siteFile();
    // Level-1 combustible alarm above 25 %LEL (GB/T 50493-2019 §5.5.2).
    const text = readFileSync(site.path, 'utf8');
    const broken = text.replace(/(tag: AT-1101[\s\S]*?limits: \{ *h: )\d+/, '$130');
    expect(broken).not.toBe(text);
    writeFileSync(site.path, broken);
    const error: unknown = await startIngestService(
      loadRuntimeConfig(env(db.url, site.path, `hw-t-${randomBytes(3).toString('hex')}`, site.enterprise)),
      logger,
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.join('\n')).toMatch(/AT-1101/);
    const check = new pg.Client({ connectionString: db.url });
    await check.connect();
    const { rows } = await check.query('SELECT count(*) AS n FROM site_documents');
    await check.end();
    expect(rows[0].n).toBe('0');
  });

  it('loses nothing and duplicates nothing when the database server stops and starts again', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'hw-pg-restart-'));
    // As root, the server runs as `postgres`, which must be able to reach its data directory.
    chmodSync(parent, 0o755);
    const dataDir = join(parent, 'data');
    let server: EmbeddedPostgresHandle = await startEmbeddedPostgres({ dataDir, port: 0, logger });
    const port = server.port;
    cleanup.push(() => server.stop());
    const site = siteFile();
    const service = await startIngestService(
      loadRuntimeConfig(
        env(server.url, site.path, `hw-t-${randomBytes(3).toString('hex')}`, site.enterprise),
      ),
      logger,
    );
    services.push(service);
    const count = async (): Promise<number> => {
      const c = new pg.Client({ connectionString: server.url });
      await c.connect();
      try {
        return Number((await c.query('SELECT count(*) AS n FROM readings')).rows[0].n);
      } finally {
        await c.end();
      }
    };
    for (let m = 0; m < 5; m++) await publish(site.enterprise, 'LT-1101', 100, m * 1000);
    await waitFor(async () => (await count()) === 500, 'first 500 rows');

    await server.stop();
    for (let m = 5; m < 15; m++) await publish(site.enterprise, 'LT-1101', 100, m * 1000);
    await waitFor(() => Promise.resolve(service.app.counters.storageRetries > 0), 'a failed write');
    expect(service.app.subscriber.unacknowledged).toBeGreaterThan(0);

    server = await startEmbeddedPostgres({ dataDir, port, logger });
    await waitFor(async () => (await count()) === 1500, 'all 1500 rows after the restart');
    await service.app.pipeline.drain();
    const c = new pg.Client({ connectionString: server.url });
    await c.connect();
    const dup = await c.query(
      'SELECT count(*) AS n FROM (SELECT point_id, ts FROM readings GROUP BY 1, 2 HAVING count(*) > 1) d',
    );
    await c.end();
    expect(dup.rows[0].n).toBe('0');
    expect(service.app.subscriber.unacknowledged).toBe(0);
  });

  it.each([
    ['ingest:\n  batching:\n    maxBatchRowz: 5\n', 'unknown key ingest.batching.maxBatchRowz'],
    // The periods of the timed duties are ingest settings, named with their full key.
    ['ingest:\n  schedule:\n    alarmTickMs: 0\n', 'ingest.schedule.alarmTickMs: '],
    ['ingest:\n  schedule:\n    rollupGraceSec: 5\n', 'unknown key ingest.schedule.rollupGraceSec'],
    // Retention has one place: database.alarmRetentionDays / auditRetentionDays.
    ['ingest:\n  retention:\n    alarmDays: 400\n', 'ingest.retention: set database.alarmRetentionDays'],
  ])('refuses ingest configuration %j, naming the key', async (yaml, problem) => {
    const config = loadRuntimeConfig({
      HW_CONFIG_FILE: writeConfig(yaml),
      HW_HEALTH_PORT: '0',
      MQTT_URL: mqttUrl,
      DATABASE_URL: postgresAdminUrl,
    });
    const error = await startIngestService(config, logger).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.some((p) => p.startsWith(problem))).toBe(true);
  });
});

describe('alarm engine policies from configuration', () => {
  const { postgresAdminUrl, mqttUrl } = providedServices();

  it.each([
    ['alarms:\n  policy:\n    reAlarmMinutes: 5\n', 'unknown key alarms.policy.reAlarmMinutes'],
    ['alarms:\n  colours:\n    redd: []\n', 'unknown key alarms.colours.redd'],
    ['alarms:\n  warnings:\n    timeout: {}\n', 'alarms.warnings.timeout: is not a known key'],
  ])('refuses %j, naming the key', async (yaml, section) => {
    const db = await createTestDatabase(postgresAdminUrl);
    try {
      const config = loadRuntimeConfig({
        HW_CONFIG_FILE: writeConfig(yaml),
        HW_HEALTH_PORT: '0',
        MQTT_URL: mqttUrl,
        DATABASE_URL: db.url,
        HW_SITE_FILE: EXAMPLE,
      });
      const error = await startIngestService(config, logger).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems.join('\n')).toContain(section);
    } finally {
      await db.drop();
    }
  });
});

function writeConfig(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'hw-cfg-')), 'config.yaml');
  writeFileSync(path, text);
  return path;
}
