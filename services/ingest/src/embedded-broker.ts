import { createServer, type AddressInfo, type Server } from 'node:net';
import { Aedes, type AedesOptions, type Client } from 'aedes';
import type { Logger } from 'pino';
import { embeddedBrokerPersistence } from './embedded-broker-persistence.js';
import { topicMatchesFilter } from './mqtt-topic-match.js';

/*
 * This module is the entry `@hazardwatch/ingest/embedded-broker`, apart from the package's main
 * entry: only the embedded mode (the demo, tests) loads it. aedes and aedes-persistence are
 * devDependencies, absent from a production install (`npm prune --omit=dev`); there, importing
 * this entry fails at once with ERR_MODULE_NOT_FOUND, before anything is started, and the command
 * line names the setting to give instead (MQTT_URL).
 */
export { brokerAccessHooks, type BrokerAccessHooks } from './broker-access.js';

export interface EmbeddedBrokerOptions {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly logger: Logger;
  /**
   * Authentication/authorisation hooks (the device ACL, brokerAccessHooks). `attach` is called
   * with the broker once it exists (live sessions closed on a credential change) and undone on close.
   */
  readonly hooks?: Pick<AedesOptions, 'authenticate' | 'authorizePublish' | 'authorizeSubscribe'> & {
    readonly attach?: (broker: Aedes) => () => void;
  };
}

export interface EmbeddedBrokerCounters {
  /** Publishes refused for a U+0000 in the topic (the connection is closed, MQTT-1.5.3-2). */
  nulTopicsRefused: number;
}

export interface EmbeddedBrokerHandle {
  readonly url: string;
  readonly port: number;
  readonly broker: Aedes;
  readonly counters: Readonly<EmbeddedBrokerCounters>;
  close(): Promise<void>;
}

type AuthorizePublish = NonNullable<AedesOptions['authorizePublish']>;
type AuthorizeForward = NonNullable<AedesOptions['authorizeForward']>;

/**
 * A topic name must not contain U+0000 (MQTT 3.1.1 §1.5.3 and §4.7.3, MQTT 5 §1.5.4), and a
 * receiver of one must close the connection (MQTT-1.5.3-2); aedes 1.2 routed it. Refused here,
 * counted and logged, as Mosquitto does. Every other topic, malformed for HazardWatch or not
 * (empty levels, extra levels, wrong case), reaches the ingest, which counts it as `bad_topic`.
 */
function refuseNulTopics(
  next: AuthorizePublish | undefined,
  counters: EmbeddedBrokerCounters,
  log: Logger,
): AuthorizePublish {
  return (client, packet, callback) => {
    if (packet.topic.includes('\u0000')) {
      counters.nulTopicsRefused++;
      log.warn({ clientId: client?.id, topic: JSON.stringify(packet.topic) }, 'topic with U+0000 refused');
      callback(new Error('topic contains U+0000'));
      return;
    }
    if (next) next(client, packet, callback);
    else callback(null);
  };
}

/**
 * The QoS of a message sent to a subscriber is min(publish QoS, granted QoS) (MQTT 3.1.1 §3.8.4,
 * MQTT 5 §3.8.4), the highest grant of all the client's matching subscriptions (MQTT-3.3.5-1).
 * aedes 1.2 downgrades only when the subscription is the topic itself (aedes #229, #1074), so a
 * QoS 2 publish went to the ingest's `hw/...` wildcard subscription at QoS 1 as QoS 2. The grants
 * are aedes' own per-connection table (`client.subscriptions`, what its downgrade reads too); the
 * ingest pins the aedes version its tests guard. Messages queued for a session are downgraded
 * when queued (embedded-broker-persistence.ts).
 */
const downgradeToGrantedQos: AuthorizeForward = (client, packet) => {
  // aedes forwards QoS > 0 only on behalf of a subscription granted QoS >= 1 (QoS 0 ones send at
  // QoS 0 whatever this returns), so only QoS 2 can need a downgrade.
  if (packet.qos < 2) return packet;
  const subscriptions = (client as Client & { subscriptions?: Record<string, { qos?: number }> })
    .subscriptions;
  if (!subscriptions) return packet;
  let granted = -1;
  for (const [filter, sub] of Object.entries(subscriptions))
    if ((sub.qos ?? 0) > granted && topicMatchesFilter(filter, packet.topic)) granted = sub.qos ?? 0;
  // A copy: the packet is shared by every subscriber the message goes to.
  return granted >= 0 && granted < packet.qos ? { ...packet, qos: granted as 0 | 1 } : packet;
};

/**
 * An in-process MQTT 3.1.1 broker (aedes) for the embedded default and for tests on a machine
 * without a broker. Sessions and QoS 1 queues live in memory: they survive a client reconnect
 * (what at-least-once delivery to the ingest needs), not a restart of this process.
 */
export async function startEmbeddedBroker(options: EmbeddedBrokerOptions): Promise<EmbeddedBrokerHandle> {
  const log = options.logger.child({ component: 'embedded-broker' });
  const counters: EmbeddedBrokerCounters = { nulTopicsRefused: 0 };
  const { attach, ...hooks } = options.hooks ?? {};
  const broker = await Aedes.createBroker({
    ...hooks,
    persistence: embeddedBrokerPersistence(),
    authorizePublish: refuseNulTopics(hooks.authorizePublish, counters, log),
    authorizeForward: downgradeToGrantedQos,
  });
  const detach = attach?.(broker);
  const server: Server = createServer(broker.handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  }).catch((err: unknown) => {
    detach?.();
    throw err;
  });
  const port = (server.address() as AddressInfo).port;
  broker.on('clientError', (client, err) => log.debug({ clientId: client.id, err }, 'client error'));
  log.info({ host: options.host, port }, 'embedded MQTT broker listening');
  return {
    url: `mqtt://${options.host}:${port}`,
    port,
    broker,
    counters,
    close: async () => {
      detach?.();
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
