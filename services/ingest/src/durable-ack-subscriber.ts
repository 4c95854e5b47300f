import mqtt, {
  type IClientOptions,
  type IPublishPacket,
  type ISubscriptionMap,
  type MqttClient,
  type Packet,
} from 'mqtt';
import { backOffOnConnackRefusal } from '@hazardwatch/kit';
import type { Logger } from 'pino';
import { ingestErrors } from './errors.js';

/**
 * Handed out with every message: `done()` once the message's content is durable, or `drop()` when
 * it was not taken after all (a partition past its lease): it stays unacknowledged, and a
 * redelivery of it is handed over again. The first of the two counts.
 */
export interface AckTicket {
  done(): void;
  drop(): void;
}

/**
 * `retained`: the broker sent the message from its retained store because we subscribed (MQTT
 * 3.1.1 §3.3.1.3: RETAIN 1 on delivery only then; a message matching an established
 * subscription, live or queued in our session while away, arrives with RETAIN 0).
 */
export type DurableMessageHandler = (
  topic: string,
  payload: Buffer,
  ack: AckTicket,
  retained: boolean,
) => void;

export interface DurableAckSubscriberOptions {
  readonly url: string;
  readonly clientId: string;
  readonly username?: string | undefined;
  readonly password?: string | undefined;
  readonly protocolVersion: 4 | 5;
  readonly keepaliveSec: number;
  readonly reconnectPeriodMs: number;
  readonly connectTimeoutMs: number;
  /** MQTT 5 only: most unacknowledged QoS 1 messages the broker may send us at once. */
  readonly receiveMaximum: number;
  /** MQTT 5 only: how long the broker keeps our session (and queued messages) while we are away. */
  readonly sessionExpirySec: number;
  readonly subscriptions: readonly string[];
  readonly logger: Logger;
  /**
   * How long `close()` waits for the broker to answer what is in flight before it drops the
   * connection, ms. @default CLOSE_GRACE_MS
   */
  readonly closeGraceMs?: number;
}

/** How long `close()` waits for the broker before it drops the connection, ms. */
export const CLOSE_GRACE_MS = 2000;

interface PendingAck {
  readonly messageId: number;
  durable: boolean;
  /** The PUBACK (QoS 1) or PUBREC (QoS 2) mqtt.js wanted to send, held until `durable`. */
  ack?: Packet;
  /** The broker's redelivery of this message on a later connection: durable when this is. */
  successor?: PendingAck;
  /** The application did not take it (AckTicket.drop): a redelivery is handed over again. */
  dropped: boolean;
  /** What was taken (QoS 1 and 2), to know the broker's redelivery of it (the class comment). */
  readonly topic: string;
  readonly payload: Buffer;
  readonly retain: boolean;
}

/** The acknowledgements that hand a message's content over to us, so they wait for durability. */
const HELD_ACKS: ReadonlySet<Packet['cmd']> = new Set(['puback', 'pubrec']);

type SendPacket = (
  packet: Packet,
  cb?: (err?: Error) => void,
  cbStorePut?: () => void,
  noStore?: boolean,
) => void;

