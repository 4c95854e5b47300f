import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import mqtt, { type MqttClient } from 'mqtt';
import type { IngestApp } from '@hazardwatch/ingest';
import { startEmbeddedBroker, type EmbeddedBrokerHandle } from '@hazardwatch/ingest/embedded-broker';
import { providedServices } from '@hazardwatch/testkit';
import {
  ingestConfig,
  ingestFixture,
  logger,
  publisher,
  publishReadings,
  rowCount,
  startIngest,
  uid,
  waitFor,
  type IngestFixture,
} from './support.js';

/**
 * The embedded broker (aedes) is the default deployment's broker, so the ingest's persistent
 * session is checked against it directly, whichever broker the integration setup provides.
 */
describe('ingest behind the embedded broker', () => {
  const { postgresAdminUrl } = providedServices();
  let broker: EmbeddedBrokerHandle;
  let fx: IngestFixture;
  let app: IngestApp;
  let pub: MqttClient;
  let closes: number;
  const now = Date.now();

  beforeEach(async () => {
    broker = await startEmbeddedBroker({ host: '127.0.0.1', port: 0, logger });
    fx = await ingestFixture(postgresAdminUrl, ['TI-101']);
    app = startIngest(
      ingestConfig(broker.url, fx.enterprise, uid('ingest-embedded-')),
      fx.pool,
      fx.directory,
    );
    await app.start();
    closes = 0;
    app.subscriber.client.on('close', () => closes++);
    pub = await publisher(broker.url);
  });

  afterEach(async () => {
    await app.close();
    await pub.endAsync(true);
    await fx.close();
    await broker.close();
  });

  it('lands a good message through the persistent session', async () => {
    await publishReadings(pub, fx.enterprise, fx.gateway, [{ tag: 'TI-101', ts: now - 1000, value: 1 }]);
    await waitFor(async () => (await rowCount(fx.pool)) === 1, 5000, 'the reading');
    await app.pipeline.drain();
    expect(closes).toBe(0);
    expect(app.counters.messages).toBe(1);
  });

  // Regression (aedes 1.2.0): a QoS 1 publish to a topic with an empty level that matches the
  // ingest's filter (`hw/v1/E1//telemetry` vs `hw/v1/E1/+/telemetry`) was routed to the ingest but
  // not queued for its session, and the ingest's PUBACK ("no such packet") made aedes drop it.
  // Refusing the topic instead disconnected the device, which re-sent it after every reconnect.
  // Now the message reaches the ingest, which counts it as bad_topic; nobody is disconnected.
  it('counts a topic with an empty level as bad_topic and keeps both sides connected', async () => {
    let pubCloses = 0;
    pub.on('close', () => pubCloses++);
    await pub.publishAsync(`hw/v1/${fx.enterprise}//telemetry`, '{}', { qos: 1 });
    await publishReadings(pub, fx.enterprise, fx.gateway, [{ tag: 'TI-101', ts: now - 1000, value: 1 }]);
    await waitFor(async () => (await rowCount(fx.pool)) === 1, 5000, 'the reading');
    await waitFor(() => app.counters.rejectedByReason.bad_topic === 1, 5000, 'the bad topic counted');
    await waitFor(() => app.subscriber.unacknowledged === 0, 5000, 'acknowledged');
    expect(closes).toBe(0);
    expect(pubCloses).toBe(0);
  });
});

