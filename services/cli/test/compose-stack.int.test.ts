import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { telemetryTopic } from '@hazardwatch/contracts';
import { createTestDatabase, providedServices, waitFor, type TestDatabase } from '@hazardwatch/testkit';
import {
  COMPOSE_FILE,
  DOTENV_EXAMPLE,
  SCALE_OUT_FILE,
  dockerRuntime,
  loadCompose,
  localHealthcheck,
  readDotEnv,
  startOrder,
  type ComposeProject,
  type ComposeService,
} from './compose-files.js';
import { DYNSEC_PLUGIN, MOSQUITTO, devCa, giveToMosquitto, mosquittoMissing } from './mosquitto-support.js';
import {
  freePort,
  hasBinary,
  runToEnd,
  startProcess,
  stopProcess,
  type Exit,
  type StartedProcess,
} from './process-support.js';
import { REPO } from './systemd-files.js';

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
const missing =
  mosquittoMissing() ??
  (!hasBinary('redis-server', '--version') || !hasBinary('redis-cli', '--version')
    ? 'redis-server / redis-cli are not installed on this machine'
    : !hasBinary('pg_isready', '--version')
      ? 'pg_isready (postgresql-client) is not installed on this machine'
      : undefined);

/** .env as .env.example says: every empty value filled with `openssl rand -hex 24`'s kind of value. */
function dotenv(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(readDotEnv(DOTENV_EXAMPLE)).map(([k, v]) => [
      k,
      v === '' ? randomBytes(24).toString('hex') : v,
    ]),
  );
}

interface Running {
  readonly service: string;
  readonly process: StartedProcess;
}

