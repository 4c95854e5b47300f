import { connect } from 'node:net';
import { resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { DeviceCredentialRecord } from '@hazardwatch/core';
import { brokerAccessHooks, startEmbeddedBroker, type EmbeddedBrokerCounters } from '@hazardwatch/ingest';
import { MqttAccessControl, startEmbeddedPostgres } from '@hazardwatch/store';
import type { RuntimeConfig } from './config.js';

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
  readonly brokerCounters: Readonly<EmbeddedBrokerCounters> | undefined;
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
  options: { preferLocal?: boolean; needsBroker?: boolean } = {},
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
  try {
    if (!databaseUrl) {
      const pg = await startEmbeddedPostgres({
        dataDir: resolve(config.dataDir, 'postgres'),
        port: 0,
        logger,
      });
      databaseUrl = pg.url;
      stops.push(() => pg.stop());
    }
    if (!mqttUrl && needsBroker) {
      if (mqttService && config.mqtt.deviceAuth) {
        let repo: { byUsername(u: string): Promise<DeviceCredentialRecord | undefined> } | undefined;
        const control = new MqttAccessControl({
          lookup: (username) =>
            repo ? repo.byUsername(username) : Promise.reject(new Error('credential store not open yet')),
          services: new Map([[mqttService.username, mqttService.password]]),
        });
        mqttAccess = { control, useCredentials: (r) => (repo = r) };
      }
      const broker = await startEmbeddedBroker({
        host: config.mqtt.embeddedHost,
        port: config.mqtt.embeddedPort,
        logger,
        ...(mqttAccess ? { hooks: brokerAccessHooks(mqttAccess.control, logger) } : {}),
      });
      mqttUrl = `mqtt://${connectHost(config.mqtt.embeddedHost)}:${broker.port}`;
      brokerCounters = broker.counters;
      stops.push(() => broker.close());
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
