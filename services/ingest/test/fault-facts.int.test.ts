/**
 * Issue #16 items 2–4 through a real broker and PostgreSQL: what the ingest does with a
 * collector's faults — replayed readings, heartbeats during a source outage, data_loss reports.
 * The evaluation engine is the real one over an injected clock; its output is recorded.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import { statusTopic } from '@hazardwatch/contracts';
import { EvaluationEngine, type ConditionChange, type EvaluatedPoint } from '@hazardwatch/core';
import { buildIngestApp, type IngestApp } from '@hazardwatch/ingest';
import { DataLossRepository, PgReadingWriter, sqlClientFromPg } from '@hazardwatch/store';
import { providedServices } from '@hazardwatch/testkit';
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

const T0 = Date.UTC(2026, 11, 6, 4, 0, 0);

describe('fault facts: replays, source outages and data loss (real broker and PostgreSQL)', () => {
  const { postgresAdminUrl, mqttUrl } = providedServices();
  let fx: IngestFixture;
  let pub: MqttClient;
  let app: IngestApp | undefined;
  let clientId: string;
  let engine: EvaluationEngine;
  let changes: ConditionChange[];
  let now: number;

  const gasPoint = (tag: string): EvaluatedPoint => ({
    id: fx.pointIds.get(tag)!,
    tag,
    kind: 'combustible_gas',
    enterprise: fx.enterprise,
    gateway: fx.gateway,
    limits: { ll: null, l: null, h: 20, hh: 40 },
    deadband: { ll: 0, l: 0, h: 1, hh: 1 },
    onDelayMs: 0,
    offDelayMs: 0,
    staleAfterMs: 30_000,
    rateOfChange: [],
    range: { min: 0, max: 100 },
    enabled: true,
  });

  beforeEach(async () => {
    fx = await ingestFixture(postgresAdminUrl, ['GT-1', 'GT-2']);
    pub = await publisher(mqttUrl);
    changes = [];
    now = T0;
    engine = new EvaluationEngine({
      points: [gasPoint('GT-1'), gasPoint('GT-2')],
      gateways: [{ enterprise: fx.enterprise, code: fx.gateway, offlineAfterMs: 60_000 }],
      sink: { change: (c) => void changes.push(c) },
    });
    engine.tick(now);
    clientId = uid('ingest-');
    app = buildIngestApp(ingestConfig(mqttUrl, fx.enterprise, clientId), {
      logger,
      writer: new PgReadingWriter(fx.pool, { logger, now: () => now }),
      directory: () => fx.directory,
      observers: [engine],
      now: () => now,
      gateways: engine,
      dataLoss: new DataLossRepository(sqlClientFromPg(fx.pool)),
    });
    await app.start();
  });

  afterEach(async () => {
    await app?.close().catch(() => undefined);
    await pub.endAsync();
    await discardSession(mqttUrl, clientId);
    await fx.close();
  });

  const status = (body: object) =>
    pub.publishAsync(statusTopic({ enterprise: fx.enterprise, gateway: fx.gateway }), JSON.stringify(body), {
      qos: 1,
    });
  /** Publishes a status message at ingest time `at` and waits until the ingest has taken it. */
  const statusAt = async (at: number, body: object) => {
    now = at;
    await status({ ts: at, ...body });
    await waitFor(() => app!.presence.get(fx.enterprise, fx.gateway)?.lastSeenMs === at, 10_000, 'status');
  };
  const source = (state: string) => ({
    name: 'opcua-1',
    kind: 'opcua',
    state,
    readings: 0,
    errors: 0,
    reconnects: 0,
  });
  const log = (filter: (c: ConditionChange) => boolean = () => true) =>
    changes.filter(filter).map((c) => {
      const who =
        c.source.kind !== 'point'
          ? 'GW:'
          : `${c.source.pointId === fx.pointIds.get('GT-1') ? 'GT-1' : 'GT-2'}:`;
      return `${who}${c.condition}${c.active ? '+' : '-'}${c.late === true ? ' late' : ''}`;
    });

  it('item 3: heartbeats through a 93 s source outage keep the gateway online; points go STALE, the gateway SOURCE_DOWN', async () => {
    await statusAt(T0, { type: 'birth', spoolDepth: 0, sources: [source('connected')] });
    await publishReadings(pub, fx.enterprise, fx.gateway, [
      { tag: 'GT-1', ts: T0, value: 5 },
      { tag: 'GT-2', ts: T0, value: 5 },
    ]);
    await waitFor(() => engine.counters().accepted === 2, 10_000, 'readings evaluated');
    // OPC-UA down for 93 s: no readings; the collector's heartbeat every 10 s, spool depth unchanged.
    for (let at = T0 + 10_000; at <= T0 + 93_000; at += 10_000) {
      await statusAt(at, { type: 'heartbeat', spoolDepth: 0, sources: [source('degraded')] });
      engine.tick(at);
    }
    expect(log((c) => c.active)).toEqual(['GW:SOURCE_DOWN+', 'GT-1:STALE+', 'GT-2:STALE+']);
    expect(engine.isGatewayOffline(fx.enterprise, fx.gateway)).toBe(false);
  });

  it('item 4: a data_loss report is stored and raises DATA_LOSS on the gateway', async () => {
    await statusAt(T0 + 60_000, {
      type: 'data_loss',
      dropped: { reason: 'max_bytes', entries: 56, readings: 11_297, oldestTs: T0, newestTs: T0 + 55_000 },
    });
    const repo = new DataLossRepository(sqlClientFromPg(fx.pool));
    await waitFor(
      async () => (await repo.overlapping([fx.enterprise], T0, T0 + 60_000)).length === 1,
      10_000,
      'stored',
    );
    expect(await repo.overlapping([fx.enterprise], T0, T0 + 60_000)).toEqual([
      expect.objectContaining({
        gateway: fx.gateway,
        reason: 'max_bytes',
        readings: 11_297,
        fromMs: T0,
        toMs: T0 + 55_000,
        reportedMs: T0 + 60_000,
        receivedMs: T0 + 60_000,
      }),
    ]);
    expect(log((c) => c.condition === 'DATA_LOSS')).toEqual(['GW:DATA_LOSS+', 'GW:DATA_LOSS-']);
    expect(changes.find((c) => c.condition === 'DATA_LOSS')?.value).toBe(11_297);
  });

  it('item 2: live readings first, then the spool replay — every reading stored, the replayed HH raised late', async () => {
    await publishReadings(pub, fx.enterprise, fx.gateway, [{ tag: 'GT-1', ts: T0, value: 5 }]);
    await publishReadings(pub, fx.enterprise, fx.gateway, [{ tag: 'GT-1', ts: T0 + 30_000, value: 5 }]);
    const replay = Array.from({ length: 28 }, (_, k) => ({
      tag: 'GT-1',
      ts: T0 + 2000 + k * 1000,
      value: k >= 3 && k < 23 ? 45 : 5,
    }));
    await publishReadings(pub, fx.enterprise, fx.gateway, replay);
    await waitFor(async () => (await rowCount(fx.pool)) === 30, 10_000, 'all readings stored');
    expect(log((c) => c.condition === 'HH')).toEqual(['GT-1:HH-', 'GT-1:HH+ late', 'GT-1:HH- late']);
    expect(changes.filter((c) => c.late === true).map((c) => c.ts - T0)).toEqual([5000, 25_000]);
    expect(engine.activeConditions(fx.pointIds.get('GT-1')!)).toEqual([]);
  });
});
