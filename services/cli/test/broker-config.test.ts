import { describe, expect, it } from 'vitest';
import { ConfigError, loadRuntimeConfig } from 'hazardwatch';

function problems(env: NodeJS.ProcessEnv): string {
  try {
    loadRuntimeConfig(env);
    return '';
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.join('\n');
    throw error;
  }
}

const COMPLETE = {
  DATABASE_URL: 'postgres://hw@db/hw',
  MQTT_URL: 'mqtt://mosquitto:1883',
  HW_MQTT_SERVICE_USERNAME: 'hw-ingest',
  HW_MQTT_SERVICE_PASSWORD: 'a-service-password-long-enough',
  HW_DYNSEC_URL: 'mqtt://mosquitto:1883',
  HW_DYNSEC_USERNAME: 'hw-dynsec-admin',
  HW_DYNSEC_PASSWORD: 'a-dynsec-password',
};

describe('broker.dynsec configuration', () => {
  it('is read from the environment into broker.dynsec, with the command timeout defaulted', () => {
    const config = loadRuntimeConfig({ ...COMPLETE, HW_DYNSEC_CA_FILE: '/etc/hw/ca.crt' });
    expect(config.broker.dynsec).toEqual({
      url: 'mqtt://mosquitto:1883',
      username: 'hw-dynsec-admin',
      password: 'a-dynsec-password',
      caFile: '/etc/hw/ca.crt',
      timeoutMs: 10_000,
    });
    expect(loadRuntimeConfig({}).broker.dynsec).toBeUndefined();
  });

  it.each([
    [{ HW_DYNSEC_PASSWORD: undefined }, 'broker.dynsec.password'],
    [{ HW_DYNSEC_URL: 'http://mosquitto:1883' }, 'broker.dynsec.url'],
    [{ HW_DYNSEC_PASSWORD: 'short' }, 'broker.dynsec.password'],
    [{ MQTT_URL: undefined }, 'broker.dynsec: set mqtt.url'],
    [{ DATABASE_URL: undefined }, 'broker.dynsec: set database.url'],
    [
      { HW_MQTT_SERVICE_PASSWORD: undefined },
      'broker.dynsec: set mqtt.serviceUsername and mqtt.servicePassword',
    ],
  ])('%o is refused, naming %s', (change, named) => {
    const env: NodeJS.ProcessEnv = { ...COMPLETE, ...change };
    for (const [k, v] of Object.entries(change)) if (v === undefined) delete env[k];
    expect(problems(env)).toContain(named);
  });
});
