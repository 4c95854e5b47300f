import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { telemetryTopic } from '@hazardwatch/contracts';
import { createTestDatabase, providedServices, waitFor, type TestDatabase } from '@hazardwatch/testkit';
import { COMPOSE_FILE, SCALE_OUT_FILE, loadCompose } from './compose-files.js';
import { ComposeProcesses, composeStackMissing, dotenvFromExample } from './compose-processes.js';
import { devCa } from './mosquitto-support.js';
import { freePort } from './process-support.js';

/**
 * The production stack as docker compose runs it, without a container engine (issue #20 item 3).
 * docker-compose.yml and docker-compose.scale-out.yml are read as compose reads them, with a .env
 * made from .env.example, and every service runs as a process in compose's dependency order with
 * the environment compose gives it (the Dockerfile's ENV, then the service's), adapted only in
 * host names, ports and mounted paths: mosquitto-init's script makes the plugin file, this
 * machine's Mosquitto 2 runs deploy/mosquitto/mosquitto.conf, a private Redis runs compose's
 * command, and migrate, serve (`ingest`) and `api` run as the image's ENTRYPOINT does. A service
 * another waits for as `service_healthy` is waited for by running its own health check.
 *
 * The database is a scratch database on the test server. compose deploys TimescaleDB; the
 * system PostgreSQL of CI has no TimescaleDB, so migrate's `auto` dialect falls back to plain
 * PostgreSQL there — HW_TEST_DATABASE_URL pointing at a TimescaleDB server runs the same test on
 * it, and the test checks that the dialect follows the server.
 *
 * Then as a user: the first admin by `user create` as docs/operations.md §1 says, a gateway and a
 * point added through the API (docs/site-file.md), the gateway's credential issued through the
 * `api` instance, a reading above HH published over TLS on 8883 with it: stored, the alarm raised
 * (REST, through both instances); the dashboard and login on the public ports; /metrics on the
 * internal health ports only; SIGTERM ends every process with exit 0.
 */
const { postgresAdminUrl } = providedServices();
const E1 = '91320623MA1W000001';
const ADMIN_PASSWORD = `admin-${randomBytes(9).toString('hex')}`;
const missing = composeStackMissing();

