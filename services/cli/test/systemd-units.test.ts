import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { IngestConfigSchema } from '@hazardwatch/ingest';
import { parseConfig } from '@hazardwatch/kit';
import { ConfigError, loadRuntimeConfig } from 'hazardwatch';
import {
  ENV_EXAMPLE,
  ENV_FILE,
  INSTALL_DIR,
  REPO,
  SYSTEMD_DIR,
  UNITS,
  localCommand,
  one,
  parseEnvFile,
  parseUnit,
  unitProcess,
} from './systemd-files.js';

/** deploy/systemd (issue #20 item 4): the units and the env example agree with the CLI and the docs. */
const DOC = readFileSync(`${REPO}docs/install-debian.md`, 'utf8');
/** The CLI's own shutdown bound (services/cli/src/main.ts SHUTDOWN_LIMIT_MS). */
const CLI_SHUTDOWN_LIMIT_SEC = 15;
/** Read by the process but not by loadRuntimeConfig: Node itself, and the log level (entry-args.ts). */
const NOT_CONFIG = new Set(['NODE_ENV', 'NODE_OPTIONS', 'LOG_LEVEL']);
const HARDENING: Record<string, string> = {
  NoNewPrivileges: 'yes',
  ProtectSystem: 'strict',
  ProtectHome: 'yes',
  PrivateTmp: 'yes',
  PrivateDevices: 'yes',
  RestrictSUIDSGID: 'yes',
  CapabilityBoundingSet: '',
  ReadWritePaths: '/var/lib/hazardwatch',
  StateDirectory: 'hazardwatch',
  User: 'hazardwatch',
};

/** The commands the CLI's usage lists (`hazardwatch help`). */
function cliCommands(): Set<string> {
  const help = spawnSync(process.execPath, [`${REPO}services/cli/dist/main.js`, 'help'], {
    encoding: 'utf8',
  });
  expect(help.status).toBe(0);
  return new Set([...help.stdout.matchAll(/^ {2}([a-z][a-z-]*)\b/gm)].map((m) => m[1]!));
}

/** The example with each <placeholder> filled in as an installer would. */
function filledExample(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(parseEnvFile(ENV_EXAMPLE)).map(([k, v]) => [
      k,
      v.replace(/<[^>]*>/g, 'Placeholder-0123456789-abcdefghij-XYZ'),
    ]),
  );
}

