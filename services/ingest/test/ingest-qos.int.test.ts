import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import { telemetryTopic } from '@hazardwatch/contracts';
import type { IngestApp } from '@hazardwatch/ingest';
import { providedServices } from '@hazardwatch/testkit';
import {
  brokerCases,
  discardSession,
  duplicateCount,
  ingestConfig,
  ingestFixture,
  publisher,
  rowCount,
  startIngest,
  uid,
  waitFor,
  type IngestFixture,
} from './support.js';

const TAGS = ['TI-101', 'PI-101', 'LI-101'];
const { postgresAdminUrl } = providedServices();

/**
 * Devices publish at QoS 0, 1 and 2 (issue #16: a device maker's corpus at mixed QoS). On every
 * broker each good reading is stored once, the device gets its acknowledgements, and the ingest
 * releases every one of its own (`hw_ingest_unacknowledged_messages` back to 0).
 */
const brokers = brokerCases();

describe.each(brokers)('mixed QoS 0/1/2 through %s', (_name, available, startBroker) => {
  let broker: { url: string; close(): Promise<void> };
  let fx: IngestFixture;
  let app: IngestApp;
  let device: MqttClient;
  let clientId: string;

  beforeEach(async () => {
    if (!available) return;
    broker = await startBroker();
    fx = await ingestFixture(postgresAdminUrl, TAGS);
    clientId = uid('ingest-qos-');
    app = startIngest(ingestConfig(broker.url, fx.enterprise, clientId), fx.pool, fx.directory);
    await app.start();
    await waitFor(() => app.subscriber.subscribed, 5000, 'the ingest subscribed');
    device = await publisher(broker.url);
  });

  afterEach(async () => {
    if (!available) return;
    await app.close();
    await device.endAsync();
    await discardSession(broker.url, clientId);
    await fx.close();
    await broker.close();
  });

  it.runIf(available)('stores every good reading once and keeps acknowledgements flowing', async () => {
    const topic = telemetryTopic({ enterprise: fx.enterprise, gateway: fx.gateway });
    const base = Date.now() - 120_000;
    const messages = 90;
    const perMessage = 4;
    let closes = 0;
    app.subscriber.client.on('close', () => closes++);
    /** Source timestamps of the good readings, by the QoS they were published at. */
    const goodTs: Record<0 | 1 | 2, number[]> = { 0: [], 1: [], 2: [] };
    const bad: Record<0 | 1 | 2, number> = { 0: 0, 1: 0, 2: 0 };
    // The device keeps at most 10 messages in flight, as a gateway should (docs/mqtt-telemetry.md
    // §7). Mosquitto 2.0.11 with its default max_inflight_messages (20) was seen to complete the
    // QoS 2 handshake of messages beyond that from a 3.1.1 client and never deliver them.
    let sends: Array<Promise<unknown>> = [];
    const send = async (payload: string, qos: 0 | 1 | 2): Promise<void> => {
      sends.push(device.publishAsync(topic, payload, { qos }));
      if (sends.length >= 10) {
        await Promise.all(sends);
        sends = [];
      }
    };
    for (let m = 0; m < messages; m++) {
      const qos = (m % 3) as 0 | 1 | 2;
      // Every fifth message is not JSON: rejected, still acknowledged.
      if (m % 5 === 4) {
        bad[qos]++;
        await send('{"readings":[', qos);
        continue;
      }
      const readings = Array.from({ length: perMessage }, (_, r) => ({
        tag: TAGS[r % TAGS.length]!,
        ts: base + m * perMessage + r,
        value: m + r / 10,
      }));
      goodTs[qos].push(...readings.map((r) => r.ts));
      await send(JSON.stringify({ readings }), qos);
    }
    // The device gets PUBACK / PUBCOMP for every QoS 1 and 2 message.
    await Promise.all(sends);

    const assured = [...goodTs[1], ...goodTs[2]];
    const stored = async (ts: readonly number[]): Promise<number> => {
      const { rows } = await fx.pool.query<{ n: string }>(
        'SELECT count(*) AS n FROM readings WHERE ts = ANY($1::timestamptz[])',
        [ts.map((t) => new Date(t).toISOString())],
      );
      return Number(rows[0]!.n);
    };
    await waitFor(async () => (await stored(assured)) === assured.length, 20_000, 'QoS 1 and 2 readings');
    await waitFor(() => app.subscriber.unacknowledged === 0, 20_000, 'every acknowledgement released');
    await app.pipeline.drain();
    expect(await duplicateCount(fx.pool)).toBe(0);
    // QoS 0 is at most once (MQTT 3.1.1 §4.3.1): Mosquitto drops it while its in-flight window
    // towards the ingest is full. Whatever arrived is stored once.
    const all = assured.length + goodTs[0].length;
    expect(await rowCount(fx.pool)).toBeLessThanOrEqual(all);
    expect(await rowCount(fx.pool)).toBe(app.counters.accepted);
    expect(app.counters.rejectedByReason.malformed_json).toBeGreaterThanOrEqual(bad[1] + bad[2]);
    expect(app.counters.rejectedByReason.malformed_json).toBeLessThanOrEqual(bad[0] + bad[1] + bad[2]);
    expect(closes).toBe(0);
  });
});
