import { connect } from 'node:net';
import { resolve } from 'node:path';
import type { Logger } from 'pino';
import { startEmbeddedBroker } from '@hazardwatch/ingest';
import { startEmbeddedPostgres } from '@hazardwatch/store';
import type { RuntimeConfig } from './config.js';

export interface Infrastructure {
  readonly databaseUrl: string;
  /** Empty when the command said it needs no broker. */
  readonly mqttUrl: string;
  readonly embedded: { readonly database: boolean; readonly mqtt: boolean };
  stop(): Promise<void>;
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
      const broker = await startEmbeddedBroker({ host: '127.0.0.1', port: config.mqtt.embeddedPort, logger });
      mqttUrl = broker.url;
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
    stop: stopAll,
  };
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
