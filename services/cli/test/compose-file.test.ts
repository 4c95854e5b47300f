import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRuntimeConfig } from 'hazardwatch';
import {
  COMPOSE_FILE,
  DOTENV_EXAMPLE,
  LEASED_FILE,
  SCALE_OUT_FILE,
  interpolate,
  loadCompose,
  localHealthcheck,
  publishedTargets,
  readDotEnv,
  startOrder,
} from './compose-files.js';

/**
 * docker-compose.yml, docker-compose.scale-out.yml and .env.example (issue #20 item 3): secrets
 * come from .env and nothing runs without them, only the gateway and API ports are published,
 * every HazardWatch service's environment is a valid configuration, the scale-out `api` shares
 * `serve`'s settings; and `docker-compose config` accepts both file sets where the client exists.
 */
const HAZARDWATCH_SERVICES = ['migrate', 'ingest', 'api'];

/** .env.example with each empty value filled as its comment says (hex). */
function filledExample(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(readDotEnv(DOTENV_EXAMPLE)).map(([k, v]) => [
      k,
      v === '' ? `${k.toLowerCase().replace(/_/g, '')}0123456789abcdef0123456789abcdef` : v,
    ]),
  );
}

describe('compose interpolation (as docker compose does it)', () => {
  const vars = { SET: 'value', EMPTY: '' };
  it.each([
    ['${SET}', 'value'],
    ['$SET/x', 'value/x'],
    ['${UNSET}', ''],
    ['${UNSET:-fallback}', 'fallback'],
    ['${EMPTY:-fallback}', 'fallback'],
    ['${EMPTY-fallback}', ''],
    ['${SET:?required}', 'value'],
    ['$${SET} $$HOME', '${SET} $HOME'],
  ])('%s → %s', (input, output) => {
    expect(interpolate(input, vars, 'test')).toBe(output);
  });
  it.each([['${UNSET:?set UNSET}'], ['${EMPTY:?set EMPTY}'], ['${UNSET?set UNSET}']])(
    '%s stops, naming the variable',
    (input) => {
      const name = /\{(\w+)/.exec(input)![1]!;
      expect(() => interpolate(input, vars, 'services.x.environment.K')).toThrow(
        new RegExp(
          `services\\.x\\.environment\\.K: required variable ${name} is missing a value: set ${name}`,
        ),
      );
    },
  );
});

describe('docker-compose.yml and .env.example', () => {
  const env = filledExample();
  const base = loadCompose([COMPOSE_FILE], env);
  const scaled = loadCompose([COMPOSE_FILE, SCALE_OUT_FILE], env);

  it('every secret comes from .env: .env.example lists each, empty, and compose refuses to run without it', () => {
    const example = readDotEnv(DOTENV_EXAMPLE);
    const secrets = Object.keys(example).filter((k) => example[k] === '');
    expect(secrets.sort()).toEqual(
      ['HW_DYNSEC_PASSWORD', 'HW_JWT_SECRET', 'HW_MQTT_SERVICE_PASSWORD', 'POSTGRES_PASSWORD'].sort(),
    );
    for (const secret of secrets) {
      const without = { ...env, [secret]: '' };
      expect(() => loadCompose([COMPOSE_FILE], without)).toThrow(
        new RegExp(`required variable ${secret} is missing a value: set ${secret}`),
      );
      expect(() => loadCompose([COMPOSE_FILE, SCALE_OUT_FILE], without)).toThrow(new RegExp(secret));
    }
    // No secret has a usable default anywhere in the files.
    for (const service of Object.values(scaled.services))
      for (const [key, value] of Object.entries(service.environment))
        if (/PASSWORD|SECRET/.test(key))
          expect([service.name, key, value]).toEqual([service.name, key, env[key]]);
  });

  it('publishes the gateways’ TLS port and the API only; broker, database, Redis and metrics stay inside', () => {
    const published = Object.fromEntries(
      Object.values(scaled.services).map((s) => [s.name, publishedTargets(s).sort()]),
    );
    expect(published).toEqual({
      timescaledb: [],
      'mosquitto-init': [],
      mosquitto: [8883],
      migrate: [],
      ingest: [8080],
      redis: [],
      api: [8080],
    });
    for (const name of ['ingest', 'api']) {
      const service = scaled.services[name]!;
      // The published port is the one the API listens on; the health port is another, not published.
      expect(service.environment['HW_API_PORT']).toBe('8080');
      expect(service.environment['HW_HEALTH_PORT']).toBe('9464');
      // Loopback (the default) unless a scraper on the compose network needs it.
      expect(service.environment['HW_HEALTH_HOST']).toBeUndefined();
    }
  });

  it('each HazardWatch service’s environment is a configuration the CLI accepts; migrate needs only the database', () => {
    for (const name of HAZARDWATCH_SERVICES) {
      const service = scaled.services[name]!;
      expect(service.image).toBe('hazardwatch:local');
      const config = loadRuntimeConfig(service.environment);
      expect(config.database.url).toMatch(/@timescaledb:5432\/hazardwatch$/);
      if (name === 'migrate') {
        expect(Object.keys(service.environment).sort()).toEqual(
          ['DATABASE_URL', 'HW_RAW_RETENTION_DAYS', 'LOG_LEVEL'].sort(),
        );
        continue;
      }
      expect(config.broker.dynsec?.url).toBe('mqtt://mosquitto:1883');
      expect(config.mqtt.url).toBe('mqtt://mosquitto:1883');
      expect(config.api.jwtSecret).toBe(env['HW_JWT_SECRET']);
    }
    // The scale-out `api` shares every setting with `serve`, Redis included; `serve` gets Redis only
    // with the scale-out file.
    const serve = scaled.services['ingest']!.environment;
    const api = scaled.services['api']!.environment;
    for (const key of Object.keys(api).filter((k) => k !== 'HW_API_PORT' && k !== 'HW_HEALTH_PORT'))
      expect([key, api[key]]).toEqual([key, serve[key]]);
    expect(serve['REDIS_URL']).toBe('redis://redis:6379');
    expect(base.services['ingest']!.environment['REDIS_URL']).toBeUndefined();
    expect(base.services['redis']).toBeUndefined();
  });

  it('starts in dependency order: the broker file, then the broker; the schema before serve; serve before api', () => {
    const order = startOrder(scaled);
    const before = (a: string, b: string) => expect(order.indexOf(a)).toBeLessThan(order.indexOf(b));
    before('mosquitto-init', 'mosquitto');
    before('timescaledb', 'migrate');
    before('migrate', 'ingest');
    before('mosquitto', 'ingest');
    before('ingest', 'api');
    before('redis', 'api');
    expect(scaled.services['ingest']!.dependsOn).toMatchObject({
      migrate: 'service_completed_successfully',
      mosquitto: 'service_healthy',
      timescaledb: 'service_healthy',
      redis: 'service_healthy',
    });
    expect(scaled.services['mosquitto']!.dependsOn).toEqual({
      'mosquitto-init': 'service_completed_successfully',
    });
    // Every long-running service declares a health check another can wait for.
    for (const name of ['timescaledb', 'mosquitto', 'ingest', 'redis', 'api'])
      expect([name, scaled.services[name]!.healthcheck?.length ?? 0]).not.toEqual([name, 0]);
  });

  it('health checks translate to this machine’s ports, and an unknown port stops the translation', () => {
    const ports = new Map([
      [9464, 19464],
      [1883, 11883],
      [5432, 15432],
      [6379, 16379],
    ]);
    expect(localHealthcheck(scaled.services['ingest']!.healthcheck!, ports).args.join(' ')).toContain(
      'http://127.0.0.1:19464/healthz',
    );
    expect(localHealthcheck(scaled.services['mosquitto']!.healthcheck!, ports).args[1]).toContain('-p 11883');
    expect(localHealthcheck(scaled.services['timescaledb']!.healthcheck!, ports).args[1]).toMatch(
      /^pg_isready -p 15432 /,
    );
    expect(localHealthcheck(scaled.services['redis']!.healthcheck!, ports)).toEqual({
      file: 'redis-cli',
      args: ['-p', '16379', 'ping'],
    });
    expect(() => localHealthcheck(['CMD-SHELL', 'curl http://127.0.0.1:1234/'], ports)).toThrow(/port 1234/);
  });

  const client = spawnSync('docker-compose', ['version'], { encoding: 'utf8' });
  const missing = client.error !== undefined ? 'docker-compose is not installed here' : undefined;
  it.skipIf(missing !== undefined)(
    `docker-compose config accepts the three file sets with .env.example filled in, and refuses it empty${missing ? ` (skipped: ${missing})` : ''}`,
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'hw-compose-'));
      try {
        const filled = join(dir, 'filled.env');
        writeFileSync(
          filled,
          Object.entries(env)
            .map(([k, v]) => `${k}=${v}\n`)
            .join(''),
        );
        const config = (envFile: string, files: string[]) =>
          spawnSync(
            'docker-compose',
            ['--env-file', envFile, ...files.flatMap((f) => ['-f', f]), 'config', '--quiet'],
            { encoding: 'utf8', cwd: dir },
          );
        for (const files of [[COMPOSE_FILE], [COMPOSE_FILE, SCALE_OUT_FILE], [LEASED_FILE]]) {
          const run = config(filled, files);
          expect({ files, status: run.status, stderr: run.stderr }).toEqual({ files, status: 0, stderr: '' });
        }
        const empty = config(DOTENV_EXAMPLE, [COMPOSE_FILE]);
        expect(empty.status).not.toBe(0);
        expect(empty.stderr).toMatch(/set (POSTGRES_PASSWORD|HW_\w+)/);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    // docker-compose v1 is Python: a few seconds per run on a busy machine.
    120_000,
  );
});