/**
 * MQTT subscriber with at-least-once delivery that survives a crash: a QoS 1 message is
 * acknowledged to the broker only after the application says its content is durable, with a
 * persistent session (clean = false) so that unacknowledged messages are redelivered after a
 * reconnect or a restart.
 *
 * mqtt.js sends the PUBACK as soon as `handleMessage` calls back, and it handles the next packet
 * only after that callback; waiting for the database there would write one message per commit.
 * So the callback returns at once and the PUBACK packet itself is held back here, then released
 * in the order the messages arrived (MQTT 3.1.1 §4.6: acknowledgements in receive order). A
 * connection that closes forgets its held acknowledgements: the broker redelivers those messages.
 *
 * A redelivery to this same process (the connection dropped, the session resumed) is not handed
 * over again: the broker re-sends an unacknowledged message with the same packet identifier
 * (MQTT 3.1.1 §4.4; Mosquitto sets DUP, aedes does not), and a message under an identifier this
 * process took and never acknowledged, with the same topic and the same bytes, is that message.
 * Its content is already in the pipeline and evaluated; evaluated again, a backlog of copies
 * older than the newest readings reached the late lane as if replayed (a late note on live
 * alarms, a second alarm for a closed episode) and was counted twice. The copy is acknowledged
 * once the original is durable. Anything else under such an identifier (a broker restored from
 * an older snapshot may hand it out again) is handed over as usual. After a restart nothing was
 * taken, and every redelivered message is handed over (the store's (point, ts) key makes the
 * second write a no-op, and the evaluators restart from the alarm book). Held: the payloads of
 * unacknowledged messages, which the pipeline's buffer bounds.
 *
 * A broker may deliver QoS 2 although we subscribe at QoS 1 (aedes 1.2 does through a wildcard).
 * There the hand-over is PUBREC, not PUBCOMP: after PUBREC the broker only re-sends PUBREL, never
 * the message (MQTT 3.1.1 §4.3.3, MQTT 5 §4.3.3), and mqtt.js sends PUBREC at once and hands the
 * message to `handleMessage` only at PUBREL. So a QoS 2 message is taken at PUBLISH (the public
 * `packetreceive` event) and its PUBREC is held like a PUBACK; at PUBREL, mqtt.js's second
 * hand-over is acknowledged without delivering the message again.
 *
 * Holding acknowledgements needs mqtt.js's private `_sendPacket`: `customHandleAcks` (MQTT 5 only)
 * and `handleMessage` both stop mqtt.js reading the next packet until they call back, so neither
 * can wait for a batch commit. Every workspace pins mqtt at exactly 5.16.0, the version its tests
 * guard (durable-ack-hook.test.ts: installed = pinned everywhere, the hook present; the
 * ingest and QoS 2 integration suites: nothing lost when the ingest dies before storing), and the
 * constructor refuses to run (HW_INGEST_MQTT_HOOK_MISSING) if the method is gone. Raise the pin
 * only with those suites passing on the new version.
 */
export class DurableAckSubscriber {
  readonly client: MqttClient;
  private readonly log: Logger;
  private pending: PendingAck[] = [];
  private readonly byMessageId = new Map<number, PendingAck>();
  /** Messages taken on an earlier connection of this session and not acknowledged, by packet id. */
  private readonly taken = new Map<number, PendingAck>();
  /** Redelivered messages recognised as taken already (not handed over again). */
  private recognised = 0;
  private readonly sendPacket: SendPacket;
  private heldCallback: (() => void) | undefined;
  private paused = false;
  private connectedOnce = false;
  private subscribedNow = false;
  private lastLivenessMs = 0;
  /** The topic filters wanted now (setSubscriptions), subscribed at every (re)connect that needs it. */
  private filters: readonly string[];
  /** Filters to unsubscribe once connected (removed while away, or whose UNSUBSCRIBE failed). */
  private readonly leaving = new Set<string>();
  /** The wanted filters changed while disconnected: subscribe them even on a resumed session. */
  private stale = false;
  /** SUBSCRIBE / UNSUBSCRIBE packets sent and not yet answered. */
  private changing = 0;

