import aedesPersistence from 'aedes-persistence';
import { topicMatchesFilter } from './mqtt-topic-match.js';

/** A subscription as aedes-persistence stores it for a session (clean = false). */
export interface StoredSubscription {
  readonly clientId: string;
  readonly topic: string;
  readonly qos: number;
  readonly rh?: number;
  readonly rap?: number;
  readonly nl?: number;
}

interface SessionClient {
  readonly id: string;
}

interface QueuedPacket {
  readonly topic: string;
  readonly qos: number;
}

/**
 * The promise methods aedes 1.x calls on its persistence (aedes-persistence 11 ships only the
 * older callback signatures as types) — those this module wraps.
 */
interface SessionStore {
  addSubscriptions(client: SessionClient, subs: readonly StoredSubscription[]): Promise<void>;
  removeSubscriptions(client: SessionClient, topics: readonly string[]): Promise<void>;
  cleanSubscriptions(client: SessionClient): Promise<void>;
  subscriptionsByTopic(topic: string): Promise<StoredSubscription[]>;
  outgoingEnqueueCombi(subs: readonly StoredSubscription[], packet: QueuedPacket): Promise<void>;
}

/**
 * aedes' in-memory persistence with two repairs for what aedes 1.2 gets wrong about persistent
 * sessions (the ingest's):
 *
 * - A message is queued for a session at the QoS it will be delivered at, min(publish QoS,
 *   granted QoS) (MQTT 3.1.1 §3.8.4, MQTT 5 §3.8.4). aedes queues it at the publish QoS and, on
 *   a reconnect, re-sends it from the queue as it is: a QoS 2 publish reached a QoS 1 subscriber
 *   as QoS 2.
 * - `+` matches an empty level (MQTT 3.1.1 §4.7.1.3). aedes' router says so, its persistence's
 *   topic tree does not: a QoS 1 message to `hw/v1/E1//telemetry` went to a persistent
 *   `hw/v1/E1/+/telemetry` subscriber without being queued, and its PUBACK ("no such packet")
 *   made aedes drop the subscriber. Topics with an empty level are matched here against the
 *   sessions' subscriptions; every other topic keeps the tree's lookup.
 */
export function embeddedBrokerPersistence(): unknown {
  // A CommonJS module whose `module.exports` is the factory (its types say `export default`).
  const memoryPersistence = aedesPersistence as unknown as () => object;
  const persistence = memoryPersistence();
  const store = persistence as unknown as SessionStore;
  const base = {
    add: store.addSubscriptions.bind(persistence),
    remove: store.removeSubscriptions.bind(persistence),
    clean: store.cleanSubscriptions.bind(persistence),
    byTopic: store.subscriptionsByTopic.bind(persistence),
    enqueue: store.outgoingEnqueueCombi.bind(persistence),
  };
  /** Sessions' subscriptions at QoS > 0 (the only ones queued for), by client and filter. */
  const sessions = new Map<string, Map<string, StoredSubscription>>();

  store.addSubscriptions = async (client, subs) => {
    await base.add(client, subs);
    let own = sessions.get(client.id);
    if (!own) sessions.set(client.id, (own = new Map<string, StoredSubscription>()));
    for (const sub of subs) {
      if (sub.qos > 0) own.set(sub.topic, { ...sub, clientId: client.id });
      else own.delete(sub.topic);
    }
  };
  store.removeSubscriptions = async (client, topics) => {
    await base.remove(client, topics);
    const own = sessions.get(client.id);
    for (const topic of topics) own?.delete(topic);
  };
  store.cleanSubscriptions = async (client) => {
    await base.clean(client);
    sessions.delete(client.id);
  };
  store.subscriptionsByTopic = async (topic) => {
    if (!hasEmptyLevel(topic)) return base.byTopic(topic);
    const matches: StoredSubscription[] = [];
    for (const own of sessions.values())
      for (const sub of own.values()) if (topicMatchesFilter(sub.topic, topic)) matches.push(sub);
    return matches;
  };
  store.outgoingEnqueueCombi = async (subs, packet) => {
    const byQos = new Map<number, StoredSubscription[]>();
    for (const sub of subs) {
      const qos = Math.min(packet.qos, sub.qos);
      const group = byQos.get(qos);
      if (group) group.push(sub);
      else byQos.set(qos, [sub]);
    }
    // A downgraded copy keeps brokerId/brokerCounter, by which aedes finds the queued message.
    for (const [qos, group] of byQos)
      await base.enqueue(group, qos === packet.qos ? packet : { ...packet, qos });
  };
  return persistence;
}

const hasEmptyLevel = (topic: string): boolean =>
  topic === '' || topic.startsWith('/') || topic.endsWith('/') || topic.includes('//');
