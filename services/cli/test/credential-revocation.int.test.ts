import { randomBytes } from 'node:crypto';
import { createServer, type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import mqtt, { type MqttClient } from 'mqtt';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { telemetryTopic } from '@hazardwatch/contracts';
import type { ApiServer } from '@hazardwatch/api';
import { createTestDatabase, providedServices, type TestDatabase } from '@hazardwatch/testkit';
import { LiveValueTap } from '@hazardwatch/ingest';
import {
  ensureUsers,
  loadRuntimeConfig,
  startApiBeside,
  startApiService,
  startIngestService,
  type ApiService,
  type IngestService,
} from 'hazardwatch';

const logger = pino({ level: 'silent' });
const EXAMPLE = fileURLToPath(new URL('../../core/examples/site.example.yaml', import.meta.url));
const E1 = '91320623MA1W000001';
const E2 = '91320623MA1W000002';
const PASSWORD = 'device-test-password';
/** Issue #17 item 1: a revoked or rotated credential's live sessions end within this, ms. */
const DISCONNECT_BOUND_MS = 1000;

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

interface Issued {
  readonly username: string;
  readonly secret: string;
}

/**
 * Issue #17 item 1: a gateway connected before its credential was revoked (or rotated) kept its
 * session, and a reading it published 2.5 s after the revoke was stored. Now the embedded broker
 * closes the live sessions of the old credential within 1 s — also when the revoke is made by
 * another process (an `api` process beside the ingest: PostgreSQL NOTIFY) — and refuses a publish
 * under a credential that is no longer current.
 */
describe('revoking or rotating a gateway credential ends its live sessions', () => {
  const { postgresAdminUrl } = providedServices();
  let db: TestDatabase;
  let service: IngestService;
  let api: ApiServer | undefined;
  let otherApi: ApiService | undefined;
  const clients: MqttClient[] = [];

  const configFor = (healthPort = 0) =>
    loadRuntimeConfig({
      DATABASE_URL: db.url,
      HW_MQTT_EMBEDDED_PORT: '0',
      HW_MQTT_DEVICE_AUTH: 'true',
      HW_SITE_FILE: EXAMPLE,
      HW_HEALTH_PORT: String(healthPort),
      HW_JWT_SECRET: 'a-test-secret-that-is-at-least-32-chars',
    });

  beforeEach(async () => {
    db = await createTestDatabase(postgresAdminUrl);
    // The broker's process: its health port exports the sessions it ended.
    service = await startIngestService(configFor(await freePort()), logger, {
      observers: [new LiveValueTap()],
    });
    await ensureUsers(service, [
      { username: 'admin', password: PASSWORD, role: 'admin' },
      { username: 'sm-e1', password: PASSWORD, role: 'safety_manager', enterpriseCode: E1 },
    ]);
  });

  afterEach(async () => {
    for (const c of clients.splice(0)) await c.endAsync(true).catch(() => undefined);
    await otherApi?.close();
    otherApi = undefined;
    await api?.close();
    api = undefined;
    await service.close();
    await db.drop();
  });

  /** A REST client of the API listening on `port`, logged in as `username`. */
  async function restOn(port: number, username = 'admin') {
    const base = `http://127.0.0.1:${port}`;
    const login = await fetch(`${base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password: PASSWORD }),
    });
    const { accessToken } = (await login.json()) as { accessToken: string };
    const url = (enterprise: string) => `${base}/api/v1/enterprises/${enterprise}/gateways/GW01/credentials`;
    const send = async (method: 'POST' | 'DELETE', enterprise: string) => {
      const res = await fetch(url(enterprise), {
        method,
        headers: { authorization: `Bearer ${accessToken}` },
      });
      expect(res.status).toBe(method === 'POST' ? 201 : 200);
      return (await res.json()) as Issued & { state: string };
    };
    const json = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${base}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${accessToken}`,
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      expect(res.status).toBe(200);
      return (await res.json()) as Record<string, unknown>;
    };
    return { issue: (e: string) => send('POST', e), revoke: (e: string) => send('DELETE', e), json };
  }

  const connect = async (credential: Issued): Promise<MqttClient> => {
    const client = await mqtt.connectAsync(service.infrastructure.mqttUrl, {
      clientId: `hw-dev-${randomBytes(3).toString('hex')}`,
      username: credential.username,
      password: credential.secret,
      reconnectPeriod: 0,
    });
    clients.push(client);
    return client;
  };
  const connectOutcome = (credential: Issued) =>
    connect(credential).then(
      () => 'connected',
      (err: { code?: number }) => err.code,
    );
  /** When the broker closed the connection (ms since epoch), once it has. */
  const closedAt = (client: MqttClient) => {
    const seen: { at?: number } = {};
    client.once('close', () => (seen.at = Date.now()));
    return seen;
  };
  const publish = (client: MqttClient, enterprise: string, tag: string, ts: number, value: number) =>
    // QoS 1 without waiting: on a closed connection the PUBACK never comes.
    client.publish(
      telemetryTopic({ enterprise, gateway: 'GW01' }),
      JSON.stringify({ readings: [{ tag, ts, value }] }),
      { qos: 1 },
      () => undefined,
    );
  const stored = async (enterprise: string, tag: string, value: number): Promise<boolean> => {
    const { rows } = await service.store.client.query(
      `SELECT 1 FROM readings r JOIN point_ids p ON p.id = r.point_id
        WHERE p.enterprise_code = $1 AND p.tag = $2 AND r.value = $3`,
      [enterprise, tag, value],
    );
    return rows.length > 0;
  };
  const waitStored = (enterprise: string, tag: string, value: number) =>
    expect.poll(() => stored(enterprise, tag, value), { timeout: 20_000, interval: 100 }).toBe(true);
  /** The ingest's metrics (its health port), with those of an API beside it. */
  const healthMetrics = async () => (await fetch(`http://127.0.0.1:${service.health!.port}/metrics`)).text();
  const waitClosed = async (seen: { at?: number }, since: number) => {
    await expect.poll(() => seen.at, { timeout: 10_000, interval: 20 }).toBeDefined();
    expect(seen.at! - since).toBeLessThanOrEqual(DISCONNECT_BOUND_MS);
  };

  it('revoke through the API: the session closes within 1 s, a racing publish is not stored, X is refused', async () => {
    api = await startApiBeside(service, configFor(), logger, 0);
    const rest = await restOn(api.port);
    const x = await rest.issue(E1);
    const marker = await rest.issue(E2);
    const device = await connect(x);
    const witness = await connect(marker);
    const now = Date.now();
    publish(device, E1, 'LT-1101', now - 3000, 55.5);
    await waitStored(E1, 'LT-1101', 55.5);

    const closed = closedAt(device);
    const revokedFrom = Date.now();
    expect((await rest.revoke(E1)).state).toBe('revoked');
    // The gateway publishes right after the revoke, before the broker has closed its session.
    publish(device, E1, 'LT-1101', now - 2000, 900);
    await waitClosed(closed, revokedFrom);

    // Another gateway's reading published after it is stored; the revoked one's never.
    publish(witness, E2, 'PT-2101', now - 1000, 1.25);
    await waitStored(E2, 'PT-2101', 1.25);
    expect(await stored(E1, 'LT-1101', 900)).toBe(false);
    expect(await connectOutcome(x)).toBe(4);
    // Counted once, by the broker's process (the API beside it shares the counts, not the family).
    const metrics = await healthMetrics();
    expect(metrics).toMatch(/^hazardwatch_mqtt_sessions_ended_total 1$/m);
    expect(metrics.match(/^# TYPE hazardwatch_mqtt_sessions_ended_total /gm)).toHaveLength(1);
  });

  it('rotation: the old secret’s live session closes within 1 s and the new secret works', async () => {
    api = await startApiBeside(service, configFor(), logger, 0);
    const rest = await restOn(api.port);
    const old = await rest.issue(E1);
    const device = await connect(old);
    const closed = closedAt(device);
    const rotatedFrom = Date.now();
    const rotated = await rest.issue(E1);
    await waitClosed(closed, rotatedFrom);

    const renewed = await connect(rotated);
    publish(renewed, E1, 'LT-1101', Date.now() - 1000, 61.5);
    await waitStored(E1, 'LT-1101', 61.5);
    expect(renewed.connected).toBe(true);
    expect(await connectOutcome(old)).toBe(4);
  });

  it('revoke through a separate API process: the ingest’s broker closes the session within 1 s', async () => {
    otherApi = await startApiService(configFor(), logger, { port: 0 });
    const rest = await restOn(otherApi.port);
    const x = await rest.issue(E1);
    const device = await connect(x);
    publish(device, E1, 'LT-1101', Date.now() - 3000, 44.5);
    await waitStored(E1, 'LT-1101', 44.5);

    const closed = closedAt(device);
    const revokedFrom = Date.now();
    expect((await rest.revoke(E1)).state).toBe('revoked');
    await waitClosed(closed, revokedFrom);
    expect(await connectOutcome(x)).toBe(4);
    // The ingest hosting the broker, with no API in it, exports what its broker ended and refused.
    const metrics = await healthMetrics();
    expect(metrics).toMatch(/^hazardwatch_mqtt_sessions_ended_total 1$/m);
    expect(metrics).toMatch(/^hazardwatch_mqtt_auth_failures_total\{reason="revoked"\} 1$/m);
  });

  // Issue #17 item 2, credential part: a secret is the gateway's, not the session of whoever minted
  // it; the audit says who did.
  it('keeps a credential issued by a user who is later disabled, and the audit names the issuer', async () => {
    api = await startApiBeside(service, configFor(), logger, 0);
    // Gateway credentials are the enterprise safety manager's to issue (issue #19).
    const manager = await restOn(api.port, 'sm-e1');
    const x = await manager.issue(E1);
    const admin = await restOn(api.port);
    const users = (await admin.json('GET', '/api/v1/users')) as {
      items: Array<{ id: string; username: string }>;
    };
    const op = users.items.find((u) => u.username === 'sm-e1')!;
    expect(await admin.json('PATCH', `/api/v1/users/${op.id}`, { disabled: true })).toMatchObject({
      disabled: true,
    });

    const device = await connect(x);
    publish(device, E1, 'LT-1101', Date.now() - 1000, 71.5);
    await waitStored(E1, 'LT-1101', 71.5);
    expect(device.connected).toBe(true);
    expect(await admin.json('GET', `/api/v1/enterprises/${E1}/gateways/GW01/credentials`)).toMatchObject({
      state: 'active',
      createdBy: 'sm-e1',
    });
    const audit = (await admin.json('GET', '/api/v1/audit?action=device.credential.issue')) as {
      items: Array<{ actor: string; targetId: string }>;
    };
    expect(audit.items).toEqual([expect.objectContaining({ actor: 'sm-e1', targetId: `${E1}/GW01` })]);
  });
});
