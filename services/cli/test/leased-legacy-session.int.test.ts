import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import pg from 'pg';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startEmbeddedBroker, type EmbeddedBrokerHandle } from '@hazardwatch/ingest/embedded-broker';
import { telemetryTopic } from '@hazardwatch/contracts';
import { createTestDatabase, providedServices, waitFor, type TestDatabase } from '@hazardwatch/testkit';
import {
  CLI,
  endIngestSessions,
  enterpriseCodes,
  startLeasedWorker,
  tankFarmSite,
  type LeasedWorker,
} from './leased-support.js';
import { freePort, startProcess, stopProcess, type StartedProcess } from './process-support.js';

/**
 * Upgrading a single `hazardwatch ingest` to the leased default (issue #23): the single worker's
 * one session (`{prefix}`, every enterprise) becomes one per partition (`{prefix}-pNN`). What the
 * broker acknowledged between the single worker's stop and the partitions' first subscriptions is
 * queued in the old session only — lost to the fleet before this change, and the old session,
 * still subscribed to everything, went on queueing every message. Now the holder of partition 0
 * publishes the old session's messages again once every partition's session is open, and deletes
 * the old session: every acknowledged reading is stored and judged (an HH of the gap is raised),
 * and nothing is left queueing. Real PostgreSQL; the test's broker (Mosquitto where it runs) and
 * aedes, the embedded broker.
 */
const { postgresAdminUrl, mqttUrl: providedMqttUrl } = providedServices();
const TIMING = { leaseMs: 2000, heartbeatMs: 300, marginMs: 300 };