describe('deploy/systemd units', () => {
  const commands = cliCommands();

  it.each(UNITS)('%s runs a real CLI command from the install directory with the env file', (name) => {
    const unit = parseUnit(`${SYSTEMD_DIR}${name}`);
    const { command } = localCommand(one(unit, 'Service', 'ExecStart'));
    expect(command).toHaveLength(1);
    expect(commands).toContain(command[0]);
    expect(unit['Service']!['EnvironmentFile']![0]).toBe(ENV_FILE);
    expect(one(unit, 'Service', 'WorkingDirectory')).toBe(INSTALL_DIR);
    for (const [key, value] of Object.entries(HARDENING))
      expect([name, key, one(unit, 'Service', key)]).toEqual([name, key, value]);
    // The doc names the unit and the env file path the unit reads.
    expect(DOC).toContain(name);
    expect(DOC).toContain(ENV_FILE);
  });

  it('the migration runs once and first; the services stop on SIGTERM with time for the CLI to drain', () => {
    const migrate = parseUnit(`${SYSTEMD_DIR}hazardwatch-migrate.service`);
    expect(one(migrate, 'Service', 'Type')).toBe('oneshot');
    expect(localCommand(one(migrate, 'Service', 'ExecStart')).command).toEqual(['migrate']);
    for (const name of [
      'hazardwatch.service',
      'hazardwatch-ingest@.service',
      'hazardwatch-api.service',
      'hazardwatch-worker@.service',
    ]) {
      const unit = parseUnit(`${SYSTEMD_DIR}${name}`);
      expect(one(unit, 'Unit', 'Requires')).toBe('hazardwatch-migrate.service');
      expect(one(unit, 'Unit', 'After').split(/\s+/)).toEqual(
        expect.arrayContaining(['hazardwatch-migrate.service', 'postgresql.service', 'mosquitto.service']),
      );
      expect(one(unit, 'Service', 'KillSignal')).toBe('SIGTERM');
      expect(one(unit, 'Service', 'Restart')).toBe('on-failure');
      expect(Number(one(unit, 'Service', 'TimeoutStopSec'))).toBeGreaterThan(CLI_SHUTDOWN_LIMIT_SEC);
    }
    expect(
      localCommand(one(parseUnit(`${SYSTEMD_DIR}hazardwatch.service`), 'Service', 'ExecStart')).command,
    ).toEqual(['serve']);
    const worker = parseUnit(`${SYSTEMD_DIR}hazardwatch-ingest@.service`);
    expect(worker['Service']!['EnvironmentFile']).toEqual([ENV_FILE, '/etc/hazardwatch/ingest-%i.env']);
  });

  it('the API instance runs `hazardwatch api` after Redis, with an optional env file of its own for its ports', () => {
    const api = parseUnit(`${SYSTEMD_DIR}hazardwatch-api.service`);
    expect(localCommand(one(api, 'Service', 'ExecStart')).command).toEqual(['api']);
    // `-`: the file may be absent (an instance alone on its host needs nothing else).
    expect(api['Service']!['EnvironmentFile']).toEqual([ENV_FILE, '-/etc/hazardwatch/api.env']);
    expect(one(api, 'Unit', 'After').split(/\s+/)).toContain('redis-server.service');
    expect(DOC).toContain('/etc/hazardwatch/api.env');
    // The env example names what every instance must share: Redis, for live events across them.
    expect(readFileSync(ENV_EXAMPLE, 'utf8')).toMatch(/^# REDIS_URL=redis:\/\/\S+$/m);
  });

  it('every variable the env example sets is one the configuration knows, with valid values', () => {
    const env = filledExample();
    const config = loadRuntimeConfig(env);
    for (const key of Object.keys(env))
      expect(key.startsWith('HW_') || NOT_CONFIG.has(key) || ['DATABASE_URL', 'MQTT_URL'].includes(key)).toBe(
        true,
      );
    expect(config.database.url).toBe(env['DATABASE_URL']);
    expect(config.mqtt.url).toBe(env['MQTT_URL']);
    expect(config.dataDir).toBe(
      one(parseUnit(`${SYSTEMD_DIR}hazardwatch.service`), 'Service', 'ReadWritePaths'),
    );
    // The check can fail: a misspelt variable is refused by name.
    expect(() => loadRuntimeConfig({ ...env, HW_JWT_SECERT: 'x' })).toThrow(ConfigError);
  });

  it('the env example sets every variable serve needs in production', () => {
    const env = parseEnvFile(ENV_EXAMPLE);
    for (const key of [
      'DATABASE_URL',
      'MQTT_URL',
      'HW_JWT_SECRET',
      'HW_SITE_FILE',
      'HW_DATA_DIR',
      'HW_API_PORT',
      'HW_HEALTH_PORT',
      'HW_MQTT_SERVICE_USERNAME',
      'HW_MQTT_SERVICE_PASSWORD',
      'HW_DYNSEC_URL',
      'HW_DYNSEC_USERNAME',
      'HW_DYNSEC_PASSWORD',
    ])
      expect([key, env[key] !== undefined && env[key] !== '']).toEqual([key, true]);
    // Secrets are placeholders, never a usable value.
    for (const key of ['HW_JWT_SECRET', 'HW_MQTT_SERVICE_PASSWORD', 'HW_DYNSEC_PASSWORD'])
      expect(env[key]).toMatch(/^<.+>$/);
    expect(env['DATABASE_URL']).toContain('<database password>');
  });

  const analyze = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' });
  const analyzeMissing =
    analyze.error !== undefined ? 'systemd-analyze is not installed on this machine' : undefined;
  it.skipIf(analyzeMissing !== undefined)(
    `systemd-analyze verify accepts every unit without a warning${analyzeMissing ? ` (skipped: ${analyzeMissing})` : ''}`,
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'hw-systemd-'));
      try {
        for (const name of UNITS) cpSync(`${SYSTEMD_DIR}${name}`, join(dir, name));
        // A template is verified through an instance.
        cpSync(`${SYSTEMD_DIR}hazardwatch-ingest@.service`, join(dir, 'hazardwatch-ingest@a.service'));
        cpSync(`${SYSTEMD_DIR}hazardwatch-worker@.service`, join(dir, 'hazardwatch-worker@9465.service'));
        const files = [
          'hazardwatch-migrate.service',
          'hazardwatch.service',
          'hazardwatch-ingest@a.service',
          'hazardwatch-api.service',
          'hazardwatch-worker@9465.service',
        ];
        const run = spawnSync('systemd-analyze', ['verify', '--man=no', ...files.map((f) => join(dir, f))], {
          encoding: 'utf8',
          cwd: dir,
          env: { ...process.env, SYSTEMD_UNIT_PATH: `${dir}:` },
        });
        expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});

describe('deploy/systemd/hazardwatch-worker@.service: a leased ingest worker per instance', () => {
  const WORKER = `${SYSTEMD_DIR}hazardwatch-worker@.service`;
  const worker = parseUnit(WORKER);
  const at = { instance: '9465', host: 'plant-a' };

  /** The worker's process as systemd starts it, with `env` as /etc/hazardwatch/hazardwatch.env. */
  function started(env: Record<string, string>) {
    const dir = mkdtempSync(join(tmpdir(), 'hw-worker-unit-'));
    try {
      const file = join(dir, 'hazardwatch.env');
      writeFileSync(
        file,
        Object.entries(env)
          .map(([k, v]) => `${k}=${v}\n`)
          .join(''),
      );
      return unitProcess(worker, at, { [ENV_FILE]: file });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it('runs `hazardwatch ingest` leased, its health port and worker id from the instance, without the site file', () => {
    const example = filledExample();
    expect(example['HW_SITE_FILE']).toBeDefined();
    expect(example['HW_HEALTH_PORT']).toBe('9464');
    const proc = started(example);
    expect(proc.command).toEqual(['ingest']);
    expect(proc.env).toMatchObject({
      HW_INGEST_PARTITIONS: 'leased',
      HW_HEALTH_PORT: '9465',
      HW_INGEST_WORKER_ID: 'plant-a-9465',
      DATABASE_URL: example['DATABASE_URL'],
      MQTT_URL: example['MQTT_URL'],
      HW_MQTT_SERVICE_USERNAME: example['HW_MQTT_SERVICE_USERNAME'],
      HW_MQTT_SERVICE_PASSWORD: example['HW_MQTT_SERVICE_PASSWORD'],
    });
    // Stored by migrate; a restarted worker must not store it again (docs/site-file.md §1).
    expect(proc.env['HW_SITE_FILE']).toBeUndefined();
    for (const key of ['HW_DYNSEC_PASSWORD', 'HW_DYNSEC_USERNAME', 'HW_DYNSEC_URL', 'HW_JWT_SECRET'])
      expect([key, proc.env[key]]).toEqual([key, undefined]);
    // The configuration takes it: leased, the worker id a valid one.
    const config = loadRuntimeConfig(proc.env);
    expect(config.healthPort).toBe(9465);
    expect(config.site.file).toBeUndefined();
    const ingest = parseConfig(
      IngestConfigSchema,
      { ...config.ingest, mqtt: { url: example['MQTT_URL'] } },
      { path: 'ingest' },
    );
    expect(ingest.ok && ingest.value.partitions).toMatchObject({ mode: 'leased', workerId: 'plant-a-9465' });
  });

  it('its own settings win over anything hazardwatch.env says, and a pin there is dropped', () => {
    const proc = started({
      ...filledExample(),
      HW_INGEST_PARTITIONS: 'single',
      HW_INGEST_WORKER_ID: 'from-the-file',
      HW_INGEST_ENTERPRISES: '91320623MA1W000001',
    });
    expect(proc.env).toMatchObject({
      HW_INGEST_PARTITIONS: 'leased',
      HW_INGEST_WORKER_ID: 'plant-a-9465',
      HW_HEALTH_PORT: '9465',
    });
    expect(proc.env['HW_INGEST_ENTERPRISES']).toBeUndefined();
  });

  it('Environment= would not do for the port: a value from EnvironmentFile= wins (systemd.exec)', () => {
    // Why the unit sets its instance's values through env(1) on ExecStart: the same unit with
    // Environment=HW_HEALTH_PORT=%i would give every instance the file's 9464.
    const dir = mkdtempSync(join(tmpdir(), 'hw-worker-unit-'));
    try {
      const variant = join(dir, 'variant@.service');
      writeFileSync(
        variant,
        readFileSync(WORKER, 'utf8')
          .replace(/^ExecStart=\/usr\/bin\/env (?:\S+=\S+ )+/m, 'ExecStart=')
          .replace(/^\[Service\]$/m, '[Service]\nEnvironment=HW_INGEST_PARTITIONS=leased HW_HEALTH_PORT=%i'),
      );
      const file = join(dir, 'hazardwatch.env');
      writeFileSync(file, 'HW_HEALTH_PORT=9464\n');
      const proc = unitProcess(parseUnit(variant), at, { [ENV_FILE]: file });
      expect(proc.env).toEqual({ HW_INGEST_PARTITIONS: 'leased', HW_HEALTH_PORT: '9464' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('has the hardening, stop and restart settings of hazardwatch.service, and starts after the API', () => {
    const serve = parseUnit(`${SYSTEMD_DIR}hazardwatch.service`)['Service']!;
    const own = worker['Service']!;
    for (const [key, values] of Object.entries(serve))
      if (key !== 'ExecStart') expect([key, own[key]]).toEqual([key, values]);
    expect(Object.keys(own).filter((k) => serve[k] === undefined)).toEqual(['UnsetEnvironment']);
    // `ingest` does not create its broker account; `api` does (broker-accounts-setup.ts).
    expect(one(worker, 'Unit', 'After').split(/\s+/)).toEqual(
      expect.arrayContaining(['hazardwatch-api.service', 'redis-server.service']),
    );
    // The pinned unit points to this one for failover.
    expect(readFileSync(`${SYSTEMD_DIR}hazardwatch-ingest@.service`, 'utf8')).toContain(
      'hazardwatch-worker@.service',
    );
  });
});
