import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import mqtt, { type MqttClient } from 'mqtt';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandTopic, telemetryTopic } from '@hazardwatch/contracts';
import { DynsecAccounts, DynsecClient, type ApiServer } from '@hazardwatch/api';
import { DeviceCredentialRepository } from '@hazardwatch/store';
import { createTestDatabase, providedServices, type TestDatabase } from '@hazardwatch/testkit';
import {
  ensureUsers,
  loadRuntimeConfig,
  runCommand,
  startApiBeside,
  startBrokerAccounts,
  startIngestService,
  type BrokerAccountsService,
  type IngestService,
} from 'hazardwatch';
import { DYNSEC_PLUGIN, initDynsec, startMosquitto } from './mosquitto-support.js';
import { freePort, stopProcess, type StartedProcess } from './process-support.js';

/**
 * Issue #20 item 2 against a real Mosquitto 2 started here (never the system one): the
 * dynamic-security plugin, a TLS listener with the `tls dev-ca` certificates, no anonymous
 * logins. The API applies gateway credentials and the per-gateway ACL to the plugin and creates
 * the ingest's service account; gateways publish over TLS.
 */
const EXAMPLE = fileURLToPath(new URL('../../core/examples/site.example.yaml', import.meta.url));
const E1 = '91320623MA1W000001';
const E2 = '91320623MA1W000002';
const ADMIN_PASSWORD = 'admin-test-password';
const DYNSEC_ADMIN = 'hw-dynsec-admin';
const DYNSEC_PASSWORD = randomBytes(18).toString('base64url');
const logger = pino({ level: 'silent' });

/** Resolves when the client's connection closes; rejects after `ms`. */
function closedWithin(client: MqttClient, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`still connected after ${ms} ms`)), ms);
    client.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