describe.each([
  ['the test broker', 'provided'],
  ['aedes (embedded)', 'aedes'],
] as const)(
  'a single worker’s session left at the broker, taken over by the leased fleet: %s',
  (_name, kind) => {
    let mqttUrl = providedMqttUrl;
    let aedes: EmbeddedBrokerHandle | undefined;
    let db: TestDatabase;
    let check: pg.Client;
    let pub: MqttClient;
    let dir: string;
    let prefix: string;
    let codes: string[];
    let single: StartedProcess | undefined;
    let worker: LeasedWorker | undefined;

    beforeEach(async () => {
      if (kind === 'aedes') {
        aedes = await startEmbeddedBroker({ host: '127.0.0.1', port: 0, logger: pino({ level: 'silent' }) });
        mqttUrl = aedes.url;
      }
      db = await createTestDatabase(postgresAdminUrl, 'hw_legacy');
      check = new pg.Client({ connectionString: db.url });
      await check.connect();
      dir = mkdtempSync(join(tmpdir(), 'hw-legacy-'));
      codes = enterpriseCodes(3);
      writeFileSync(join(dir, 'site.json'), JSON.stringify(tankFarmSite(codes)));
      prefix = `hw-lg-${randomBytes(3).toString('hex')}`;
      pub = await mqtt.connectAsync(mqttUrl, { clientId: `${prefix}-pub`, clean: true });
    }, 60_000);

    afterEach(async () => {
      if (single) await stopProcess(single.child, 10_000);
      if (worker) await stopProcess(worker.proc.child, 10_000);
      single = worker = undefined;
      await pub.endAsync();
      await endIngestSessions(mqttUrl, prefix);
      await check.end();
      await db.drop();
      rmSync(dir, { recursive: true, force: true });
      await aedes?.close();
      aedes = undefined;
    }, 60_000);

    const stored = async (enterprise: string, tag: string): Promise<number[]> =>
      (
        await check.query<{ ts: string }>(
          `SELECT (extract(epoch FROM r.ts) * 1000)::bigint AS ts FROM readings r
           JOIN point_ids p ON p.id = r.point_id WHERE p.enterprise_code = $1 AND p.tag = $2 ORDER BY 1`,
          [enterprise, tag],
        )
      ).rows.map((r) => Number(r.ts));

    it('the readings of the gap are stored and judged, the old session deleted', async () => {
      // The single worker of an earlier version (HW_INGEST_PARTITIONS=single now), with the prefix as its id.
      const health = await freePort();
      single = startProcess(process.execPath, [CLI, 'ingest'], {
        env: {
          PATH: process.env['PATH'],
          DATABASE_URL: db.url,
          MQTT_URL: mqttUrl,
          HW_SITE_FILE: join(dir, 'site.json'),
          HW_HEALTH_PORT: String(health),
          HW_INGEST_CLIENT_ID: prefix,
          HW_INGEST_PARTITIONS: 'single',
          LOG_LEVEL: 'warn',
        },
      });
      await waitFor(
        () =>
          fetch(`http://127.0.0.1:${health}/readyz`).then(
            (r) => r.status,
            () => 0,
          ),
        (s) => s === 200,
        'the single worker ready',
        30_000,
      );
      expect(await stopProcess(single.child, 15_000)).toEqual({ code: 0, signal: null });
      single = undefined;

      // The gap: the broker acknowledges, only the old session is there to queue.
      const t0 = Date.now() - 60_000;
      const gap = codes.map((enterprise, i) => ({ enterprise, ts: t0 + i * 1000 }));
      for (const { enterprise, ts } of gap)
        await pub.publishAsync(
          telemetryTopic({ enterprise, gateway: 'GW01' }),
          JSON.stringify({
            readings: [
              { tag: 'TT-1', ts, value: 20 },
              // Above HH (1.2) for the first enterprise only.
              { tag: 'PT-1', ts, value: enterprise === codes[0] ? 1.3 : 0.5 },
            ],
          }),
          { qos: 1 },
        );

      // The upgrade: a leased worker with the same prefix.
      worker = await startLeasedWorker({
        name: 'up1',
        databaseUrl: db.url,
        mqttUrl,
        sitePath: join(dir, 'site.json'),
        clientIdPrefix: prefix,
        timing: TIMING,
      });
      for (const { enterprise, ts } of gap)
        for (const tag of ['TT-1', 'PT-1'])
          await waitFor(
            () => stored(enterprise, tag),
            (s) => s.includes(ts),
            `${enterprise} ${tag} of the gap stored`,
            40_000,
          );
      const hh = await waitFor(
        async () =>
          (
            await check.query<{ n: number }>(
              `SELECT count(*)::int AS n FROM alarm_events e JOIN point_ids p ON e.source_key = 'point:' || p.id
              WHERE p.enterprise_code = $1 AND p.tag = 'PT-1' AND e.condition = 'HH' AND e.to_state = 'UNACK'`,
              [codes[0]],
            )
          ).rows[0]!.n,
        (n) => n > 0,
        'the HH of the gap raised',
        20_000,
      );
      expect(hh).toBe(1);

      const metrics = await waitFor(
        () => fetch(`http://127.0.0.1:${worker!.health}/metrics`).then((r) => r.text()),
        (text) => /hw_ingest_legacy_session_republished_total [1-9]/.test(text),
        'the republished count',
        20_000,
      );
      expect(
        Number(/hw_ingest_legacy_session_republished_total (\d+)/.exec(metrics)![1]),
      ).toBeGreaterThanOrEqual(gap.length);
      // The old session is gone: resuming it finds nothing (endIngestSessions removes the probe's).
      await waitFor(
        () => Promise.resolve(worker!.proc.output()),
        (out) => out.includes('session drained and deleted'),
        'the drain logged',
        20_000,
      );
      const probe = mqtt.connect(mqttUrl, { clientId: prefix, clean: false, reconnectPeriod: 0 });
      const connack = await new Promise<{ sessionPresent: boolean }>((resolve) =>
        probe.once('connect', resolve),
      );
      await probe.endAsync();
      expect(connack.sessionPresent, 'the old session is deleted').toBe(false);

      // Readings published after the drain reach the fleet once (not through an old session).
      const after = Date.now();
      await pub.publishAsync(
        telemetryTopic({ enterprise: codes[1]!, gateway: 'GW01' }),
        JSON.stringify({ readings: [{ tag: 'TT-1', ts: after, value: 21 }] }),
        { qos: 1 },
      );
      await waitFor(
        () => stored(codes[1]!, 'TT-1'),
        (s) => s.includes(after),
        'a reading after the drain',
        20_000,
      );
    }, 120_000);
  },
);
