import { createServer, type AddressInfo, type Server } from 'node:net';
import { Aedes, type AedesOptions } from 'aedes';
import type { Logger } from 'pino';

export interface EmbeddedBrokerOptions {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly logger: Logger;
  /** Authentication/authorisation hooks (the API installs its device ACL here). */
  readonly hooks?: Pick<AedesOptions, 'authenticate' | 'authorizePublish' | 'authorizeSubscribe'>;
}

export interface EmbeddedBrokerHandle {
  readonly url: string;
  readonly port: number;
  readonly broker: Aedes;
  close(): Promise<void>;
}

type AuthorizePublish = NonNullable<AedesOptions['authorizePublish']>;

/**
 * aedes 1.2 mishandles a QoS 1 publish to a topic with an empty level (`hw/v1/E1//telemetry`):
 * it drops the *subscriber's* connection, so one bad device would knock ingestion offline again
 * and again. Such topics are refused at the broker (the publisher is disconnected instead).
 */
function guardTopics(next: AuthorizePublish | undefined): AuthorizePublish {
  return (client, packet, callback) => {
    if (packet.topic.split('/').includes('')) {
      callback(new Error(`topic with an empty level refused: ${packet.topic}`));
      return;
    }
    if (next) next(client, packet, callback);
    else callback(null);
  };
}

/**
 * An in-process MQTT 3.1.1 broker (aedes) for the embedded default and for tests on a machine
 * without a broker. Sessions and QoS 1 queues live in memory: they survive a client reconnect
 * (what at-least-once delivery to the ingest needs), not a restart of this process.
 */
export async function startEmbeddedBroker(options: EmbeddedBrokerOptions): Promise<EmbeddedBrokerHandle> {
  const log = options.logger.child({ component: 'embedded-broker' });
  const broker = await Aedes.createBroker({
    ...options.hooks,
    authorizePublish: guardTopics(options.hooks?.authorizePublish),
  });
  const server: Server = createServer(broker.handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  broker.on('clientError', (client, err) => log.debug({ clientId: client.id, err }, 'client error'));
  log.info({ host: options.host, port }, 'embedded MQTT broker listening');
  return {
    url: `mqtt://${options.host}:${port}`,
    port,
    broker,
    close: async () => {
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