  constructor(
    private readonly options: DurableAckSubscriberOptions,
    private readonly onMessage: DurableMessageHandler,
  ) {
    this.log = options.logger.child({ component: 'mqtt-subscriber', clientId: options.clientId });
    this.filters = [...options.subscriptions];
    const clientOptions: IClientOptions = {
      clientId: options.clientId,
      clean: false,
      protocolVersion: options.protocolVersion,
      keepalive: options.keepaliveSec,
      reconnectPeriod: options.reconnectPeriodMs,
      // A refused login (the account not created yet, a credential being rotated) is tried again:
      // mqtt.js gives up at the first refusal otherwise, and start() waited for a connection that
      // was never tried again. Backing off (below), so the broker's flapping detection or fail2ban
      // does not take it for a brute-force attack.
      reconnectOnConnackError: true,
      connectTimeout: options.connectTimeoutMs,
      resubscribe: true,
      manualConnect: true,
      ...(options.username !== undefined ? { username: options.username } : {}),
      ...(options.password !== undefined ? { password: options.password } : {}),
      ...(options.protocolVersion === 5
        ? {
            properties: {
              receiveMaximum: options.receiveMaximum,
              sessionExpiryInterval: options.sessionExpirySec,
            },
          }
        : {}),
    };
    this.client = mqtt.connect(options.url, clientOptions);
    backOffOnConnackRefusal(this.client, { log: this.log });
    const internals = this.client as unknown as { _sendPacket?: SendPacket };
    if (typeof internals._sendPacket !== 'function')
      throw ingestErrors.create('HW_INGEST_MQTT_HOOK_MISSING', { hook: 'MqttClient._sendPacket' });
    this.sendPacket = internals._sendPacket.bind(this.client);
    internals._sendPacket = (packet, cb, cbStorePut, noStore) => {
      const entry = HELD_ACKS.has(packet.cmd) ? this.byMessageId.get(packet.messageId ?? -1) : undefined;
      if (!entry || entry.ack) return this.sendPacket(packet, cb, cbStorePut, noStore);
      entry.ack = packet;
      // Let mqtt.js go on parsing (a PUBREC's callback is where it reads the next packet, so a
      // paused intake holds it); the acknowledgement leaves when the message is durable.
      if (this.paused && packet.cmd === 'pubrec') this.heldCallback = () => cb?.();
      else cb?.();
      this.releaseAcks();
    };
    this.client.on('packetreceive', (packet) => {
      if (packet.cmd !== 'publish') return;
      // A message arriving proves the connection alive. mqtt.js counts only acknowledgements and
      // PINGRESP, and a PINGRESP queued behind a backlog of messages (storage behind, intake
      // paused) arrived too late: it closed the connection every 45 s, and each reconnect brought
      // the unacknowledged messages again (seen at 130,000 readings/s).
      const now = Date.now();
      if (now - this.lastLivenessMs >= LIVENESS_EVERY_MS) {
        this.lastLivenessMs = now;
        this.client.reschedulePing(true);
      }
      // QoS 2: taken here, before mqtt.js answers PUBREC (see the class comment).
      if (packet.qos === 2) this.receive(packet);
    });
    this.client.handleMessage = (packet: IPublishPacket, callback: (error?: Error) => void) => {
      // QoS 2 reaches handleMessage at PUBREL, after its content was taken and made durable.
      if (packet.qos === 2) {
        callback();
        return;
      }
      this.receive(packet);
      if (this.paused) this.heldCallback = () => callback();
      else callback();
    };
    this.client.on('connect', (connack) => {
      this.log.info({ sessionPresent: connack.sessionPresent }, 'connected to broker');
      // A new session: the broker redelivers nothing of the old one, and may reuse its ids.
      if (!connack.sessionPresent) this.taken.clear();
      if (!this.connectedOnce || !connack.sessionPresent || this.stale) this.subscribe(this.stale);
      // A resumed session still holds the subscriptions (MQTT 3.1.1 §3.2.2.2).
      else this.subscribedNow = true;
      this.stale = false;
      this.connectedOnce = true;
      if (this.leaving.size > 0) void this.unsubscribeLeaving(); // never rejects
    });
    this.client.on('close', () => this.forgetConnection());
    this.client.on('error', (err) => this.log.warn({ err }, 'mqtt error'));
    this.client.on('offline', () => this.log.warn('broker unreachable, reconnecting'));
  }

  /** Resolves on the first successful connection (later reconnects happen by themselves). */
  async start(): Promise<void> {
    const connected = new Promise<void>((resolve) => this.client.once('connect', () => resolve()));
    this.client.connect();
    await connected;
  }

  get connected(): boolean {
    return this.client.connected;
  }

  /** Connected with the subscriptions in place (SUBACK received, or the session resumed). */
  get subscribed(): boolean {
    return this.client.connected && this.subscribedNow;
  }

