import { randomBytes } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import type pg from 'pg';
import { pino, type Logger } from 'pino';
import { telemetryTopic, topicFilter, type Reading } from '@hazardwatch/contracts';
import {
  buildIngestApp,
  IngestConfigSchema,
  pointDirectoryFrom,
  type IngestApp,
  type IngestConfig,
  type PointDirectory,
} from '@hazardwatch/ingest';
import { parseConfig } from '@hazardwatch/kit';
import {
  compileRetention,
  migrate,
  PartitionMaintainer,
  PgReadingWriter,
  ensurePointIds,
  pointKey,
  sqlClientFromPg,
} from '@hazardwatch/store';
import { startEmbeddedBroker, type EmbeddedBrokerHandle } from '@hazardwatch/ingest/embedded-broker';
import { createTestDatabase, openTestPool, providedServices, type TestDatabase } from '@hazardwatch/testkit';

export const logger: Logger = pino({ level: 'silent' });

export const uid = (prefix: string): string => `${prefix}${randomBytes(4).toString('hex')}`;

/** A broker a test runs against: the embedded one (aedes, its own per test) or the machine's Mosquitto. */
export interface TestBroker {
  readonly url: string;
  readonly embedded?: EmbeddedBrokerHandle;
  close(): Promise<void>;
}

/**
 * `describe.each` cases `[name, available, start]`: the embedded broker (aedes) always, and the
 * Mosquitto the machine provides (not started by the tests: unavailable without one).
 */
export function brokerCases(): Array<[string, boolean, () => Promise<TestBroker>]> {
  const { mqttUrl, mqttKind } = providedServices();
  return [
    [
      'the embedded broker (aedes)',
      true,
      async () => {
        const embedded = await startEmbeddedBroker({ host: '127.0.0.1', port: 0, logger });
        return { url: embedded.url, embedded, close: () => embedded.close() };
      },
    ],
    [
      'Mosquitto',
      mqttKind === 'external',
      () => Promise.resolve({ url: mqttUrl, close: () => Promise.resolve() }),
    ],
  ];
}

/** A migrated database with partitions for the accepted window and a site of `tags` points on one gateway. */
export interface IngestFixture {
  readonly db: TestDatabase;
  readonly pool: pg.Pool;
  readonly enterprise: string;
  readonly gateway: string;
  readonly directory: PointDirectory;
  readonly pointIds: Map<string, number>;
  close(): Promise<void>;
}

export async function ingestFixture(adminUrl: string, tags: readonly string[]): Promise<IngestFixture> {
  const db = await createTestDatabase(adminUrl);
  const pool = openTestPool(db.url, { max: 4 });
  pool.on('error', () => undefined);
  const client = sqlClientFromPg(pool);
  await migrate(client, { logger, dialect: 'postgres' });
  await new PartitionMaintainer({
    client,
    logger,
    now: Date.now,
    retention: compileRetention(),
    maxAcceptedAgeMs: 7 * 86_400_000,
  }).run();
  const enterprise = uid('E');
  const gateway = 'GW1';
  const ids = await ensurePointIds(
    client,
    tags.map((tag) => ({ enterprise, tag })),
  );
  const pointIds = new Map<string, number>();
  for (const tag of tags) pointIds.set(tag, ids.get(pointKey(enterprise, tag))!);
  const directory = pointDirectoryFrom(
    [
      { enterprise, code: gateway },
      { enterprise, code: 'GW2' },
    ],
    tags.map((tag) => ({ enterprise, tag, id: pointIds.get(tag)!, gateway, enabled: tag !== 'DISABLED' })),
  );
  return {
    db,
    pool,
    enterprise,
    gateway,
    directory,
    pointIds,
    close: async () => {
      await pool.end();
      await db.drop();
    },
  };
}

export function ingestConfig(
  mqttUrl: string,
  enterprise: string,
  clientId: string,
  overrides: object = {},
): IngestConfig {
  const parsed = parseConfig(IngestConfigSchema, {
    mqtt: {
      url: mqttUrl,
      clientId,
      subscriptions: [topicFilter('telemetry', enterprise), topicFilter('status', enterprise)],
    },
    retry: { initialDelayMs: 50, maxDelayMs: 500 },
    ...overrides,
  });
  if (!parsed.ok) throw new Error(parsed.errors.join('; '));
  return parsed.value;
}

export function startIngest(config: IngestConfig, pool: pg.Pool, directory: PointDirectory): IngestApp {
  const writer = new PgReadingWriter(pool, { logger, now: Date.now });
  return buildIngestApp(config, { logger, writer, directory: () => directory });
}

export async function publisher(mqttUrl: string): Promise<MqttClient> {
  return mqtt.connectAsync(mqttUrl, { clientId: uid('pub-'), clean: true });
}

export async function publishReadings(
  client: MqttClient,
  enterprise: string,
  gateway: string,
  readings: ReadonlyArray<Reading | Record<string, unknown>>,
): Promise<void> {
  await client.publishAsync(telemetryTopic({ enterprise, gateway }), JSON.stringify({ readings }), {
    qos: 1,
  });
}

/** Removes a persistent session from the broker (a clean connect discards it). */
export async function discardSession(mqttUrl: string, clientId: string): Promise<void> {
  const c = await mqtt.connectAsync(mqttUrl, { clientId, clean: true });
  await c.endAsync();
}

export async function waitFor(
  check: () => Promise<boolean> | boolean,
  timeoutMs = 20_000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export async function rowCount(pool: pg.Pool): Promise<number> {
  const { rows } = await pool.query<{ n: string }>('SELECT count(*) AS n FROM readings');
  return Number(rows[0]!.n);
}

export async function duplicateCount(pool: pg.Pool): Promise<number> {
  const { rows } = await pool.query<{ n: string }>(
    'SELECT count(*) AS n FROM (SELECT point_id, ts FROM readings GROUP BY 1, 2 HAVING count(*) > 1) d',
  );
  return Number(rows[0]!.n);
}
