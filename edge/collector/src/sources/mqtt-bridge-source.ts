import { backOffOnConnackRefusal } from '@hazardwatch/kit';
import mqtt, { type IClientOptions, type IPublishPacket, type MqttClient } from 'mqtt';
import { pino, type Logger } from 'pino';
import type { ReadingSink, Source, SourceStatus } from '../source.js';
import { EdgeError } from '../errors.js';
import { mapMessage, type BridgeRejection, type BridgeRejectReason } from './mqtt-bridge-mapping.js';
import {
  compileMqttBridgeOptions,
  type CompiledMqttBridgeOptions,
  type MqttBridgeSourceOptions,
} from './mqtt-bridge-options.js';
import { SourceStatusTracker } from './status-tracker.js';

export interface MqttBridgeSourceStatus extends SourceStatus {
  /** Messages received on the subscribed topics. */
  readonly messages: number;
  /** Messages or fields that gave no reading, by reason (each also counts in `errors`). */
  readonly rejected: Readonly<Partial<Record<BridgeRejectReason, number>>>;
  /** Fields of retained messages left out for want of a source timestamp. */
  readonly retainedSkipped: number;
}

/** MQTT 3.1.1 §3.9.3 (and MQTT 5 reason codes ≥ 0x80): a refused subscription. */
const SUBACK_FAILURE = 0x80;

/**
 * MQTT bridge source: subscribes to topics on the plant network's local broker, where sensors
 * publish JSON, and maps fields of each message to point readings.
 *
 * Sessions are clean (the local broker may be a small appliance that keeps nothing across
 * restarts anyway), so the source subscribes again on every connection and reports `connected`
 * only once the broker has granted the subscriptions. A bad payload costs that message only: it
 * is counted and logged at debug level, at most once per subscription and reason per
 * `rejectLogIntervalMs`, so a sensor stuck on garbage cannot flood the gateway's log.
 */
export class MqttBridgeSource implements Source {
  readonly kind = 'mqtt' as const;
  readonly name: string;
  readonly #options: MqttBridgeSourceOptions;
  readonly #log: Logger;
  readonly #status: SourceStatusTracker;
  #client: MqttClient | undefined;
  #sink: ReadingSink | undefined;
  #stopped = false;
  #sessionLive = false;
  #connectedBefore = false;
  #lastError: string | undefined;
  #messages = 0;
  #retainedSkipped = 0;
  readonly #rejected: Partial<Record<BridgeRejectReason, number>> = {};
  /** Per `${subscription}|${reason}`: when it was last logged and how many went unlogged since. */
  readonly #rejectLog = new Map<string, { at: number; suppressed: number }>();

