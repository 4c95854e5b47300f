import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import { telemetryTopic } from '@hazardwatch/contracts';
import type { IngestApp } from '@hazardwatch/ingest';
import { providedServices } from '@hazardwatch/testkit';
import { HurryableTimers, startClockedIngest } from './clocked-ingest.js';
import {
  discardSession,
  ingestConfig,
  ingestFixture,
  publisher,
  publishReadings,
  rowCount,
  uid,
  waitFor,
  type IngestFixture,
} from './support.js';

/**
 * Messages that must be dead-lettered like any other bad input, never hold the service up. Each
 * is followed by a good message, which must land and be acknowledged too.
 */
describe('ingest: poison messages', () => {
  const { postgresAdminUrl, mqttUrl } = providedServices();
  let fx: IngestFixture;
  let pub: MqttClient;
  let app: IngestApp;
  let timers: HurryableTimers;
  let clientId: string;
  const now = Date.now();

  beforeEach(async () => {
    fx = await ingestFixture(postgresAdminUrl, ['TI-101']);
    pub = await publisher(mqttUrl);
    clientId = uid('ingest-poison-');
    timers = new HurryableTimers();
    app = startClockedIngest(ingestConfig(mqttUrl, fx.enterprise, clientId), fx.pool, fx.directory, {
      now: () => now,
      timers,
    });
    await app.start();
  });

  afterEach(async () => {
    // A pipeline stuck retrying would hold close() for its 10 s grace period.
    timers.hurry();
    await app.close();
    await pub.endAsync();
    await discardSession(mqttUrl, clientId);
    await fx.close();
  });

  async function deadLetters(): Promise<
    Array<{ reason: string; detail: string | null; tag: string | null }>
  > {
    const { rows } = await fx.pool.query<{ reason: string; detail: string | null; tag: string | null }>(
      'SELECT reason, detail, tag FROM dead_letters ORDER BY id',
    );
    return rows;
  }

  it('dead-letters an ordinary malformed payload and acknowledges both messages', async () => {
    await pub.publishAsync(
      telemetryTopic({ enterprise: fx.enterprise, gateway: fx.gateway }),
      Buffer.from('{"readings":'),
      { qos: 1 },
    );
    await publishReadings(pub, fx.enterprise, fx.gateway, [{ tag: 'TI-101', ts: now - 1000, value: 1 }]);
    await waitFor(() => app.counters.messagesDurable === 2, 5000, 'both messages durable');
    expect((await deadLetters()).map((d) => d.reason)).toEqual(['malformed_json']);
    expect(await rowCount(fx.pool)).toBe(1);
    expect(app.subscriber.unacknowledged).toBe(0);
  });

  // BUG: text that PostgreSQL cannot store (U+0000) reaches the dead-letter row. JSON.parse's error
  // message quotes the payload, so a payload with a 0x00 byte yields a `detail` with NUL; a reading
  // whose tag is "T\u0000" (valid JSON) yields a `tag` and `detail` with NUL. PgReadingWriter.write
  // (store/src/reading-writer.ts, insertDeadLetters, line ~105/151) then fails with SQLSTATE 22021,
  // a data error it does not handle, although its contract says it "rejects only with a retryable
  // error"; IngestPipeline.writeUntilDurable retries the batch forever. Its tickets are never
  // released, so (acks leave in arrival order) no later message on the connection is acknowledged:
  // one 2-byte message stalls the ingest.
  it.each([
    ['a payload with a NUL byte (malformed_json detail quotes it)', Buffer.from([0x00, 0x7b])],
    [
      'a reading whose tag contains U+0000 (unknown_point tag)',
      Buffer.from(JSON.stringify({ readings: [{ tag: 'T\u0000', ts: now - 1000, value: 1 }] })),
    ],
  ])('dead-letters %s and goes on', async (_name, payload) => {
    await pub.publishAsync(telemetryTopic({ enterprise: fx.enterprise, gateway: fx.gateway }), payload, {
      qos: 1,
    });
    await publishReadings(pub, fx.enterprise, fx.gateway, [{ tag: 'TI-101', ts: now - 1000, value: 1 }]);
    await waitFor(() => app.counters.messages === 2, 5000, 'both messages received');
    await waitFor(() => app.counters.messagesDurable === 2, 3000, 'both messages durable');
    expect(await deadLetters()).toHaveLength(1);
    expect(app.subscriber.unacknowledged).toBe(0);
    expect(app.pipeline.storageHealthy).toBe(true);
  });
});