describe('Mosquitto dynamic security and TLS', () => {
  const { postgresAdminUrl } = providedServices();
  let dir: string;
  let broker: StartedProcess | undefined;
  let tlsPort: number;
  let plainPort: number;
  let db: TestDatabase;
  let accounts: BrokerAccountsService | undefined;
  let service: IngestService | undefined;
  let api: ApiServer | undefined;
  let ca: Buffer;
  let token: string;
  const clients: MqttClient[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hw-mosquitto-'));
    // The certificates of the command under test.
    const out = new PassThrough();
    const code = await runCommand(['tls', 'dev-ca'], ['tls', 'dev-ca', '--out', join(dir, 'certs')], {
      env: {},
      logger,
      stdout: out,
      stopSignal: new Promise(() => undefined),
    });
    expect(code).toBe(0);
    ca = await readFile(join(dir, 'certs', 'ca.crt'));
    // The plugin's starting file: one admin client (mosquitto_ctrl dynsec init FILE USER PASSWORD).
    initDynsec(join(dir, 'dynsec.json'), DYNSEC_ADMIN, DYNSEC_PASSWORD);
    plainPort = await freePort();
    tlsPort = await freePort();
    await writeFile(
      join(dir, 'mosquitto.conf'),
      [
        'per_listener_settings false',
        'allow_anonymous false',
        'persistence false',
        // Run as root in CI, Mosquitto would switch to the user `mosquitto`, who cannot read the
        // temp dir's 0600 keys.
        'user root',
        `plugin ${DYNSEC_PLUGIN}`,
        `plugin_opt_config_file ${join(dir, 'dynsec.json')}`,
        `listener ${plainPort} 127.0.0.1`,
        `listener ${tlsPort} 127.0.0.1`,
        `cafile ${join(dir, 'certs', 'ca.crt')}`,
        `certfile ${join(dir, 'certs', 'server.crt')}`,
        `keyfile ${join(dir, 'certs', 'server.key')}`,
        'log_dest stdout',
        'log_type error',
        'log_type warning',
        'log_type notice',
        'log_type information',
        '',
      ].join('\n'),
    );
    broker = await startMosquitto(join(dir, 'mosquitto.conf'), plainPort, {
      username: DYNSEC_ADMIN,
      password: DYNSEC_PASSWORD,
    });

    db = await createTestDatabase(postgresAdminUrl);
    const config = loadRuntimeConfig({
      DATABASE_URL: db.url,
      // The platform's processes use the internal listener; gateways the TLS one.
      MQTT_URL: `mqtt://127.0.0.1:${plainPort}`,
      HW_MQTT_SERVICE_USERNAME: 'hw-ingest-service',
      HW_MQTT_SERVICE_PASSWORD: randomBytes(18).toString('base64url'),
      HW_DYNSEC_URL: `mqtts://127.0.0.1:${tlsPort}`,
      HW_DYNSEC_USERNAME: DYNSEC_ADMIN,
      HW_DYNSEC_PASSWORD: DYNSEC_PASSWORD,
      HW_DYNSEC_CA_FILE: join(dir, 'certs', 'ca.crt'),
      HW_SITE_FILE: EXAMPLE,
      HW_HEALTH_PORT: '0',
      HW_JWT_SECRET: 'a-test-secret-that-is-at-least-32-chars',
    });
    // As `serve` does: the service account first, then the ingest logs in with it.
    accounts = await startBrokerAccounts(config, logger);
    service = await startIngestService(config, logger);
    await accounts!.follow();
    api = await startApiBeside(service, config, logger, 0, undefined, accounts!.accounts);
    await ensureUsers(service, [{ username: 'admin', password: ADMIN_PASSWORD, role: 'admin' }]);
    const res = await fetch(`http://127.0.0.1:${api.port}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }),
    });
    token = ((await res.json()) as { accessToken: string }).accessToken;
  });

  afterAll(async () => {
    for (const c of clients.splice(0)) await c.endAsync(true).catch(() => undefined);
    await api?.close();
    await service?.close();
    await accounts?.close();
    await db?.drop();
    if (broker) await stopProcess(broker.child, 5_000);
    await rm(dir, { recursive: true, force: true });
  });

  const call = async (
    method: string,
    path: string,
  ): Promise<{ status: number; body: Record<string, unknown> }> => {
    const res = await fetch(`http://127.0.0.1:${api!.port}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(method === 'POST' ? { 'content-type': 'application/json' } : {}),
      },
      ...(method === 'POST' ? { body: '{}' } : {}),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const credentialsUrl = (enterprise: string, gateway: string): string =>
    `/api/v1/enterprises/${enterprise}/gateways/${gateway}/credentials`;
  const issue = async (
    enterprise: string,
    gateway: string,
  ): Promise<{ username: string; secret: string }> => {
    const issued = await call('POST', credentialsUrl(enterprise, gateway));
    expect(issued.status, JSON.stringify(issued.body)).toBe(201);
    return issued.body as { username: string; secret: string };
  };
  /** A gateway over TLS, trusting the development CA. */
  const gateway = async (
    username?: string,
    password?: string,
    protocolVersion: 4 | 5 = 4,
  ): Promise<MqttClient> => {
    const client = await mqtt.connectAsync(`mqtts://127.0.0.1:${tlsPort}`, {
      clientId: `gw-${randomBytes(3).toString('hex')}`,
      ca,
      protocolVersion,
      reconnectPeriod: 0,
      connectTimeout: 5_000,
      ...(username !== undefined ? { username } : {}),
      ...(password !== undefined ? { password } : {}),
    });
    clients.push(client);
    return client;
  };
  const loginOutcome = (username?: string, password?: string): Promise<string | number | undefined> =>
    gateway(username, password).then(
      (c) => {
        void c.endAsync(true);
        return 'connected';
      },
      (err: { code?: number }) => err.code,
    );
  const pointId = (enterprise: string, tag: string): number =>
    service!.site!.points().find((p) => p.enterprise === enterprise && p.tag === tag)!.id;
  const stored = async (id: number): Promise<number[]> =>
    (
      await service!.store.client.query<{ value: number }>(
        'SELECT value FROM readings WHERE point_id = $1 ORDER BY ts',
        [id],
      )
    ).rows.map((r) => r.value);

  it('a gateway with an issued credential publishes over TLS and its reading is stored; other topics are not', async () => {
    // No login, or a made-up one: CONNACK 5 (not authorised).
    expect(await loginOutcome()).toBe(5);
    expect(await loginOutcome(`${E1}.GW01`, 'not-the-secret')).toBe(5);

    const { username, secret } = await issue(E1, 'GW01');
    expect(await loginOutcome(username, `${secret}x`)).toBe(5);
    const device = await gateway(username, secret);
    const own = telemetryTopic({ enterprise: E1, gateway: 'GW01' });
    await device.publishAsync(
      own,
      JSON.stringify({ readings: [{ tag: 'LT-1101', ts: Date.now() - 2_000, value: 41.5 }] }),
      {
        qos: 1,
      },
    );
    await expect.poll(() => stored(pointId(E1, 'LT-1101')), { timeout: 10_000 }).toEqual([41.5]);

    // Another gateway's topic: Mosquitto acknowledges a QoS 1 publish on MQTT 3.1.1 and drops it.
    // A later reading of its own is stored, so the earlier one had its chance and was never delivered.
    await device.publishAsync(
      telemetryTopic({ enterprise: E2, gateway: 'GW01' }),
      JSON.stringify({ readings: [{ tag: 'PT-2101', ts: Date.now() - 1_500, value: 9.25 }] }),
      { qos: 1 },
    );
    await device.publishAsync(
      own,
      JSON.stringify({ readings: [{ tag: 'LT-1101', ts: Date.now() - 1_000, value: 42.5 }] }),
      {
        qos: 1,
      },
    );
    await expect.poll(() => stored(pointId(E1, 'LT-1101')), { timeout: 10_000 }).toEqual([41.5, 42.5]);
    expect(await stored(pointId(E2, 'PT-2101'))).toEqual([]);
    // On MQTT 5 the refusal is said: PUBACK reason code 0x87 (not authorised).
    const v5 = await gateway(username, secret, 5);
    await expect(
      v5.publishAsync(
        telemetryTopic({ enterprise: E2, gateway: 'GW01' }),
        JSON.stringify({ readings: [{ tag: 'PT-2101', ts: Date.now() - 500, value: 9.5 }] }),
        { qos: 1 },
      ),
    ).rejects.toMatchObject({ code: 0x87 });

    // Its own command topic only: SUBACK 0x80 for another gateway's, or any wildcard.
    expect(
      (await device.subscribeAsync(commandTopic({ enterprise: E1, gateway: 'GW01' }), { qos: 1 })).map(
        (g) => g.qos,
      ),
    ).toEqual([1]);
    await expect(device.subscribeAsync(commandTopic({ enterprise: E2, gateway: 'GW01' }))).rejects.toThrow(
      /Subscribe error/,
    );
    await expect(device.subscribeAsync('hw/#')).rejects.toThrow(/Subscribe error/);
    // Nor the plugin's control topic.
    await expect(device.subscribeAsync('$CONTROL/dynamic-security/v1/response')).rejects.toThrow(
      /Subscribe error/,
    );
    expect(broker!.output()).not.toContain(secret);
  });

  it('a rotation ends the old secret and its session; a revocation disconnects the gateway and refuses it', async () => {
    const first = await issue(E2, 'GW01');
    const old = await gateway(first.username, first.secret);
    const kicked = closedWithin(old, 10_000);
    const second = await issue(E2, 'GW01');
    await kicked;
    expect(await loginOutcome(first.username, first.secret)).toBe(5);

    const current = await gateway(first.username, second.secret);
    const closed = closedWithin(current, 10_000);
    expect((await call('DELETE', credentialsUrl(E2, 'GW01'))).body).toMatchObject({ state: 'revoked' });
    await closed;
    expect(await loginOutcome(first.username, second.secret)).toBe(5);
  });

  it('follows the credential table: a revocation stored by another process disconnects the gateway', async () => {
    const { username, secret } = await issue(E1, 'GW01');
    const device = await gateway(username, secret);
    const closed = closedWithin(device, 10_000);
    // Not through this API: the repository's NOTIFY reaches the reconciler.
    expect(
      await new DeviceCredentialRepository(service!.store.client).revoke(E1, 'GW01', 'elsewhere', Date.now()),
    ).toBe(true);
    await closed;
    expect(await loginOutcome(username, secret)).toBe(5);
  });
  /** A plugin client of the test's own, as the API's is. */
  const adminClient = (): Promise<DynsecClient> =>
    DynsecClient.connect({
      url: `mqtt://127.0.0.1:${plainPort}`,
      username: DYNSEC_ADMIN,
      password: DYNSEC_PASSWORD,
      logger,
      timeoutMs: 5_000,
    });

  it('a full pass deletes gateway accounts the table does not hold and reports credentials without one', async () => {
    const dynsec = await adminClient();
    try {
      // A gateway-shaped account nobody issued (a restored broker file, a deleted row).
      expect((await dynsec.createClient(`${E2}.GW99`, 'left-over-password')).error).toBeUndefined();
      const leftOver = await loginOutcome(`${E2}.GW99`, 'left-over-password');
      expect(leftOver).toBe('connected');
      // An active credential the broker never heard of (issued before dynsec was configured).
      const repo = new DeviceCredentialRepository(service!.store.client);
      await repo.issue(
        { username: `${E2}.GW98`, enterprise: E2, gateway: 'GW98', salt: 'aa', secretHash: 'bb' },
        'before-dynsec',
        Date.now(),
      );
      const accounts = new DynsecAccounts({ dynsec, credentials: repo, logger });
      const report = await accounts.reconcile();
      expect(report.deleted).toContain(`${E2}.GW99`);
      expect(report.missing).toContain(`${E2}.GW98`);
      expect(await loginOutcome(`${E2}.GW99`, 'left-over-password')).toBe(5);
      // The plugin admin and the service account are never touched.
      expect(await dynsec.listClients()).toEqual(expect.arrayContaining([DYNSEC_ADMIN, 'hw-ingest-service']));
    } finally {
      await dynsec.close();
    }
  });

  it('applies a changed service password, found by a login probe', async () => {
    const dynsec = await adminClient();
    try {
      const repo = new DeviceCredentialRepository(service!.store.client);
      const account = (password: string) =>
        new DynsecAccounts({
          dynsec,
          credentials: repo,
          logger,
          service: { username: 'hw-second-service', password },
          loginWorks: (u, p) => dynsec.loginWorks(u, p),
        });
      await account('first-service-password').ensureServiceAccount();
      expect(await dynsec.loginWorks('hw-second-service', 'first-service-password')).toBe(true);
      await account('second-service-password').ensureServiceAccount();
      expect(await dynsec.loginWorks('hw-second-service', 'first-service-password')).toBe(false);
      expect(await dynsec.loginWorks('hw-second-service', 'second-service-password')).toBe(true);
    } finally {
      await dynsec.close();
    }
  });
});