describe.skipIf(missing !== undefined)(
  `the compose stack as processes${missing ? ` (skipped: ${missing})` : ''}`,
  () => {
    let dir: string;
    let db: TestDatabase;
    let project: ComposeProject;
    const env = dotenv();
    const runtime = dockerRuntime();
    const running: Running[] = [];
    /** Container port → this machine's, per service (compose's network). */
    const ports = new Map<string, Map<number, number>>();
    /** Named volumes → directories. */
    const volumes = new Map<string, string>();
    const completed = new Map<string, { code: number | null; out: string }>();
    const clients: MqttClient[] = [];
    let dialect: string | undefined;

    const cliMain = `${REPO}${runtime.entrypoint[1]}`;
    const port = (service: string, containerPort: number): number => {
      const p = ports.get(service)?.get(containerPort);
      if (p === undefined) throw new Error(`${service}:${containerPort} is not mapped`);
      return p;
    };

    /** A mount's source on this machine: a named volume's directory, or the bind's path. */
    const mountSource = (volume: string): { source: string; target: string } => {
      const [source, target] = volume.split(':') as [string, string];
      if (source.startsWith('./')) {
        // The certificates are made for this test (never written into the checkout).
        if (source === './deploy/mosquitto/certs') return { source: join(dir, 'certs'), target };
        return { source: `${REPO}${source.slice(2)}`, target };
      }
      const named = volumes.get(source);
      if (named === undefined) throw new Error(`volume ${source} is not declared`);
      return { source: named, target };
    };

    /** A value as the process sees it here: service host names, container ports and paths mapped. */
    const localValue = (service: ComposeService, key: string, value: string): string => {
      if (key === 'DATABASE_URL') {
        // The database service's own settings must be what the URL says.
        const url = new URL(value);
        const pgEnv = project.services['timescaledb']!.environment;
        expect({
          host: url.host,
          user: url.username,
          password: decodeURIComponent(url.password),
          db: url.pathname,
        }).toEqual({
          host: 'timescaledb:5432',
          user: pgEnv['POSTGRES_USER'],
          password: pgEnv['POSTGRES_PASSWORD'],
          db: `/${pgEnv['POSTGRES_DB']}`,
        });
        return db.url;
      }
      let out = value.replace(/\b([a-z][a-z0-9-]*):(\d+)\b/g, (m, host: string, p: string) =>
        project.services[host] ? `127.0.0.1:${port(host, Number(p))}` : m,
      );
      for (const volume of service.volumes) {
        const { source, target } = mountSource(volume);
        if (out.startsWith(target)) out = source + out.slice(target.length);
      }
      if (key === 'HW_API_PORT' || key === 'HW_HEALTH_PORT') out = String(port(service.name, Number(value)));
      return out;
    };

    /** The image's ENV, then the service's environment; of this machine only PATH. */
    const processEnv = (service: ComposeService): NodeJS.ProcessEnv => ({
      PATH: process.env['PATH'],
      ...runtime.env,
      ...Object.fromEntries(
        Object.entries(service.environment).map(([k, v]) => [k, localValue(service, k, v)]),
      ),
    });

    const healthcheck = async (name: string): Promise<{ code: number | null; out: string }> => {
      const service = project.services[name]!;
      const { file, args } = localHealthcheck(service.healthcheck!, ports.get(name) ?? new Map());
      return runToEnd(file, args, {
        env: { PATH: process.env['PATH'], ...service.environment },
        timeoutMs: 30_000,
      });
    };
    const healthy = async (name: string): Promise<void> => {
      const deadline = Date.now() + 180_000;
      for (;;) {
        const result = await healthcheck(name);
        if (result.code === 0) return;
        const proc = running.find((r) => r.service === name)?.process;
        if ((proc !== undefined && proc.child.exitCode !== null) || Date.now() > deadline)
          throw new Error(`${name} never healthy: ${result.out}\n${proc?.output() ?? ''}`);
        await new Promise((r) => setTimeout(r, 500));
      }
    };

    /** deploy/mosquitto/mosquitto.conf adapted only in paths (the mounts) and ports. */
    const mosquittoConf = (service: ComposeService): string => {
      const mounts = service.volumes.map(mountSource);
      const confMount = mounts.find((m) => m.target === '/mosquitto/config/mosquitto.conf')!;
      const lines = readFileSync(confMount.source, 'utf8')
        .split('\n')
        .map((line) => {
          if (line === 'plugin /usr/lib/mosquitto_dynamic_security.so') return `plugin ${DYNSEC_PLUGIN}`;
          const listener = /^listener (\d+)$/.exec(line);
          if (listener) return `listener ${port('mosquitto', Number(listener[1]))} 127.0.0.1`;
          let out = line;
          for (const { source, target } of mounts)
            if (!target.endsWith('.conf')) out = out.replaceAll(`${target}/`, `${source}/`);
          return out;
        });
      const conf = lines.join('\n');
      expect(conf.replace(/^#.*$/gm, '')).not.toMatch(/\/mosquitto\//);
      return conf;
    };

    /** Starts (or runs to its end) one service as compose would, then waits as its dependants will. */
    const start = async (name: string, waitHealthy: boolean): Promise<void> => {
      const service = project.services[name]!;
      if (name === 'timescaledb') {
        // The test's PostgreSQL server stands in for the container.
      } else if (name === 'mosquitto-init') {
        const [shell, flag] = service.entrypoint!;
        const script = service.command![0]!.replaceAll(
          '/mosquitto/data/',
          `${mountSource(service.volumes[0]!).source}/`,
        );
        // The container runs it as root; elsewhere its chown is the one step that cannot run.
        const shim = join(dir, 'shim');
        mkdirSync(shim, { recursive: true });
        if (process.getuid?.() !== 0)
          writeFileSync(join(shim, 'chown'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
        const result = await runToEnd(shell!, [flag!, script], {
          env: { PATH: `${shim}:${process.env['PATH']}`, ...service.environment },
          timeoutMs: 30_000,
        });
        completed.set(name, result);
        giveToMosquitto(dir);
      } else if (name === 'mosquitto') {
        writeFileSync(join(dir, 'mosquitto.conf'), mosquittoConf(service));
        giveToMosquitto(dir);
        running.push({
          service: name,
          process: startProcess(MOSQUITTO, ['-c', join(dir, 'mosquitto.conf')]),
        });
      } else if (name === 'redis') {
        const [binary, ...args] = service.command!;
        running.push({
          service: name,
          process: startProcess(binary!, [
            ...args,
            '--port',
            String(port(name, 6379)),
            '--bind',
            '127.0.0.1',
          ]),
        });
      } else {
        // The image: ENTRYPOINT + command, from WORKDIR (this checkout).
        expect(service.image).toBe('hazardwatch:local');
        expect(runtime.workdir).toBe('/app');
        const args = [cliMain, ...service.command!];
        if (name === 'migrate')
          completed.set(
            name,
            await runToEnd(process.execPath, args, {
              env: processEnv(service),
              cwd: REPO,
              timeoutMs: 180_000,
            }),
          );
        else
          running.push({
            service: name,
            process: startProcess(process.execPath, args, { env: processEnv(service), cwd: REPO }),
          });
      }
      if (waitHealthy) await healthy(name);
    };

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'hw-compose-'));
      chmodSync(dir, 0o755);
      project = loadCompose([COMPOSE_FILE, SCALE_OUT_FILE], env);
      db = await createTestDatabase(postgresAdminUrl, 'hw_cmp');
      const dbUrl = new URL(db.url);
      for (const name of project.volumes) {
        volumes.set(name, join(dir, name));
        mkdirSync(join(dir, name));
      }
      // docs/broker.md §2 step 1: certificates for the TLS listener.
      devCa(cliMain, join(dir, 'certs'));
      ports.set('timescaledb', new Map([[5432, Number(dbUrl.port || 5432)]]));
      ports.set(
        'mosquitto',
        new Map([
          [1883, await freePort()],
          [8883, await freePort()],
        ]),
      );
      ports.set('redis', new Map([[6379, await freePort()]]));
      for (const name of ['ingest', 'api'])
        ports.set(
          name,
          new Map([
            [8080, await freePort()],
            [9464, await freePort()],
          ]),
        );

      // Every service a dependant waits for as healthy is waited for by its health check.
      const waitedHealthy = new Set(
        Object.values(project.services).flatMap((s) =>
          Object.entries(s.dependsOn)
            .filter(([, c]) => c === 'service_healthy')
            .map(([d]) => d),
        ),
      );
      for (const name of startOrder(project)) {
        for (const [dep, condition] of Object.entries(project.services[name]!.dependsOn))
          if (condition === 'service_completed_successfully')
            expect(completed.get(dep)?.code, `${dep}: ${completed.get(dep)?.out}`).toBe(0);
        await start(name, waitedHealthy.has(name) || name === 'api');
      }
      // migrate prints {dialect, applied, schemaVersion} among its log lines.
      const summary = completed
        .get('migrate')!
        .out.split('\n')
        .find((l) => l.startsWith('{"dialect"'));
      dialect = summary ? (JSON.parse(summary) as { dialect: string }).dialect : undefined;
    }, 600_000);

    afterAll(async () => {
      for (const c of clients.splice(0)) await c.endAsync(true).catch(() => undefined);
      for (const r of running.slice().reverse()) await stopProcess(r.process.child, 20_000);
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
      expect(completed.get('mosquitto-init')).toMatchObject({ code: 0 });
      expect(completed.get('migrate')).toMatchObject({ code: 0 });
      // compose deploys TimescaleDB; `auto` uses it where the server has it, plain PostgreSQL otherwise.
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      const timescale = (
        await client.query<{ ok: boolean }>(
          "SELECT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb') AND current_setting('shared_preload_libraries') LIKE '%timescaledb%' AS ok",
        )
      ).rows[0]!.ok;
      await client.end();
      expect(dialect).toBe(timescale ? 'timescaledb' : 'postgres');
      for (const name of ['timescaledb', 'mosquitto', 'redis', 'ingest', 'api']) {
        const result = await healthcheck(name);
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
      const migrate = project.services['migrate']!;
      const created = await runToEnd(
        process.execPath,
        [cliMain, 'user', 'create', '--role', 'admin', '--username', 'admin'],
        { env: processEnv(migrate), cwd: REPO, input: `${ADMIN_PASSWORD}\n`, timeoutMs: 60_000 },
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
        ca: readFileSync(join(dir, 'certs', 'ca.crt')),
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
      const exits: Record<string, Exit> = {};
      for (const r of running.slice().reverse())
        exits[r.service] = await stopProcess(r.process.child, 30_000);
      expect(exits).toEqual({
        api: { code: 0, signal: null },
        ingest: { code: 0, signal: null },
        redis: { code: 0, signal: null },
        mosquitto: { code: 0, signal: null },
      });
    });
  },
);
