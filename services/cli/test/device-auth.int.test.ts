import { randomBytes } from 'node:crypto';
import { createServer, type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import mqtt, { type MqttClient } from 'mqtt';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { commandTopic, telemetryTopic } from '@hazardwatch/contracts';
import type { ApiServer } from '@hazardwatch/api';
import { createTestDatabase, providedServices, type TestDatabase } from '@hazardwatch/testkit';
import { LiveValueTap } from '@hazardwatch/ingest';
import {
  ensureUsers,
  loadRuntimeConfig,
  startApiBeside,
  startIngestService,
  type IngestService,
} from 'hazardwatch';

const logger = pino({ level: 'silent' });

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}
const EXAMPLE = fileURLToPath(new URL('../../core/examples/site.example.yaml', import.meta.url));
const E1 = '91320623MA1W000001';
const E2 = '91320623MA1W000002';
const HOOK_TOKEN = 'hook-token-for-the-broker-0123';
const PASSWORD = 'device-test-password';

/**
 * Gateway credentials and the topic ACL, end to end: credentials issued through the API, enforced
 * by the embedded broker (aedes hooks) and by the HTTP hooks a production broker calls.
 */
describe('device credentials and MQTT authorisation', () => {
  const { postgresAdminUrl } = providedServices();
  let db: TestDatabase;
  let service: IngestService;
  let api: ApiServer;
  let admin: string;
  const clients: MqttClient[] = [];

  beforeEach(async () => {
    db = await createTestDatabase(postgresAdminUrl);
    const config = loadRuntimeConfig({
      DATABASE_URL: db.url,
      HW_MQTT_EMBEDDED_PORT: '0',
      HW_MQTT_DEVICE_AUTH: 'true',
      HW_MQTT_HOOK_TOKEN: HOOK_TOKEN,
      HW_SITE_FILE: EXAMPLE,
      HW_HEALTH_PORT: String(await freePort()),
      HW_JWT_SECRET: 'a-test-secret-that-is-at-least-32-chars',
    });
    const tap = new LiveValueTap();
    service = await startIngestService(config, logger, { observers: [tap] });
    api = await startApiBeside(service, config, logger, 0, tap);
    await ensureUsers(service, [{ username: 'admin', password: PASSWORD, role: 'admin' }]);
    admin = await login('admin');
  });

  afterEach(async () => {
    for (const c of clients.splice(0)) await c.endAsync(true).catch(() => undefined);
    await api.close();
    await service.close();
    await db.drop();
  });

  const base = () => `http://127.0.0.1:${api.port}`;
  async function login(username: string): Promise<string> {
    const res = await fetch(`${base()}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password: PASSWORD }),
    });
    return ((await res.json()) as { accessToken: string }).accessToken;
  }
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${base()}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${admin}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const credentialsUrl = (enterprise: string, gateway: string) =>
    `/api/v1/enterprises/${enterprise}/gateways/${gateway}/credentials`;
  const connect = async (username: string, password: string): Promise<MqttClient> => {
    const client = await mqtt.connectAsync(service.infrastructure.mqttUrl, {
      clientId: `hw-dev-${randomBytes(3).toString('hex')}`,
      username,
      password,
      reconnectPeriod: 0,
    });
    clients.push(client);
    return client;
  };
  const refused = (username: string, password: string) =>
    connect(username, password).then(
      () => 'connected',
      (err: { code?: number }) => err.code,
    );
  const hook = (path: string, body: unknown, token = HOOK_TOKEN) =>
    call('POST', path, body, { 'x-hw-hook-token': token });

  it('issues a secret once, admits the gateway with it, and keeps it to its own topics', async () => {
    const issued = await call('POST', credentialsUrl(E1, 'GW01'), {});
    expect(issued.status).toBe(201);
    const { username, secret } = issued.body as { username: string; secret: string };
    expect(username).toBe(`${E1}.GW01`);
    expect(secret.length).toBeGreaterThanOrEqual(40);
    const shown = await call('GET', credentialsUrl(E1, 'GW01'));
    expect(shown.body).toMatchObject({ username, state: 'active' });
    expect(JSON.stringify(shown.body)).not.toContain(secret);

    // Wrong secret: CONNACK 4 (bad user name or password), counted.
    expect(await refused(username, `${secret}x`)).toBe(4);

    const device = await connect(username, secret);
    await device.publishAsync(
      telemetryTopic({ enterprise: E1, gateway: 'GW01' }),
      JSON.stringify({ readings: [{ tag: 'LT-1101', ts: Date.now() - 500, value: 55.5 }] }),
      { qos: 1 },
    );
    const granted = await device.subscribeAsync(commandTopic({ enterprise: E1, gateway: 'GW01' }), {
      qos: 1,
    });
    expect(granted.map((g) => g.qos)).toEqual([1]);
    // Another gateway's commands: SUBACK failure (0x80), which mqtt.js reports as an error.
    await expect(device.subscribeAsync(commandTopic({ enterprise: E2, gateway: 'GW01' }))).rejects.toThrow(
      /Subscribe error/,
    );

    // Publishing under another enterprise is refused: the broker drops the connection.
    const closed = new Promise<void>((resolve) => device.once('close', () => resolve()));
    device.publish(
      telemetryTopic({ enterprise: E2, gateway: 'GW01' }),
      JSON.stringify({ readings: [{ tag: 'PT-2101', ts: Date.now() - 500, value: 1 }] }),
      { qos: 1 },
    );
    await closed;
    const lt = service.site!.points().find((p) => p.enterprise === E1 && p.tag === 'LT-1101')!;
    const stored = async (pointId: number): Promise<number[]> =>
      (
        await service.store.client.query<{ value: number }>(
          'SELECT value FROM readings WHERE point_id = $1',
          [pointId],
        )
      ).rows.map((r) => r.value);
    await expect.poll(() => stored(lt.id), { timeout: 10_000 }).toEqual([55.5]);
    const e2 = service.site!.points().find((p) => p.enterprise === E2 && p.tag === 'PT-2101')!;
    await service.app.pipeline.drain();
    expect(await stored(e2.id)).toEqual([]);

    // Counted on the internal health port (the API port has no /metrics).
    const metrics = await (await fetch(`http://127.0.0.1:${service.health!.port}/metrics`)).text();
    expect(metrics).toMatch(/hazardwatch_mqtt_auth_failures_total\{reason="wrong_secret"\} 1/);
    expect(metrics).toMatch(/hazardwatch_mqtt_denied_total\{action="publish"\} 1/);
    expect(metrics).toMatch(/hazardwatch_mqtt_denied_total\{action="subscribe"\} 1/);

    const audit = await call('GET', '/api/v1/audit?action=device.credential.issue');
    expect(JSON.stringify(audit.body)).toContain(`${E1}/GW01`);
    expect(JSON.stringify(audit.body)).not.toContain(secret);
  });

  it('refuses the old secret after a rotation and every login after a revocation', async () => {
    const first = (await call('POST', credentialsUrl(E1, 'GW01'), {})).body as {
      username: string;
      secret: string;
    };
    const second = (await call('POST', credentialsUrl(E1, 'GW01'), {})).body as {
      secret: string;
      rotatedAt: number;
    };
    expect(second.rotatedAt).toBeTypeOf('number');
    expect(await refused(first.username, first.secret)).toBe(4);
    expect(await refused(first.username, second.secret)).toBe('connected');
    expect((await call('DELETE', credentialsUrl(E1, 'GW01'))).body).toMatchObject({ state: 'revoked' });
    expect(await refused(first.username, second.secret)).toBe(4);
    expect((await call('POST', credentialsUrl(E1, 'NO-SUCH-GW'), {})).status).toBe(404);
  });

  it('answers the broker hooks with the same rules (EMQX and mosquitto-go-auth formats)', async () => {
    const { username, secret } = (await call('POST', credentialsUrl(E1, 'GW01'), {})).body as {
      username: string;
      secret: string;
    };
    expect((await hook('/mqtt/auth', { username, password: secret }, 'wrong-token-0123456789')).status).toBe(
      401,
    );
    expect((await hook('/mqtt/auth', { username, password: secret })).body).toEqual({
      result: 'allow',
      is_superuser: false,
      ok: true,
      error: '',
    });
    expect((await hook('/mqtt/auth', { username, password: 'nope' })).body).toMatchObject({
      result: 'deny',
      ok: false,
      error: 'wrong_secret',
    });
    const own = telemetryTopic({ enterprise: E1, gateway: 'GW01' });
    const other = telemetryTopic({ enterprise: E2, gateway: 'GW01' });
    expect((await hook('/mqtt/acl', { username, topic: own, action: 'publish' })).body).toMatchObject({
      result: 'allow',
    });
    expect((await hook('/mqtt/acl', { username, topic: other, action: 'publish' })).body).toMatchObject({
      result: 'deny',
    });
    expect((await hook('/mqtt/acl', { username, topic: own, acc: 2 })).body).toMatchObject({ ok: true });
    expect((await hook('/mqtt/acl', { username, topic: 'hw/v1/+/+/telemetry', acc: 4 })).body).toMatchObject({
      ok: false,
    });
    const svc = service.infrastructure.mqttService!;
    expect((await hook('/mqtt/auth', { username: svc.username, password: svc.password })).body).toMatchObject(
      {
        result: 'allow',
        is_superuser: true,
      },
    );
    expect(
      (await hook('/mqtt/acl', { username: 'unknown', topic: own, action: 'publish' })).body,
    ).toMatchObject({
      result: 'deny',
    });
  });
});
