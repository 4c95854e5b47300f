import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import { statusTopic } from '@hazardwatch/contracts';
import { providedServices } from '@hazardwatch/testkit';
import { buildIngestApp, type IngestApp } from '@hazardwatch/ingest';
import {
  GatewayStatusRepository,
  PgReadingWriter,
  sqlClientFromPg,
  type GatewayStatusRecord,
} from '@hazardwatch/store';
import {
  discardSession,
  ingestConfig,
  ingestFixture,
  logger,
  publisher,
  publishReadings,
  rowCount,
  uid,
  waitFor,
  type IngestFixture,
} from './support.js';

describe('gateway status: MQTT status messages → gateway_status (real broker and PostgreSQL)', () => {
  const { postgresAdminUrl, mqttUrl } = providedServices();
  let fx: IngestFixture;
  let pub: MqttClient;
  let app: IngestApp | undefined;
  let clientId: string;
  let repo: GatewayStatusRepository;

  beforeEach(async () => {
    fx = await ingestFixture(postgresAdminUrl, ['TI-101']);
    pub = await publisher(mqttUrl);
    repo = new GatewayStatusRepository(sqlClientFromPg(fx.pool));
    clientId = uid('ingest-');
    app = buildIngestApp(ingestConfig(mqttUrl, fx.enterprise, clientId), {
      logger,
      writer: new PgReadingWriter(fx.pool, { logger, now: Date.now }),
      directory: () => fx.directory,
      gatewayStatus: repo,
    });
    await app.start();
  });

  afterEach(async () => {
    await app?.close().catch(() => undefined);
    await pub.endAsync();
    await discardSession(mqttUrl, clientId);
    await fx.close();
  });

  // Not retained, so nothing is left on the broker for later runs.
  const publishStatus = (gateway: string, body: object) =>
    pub.publishAsync(statusTopic({ enterprise: fx.enterprise, gateway }), JSON.stringify(body), { qos: 1 });
  const stored = async (gateway: string): Promise<GatewayStatusRecord | undefined> =>
    (await repo.byEnterprises([fx.enterprise])).find((r) => r.gateway === gateway);

  it('stores birth, heartbeat spool depth and death per gateway', async () => {
    const before = Date.now();
    await publishStatus(fx.gateway, { type: 'birth', ts: Date.now(), spoolDepth: 0 });
    await publishStatus('GW2', { type: 'heartbeat', ts: Date.now() });
    await waitFor(async () => (await repo.byEnterprises([fx.enterprise])).length === 2, 10_000, '2 gateways');
    expect(await stored(fx.gateway)).toMatchObject({ online: true, spoolDepth: 0 });
    expect(await stored('GW2')).toMatchObject({ online: true, spoolDepth: null });
    expect((await stored(fx.gateway))!.lastSeenMs).toBeGreaterThanOrEqual(before);

    await publishStatus(fx.gateway, { type: 'heartbeat', ts: Date.now(), spoolDepth: 12_345 });
    await waitFor(async () => (await stored(fx.gateway))?.spoolDepth === 12_345, 10_000, 'spool depth');

    await publishStatus(fx.gateway, { type: 'death', ts: Date.now() });
    await waitFor(async () => (await stored(fx.gateway))?.online === false, 10_000, 'death');
    // The last reported backlog is still what the gateway holds.
    expect(await stored(fx.gateway)).toMatchObject({ online: false, spoolDepth: 12_345 });
    expect(app!.counters.snapshot().gatewayStatusWritesFailed).toBe(0);
  });

  it('a gateway back by telemetry after its death is stored online', async () => {
    await publishStatus(fx.gateway, { type: 'death', ts: Date.now() });
    await waitFor(async () => (await stored(fx.gateway))?.online === false, 10_000, 'death');
    await publishReadings(pub, fx.enterprise, fx.gateway, [{ tag: 'TI-101', ts: Date.now(), value: 1 }]);
    await waitFor(async () => (await stored(fx.gateway))?.online === true, 10_000, 'back online');
  });

  it('a gateway that sends only telemetry has its last-seen time stored again as it keeps sending', async () => {
    await app!.close();
    await discardSession(mqttUrl, clientId);
    app = buildIngestApp(ingestConfig(mqttUrl, fx.enterprise, clientId), {
      logger,
      writer: new PgReadingWriter(fx.pool, { logger, now: Date.now }),
      directory: () => fx.directory,
      gatewayStatus: repo,
      lastSeenRefreshMs: 300,
    });
    await app.start();
    await publishReadings(pub, fx.enterprise, fx.gateway, [{ tag: 'TI-101', ts: Date.now(), value: 1 }]);
    await waitFor(async () => (await stored(fx.gateway))?.online === true, 10_000, 'online');
    const first = (await stored(fx.gateway))!.lastSeenMs;
    // Before: the row kept the moment the gateway came online for as long as it stayed online.
    await new Promise((r) => setTimeout(r, 1100));
    await publishReadings(pub, fx.enterprise, fx.gateway, [{ tag: 'TI-101', ts: Date.now(), value: 2 }]);
    await waitFor(
      async () => ((await stored(fx.gateway))?.lastSeenMs ?? 0) >= first + 1000,
      10_000,
      'last seen stored again',
    );
  });

  it('a retained death of a gateway heard from within its offline timeout is not taken at a (re)subscribe; a live death is', async () => {
    // Left on the broker by a session long gone: the gateway (or a device sending under its code
    // without status messages) has kept sending since. Every start and takeover raised
    // GATEWAY_OFFLINE for it (issue #23, bench failover), cleared by its next reading.
    await publishReadings(pub, fx.enterprise, fx.gateway, [{ tag: 'TI-101', ts: Date.now(), value: 1 }]);
    await waitFor(async () => (await stored(fx.gateway))?.online === true, 10_000, 'online');
    await app!.close();
    await discardSession(mqttUrl, clientId);
    const topic = statusTopic({ enterprise: fx.enterprise, gateway: fx.gateway });
    await pub.publishAsync(topic, JSON.stringify({ type: 'death', ts: Date.now() - 3_600_000 }), {
      qos: 1,
      retain: true,
    });
    try {
      const restart = async (offlineAfterMs: number, seed: boolean): Promise<IngestApp> => {
        const next = buildIngestApp(ingestConfig(mqttUrl, fx.enterprise, clientId), {
          logger,
          writer: new PgReadingWriter(fx.pool, { logger, now: Date.now }),
          directory: () => fx.directory,
          gatewayStatus: repo,
          gatewayOfflineAfterMs: () => offlineAfterMs,
        });
        // As the services do before subscribing: what the last owner stored.
        if (seed) next.presence.seed(await repo.byEnterprises([fx.enterprise]));
        await next.start();
        return next;
      };
      // Heard from seconds ago, within a 60 s timeout: the retained death is not taken.
      app = await restart(60_000, true);
      await waitFor(
        () => app!.counters.snapshot().retainedDeathsIgnored === 1,
        10_000,
        'retained death ignored',
      );
      expect(app.presence.get(fx.enterprise, fx.gateway)?.online).toBe(true);
      expect(await stored(fx.gateway)).toMatchObject({ online: true });
      // A death sent while subscribed is the gateway's news now: taken.
      await publishStatus(fx.gateway, { type: 'death', ts: Date.now() });
      await waitFor(async () => (await stored(fx.gateway))?.online === false, 10_000, 'live death');

      // Nothing known of the gateway (no stored row): the retained death is all there is.
      await app.close();
      await discardSession(mqttUrl, clientId);
      await fx.pool.query('DELETE FROM gateway_status');
      app = await restart(60_000, true);
      await waitFor(async () => (await stored(fx.gateway))?.online === false, 10_000, 'retained death taken');
      expect(app.counters.snapshot().retainedDeathsIgnored).toBe(0);
    } finally {
      await pub.publishAsync(topic, '', { qos: 1, retain: true });
    }
  });

  it('a failing status table is logged and counted and never holds back readings', async () => {
    await fx.pool.query('DROP TABLE gateway_status');
    await publishStatus(fx.gateway, { type: 'heartbeat', ts: Date.now(), spoolDepth: 5 });
    await publishReadings(pub, fx.enterprise, fx.gateway, [{ tag: 'TI-101', ts: Date.now(), value: 2 }]);
    await waitFor(() => app!.counters.snapshot().gatewayStatusWritesFailed >= 1, 10_000, 'failure counted');
    await waitFor(async () => (await rowCount(fx.pool)) === 1, 10_000, 'the reading stored');
    expect(app!.counters.snapshot()).toMatchObject({ messagesDurable: 1, accepted: 1 });
  });
});
