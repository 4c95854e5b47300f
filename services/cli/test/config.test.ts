import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadRuntimeConfig } from 'hazardwatch';

function problems(env: NodeJS.ProcessEnv, file?: string): readonly string[] {
  try {
    loadRuntimeConfig(env, file);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('runtime configuration', () => {
  it('applies documented defaults and is frozen', () => {
    const config = loadRuntimeConfig({});
    expect(config).toMatchObject({
      dataDir: '.data',
      healthPort: 9464,
      healthHost: '127.0.0.1',
      database: { dialect: 'auto', poolSize: 8, rawRetentionDays: 30, auditRetentionDays: 365 },
    });
    expect(config.database.url).toBeUndefined();
    expect(Object.isFrozen(config.database)).toBe(true);
  });

  it('maps the environment onto the configuration', () => {
    const config = loadRuntimeConfig({
      DATABASE_URL: 'postgres://db/hw',
      MQTT_URL: 'mqtt://broker:1883',
      HW_SITE_FILE: '/etc/hw/site.yaml',
      HW_DB_POOL_SIZE: '12',
      HW_AUDIT_RETENTION_DAYS: '400',
      HW_INGEST_CLIENT_ID: 'ingest-a',
      HW_INGEST_ENTERPRISES: 'E1, E2',
      PATH: '/usr/bin',
    });
    expect(config.database).toMatchObject({ url: 'postgres://db/hw', poolSize: 12, auditRetentionDays: 400 });
    expect(config.mqtt.url).toBe('mqtt://broker:1883');
    expect(config.site.file).toBe('/etc/hw/site.yaml');
    expect(config.ingest).toEqual({
      mqtt: {
        clientId: 'ingest-a',
        subscriptions: [
          'hw/v1/E1/+/telemetry',
          'hw/v1/E1/+/status',
          'hw/v1/E2/+/telemetry',
          'hw/v1/E2/+/status',
        ],
      },
    });
  });

  it('serves /docs unless HW_API_DOCS=false, and the embedded broker on loopback unless told (issue 17)', () => {
    expect(loadRuntimeConfig({}).api.docs).toBe(true);
    expect(loadRuntimeConfig({}).mqtt.embeddedHost).toBe('127.0.0.1');
    expect(loadRuntimeConfig({ HW_API_DOCS: 'false' }).api.docs).toBe(false);
    expect(loadRuntimeConfig({ HW_API_DOCS: '1' }).api.docs).toBe(true);
    expect(loadRuntimeConfig({ HW_MQTT_EMBEDDED_HOST: '0.0.0.0' }).mqtt.embeddedHost).toBe('0.0.0.0');
    expect(problems({ HW_API_DOCS: 'off' }).join('\n')).toMatch(/api\.docs/);
  });

  it('takes the trusted reverse proxies and tile origins as comma-separated lists (issue 17)', () => {
    expect(loadRuntimeConfig({}).api).toMatchObject({ trustProxy: [], tileOrigins: [] });
    const config = loadRuntimeConfig({
      HW_TRUST_PROXY: '10.0.0.5, 172.16.0.0/12',
      HW_TILE_ORIGINS: 'https://t0.tianditu.gov.cn',
    });
    expect(config.api).toMatchObject({
      trustProxy: ['10.0.0.5', '172.16.0.0/12'],
      tileOrigins: ['https://t0.tianditu.gov.cn'],
    });
  });

  it.each([
    [{ HW_DATABSE_URL: 'x' }, 'unknown environment variable HW_DATABSE_URL'],
    [{ HW_DB_POOL_SIZE: 'many' }, 'database.poolSize'],
    [{ HW_RAW_RETENTION_DAYS: '7' }, 'database.rawRetentionDays'],
    [{ HW_AUDIT_RETENTION_DAYS: '179' }, 'database.auditRetentionDays'],
    [{ HW_DB_DIALECT: 'oracle' }, 'database.dialect'],
    [{ HW_HEALTH_PORT: '70000' }, 'healthPort'],
  ])('names the bad key: %o', (env, expected) => {
    expect(problems(env).join('\n')).toContain(expected);
  });

  it('names unknown keys of a config file, and file values yield to the environment', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hw-cfg-'));
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'database:\n  url: postgres://file/hw\n  pool: 3\n');
    expect(problems({}, bad).join('\n')).toContain('unknown key database.pool');
    const good = join(dir, 'good.yaml');
    writeFileSync(good, 'database:\n  url: postgres://file/hw\nhealthPort: 0\n');
    const config = loadRuntimeConfig({ HW_CONFIG_FILE: good, DATABASE_URL: 'postgres://env/hw' });
    expect(config.database.url).toBe('postgres://env/hw');
    expect(config.healthPort).toBe(0);
  });

  it('takes authority overrides for the API, naming a bad action, role or verdict (issue #19)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hw-cfg-'));
    const good = join(dir, 'authority.yaml');
    writeFileSync(good, "api:\n  authority:\n    'monitoring.point.disable': { safety_manager: approval }\n");
    expect(loadRuntimeConfig({ HW_CONFIG_FILE: good }).api.authority).toEqual({
      'monitoring.point.disable': { safety_manager: 'approval' },
    });
    const bad = join(dir, 'bad-authority.yaml');
    writeFileSync(
      bad,
      "api:\n  authority:\n    'alarm.ack': { regulator_county: approval, boss: allow }\n    'alarm.nuke': { admin: allow }\n",
    );
    const named = problems({}, bad).join('\n');
    expect(named).toContain(
      'api.authority.alarm.ack.regulator_county: approval is only for monitoring.* changes',
    );
    expect(named).toContain('api.authority.alarm.ack.boss: unknown role');
    expect(named).toContain('api.authority.alarm.nuke: unknown action');
  });
});
