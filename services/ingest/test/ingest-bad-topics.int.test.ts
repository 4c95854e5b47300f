import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import mqtt, { type MqttClient } from 'mqtt';
import { parseConfig } from '@hazardwatch/kit';
import { IngestConfigSchema, type IngestApp } from '@hazardwatch/ingest';
import { providedServices } from '@hazardwatch/testkit';
import {
  brokerCases,
  discardSession,
  ingestFixture,
  rowCount,
  startIngest,
  uid,
  waitFor,
  type IngestFixture,
  type TestBroker,
} from './support.js';

const { postgresAdminUrl } = providedServices();

const brokers = brokerCases();

/**
 * Issue #16 item 6: a device's malformed topic is a counted `bad_topic` rejection with a dead
 * letter — never a disconnect, never silence — whichever broker is in between. The ingest runs
 * with its default subscriptions (FLEET_FILTERS). On a shared broker it also sees other tests'
 * traffic, so each case is found by its own dead letter (its topic carries a fresh enterprise code).
 */
describe.each(brokers)('malformed topics through %s', (_name, available, startBroker) => {
  let broker: TestBroker;
  let fx: IngestFixture;
  let app: IngestApp;
  let device: MqttClient;
  let clientId: string;
  let deviceCloses: number;

  beforeEach(async () => {
    if (!available) return;
    broker = await startBroker();
    fx = await ingestFixture(postgresAdminUrl, ['TI-101']);
    clientId = uid('ingest-bad-topics-');
    const config = parseConfig(IngestConfigSchema, { mqtt: { url: broker.url, clientId } });
    if (!config.ok) throw new Error(config.errors.join('; '));
    app = startIngest(config.value, fx.pool, fx.directory);
    await app.start();
    await waitFor(() => app.subscriber.subscribed, 5000, 'the ingest subscribed');
    device = await mqtt.connectAsync(broker.url, { clientId: uid('dev-'), clean: true, reconnectPeriod: 0 });
    deviceCloses = 0;
    device.on('close', () => deviceCloses++);
  });

  afterEach(async () => {
    if (!available) return;
    await device.endAsync(true);
    await app.close();
    // The catch-all session must not stay behind on a shared broker, queueing everything.
    await discardSession(broker.url, clientId);
    await fx.close();
    await broker.close();
  });

  const deadLetters = async (topic: string): Promise<string[]> => {
    const { rows } = await fx.pool.query<{ reason: string }>(
      'SELECT reason FROM dead_letters WHERE topic = $1',
      [topic],
    );
    return rows.map((r) => r.reason);
  };

  const table = (e: string): Array<[string, string]> => [
    ['an empty enterprise level', `hw/v1//${e}/telemetry`],
    ['an empty gateway level', `hw/v1/${e}//telemetry`],
    ['a leading slash', `/hw/v1/${e}/GW1/telemetry`],
    ['a trailing slash', `hw/v1/${e}/GW1/telemetry/`],
    ['an extra level', `hw/v1/${e}/GW1/telemetry/extra`],
    ['the root in upper case', `HW/v1/${e}/GW1/telemetry`],
    ['the version in upper case', `hw/V1/${e}/GW1/telemetry`],
    ['the kind in another case', `hw/v1/${e}/GW1/Telemetry`],
    ['too few levels', `hw/v1/${e}/telemetry`],
  ];

  it.runIf(available)('counts each as bad_topic with a dead letter; the device stays connected', async () => {
    const e = uid('E');
    const cases = table(e);
    const before = app.counters.rejectedByReason.bad_topic;
    for (const [, topic] of cases) {
      await device.publishAsync(topic, '{"readings":[{"tag":"TI-101","ts":1,"value":1}]}', { qos: 1 });
    }
    for (const [name, topic] of cases) {
      await waitFor(async () => (await deadLetters(topic)).length === 1, 10_000, `dead letter for ${name}`);
      expect(await deadLetters(topic), name).toEqual(['bad_topic']);
    }
    expect(app.counters.rejectedByReason.bad_topic - before).toBeGreaterThanOrEqual(cases.length);
    expect(device.connected).toBe(true);
    expect(deviceCloses).toBe(0);
    expect(await rowCount(fx.pool)).toBe(0);
    await waitFor(() => app.subscriber.unacknowledged === 0, 10_000, 'acknowledgements released');
  });

  // MQTT 3.1.1 §1.5.3 / §4.7.3: U+0000 is not allowed in a topic and the receiver must close the
  // connection (MQTT-1.5.3-2). Both brokers do; the ingest never sees the message. The embedded
  // broker counts it; Mosquitto only logs it.
  it.runIf(available)('a topic with U+0000 closes the connection at the broker', async () => {
    const closed = new Promise<void>((resolve) => device.once('close', () => resolve()));
    device.publish(`hw/v1/${uid('E')}/GW\u00001/telemetry`, '{}', { qos: 1 }, () => undefined);
    await closed;
    if (broker.embedded) expect(broker.embedded.counters.nulTopicsRefused).toBe(1);
    expect(app.subscriber.connected).toBe(true);
  });
});