/** What the embedded broker itself does with QoS and topics, seen by plain MQTT clients. */
describe('the embedded broker', () => {
  let broker: EmbeddedBrokerHandle;
  const cleanup: Array<() => Promise<unknown>> = [];

  beforeEach(async () => {
    broker = await startEmbeddedBroker({ host: '127.0.0.1', port: 0, logger });
  });

  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c().catch(() => undefined);
    await broker.close();
  });

  /** A persistent-session subscriber recording the QoS of every PUBLISH it receives. */
  async function subscriber(clientId: string, subscriptions: Record<string, { qos: 0 | 1 | 2 }>) {
    const client = await mqtt.connectAsync(broker.url, { clientId, clean: false, reconnectPeriod: 0 });
    const got: Array<{ topic: string; qos: number }> = [];
    client.on('packetreceive', (p) => {
      if (p.cmd === 'publish') got.push({ topic: p.topic, qos: p.qos });
    });
    let closed = 0;
    client.on('close', () => closed++);
    await client.subscribeAsync(subscriptions);
    return { client, got, closed: () => closed };
  }

  async function device(): Promise<MqttClient> {
    const c = await mqtt.connectAsync(broker.url, { clientId: uid('dev-'), clean: true, reconnectPeriod: 0 });
    cleanup.push(() => c.endAsync(true));
    return c;
  }

  // MQTT 3.1.1 §3.8.4: delivered at min(publish QoS, granted QoS), also through a wildcard.
  it.each([
    [2, 1, 1],
    [2, 2, 2],
    [1, 2, 1],
    [0, 1, 0],
  ] as const)(
    'a QoS %i publish reaches a QoS %i wildcard subscription at QoS %i',
    async (pubQos, subQos, expected) => {
      const sub = await subscriber(uid('sub-'), { 'hwtest/+/data': { qos: subQos } });
      cleanup.push(() => sub.client.endAsync(true));
      const dev = await device();
      await dev.publishAsync('hwtest/GW1/data', 'x', { qos: pubQos });
      await waitFor(() => sub.got.length === 1, 5000, 'the message');
      expect(sub.got[0]!.qos).toBe(expected);
    },
  );

  it('sends a message queued for a persistent session at the granted QoS', async () => {
    const clientId = uid('sub-');
    const first = await subscriber(clientId, { 'hwtest/+/data': { qos: 1 } });
    await first.client.endAsync();
    const dev = await device();
    await dev.publishAsync('hwtest/GW1/data', 'while away', { qos: 2 });
    const client = mqtt.connect(broker.url, { clientId, clean: false, reconnectPeriod: 0 });
    cleanup.push(() => client.endAsync(true));
    const got: number[] = [];
    client.on('packetreceive', (p) => {
      if (p.cmd === 'publish') got.push(p.qos);
    });
    await waitFor(() => got.length === 1, 5000, 'the queued message');
    expect(got).toEqual([1]);
  });

  it.each([
    ['an empty level', 'hw/v1/E1//telemetry'],
    ['a leading empty level under a wildcard', 'hw/v1//GW1/telemetry'],
  ])('routes a topic with %s to a persistent wildcard subscriber without dropping it', async (_n, topic) => {
    const sub = await subscriber(uid('sub-'), { 'hw/v1/+/+/telemetry': { qos: 1 } });
    cleanup.push(() => sub.client.endAsync(true));
    const dev = await device();
    await dev.publishAsync(topic, 'x', { qos: 1 });
    await dev.publishAsync('hw/v1/E1/GW1/telemetry', 'after', { qos: 1 });
    await waitFor(() => sub.got.length === 2, 5000, 'both messages');
    expect(sub.got.map((g) => g.topic)).toEqual([topic, 'hw/v1/E1/GW1/telemetry']);
    expect(sub.closed()).toBe(0);
    expect(dev.connected).toBe(true);
  });

  // MQTT-1.5.3-2: a receiver of U+0000 closes the connection (Mosquitto does the same).
  it('closes the connection of a client publishing to a topic with U+0000, and counts it', async () => {
    const sub = await subscriber(uid('sub-'), { 'hw/#': { qos: 1 } });
    cleanup.push(() => sub.client.endAsync(true));
    const dev = await device();
    const closed = new Promise<void>((resolve) => dev.once('close', () => resolve()));
    dev.publish('hw/v1/E1/GW\u00001/telemetry', 'x', { qos: 1 }, () => undefined);
    await closed;
    expect(broker.counters.nulTopicsRefused).toBe(1);
    const other = await device();
    await other.publishAsync('hw/v1/E1/GW1/telemetry', 'fine', { qos: 1 });
    await waitFor(() => sub.got.length === 1, 5000, 'the next message');
    expect(sub.got[0]!.topic).toBe('hw/v1/E1/GW1/telemetry');
    expect(sub.closed()).toBe(0);
  });
});