describe.skipIf(missing !== undefined)(
  `the compose stack as processes${missing ? ` (skipped: ${missing})` : ''}`,
  () => {
    let dir: string | undefined;
    let db: TestDatabase | undefined;
    let stack: ComposeProcesses;
    const clients: MqttClient[] = [];
    let dialect: string | undefined;
    const port = (service: string, containerPort: number) => stack.port(service, containerPort);

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'hw-compose-'));
      chmodSync(dir, 0o755);
      const project = loadCompose([COMPOSE_FILE, SCALE_OUT_FILE], dotenvFromExample());
      db = await createTestDatabase(postgresAdminUrl, 'hw_cmp');
      const free = async (...containerPorts: number[]) =>
        new Map(await Promise.all(containerPorts.map(async (p) => [p, await freePort()] as const)));
      stack = new ComposeProcesses({
        project,
        dir,
        database: { service: 'timescaledb', url: db.url },
        ports: new Map([
          ['timescaledb', new Map([[5432, Number(new URL(db.url).port || 5432)]])],
          ['mosquitto', await free(1883, 8883)],
          ['redis', await free(6379)],
          ['ingest', await free(8080, 9464)],
          ['api', await free(8080, 9464)],
        ]),
        // The broker's certificates are made here (never written into the checkout).
        binds: { './deploy/mosquitto/certs': join(dir, 'certs') },
      });
      // docs/broker.md §2 step 1: certificates for the TLS listener.
      devCa(stack.cliMain, join(dir, 'certs'));
      await stack.startAll();
      // migrate prints {dialect, applied, schemaVersion} among its log lines.
      const summary = stack.completed
        .get('migrate')
        ?.out.split('\n')
        .find((l) => l.startsWith('{"dialect"'));
      dialect = summary ? (JSON.parse(summary) as { dialect: string }).dialect : undefined;
    }, 600_000);

    afterAll(async () => {
      for (const c of clients.splice(0)) await c.endAsync(true).catch(() => undefined);
      await stack?.stopAll(20_000);
      await db?.drop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    }, 120_000);

    const base = (service: string) => `http://127.0.0.1:${port(service, 8080)}`;
    const call = async (
      service: string,
      method: string,
      path: string,
      token?: string,
      body?: unknown,
    ): Promise<{ status: number; body: Record<string, unknown> }> => {
      const res = await fetch(`${base(service)}/api/v1${path}`, {
        method,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(body !== undefined || method === 'POST' ? { 'content-type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : method === 'POST' ? { body: '{}' } : {}),
      });
      const text = await res.text();
      return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
    };
    const login = async (service: string, password = ADMIN_PASSWORD) =>
      call(service, 'POST', '/auth/login', undefined, { username: 'admin', password });

    it('every service starts as compose starts it and its health check passes; migrate and mosquitto-init exit 0', async () => {
      expect(stack.completed.get('mosquitto-init')).toMatchObject({ code: 0 });
      expect(stack.completed.get('migrate')).toMatchObject({ code: 0 });
      // compose deploys TimescaleDB; `auto` uses it where the server has it, plain PostgreSQL otherwise.
      const client = new pg.Client({ connectionString: db!.url });
      await client.connect();
      const timescale = (
        await client.query<{ ok: boolean }>(
          "SELECT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb') AND current_setting('shared_preload_libraries') LIKE '%timescaledb%' AS ok",
        )
      ).rows[0]!.ok;
      await client.end();
      expect(dialect).toBe(timescale ? 'timescaledb' : 'postgres');
      for (const name of ['timescaledb', 'mosquitto', 'redis', 'ingest', 'api']) {
        const result = await stack.healthcheck(name);
        expect(result.code, `${name}: ${result.out}`).toBe(0);
      }
      // Readiness on the internal ports: broker and database reached (extra fields are accepted).
      for (const name of ['ingest', 'api']) {
        const res = await fetch(`http://127.0.0.1:${port(name, 9464)}/readyz`);
        expect([name, res.status]).toEqual([name, 200]);
        expect(await res.json()).toMatchObject({ ready: true });
      }
    });

    it('first admin, a gateway and point through the API, its credential from an api instance: an HH reading over TLS is stored and alarms', async () => {
      // docs/operations.md §1: `docker compose run --rm -T migrate user create …`, password on stdin.
      const created = await stack.run(
        'migrate',
        ['user', 'create', '--role', 'admin', '--username', 'admin'],
        `${ADMIN_PASSWORD}\n`,
      );
      expect(created, created.out).toMatchObject({ code: 0 });
      expect(created.out).not.toContain(ADMIN_PASSWORD);
      const session = await login('ingest');
      expect(session.status).toBe(200);
      const token = session.body['accessToken'] as string;

      // docs/site-file.md: entities created through the API are in force at once, everywhere.
      const gateway = await call('ingest', 'POST', `/enterprises/${E1}/gateways`, token, {
        code: 'GW09',
        name: '液氯储罐区新网关',
      });
      expect(gateway.status, JSON.stringify(gateway.body)).toBe(201);
      const point = await call('ingest', 'POST', `/enterprises/${E1}/points`, token, {
        tag: 'PT-1909',
        hazard: 'CL-TF01',
        gateway: 'GW09',
        name: '液氯储罐V-1109压力',
        kind: 'pressure',
        unit: 'MPa',
        range: { min: 0, max: 2.5 },
        limits: { h: 1.0, hh: 1.2 },
      });
      expect(point.status, JSON.stringify(point.body)).toBe(201);
      const points = await call('ingest', 'GET', `/points?enterprise=${E1}&limit=500`, token);
      const id = (points.body['items'] as Array<{ id: number; tag: string }>).find(
        (p) => p.tag === 'PT-1909',
      )!.id;

      // docs/operations.md §9, through the scale-out `api` instance (same token secret), which
      // applies the credential to the broker's plugin; it knows the new gateway once the site
      // version reaches it (NOTIFY).
      const issued = await waitFor(
        () => call('api', 'POST', `/enterprises/${E1}/gateways/GW09/credentials`, token),
        (r) => r.status === 201,
        'the credential issued by the api instance',
        30_000,
      );
      const { username, secret } = issued.body as { username: string; secret: string };

      // The gateway: TLS on the published 8883, the development CA, its credential.
      const device = await mqtt.connectAsync(`mqtts://127.0.0.1:${port('mosquitto', 8883)}`, {
        clientId: `gw09-${randomBytes(3).toString('hex')}`,
        ca: readFileSync(join(dir!, 'certs', 'ca.crt')),
        username,
        password: secret,
        reconnectPeriod: 0,
        connectTimeout: 10_000,
      });
      clients.push(device);
      const now = Date.now();
      // Above HH (1.2 MPa) for longer than the site's 5 s on-delay.
      for (const ts of [now - 20_000, now - 10_000, now - 1_000])
        await device.publishAsync(
          telemetryTopic({ enterprise: E1, gateway: 'GW09' }),
          JSON.stringify({ readings: [{ tag: 'PT-1909', ts, value: 1.35 }] }),
          { qos: 1 },
        );

      const latest = await waitFor(
        () => call('ingest', 'GET', `/points/${id}/latest`, token),
        (r) => (r.body as { items?: Array<{ value: number }> }).items?.[0]?.value === 1.35,
        'the reading stored',
      );
      expect(latest.status).toBe(200);
      for (const service of ['ingest', 'api']) {
        const alarms = await waitFor(
          () => call(service, 'GET', `/alarms/active?enterprise=${E1}`, token),
          (r) =>
            (r.body['items'] as Array<{ pointId?: number; condition: string }> | undefined)?.some(
              (a) => a.pointId === id && a.condition === 'HH',
            ) ?? false,
          `the HH alarm through ${service}`,
        );
        expect(alarms.status).toBe(200);
      }
    });

    it('the dashboard and its login on the public ports; /metrics on the internal health ports only', async () => {
      for (const service of ['ingest', 'api']) {
        const page = await fetch(`${base(service)}/`);
        expect([service, page.status]).toEqual([service, 200]);
        const html = await page.text();
        expect(html).toContain('<html lang="zh-CN">');
        // The login page's code and styles are served too.
        const assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]!);
        expect(assets.length).toBeGreaterThan(0);
        for (const asset of assets)
          expect([asset, (await fetch(`${base(service)}${asset}`)).status]).toEqual([asset, 200]);
        expect((await login(service)).status).toBe(200);
        expect((await login(service, 'not-the-password')).status).toBe(401);

        expect([service, (await fetch(`${base(service)}/metrics`)).status]).toEqual([service, 404]);
        const metrics = await fetch(`http://127.0.0.1:${port(service, 9464)}/metrics`);
        expect(metrics.status).toBe(200);
        const text = await metrics.text();
        expect(text).toContain('hazardwatch_http_request_duration_seconds');
        if (service === 'ingest') expect(text).toContain('hw_ingest_messages_total');
      }
    });

    it('SIGTERM stops every long-running service with exit 0, dependants first', async () => {
      const exits = await stack.stopAll(30_000);
      const tails = Object.fromEntries(
        Object.keys(exits).map((name) => [name, stack.output(name).split('\n').slice(-15).join('\n')]),
      );
      expect(exits, JSON.stringify(tails, null, 1)).toEqual({
        api: { code: 0, signal: null },
        ingest: { code: 0, signal: null },
        redis: { code: 0, signal: null },
        mosquitto: { code: 0, signal: null },
      });
    });
  },
);
