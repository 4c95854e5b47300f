import { randomBytes } from 'node:crypto';
import { createServer, type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import mqtt, { type MqttClient } from 'mqtt';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, providedServices, type TestDatabase } from '@hazardwatch/testkit';
import { LiveValueTap } from '@hazardwatch/ingest';
import { loadRuntimeConfig, startApiBeside, startIngestService, type IngestService } from 'hazardwatch';

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

/** The embedded broker's refusal families (docs/operations.md §6). */
const BROKER_FAMILIES = [
  'hazardwatch_mqtt_auth_failures_total',
  'hazardwatch_mqtt_denied_total',
  'hazardwatch_mqtt_sessions_ended_total',
  'hazardwatch_mqtt_nul_topics_refused_total',
];

/** How many times a family is declared in an exposition (`# TYPE name …` lines). */
const declared = (text: string, family: string): number =>
  text.split('\n').filter((line) => line.startsWith(`# TYPE ${family} `)).length;

/**
 * The embedded broker's refusals (logins refused, publishes denied, sessions ended after a
 * credential change, topics with U+0000) reached /metrics only through the API's metrics, so a
 * standalone `ingest` hosting the broker never exported them, and the U+0000 count was exported
 * nowhere. Now the process hosting the broker exports them on its health port, each family once,
 * whether an API runs beside it (`serve`, the demo) or not.
 */
describe('embedded broker refusals on the health port', () => {
  const { postgresAdminUrl } = providedServices();
  let db: TestDatabase;
  const running: Array<{ close(): Promise<void> }> = [];
  const clients: MqttClient[] = [];

  beforeEach(async () => {
    db = await createTestDatabase(postgresAdminUrl);
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) await c.endAsync(true).catch(() => undefined);
    for (const r of running.splice(0).reverse()) await r.close();
    await db.drop();
  });

  const start = async (deviceAuth: boolean): Promise<IngestService> => {
    const config = loadRuntimeConfig({
      DATABASE_URL: db.url,
      HW_MQTT_EMBEDDED_PORT: '0',
      HW_MQTT_DEVICE_AUTH: String(deviceAuth),
      HW_SITE_FILE: EXAMPLE,
      HW_HEALTH_PORT: String(await freePort()),
      HW_JWT_SECRET: 'a-test-secret-that-is-at-least-32-chars',
    });
    const service = await startIngestService(config, logger, { observers: [new LiveValueTap()] });
    running.push(service);
    return service;
  };
  const serve = async (deviceAuth: boolean): Promise<IngestService> => {
    const service = await start(deviceAuth);
    const config = loadRuntimeConfig({ DATABASE_URL: db.url, HW_HEALTH_PORT: '0' });
    running.push(await startApiBeside(service, config, logger, 0));
    return service;
  };
  const metrics = async (service: IngestService): Promise<string> =>
    (await fetch(`http://127.0.0.1:${service.health!.port}/metrics`)).text();

  const connect = async (service: IngestService, login?: { username: string; password: string }) => {
    const client = await mqtt.connectAsync(service.infrastructure.mqttUrl, {
      clientId: `hw-test-${randomBytes(3).toString('hex')}`,
      reconnectPeriod: 0,
      ...(login ?? {}),
    });
    clients.push(client);
    return client;
  };
  /** A login the broker refuses: its CONNACK return code. */
  const refusedLogin = (service: IngestService) =>
    connect(service, { username: '91320623MA1W000001.GW99', password: 'not-a-secret' }).then(
      () => 'connected',
      (err: { code?: number }) => err.code,
    );
  /** Publishes to a topic with U+0000 and waits until the broker has closed the connection. */
  const publishNulTopic = async (service: IngestService) => {
    const client = await connect(service, service.infrastructure.mqttService);
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    client.publish('hw/v1/91320623MA1W000001/GW\u000001/telemetry', '{}', { qos: 1 }, () => undefined);
    await closed;
  };

  it.each([
    ['ingest', start],
    ['serve', serve],
  ])('%s with device auth: a refused login and a U+0000 topic, counted once', async (_name, begin) => {
    const service = await begin(true);
    expect(await refusedLogin(service)).toBe(4);
    await publishNulTopic(service);

    const text = await metrics(service);
    for (const family of BROKER_FAMILIES) expect(declared(text, family), family).toBe(1);
    expect(text).toMatch(/^hazardwatch_mqtt_auth_failures_total\{reason="unknown_user"\} 1$/m);
    expect(text).toMatch(/^hazardwatch_mqtt_auth_failures_total\{reason="wrong_secret"\} 0$/m);
    expect(text).toMatch(/^hazardwatch_mqtt_denied_total\{action="publish"\} 0$/m);
    expect(text).toMatch(/^hazardwatch_mqtt_sessions_ended_total 0$/m);
    expect(text).toMatch(/^hazardwatch_mqtt_nul_topics_refused_total 1$/m);
  });

  it('ingest without device auth: the U+0000 count alone (nothing else refuses)', async () => {
    const service = await start(false);
    await publishNulTopic(service);
    const text = await metrics(service);
    expect(text).toMatch(/^hazardwatch_mqtt_nul_topics_refused_total 1$/m);
    expect(declared(text, 'hazardwatch_mqtt_auth_failures_total')).toBe(0);
  });

  it("serve without device auth: the API's hook refusals and the broker's U+0000 count, each once", async () => {
    const service = await serve(false);
    await publishNulTopic(service);
    const text = await metrics(service);
    for (const family of BROKER_FAMILIES) expect(declared(text, family), family).toBe(1);
    expect(text).toMatch(/^hazardwatch_mqtt_nul_topics_refused_total 1$/m);
  });
});
