import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import { startEmbeddedBroker, type EmbeddedBrokerHandle, type IngestApp } from '@hazardwatch/ingest';
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
  // ingest's filter (`hw/v1/E1//telemetry` vs `hw/v1/E1/+/telemetry`) made aedes drop the ingest's
  // connection, again and again. The embedded broker now refuses such topics at publish time (the
  // publisher is disconnected, mqtt.js keeps retrying it, so that client is dropped by force).
  it('keeps the ingest connected when a client publishes to a topic with an empty level', async () => {
    const bad = await publisher(broker.url);
    void bad.publishAsync(`hw/v1/${fx.enterprise}//telemetry`, '{}', { qos: 1 }).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 300));
    await bad.endAsync(true);
    // A second client: the broker may rightly refuse the first one.
    const good = await publisher(broker.url);
    try {
      await publishReadings(good, fx.enterprise, fx.gateway, [{ tag: 'TI-101', ts: now - 1000, value: 1 }]);
      await waitFor(async () => (await rowCount(fx.pool)) === 1, 5000, 'the reading');
      expect(closes).toBe(0);
    } finally {
      await good.endAsync();
    }
  });
});
