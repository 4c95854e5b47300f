import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildIngestApp, partitionOf, PartitionSessions, type IngestApp } from '@hazardwatch/ingest';
import { PgReadingWriter } from '@hazardwatch/store';
import { providedServices } from '@hazardwatch/testkit';
import {
  discardSession,
  duplicateCount,
  ingestConfig,
  ingestFixture,
  publisher,
  publishReadings,
  rowCount,
  uid,
  waitFor,
  type IngestFixture,
} from '../support.js';

// Issue #23: the ingest app takes its messages from a leased worker's per-partition sessions
// instead of its one subscriber — decoded, stored and acknowledged once durable as always; a
// partition's readings published before its session opens are kept by the broker and stored once.

const logger = pino({ level: 'silent' });

describe('the ingest app on PartitionSessions (PostgreSQL and broker)', () => {
  let fx: IngestFixture;
  let app: IngestApp<PartitionSessions> | undefined;
  const prefix = uid('hw-t-');

  beforeAll(async () => {
    fx = await ingestFixture(providedServices().postgresAdminUrl, ['TT-1', 'TT-2']);
  });
  afterAll(async () => {
    await app?.close();
    await discardSession(
      providedServices().mqttUrl,
      PartitionSessions.clientId(prefix, partitionOf(fx.enterprise)),
    );
    await fx.close();
  });

  it('stores what a partition’s session brings, also what was published before it opened, once', async () => {
    const { mqttUrl } = providedServices();
    const config = ingestConfig(mqttUrl, fx.enterprise, uid('unused-'));
    const partition = partitionOf(fx.enterprise);
    app = buildIngestApp(
      config,
      {
        logger,
        writer: new PgReadingWriter(fx.pool, { logger, now: Date.now }),
        directory: () => fx.directory,
      },
      (onMessage) =>
        new PartitionSessions({
          clientIdPrefix: prefix,
          count: 64,
          enterprises: () => [fx.enterprise],
          session: {
            url: mqttUrl,
            protocolVersion: 4,
            keepaliveSec: 30,
            reconnectPeriodMs: 200,
            connectTimeoutMs: 5000,
            receiveMaximum: 100,
            sessionExpirySec: 3600,
          },
          owns: () => true,
          onMessage,
          logger,
        }),
    );
    await app.start();
    // The session is opened once (so the broker knows it), then closed: the partition is unowned.
    await app.subscriber.open(partition);
    await app.subscriber.stop(partition);
    const pub = await publisher(mqttUrl);
    const t0 = Date.now() - 60_000;
    await publishReadings(pub, fx.enterprise, fx.gateway, [
      { tag: 'TT-1', ts: t0, value: 1 },
      { tag: 'TT-2', ts: t0, value: 2 },
    ]);
    // Granted: the session resumes and receives what the broker kept, then what comes next.
    await app.subscriber.open(partition);
    await publishReadings(pub, fx.enterprise, fx.gateway, [{ tag: 'TT-1', ts: t0 + 1000, value: 3 }]);
    await waitFor(async () => (await rowCount(fx.pool)) === 3, 10_000, 'three readings stored');
    await waitFor(() => app!.subscriber.unacknowledged === 0, 5000, 'every message acknowledged');
    expect(await duplicateCount(fx.pool)).toBe(0);
    expect(app.counters.snapshot()).toMatchObject({ accepted: 3 });
    await pub.endAsync();
  });
});
