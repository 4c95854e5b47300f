import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt, { type MqttClient } from 'mqtt';
import pg from 'pg';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { telemetryTopic } from '@hazardwatch/contracts';
import { AlarmRepository, sqlClientFromPg } from '@hazardwatch/store';
import {
  createTestDatabase,
  openTestPool,
  providedServices,
  type TestDatabase,
  waitFor,
} from '@hazardwatch/testkit';
import { loadRuntimeConfig, startIngestService, type IngestService } from 'hazardwatch';

const logger = pino({ level: 'silent' });
const EXAMPLE = fileURLToPath(new URL('../../core/examples/site.example.yaml', import.meta.url));

describe('readings → alarms → four colours → 预警 → notifications, across a restart', () => {
  const { postgresAdminUrl, mqttUrl } = providedServices();
  let db: TestDatabase;
  let check: pg.Client;
  let pool: pg.Pool;
  let pub: MqttClient;
  let hook: Server;
  let hookBodies: unknown[];
  let services: IngestService[];
  let enterprise: string;
  let sitePath: string;
  let clientId: string;

  beforeEach(async () => {
    db = await createTestDatabase(postgresAdminUrl);
    check = new pg.Client({ connectionString: db.url });
    await check.connect();
    pool = openTestPool(db.url, { max: 2 });
    pub = await mqtt.connectAsync(mqttUrl, { clientId: `hw-test-pub-${randomBytes(3).toString('hex')}` });
    hookBodies = [];
    hook = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        hookBodies.push(JSON.parse(body));
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', () => r()));
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
    await new Promise<void>((r) => hook.close(() => r()));
    await check.end();
    await pool.end();
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
      HW_WEBHOOK_URL: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hw`,
      HW_WEBHOOK_SECRET: 'a-very-long-shared-secret',
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

  const alarms = async () =>
    (
      await check.query<{ condition: string; state: string; colour: string; closed: boolean }>(
        `SELECT condition, state, colour, closed_at IS NOT NULL AS closed FROM alarms WHERE source_key LIKE 'point:%' ORDER BY raised_at`,
      )
    ).rows;

  it('raises one red HH alarm after its on-delay, opens a red 预警, notifies, survives a restart, returns to normal', async () => {
    const first = await start();
    const t0 = Date.now() - 120_000;
    await level(t0, 60);
    await level(t0 + 1_000, 90);
    // LT-1101: HH 85, on-delay 10 s (source time) — not yet.
    await level(t0 + 5_000, 90);
    await first.app.pipeline.drain();
    expect(await alarms()).toEqual([]);
    await level(t0 + 12_000, 90);
    const raised = await waitFor(alarms, (a) => a.length === 1, 'the HH alarm');
    // HH on a 一级 hazard (the chlorine tank farm is computed 一级) ⇒ red (our default colour policy).
    expect(raised).toEqual([{ condition: 'HH', state: 'UNACK', colour: 'red', closed: false }]);
    const warning = await check.query<{ colour: string; state: string; hazard: string }>(
      'SELECT colour, state, hazard FROM warnings',
    );
    expect(warning.rows).toEqual([{ colour: 'red', state: 'pushed', hazard: 'CL-TF01' }]);
    const hazardColour = await check.query<{ to_colour: string }>(
      `SELECT to_colour FROM colour_events WHERE level = 'hazard'`,
    );
    expect(hazardColour.rows.map((r) => r.to_colour)).toContain('red');
    await waitFor(
      () => Promise.resolve(hookBodies.length),
      (n) => n >= 1,
      'the webhook notification',
    );
    expect(hookBodies[0]).toMatchObject({ kind: 'opened', colour: 'red', hazard: 'CL-TF01', enterprise });

    // Restart while the level is still high: the stored alarm is reloaded, no duplicate raised.
    await first.close();
    services = [];
    const second = await start();
    await level(t0 + 20_000, 91);
    await level(t0 + 21_000, 91);
    await second.app.pipeline.drain();
    expect(await alarms()).toEqual([{ condition: 'HH', state: 'UNACK', colour: 'red', closed: false }]);

    // Back to normal (below HH by more than the deadband, held through the off-delay): RTNUN,
    // still open until someone acknowledges it (ISA-18.2 B→D).
    await level(t0 + 30_000, 50);
    await level(t0 + 40_000, 50);
    await waitFor(alarms, (a) => a[0]?.state === 'RTNUN', 'return to normal unacknowledged');
    // (The other example enterprise may show GATEWAY_OFFLINE from a retained `death` on a shared broker.)
    const events = await check.query<{ from_state: string; to_state: string }>(
      `SELECT from_state, to_state FROM alarm_events WHERE source_key LIKE 'point:%' ORDER BY id`,
    );
    expect(events.rows).toEqual([
      { from_state: 'NORM', to_state: 'UNACK' },
      { from_state: 'UNACK', to_state: 'RTNUN' },
    ]);

    // The operator acknowledges: RTNUN → NORM, and the alarm record closes.
    const host = second.alarms;
    const open = host.book.open().find((a) => a.condition === 'HH')!;
    const acked = host.act({ alarmId: open.id }, { action: 'ack', actor: 'operator-1' });
    if (!acked.ok) throw acked.error;
    await waitFor(alarms, (a) => a[0]?.closed === true, 'the acknowledged alarm to close');

    // 闭环: the enterprise signs and reports handling; a red 预警 is closed by the regulator after
    // its verification (cause gone).
    const warningId = (await check.query<{ id: string }>('SELECT id FROM warnings')).rows[0]!.id;
    const duty = { id: 'principal-1', party: 'enterprise' } as const;
    const county = { id: 'county-1', party: 'county' } as const;
    expect(host.closeWarning(warningId, duty).ok).toBe(false); // not signed yet
    expect(host.signWarning(warningId, duty).ok).toBe(true);
    expect(host.feedbackWarning(warningId, duty, '已关闭进料阀，液位回落至正常').ok).toBe(true);
    expect(host.closeWarning(warningId, duty).ok).toBe(false); // red: the regulator closes
    expect(host.verifyWarning(warningId, county, '现场核查：液位正常').ok).toBe(true);
    expect(host.closeWarning(warningId, county).ok).toBe(true);
    await waitFor(
      async () =>
        (await check.query<{ type: string }>('SELECT type FROM warning_events ORDER BY id')).rows.map(
          (r) => r.type,
        ),
      (types) => types.includes('closed'),
      'the closed warning',
    );
    const { rows: w } = await check.query<{ state: string; closed: boolean }>(
      'SELECT state, closed_at IS NOT NULL AS closed FROM warnings',
    );
    expect(w).toEqual([{ state: 'closed', closed: true }]);
    const { rows: types } = await check.query<{ type: string }>(
      'SELECT type FROM warning_events ORDER BY id',
    );
    expect(types.map((t) => t.type)).toEqual(
      expect.arrayContaining(['opened', 'signed', 'feedback', 'verified', 'closed']),
    );

    // KPIs for this enterprise from the event log: one annunciation, red.
    const kpi = await new AlarmRepository(sqlClientFromPg(pool)).kpiReport(
      { fromMs: t0 - 60_000, toMs: Date.now() + 60_000 },
      { enterprise },
    );
    expect(kpi.total).toBe(1);
    expect(kpi.priority?.counts.red).toBe(1);
  });
});
