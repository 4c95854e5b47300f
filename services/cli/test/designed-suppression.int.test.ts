/**
 * Issue #19 item 8 through the ingest service, PostgreSQL and the broker: while the HH of a point
 * is active its H alarm is stored as DSUPR (suppressed by design, actor system), and comes back to
 * its real state when HH clears — also across a restart, from the stored record.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt, { type MqttClient } from 'mqtt';
import pg from 'pg';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { telemetryTopic } from '@hazardwatch/contracts';
import { createTestDatabase, providedServices, type TestDatabase, waitFor } from '@hazardwatch/testkit';
import { loadRuntimeConfig, startIngestService, type IngestService } from 'hazardwatch';

const logger = pino({ level: 'silent' });
const EXAMPLE = fileURLToPath(new URL('../../core/examples/site.example.yaml', import.meta.url));

describe('designed suppression: H of LT-1101 while its HH is active (stored)', () => {
  const { postgresAdminUrl, mqttUrl } = providedServices();
  let db: TestDatabase;
  let check: pg.Client;
  let pub: MqttClient;
  let services: IngestService[];
  let enterprise: string;
  let sitePath: string;
  let clientId: string;

  beforeEach(async () => {
    db = await createTestDatabase(postgresAdminUrl);
    check = new pg.Client({ connectionString: db.url });
    await check.connect();
    pub = await mqtt.connectAsync(mqttUrl, { clientId: `hw-test-pub-${randomBytes(3).toString('hex')}` });
    enterprise = `91320623A${randomBytes(4).toString('hex').toUpperCase()}`.slice(0, 18);
    sitePath = join(mkdtempSync(join(tmpdir(), 'hw-site-')), 'site.yaml');
    writeFileSync(sitePath, readFileSync(EXAMPLE, 'utf8').replaceAll('91320623MA1W000001', enterprise));
    clientId = `hw-t-${randomBytes(3).toString('hex')}`;
    services = [];
  });

  afterEach(async () => {
    for (const s of services) await s.close().catch(() => undefined);
    await pub.endAsync();
    await (await mqtt.connectAsync(mqttUrl, { clientId, clean: true })).endAsync();
    await check.end();
    await db.drop();
  });

  async function start(): Promise<IngestService> {
    const config = loadRuntimeConfig({
      DATABASE_URL: db.url,
      MQTT_URL: mqttUrl,
      HW_SITE_FILE: sitePath,
      HW_HEALTH_PORT: '0',
      HW_INGEST_CLIENT_ID: clientId,
      HW_INGEST_ENTERPRISES: enterprise,
    });
    const service = await startIngestService(config, logger);
    services.push(service);
    return service;
  }

  const level = (ts: number, value: number) =>
    pub.publishAsync(
      telemetryTopic({ enterprise, gateway: 'GW01' }),
      JSON.stringify({ readings: [{ tag: 'LT-1101', ts, value }] }),
      { qos: 1 },
    );

  /** Open and closed point alarms by condition: state (closed ones as 'closed'). */
  const states = async (): Promise<Record<string, string>> => {
    const { rows } = await check.query<{ condition: string; state: string; closed: boolean }>(
      `SELECT condition, state, closed_at IS NOT NULL AS closed FROM alarms
        WHERE source_key LIKE 'point:%' AND condition IN ('H', 'HH') ORDER BY raised_at`,
    );
    return Object.fromEntries(rows.map((r) => [r.condition, r.closed ? 'closed' : r.state]));
  };

  it('stores H as DSUPR by system while HH holds, and UNACK again once HH clears, across a restart', async () => {
    const first = await start();
    // LT-1101: H 80, HH 85, deadband 1, on-delay 10 s, off-delay 5 s (source time).
    const t0 = Date.now() - 120_000;
    await level(t0, 60);
    await level(t0 + 1_000, 82);
    await level(t0 + 12_000, 82);
    await waitFor(states, (s) => s['H'] === 'UNACK', 'the H alarm');
    await level(t0 + 13_000, 90);
    await level(t0 + 24_000, 90);
    expect(
      await waitFor(states, (s) => s['HH'] === 'UNACK' && s['H'] === 'DSUPR', 'H suppressed by HH'),
    ).toEqual({ H: 'DSUPR', HH: 'UNACK' });
    const { rows: events } = await check.query<{
      from_state: string;
      to_state: string;
      actor: string;
      reason: string;
    }>(
      `SELECT e.from_state, e.to_state, e.actor, e.reason FROM alarm_events e
        WHERE e.condition = 'H' AND e.source_key LIKE 'point:%' ORDER BY e.id`,
    );
    expect(events).toEqual([
      { from_state: 'NORM', to_state: 'UNACK', actor: 'system', reason: 'condition active' },
      { from_state: 'UNACK', to_state: 'DSUPR', actor: 'system', reason: 'suppressed by HH' },
    ]);

    // Restart while suppressed: the stored record says why, so HH's return still releases H.
    await first.close();
    services = [];
    const second = await start();
    await level(t0 + 30_000, 90);
    await level(t0 + 41_000, 90);
    await second.app.pipeline.drain();
    expect(await states()).toEqual({ H: 'DSUPR', HH: 'UNACK' });
    // Between H and HH: HH returns (unacknowledged), H comes back to its real state.
    await level(t0 + 42_000, 82);
    await level(t0 + 48_000, 82);
    expect(await waitFor(states, (s) => s['HH'] === 'RTNUN', 'HH back to normal')).toEqual({
      H: 'UNACK',
      HH: 'RTNUN',
    });
    const { rows: last } = await check.query<{ from_state: string; to_state: string; actor: string }>(
      `SELECT from_state, to_state, actor FROM alarm_events WHERE condition = 'H' ORDER BY id DESC LIMIT 1`,
    );
    expect(last).toEqual([{ from_state: 'DSUPR', to_state: 'UNACK', actor: 'system' }]);
  });
});