  constructor(options: MqttBridgeSourceOptions) {
    this.name = options.name;
    this.#options = options;
    this.#log = (options.logger ?? pino({ level: 'silent' })).child({
      component: 'mqtt-bridge',
      source: options.name,
    });
    this.#status = new SourceStatusTracker(options.name, 'mqtt', this.#log);
  }

  start(sink: ReadingSink): Promise<void> {
    if (this.#client || this.#stopped) return Promise.resolve();
    let o: CompiledMqttBridgeOptions;
    try {
      o = compileMqttBridgeOptions(this.#options);
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    this.#sink = sink;
    const clientOptions: IClientOptions = {
      clean: true,
      // We subscribe on every 'connect' ourselves, to know when the subscriptions are granted.
      resubscribe: false,
      reconnectPeriod: o.reconnectPeriodMs,
      // A refused login (the plant broker's account rotated, or the broker restarting and still
      // loading its accounts) is tried again: mqtt.js gives up at the first refusal otherwise,
      // and the source forwarded nothing until restarted by hand. Backing off (below), so the
      // plant's fail2ban or flapping detection does not take it for a brute-force attack.
      reconnectOnConnackError: true,
      connectTimeout: o.connectTimeoutMs,
      ...(o.clientId === undefined ? {} : { clientId: o.clientId }),
      ...(o.username === undefined ? {} : { username: o.username }),
      ...(o.password === undefined ? {} : { password: o.password }),
    };
    const client = mqtt.connect(o.url, clientOptions);
    backOffOnConnackRefusal(client, { log: this.#log });
    this.#client = client;
    client.on('connect', () => this.#onConnect(client, o));
    client.on('close', () => this.#onClose());
    client.on('error', (err) => {
      // Connection refusals (bad credentials) and socket errors; the close that follows counts it.
      this.#lastError = err.message;
      this.#log.debug({ err }, 'broker connection error');
    });
    client.on('message', (topic, payload, packet) => this.#onMessage(topic, payload, packet, o));
    this.#log.info({ url: o.url, subscriptions: o.subscriptions.length }, 'mqtt bridge starting');
    return Promise.resolve();
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#status.setState('stopped');
    const client = this.#client;
    if (client) {
      client.removeAllListeners('message');
      await client.endAsync(true);
    }
  }

  status(): MqttBridgeSourceStatus {
    return {
      ...this.#status.snapshot(),
      messages: this.#messages,
      rejected: { ...this.#rejected },
      retainedSkipped: this.#retainedSkipped,
    };
  }

  #onConnect(client: MqttClient, o: CompiledMqttBridgeOptions): void {
    if (this.#stopped) return;
    if (this.#connectedBefore) this.#status.addReconnect();
    this.#connectedBefore = true;
    this.#sessionLive = true;
    this.#lastError = undefined;
    this.#subscribeAll(client, o).catch((err: unknown) => this.#log.error({ err }, 'subscribing failed'));
  }

  /**
   * One SUBSCRIBE per filter, so that a refusal (SUBACK 0x80, e.g. the broker's ACL) names its
   * filter; the other filters keep delivering and the state is `degraded`.
   */
  async #subscribeAll(client: MqttClient, o: CompiledMqttBridgeOptions): Promise<void> {
    const outcomes = await Promise.all(
      o.subscriptions.map(
        (s) =>
          new Promise<string | undefined>((resolve) => {
            client.subscribe(s.topic, { qos: s.qos }, (err, granted) => {
              const refused = (granted ?? []).some((g) => (g.qos & SUBACK_FAILURE) !== 0);
              resolve(err || refused ? `${s.topic}${err ? ` (${err.message})` : ''}` : undefined);
            });
          }),
      ),
    );
    // A connection lost meanwhile: its 'close' already reported it and the next 'connect' retries.
    if (this.#stopped || !this.#sessionLive || client !== this.#client) return;
    const failed = outcomes.filter((x): x is string => x !== undefined);
    if (failed.length === 0) {
      this.#status.setState('connected');
    } else {
      this.#status.addError();
      this.#status.setState('degraded', `subscription(s) refused or failed: ${failed.join(', ')}`);
    }
  }

  #onClose(): void {
    if (this.#stopped) return;
    // Every lost session and every failed attempt counts, so a broker that is down shows as a
    // growing error count, not as a frozen status.
    this.#status.addError();
    const detail = this.#sessionLive
      ? 'connection to broker lost'
      : (this.#lastError ?? 'broker unreachable');
    this.#sessionLive = false;
    this.#status.setState('connecting', detail);
  }

  #onMessage(topic: string, payload: Buffer, packet: IPublishPacket, o: CompiledMqttBridgeOptions): void {
    if (this.#stopped) return;
    const arrival = o.clock.now();
    const mapped = mapMessage(o.subscriptions, topic, payload, arrival, packet.retain);
    if (!mapped.matched) return;
    this.#messages += 1;
    this.#retainedSkipped += mapped.retainedSkipped;
    for (const rejection of mapped.rejections) this.#reject(rejection, topic, arrival, o);
    if (mapped.readings.length === 0 || !this.#sink) return;
    this.#status.addReadings(mapped.readings.length, arrival);
    try {
      this.#sink(mapped.readings);
    } catch (err) {
      this.#log.error({ err }, 'reading sink threw');
    }
  }

  #reject(rejection: BridgeRejection, topic: string, now: number, o: CompiledMqttBridgeOptions): void {
    this.#status.addError();
    this.#rejected[rejection.reason] = (this.#rejected[rejection.reason] ?? 0) + 1;
    // Keyed by the filter, not the topic: the map stays as small as the configuration.
    const key = `${rejection.subscription}|${rejection.reason}`;
    const entry = this.#rejectLog.get(key);
    if (entry && now - entry.at < o.rejectLogIntervalMs) {
      entry.suppressed += 1;
      return;
    }
    const err = new EdgeError('HW_EDGE_MQTT_BRIDGE_PAYLOAD', {
      topic,
      field: rejection.field ?? '(message)',
      reason: rejection.reason,
    });
    this.#log.debug(
      { err, subscription: rejection.subscription, suppressed: entry?.suppressed ?? 0 },
      'payload rejected',
    );
    this.#rejectLog.set(key, { at: now, suppressed: 0 });
  }
}