  /** Stops taking packets off the socket (TCP backpressure) until `resume()`. */
  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    const held = this.heldCallback;
    this.heldCallback = undefined;
    held?.();
  }

  /** Number of received messages whose acknowledgement is still held. */
  get unacknowledged(): number {
    return this.pending.length;
  }

  /** Redeliveries of messages this process had taken already, not handed over again (class comment). */
  get redeliveriesRecognised(): number {
    return this.recognised;
  }

  /**
   * Disconnects. Messages not yet durable stay unacknowledged and are redelivered later.
   *
   * mqtt.js's graceful end first waits for every packet still awaiting the broker's answer (a
   * SUBSCRIBE of a site change): with a broker that has stopped answering (hung, or the network
   * black-holed) it never ends, and a service's shutdown hung there until it was killed. After
   * `closeGraceMs` the connection is dropped as a crash would drop it — which loses nothing: what
   * was acknowledged is stored, what was not is delivered again.
   */
  async close(): Promise<void> {
    this.resume();
    const graceMs = this.options.closeGraceMs ?? CLOSE_GRACE_MS;
    let timer: NodeJS.Timeout | undefined;
    const ended = await Promise.race([
      this.client.endAsync(false).then(() => true),
      new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), graceMs);
      }),
    ]).finally(() => clearTimeout(timer));
    if (ended) return;
    this.log.warn(
      { graceMs, awaitingAnswer: Object.keys(this.client.outgoing).length },
      'the broker did not answer within the close grace: dropping the connection',
    );
    // `end` is under way (no reconnection follows); the socket goes without waiting for it.
    const stream = this.client.stream as (typeof this.client.stream & { destroyed?: boolean }) | undefined;
    if (!stream || stream.destroyed === true) return;
    const closed = new Promise<void>((resolve) => this.client.once('close', () => resolve()));
    stream.destroy();
    await closed;
  }

  /** Drops the connection without a DISCONNECT, as a crash would (tests). */
  async kill(): Promise<void> {
    this.resume();
    await this.client.endAsync(true);
  }

  /** The topic filters wanted now. */
  get subscriptions(): readonly string[] {
    return this.filters;
  }

  /**
   * Changes the subscriptions of a running session (the site changed, issue #23): SUBSCRIBE for the
   * filters added, UNSUBSCRIBE for those removed. The broker keeps a persistent session's
   * subscriptions across connections and owners, so a filter that is no longer wanted must be
   * unsubscribed explicitly, or its messages keep arriving here. Disconnected, both happen at the
   * next connection, also a resumed one. Resolves once the broker has answered (or at once when
   * disconnected); never rejects: a failed UNSUBSCRIBE is retried at the next connection.
   */
  async setSubscriptions(filters: readonly string[]): Promise<void> {
    const next = [...new Set(filters)];
    const added = next.filter((f) => !this.filters.includes(f));
    const removed = this.filters.filter((f) => !next.includes(f));
    this.filters = next;
    for (const f of removed) this.leaving.add(f);
    for (const f of added) this.leaving.delete(f);
    if (!this.client.connected) {
      this.stale = this.stale || added.length > 0;
      return;
    }
    await Promise.all([
      added.length > 0 ? this.subscribeTo(added, true) : Promise.resolve(),
      this.leaving.size > 0 ? this.unsubscribeLeaving() : Promise.resolve(),
    ]);
  }

  /**
   * Unsubscribes filters this session holds but does not want (found by a message arriving for
   * them: a subscription left behind by an earlier owner). Same guarantees as setSubscriptions.
   */
  async unsubscribe(filters: readonly string[]): Promise<void> {
    const fresh = filters.filter((f) => !this.filters.includes(f) && !this.leaving.has(f));
    if (fresh.length === 0) return; // already on its way out (a burst of queued messages)
    for (const f of fresh) this.leaving.add(f);
    if (this.client.connected) await this.unsubscribeLeaving();
  }

  private subscribe(force: boolean): void {
    void this.subscribeTo(this.filters, force).then((ok) => {
      if (ok) this.subscribedNow = true;
    });
  }

  /**
   * @param force send the SUBSCRIBE even for filters mqtt.js believes subscribed (it records a
   * filter when the SUBSCRIBE leaves, so one lost with its connection would otherwise be skipped).
   */
  private async subscribeTo(filters: readonly string[], force: boolean): Promise<boolean> {
    if (filters.length === 0) return true;
    const topics: ISubscriptionMap = Object.fromEntries(filters.map((t) => [t, { qos: 1 as const }]));
    if (force) topics.resubscribe = true;
    this.changing++;
    try {
      await this.client.subscribeAsync(topics);
      this.log.info({ topics: filters }, 'subscribed');
      return true;
    } catch (err) {
      // Subscribed again at the next connection (a resumed session too).
      this.stale = true;
      this.log.error({ err }, 'subscribe failed');
      return false;
    } finally {
      this.changing--;
    }
  }

  private async unsubscribeLeaving(): Promise<void> {
    const filters = [...this.leaving];
    this.changing++;
    try {
      await this.client.unsubscribeAsync(filters);
      for (const f of filters) if (!this.filters.includes(f)) this.leaving.delete(f);
      this.log.info({ topics: filters }, 'unsubscribed');
    } catch (err) {
      this.log.warn({ err, topics: filters }, 'unsubscribe failed; retried at the next connection');
    } finally {
      this.changing--;
    }
  }

  private receive(packet: IPublishPacket): void {
    const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
    if (packet.qos === 0 || packet.messageId === undefined) {
      this.onMessage(packet.topic, payload, NOOP_TICKET, packet.retain);
      return;
    }
    const entry: PendingAck = {
      messageId: packet.messageId,
      durable: false,
      dropped: false,
      topic: packet.topic,
      payload,
      retain: packet.retain,
    };
    this.pending.push(entry);
    this.byMessageId.set(packet.messageId, entry);
    const original = this.taken.get(packet.messageId);
    if (original !== undefined) {
      this.taken.delete(packet.messageId);
      if (!original.dropped && original.topic === packet.topic && original.payload.equals(payload)) {
        this.recognised++;
        if (original.durable) entry.durable = true;
        else original.successor = entry;
        return;
      }
    }
    this.handOver(entry);
  }

  /** The message to the application, with the ticket that settles it (and its redeliveries). */
  private handOver(entry: PendingAck): void {
    this.onMessage(
      entry.topic,
      entry.payload,
      {
        done: () => {
          if (entry.durable || entry.dropped) return;
          // Also the redeliveries of it, taken on later connections (the class comment).
          for (let e: PendingAck | undefined = entry; e !== undefined; e = e.successor) e.durable = true;
          this.releaseAcks();
        },
        drop: () => {
          if (entry.durable || entry.dropped) return;
          entry.dropped = true;
          // A redelivery already recognised as this message waited for it: it is handed over now.
          const copy = entry.successor;
          entry.successor = undefined;
          if (copy !== undefined) this.handOver(copy);
        },
      },
      entry.retain,
    );
  }

  /** Sends the PUBACKs and PUBRECs of the longest durable prefix, in arrival order. */
  private releaseAcks(): void {
    let n = 0;
    while (n < this.pending.length) {
      const entry = this.pending[n]!;
      if (!entry.durable || !entry.ack) break;
      this.byMessageId.delete(entry.messageId);
      this.sendPacket(entry.ack);
      n++;
    }
    if (n > 0) this.pending = this.pending.slice(n);
  }

  private forgetConnection(): void {
    // A SUBSCRIBE or UNSUBSCRIBE lost with the connection: redo them at the next one (the leaving
    // filters stay listed until their UNSUBACK).
    if (this.changing > 0) this.stale = true;
    if (this.pending.length > 0)
      this.log.info(
        { unacknowledged: this.pending.length },
        'connection closed; the broker redelivers these, taken once (not handed over again)',
      );
    for (const entry of this.pending) this.taken.set(entry.messageId, entry);
    // mqtt.js's callback for a message of this connection, held by pause(): run by a later
    // resume(), it had mqtt.js send that message's PUBACK on the next connection, past the hold
    // (its entry is no longer looked up by id) — acknowledging it before it was durable. The
    // connection's packet parser goes with the connection; nothing waits for the callback.
    this.heldCallback = undefined;
    this.subscribedNow = false;
    this.pending = [];
    this.byMessageId.clear();
  }
}

const NOOP_TICKET: AckTicket = { done: () => undefined, drop: () => undefined };

/** At most this often does an arriving message restart the keepalive clock. */
const LIVENESS_EVERY_MS = 1000;
