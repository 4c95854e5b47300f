import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt, { type MqttClient } from 'mqtt';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { telemetryTopic } from '@hazardwatch/contracts';
import type { ApiServer } from '@hazardwatch/api';
import { createTestDatabase, providedServices, type TestDatabase, waitFor } from '@hazardwatch/testkit';
import { io as connectSocket } from 'socket.io-client';
import { LiveValueTap } from '@hazardwatch/ingest';
import {
  ensureUsers,
  loadRuntimeConfig,
  startApiBeside,
  startIngestService,
  type IngestService,
} from 'hazardwatch';

const logger = pino({ level: 'silent' });
const EXAMPLE = fileURLToPath(new URL('../../core/examples/site.example.yaml', import.meta.url));
const PASSWORD = 'serve-test-password';

/**
 * The control room's path end to end: MQTT readings → alarm engine → REST, scoped per user, and
 * an operator's acknowledgement going back through the API into the engine and the audit log.
 */
describe('hazardwatch serve: readings to the control room and back', () => {
  const { postgresAdminUrl, mqttUrl } = providedServices();
  let db: TestDatabase;
  let service: IngestService;
  let api: ApiServer;
  let pub: MqttClient;
  let enterprise: string;
  let clientId: string;

  beforeEach(async () => {
    db = await createTestDatabase(postgresAdminUrl);
    enterprise = `91320623S${randomBytes(4).toString('hex').toUpperCase()}`.slice(0, 18);
    // A second county with no enterprise, for a regulator who must see nothing.
    const site = readFileSync(EXAMPLE, 'utf8')
      .replaceAll('91320623MA1W000001', enterprise)
      .replace(
        "  - { code: '320623', name: 如东县, kind: county, parent: '320600' }",
        "  - { code: '320623', name: 如东县, kind: county, parent: '320600' }\n  - { code: '320682', name: 如皋市, kind: county, parent: '320600' }",
      );
    const sitePath = join(mkdtempSync(join(tmpdir(), 'hw-serve-')), 'site.yaml');
    writeFileSync(sitePath, site);
    clientId = `hw-serve-${randomBytes(3).toString('hex')}`;
    const config = loadRuntimeConfig({
      DATABASE_URL: db.url,
      MQTT_URL: mqttUrl,
      HW_SITE_FILE: sitePath,
      HW_HEALTH_PORT: '0',
      HW_INGEST_CLIENT_ID: clientId,
      HW_INGEST_ENTERPRISES: enterprise,
      HW_JWT_SECRET: 'a-test-secret-that-is-at-least-32-chars',
    });
    const tap = new LiveValueTap();
    service = await startIngestService(config, logger, { observers: [tap] });
    api = await startApiBeside(service, config, logger, 0, tap);
    await ensureUsers(service, [
      { username: 'rudong', password: PASSWORD, role: 'regulator', regionCode: '320623' },
      { username: 'rugao', password: PASSWORD, role: 'regulator', regionCode: '320682' },
      { username: 'operator', password: PASSWORD, role: 'operator', enterpriseCode: enterprise },
      { username: 'admin', password: PASSWORD, role: 'admin' },
    ]);
    pub = await mqtt.connectAsync(mqttUrl, { clientId: `hw-test-pub-${randomBytes(3).toString('hex')}` });
  });

  afterEach(async () => {
    await pub.endAsync();
    await api.close();
    await service.close();
    await (await mqtt.connectAsync(mqttUrl, { clientId, clean: true })).endAsync();
    await db.drop();
  });

  const base = () => `http://127.0.0.1:${api.port}/api/v1`;
  async function login(username: string): Promise<string> {
    const res = await fetch(`${base()}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password: PASSWORD }),
    });
    expect(res.status).toBe(200);
    return ((await res.json()) as { accessToken: string }).accessToken;
  }
  interface AlarmDto {
    id: string;
    condition: string;
    state: string;
    colour: string | null;
  }
  interface Body {
    items?: AlarmDto[];
    state?: string;
    colour?: string | null;
  }
  const get = async (token: string, path: string): Promise<{ status: number; body: Body }> => {
    const res = await fetch(`${base()}${path}`, { headers: { authorization: `Bearer ${token}` } });
    return { status: res.status, body: (await res.json()) as Body };
  };

  it('pushes the alarm and live values to a subscribed county regulator over socket.io', async () => {
    const token = await login('rudong');
    const socket = connectSocket(`http://127.0.0.1:${api.port}`, {
      auth: { token },
      transports: ['websocket'],
    });
    try {
      const alarm = new Promise<{ condition: string; colour: string | null }>((resolve) =>
        socket.on('alarm', (e: { condition: string; colour: string | null }) => {
          if (e.condition === 'HH') resolve(e);
        }),
      );
      const values = new Promise<{ v: number[] }>((resolve) => socket.once('values', resolve));
      const joined = await socket
        .timeout(5000)
        .emitWithAck('subscribe', { scopes: [{ type: 'region', code: '320623' }] });
      expect(joined).toMatchObject({ ok: true });
      const t0 = Date.now() - 60_000;
      for (const [dt, value] of [
        [0, 60],
        [1000, 90],
        [12_000, 90],
      ] as const) {
        await pub.publishAsync(
          telemetryTopic({ enterprise, gateway: 'GW01' }),
          JSON.stringify({ readings: [{ tag: 'LT-1101', ts: t0 + dt, value }] }),
          { qos: 1 },
        );
      }
      expect(await alarm).toMatchObject({ condition: 'HH', colour: 'red' });
      expect((await values).v.length).toBeGreaterThan(0);
    } finally {
      socket.disconnect();
    }
  });

  it('puts site-model edits made through the API in force in ingestion without a restart', async () => {
    const admin = await login('admin');
    const send = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${base()}${path}`, {
        method,
        headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    const pointId = async (tag: string) => {
      const { body } = await get(admin, `/points?enterprise=${enterprise}&limit=500`);
      return (body.items as unknown as Array<{ id: number; tag: string }>).find((p) => p.tag === tag)?.id;
    };
    const lt = (await pointId('LT-1101'))!;
    const publish = async (tag: string, readings: ReadonlyArray<readonly [number, number]>) => {
      for (const [ts, value] of readings) {
        await pub.publishAsync(
          telemetryTopic({ enterprise, gateway: 'GW01' }),
          JSON.stringify({ readings: [{ tag, ts, value }] }),
          { qos: 1 },
        );
      }
    };

    // 75 % is normal under the file's limits (h 80, hh 85) and HH once the limits are lowered.
    const lowered = await send('PATCH', `/points/${lt}`, { limits: { h: 65, hh: 70 }, onDelaySec: null });
    expect(lowered.status, JSON.stringify(lowered.body)).toBe(200);
    expect(lowered.body['siteVersion']).toBe(2);
    const t0 = Date.now() - 60_000;
    await publish('LT-1101', [
      [t0, 60],
      [t0 + 1000, 75],
      [t0 + 12_000, 75],
    ]);
    const raised = await waitFor(
      () => get(admin, `/alarms/active?enterprise=${enterprise}`),
      (r) => r.body.items?.some((a) => a.condition === 'HH') ?? false,
      'HH under the edited limits',
    );
    const hh = raised.body.items!.find((a) => a.condition === 'HH')!;

    // Disabling the point returns its alarm to normal (still to be acknowledged) at once.
    // 停用 weakens monitoring: it needs a reason and is kept as a change record (issue #19).
    expect((await send('PATCH', `/points/${lt}?reason=maintenance`, { enabled: false })).status).toBe(200);
    await waitFor(
      () => get(admin, `/alarms/${hh.id}`),
      (r) => r.body.state === 'RTNUN',
      'the alarm of the disabled point back to normal',
    );

    // A point created through the API is accepted by ingestion straight away.
    const created = await send('POST', `/enterprises/${enterprise}/points`, {
      tag: 'TT-NEW1',
      hazard: 'CL-TF01',
      gateway: 'GW01',
      kind: 'temperature',
      unit: '°C',
      range: { min: -40, max: 80 },
      limits: { h: 45, hh: 50 },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = (await pointId('TT-NEW1'))!;
    await publish('TT-NEW1', [[Date.now() - 1000, 21.5]]);
    const latest = await waitFor(
      () => get(admin, `/points/${id}/latest`),
      (r) => (r.body as { items?: Array<{ value: number }> }).items?.[0]?.value === 21.5,
      "the new point's reading",
    );
    expect(latest.status).toBe(200);

    // Edits that the site file would refuse are refused the same way, and nothing changes.
    const bad = await send('PATCH', `/points/${id}`, { gateway: 'NO-SUCH-GW' });
    expect(bad.status).toBe(400);
    expect(bad.body['code']).toBe('HW_API_SITE_INVALID');
    const audit = await get(admin, '/audit?action=site.point.create');
    expect(JSON.stringify(audit.body)).toContain('TT-NEW1');
  });

  it('shows a red HH alarm to the county regulator and the operator, not to another county; the ack is applied and audited', async () => {
    const [rudong, rugao, operator, admin] = (await Promise.all(
      ['rudong', 'rugao', 'operator', 'admin'].map(login),
    )) as [string, string, string, string];
    const t0 = Date.now() - 60_000;
    for (const [dt, value] of [
      [0, 60],
      [1000, 90],
      [12_000, 90],
    ] as const) {
      await pub.publishAsync(
        telemetryTopic({ enterprise, gateway: 'GW01' }),
        JSON.stringify({ readings: [{ tag: 'LT-1101', ts: t0 + dt, value }] }),
        { qos: 1 },
      );
    }
    const active = await waitFor(
      () => get(rudong, `/alarms/active?enterprise=${enterprise}`),
      (r) => r.body.items?.some((a) => a.condition === 'HH') ?? false,
      'the HH alarm through REST',
    );
    const hh = active.body.items!.find((a) => a.condition === 'HH')!;
    expect(hh).toMatchObject({ condition: 'HH', state: 'UNACK', colour: 'red' });
    expect((await get(operator, '/alarms/active')).body.items!.map((a) => a.id)).toContain(hh.id);
    expect((await get(rugao, '/alarms/active')).body.items).toEqual([]);
    expect((await get(rugao, `/alarms/${hh.id}`)).status).toBe(403);
    const overview = await get(rudong, '/regions/320623/overview');
    expect(overview.body.colour).toBe('red');

    const ack = await fetch(`${base()}/alarms/${hh.id}/ack`, {
      method: 'POST',
      headers: { authorization: `Bearer ${operator}`, 'content-type': 'application/json' },
      body: JSON.stringify({}),
    });
    expect(ack.status).toBe(200);
    await waitFor(
      () => get(rudong, `/alarms/${hh.id}`),
      (r) => r.body.state === 'ACKED',
      'the acknowledged state',
    );
    const audit = await get(admin, '/audit');
    expect(JSON.stringify(audit.body)).toContain(hh.id);
  });
});