/**
 * docker-compose.leased.yml (issue #23): the stack with failover, used instead of
 * docker-compose.yml. Its database and broker are docker-compose.yml's exactly (one place to
 * change them is not possible across files without an engine-specific merge, so they are checked
 * equal); no `serve`; three leased workers without the site file, started after the `api` that
 * creates their broker account; the site stored by migrate.
 */
describe('docker-compose.leased.yml', () => {
  const env = filledExample();
  const base = loadCompose([COMPOSE_FILE], env);
  const leased = loadCompose([LEASED_FILE], env);

  it('timescaledb, mosquitto-init and mosquitto are docker-compose.yml’s, and so are the volumes', () => {
    for (const name of ['timescaledb', 'mosquitto-init', 'mosquitto'])
      expect([name, leased.services[name]]).toEqual([name, base.services[name]]);
    expect(leased.volumes).toEqual(base.volumes);
  });

  it('no serve anywhere; three leased ingest workers with no site file and no published port', () => {
    for (const service of Object.values(leased.services))
      expect(service.command ?? []).not.toContain('serve');
    const ingest = leased.services['ingest']!;
    expect(ingest.command).toEqual(['ingest']);
    expect(ingest.replicas).toBe(3);
    expect(ingest.ports).toEqual([]);
    expect(ingest.environment).toMatchObject({
      HW_INGEST_PARTITIONS: 'leased',
      REDIS_URL: 'redis://redis:6379',
    });
    expect(ingest.environment['HW_SITE_FILE']).toBeUndefined();
    expect(ingest.environment['HW_INGEST_ENTERPRISES']).toBeUndefined();
    expect(ingest.dependsOn).toMatchObject({
      api: 'service_healthy',
      migrate: 'service_completed_successfully',
    });
    // The worker's configuration is valid as compose gives it (host names as in the network).
    expect(() => loadRuntimeConfig({ ...ingest.environment })).not.toThrow();
  });

  it('migrate stores the mounted site file; the api publishes 8080 and shares the workers’ secrets and Redis', () => {
    const migrate = leased.services['migrate']!;
    expect(migrate.environment['HW_SITE_FILE']).toBe('/etc/hazardwatch/site.yaml');
    expect(migrate.volumes).toContain('./deploy/site.yaml:/etc/hazardwatch/site.yaml:ro');
    const api = leased.services['api']!;
    expect(api.command).toEqual(['api']);
    expect(publishedTargets(api)).toEqual([8080]);
    const ingest = leased.services['ingest']!;
    for (const key of ['HW_JWT_SECRET', 'DATABASE_URL', 'MQTT_URL', 'REDIS_URL', 'HW_MQTT_SERVICE_PASSWORD'])
      expect([key, api.environment[key]]).toEqual([key, ingest.environment[key]]);
    expect(startOrder(leased).indexOf('api')).toBeLessThan(startOrder(leased).indexOf('ingest'));
  });
});
