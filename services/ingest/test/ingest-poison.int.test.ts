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

  // A device maker's corpus: thousands of malformed 16 KiB messages and made-up gateway codes in a
  // second. Neither the dead-letter table nor /metrics may grow with it; whatever is not kept is
  // counted. (The platform clock stands still here, so each gateway gets exactly its burst.)
  it('keeps a flood of large malformed messages and made-up gateways bounded, and counts what it drops', async () => {
    const big = Buffer.concat([Buffer.from('{"readings": ['), Buffer.alloc(16 * 1024 - 14, 0x78)]);
    const sends: Array<Promise<unknown>> = [];
    for (let i = 0; i < 300; i++)
      sends.push(
        pub.publishAsync(telemetryTopic({ enterprise: fx.enterprise, gateway: fx.gateway }), big, { qos: 1 }),
      );
    for (let i = 0; i < 200; i++)
      sends.push(
        pub.publishAsync(telemetryTopic({ enterprise: fx.enterprise, gateway: `FAKE${i}` }), big, { qos: 1 }),
      );
    await Promise.all(sends);
    await waitFor(() => app.counters.messages === 500, 20_000, 'every message received');
    await app.pipeline.drain();

    const c = app.counters.snapshot();
    expect(c.rejected).toBe(500);
    const dropped = Object.values(c.deadLettersDropped).reduce((a, b) => a + b, 0);
    expect(c.deadLettersWritten + dropped).toBe(500);
    // One burst (100) for the known gateway, one shared by every made-up gateway of the enterprise.
    expect(c.deadLettersWritten).toBe(200);
    expect(c.deadLettersDropped.rate_limited).toBe(300);
    expect(c.deadLettersTruncated).toBe(200);
    const { rows } = await fx.pool.query<{ n: number; biggest: number }>(
      'SELECT count(*)::int AS n, max(octet_length(raw))::int AS biggest FROM dead_letters',
    );
    expect(rows[0]).toEqual({ n: 200, biggest: 4096 });
    const series = Object.keys(c.byGateway);
    expect(series.sort()).toEqual([`${fx.enterprise}/${fx.gateway}`, `${fx.enterprise}/_unknown`]);
    expect(app.subscriber.unacknowledged).toBe(0);
  });
});
