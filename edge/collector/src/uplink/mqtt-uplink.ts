import { backOffOnConnackRefusal, connackRefusalCode } from '@hazardwatch/kit';
import mqtt, { type IClientPublishOptions, type MqttClient } from 'mqtt';
import { pino, type Logger } from 'pino';
import {
  statusTopic,
  telemetryTopic,
  type GatewaySourceStatus,
  type GatewayStatus,
  type Reading,
  type SpoolDropReport,
  type TelemetryPayload,
} from '@hazardwatch/contracts';
import { EdgeError } from '../errors.js';

/** What a heartbeat reports besides type, time and version; supplied by the collector on each beat. */
export interface HeartbeatStatus {
  /** Readings waiting in the spool. */
  readonly spoolDepth: number;
  readonly spoolBytes: number;
  /** Source timestamp (ms) of the oldest spooled reading. */
  readonly spoolOldestTs?: number;
  readonly sources: readonly GatewaySourceStatus[];
}

export type UplinkState = 'connected' | 'disconnected';

/**
 * The central broker refuses the gateway's login (CONNACK refusal: credential revoked, rotated or
 * mistyped; a broker still loading its accounts). Shown in the local health until a login is
 * accepted, so the field engineer can tell it from a network or broker that is down.
 */
export interface UplinkRefusal {
  /** mqtt.js's text of the broker's reason, e.g. `Connection refused: Not authorized`. */
  readonly reason: string;
  /** CONNACK return code (MQTT 3.1.1: 4 bad username or password, 5 not authorized) or reason code (MQTT 5, ≥ 0x80). */
  readonly code: number;
  /** First refusal since the last accepted login (clock ms). */
  readonly sinceMs: number;
  /** Refused attempts since the last accepted login. */
  readonly attempts: number;
  /** When the next attempt is due (clock ms), as the backoff set it at the last refusal. */
  readonly nextAttemptAtMs: number | undefined;
}

/** The uplink seen from the forwarder. */
export interface Uplink {
  /** True between a CONNACK (birth sent) and the loss of that connection. */
  readonly connected: boolean;
  /**
   * Publishes one spool entry as `{ seq: entryId, readings }`, QoS 1; resolves on PUBACK. Rejects
   * with HW_EDGE_UPLINK_OFFLINE when not connected and HW_EDGE_UPLINK_PUBLISH when the connection
   * drops before the PUBACK: the caller owns the retry (the spool), never the MQTT client.
   */
  publishBatch(entryId: number, readings: readonly Reading[]): Promise<void>;
  /** Publishes a `data_loss` status (QoS 1, not retained). */
  publishDataLoss(dropped: SpoolDropReport): Promise<void>;
  /** Returns a function that removes the listener. */
  onState(listener: (state: UplinkState) => void): () => void;
}

export interface MqttUplinkOptions {
  readonly url: string;
  readonly clientId: string;
  readonly username?: string;
  readonly password?: string;
  readonly enterprise: string;
  readonly gateway: string;
  /** Collector version reported in birth, death and heartbeat. */
  readonly version: string;
  /** @default 30 s */
  readonly keepaliveSec?: number;
  /** @default 2000 ms */
  readonly reconnectPeriodMs?: number;
  /** @default 10000 ms */
  readonly connectTimeoutMs?: number;
  /** @default 30000 ms */
  readonly heartbeatIntervalMs?: number;
  /** How long `close` waits for the broker to acknowledge the retained death. @default 5000 ms */
  readonly closeTimeoutMs?: number;
  readonly statusProvider: () => HeartbeatStatus;
  /** @default Date.now */
  readonly now?: () => number;
  /** @default pino silent */
  readonly logger?: Logger;
}

const RETAINED: IClientPublishOptions = { qos: 1, retain: true };
const TELEMETRY: IClientPublishOptions = { qos: 1, retain: false };

/**
 * MQTT uplink to the central broker. Presence follows the status topic contract: the last will is
 * a retained `death`, every (re)connect publishes a retained `birth` and a heartbeat, heartbeats
 * repeat on a timer, and a graceful close publishes the `death` itself (a DISCONNECT discards the
 * will, and the core should show the gateway offline at once).
 *
 * mqtt.js keeps un-acknowledged QoS 1 publishes in its outgoing store and re-sends them after a
 * reconnect, and queues publishes made while offline. Both would duplicate the spool's own replay
 * and leave promises pending for minutes, so this uplink fails fast: it refuses to publish while
 * not connected, and on every connection loss it rejects all pending publishes and purges them
 * from the client's outgoing store.
 */
export class MqttUplink implements Uplink {
  private client: MqttClient | undefined;
  private isConnected = false;
  private lastState: UplinkState = 'disconnected';
  private refused: UplinkRefusal | undefined;
  private closing = false;
  private heartbeat: NodeJS.Timeout | undefined;
  /** Publishes waiting for their PUBACK → when each was handed to the client (clock ms). */
  private readonly pending = new Map<(reason: Error) => void, number>();
  private readonly listeners = new Set<(state: UplinkState) => void>();
  private readonly statusTopic: string;
  private readonly telemetryTopic: string;
  private readonly safeUrl: string;
  private readonly now: () => number;
  private readonly log: Logger;

  constructor(private readonly options: MqttUplinkOptions) {
    const address = { enterprise: options.enterprise, gateway: options.gateway };
    this.statusTopic = statusTopic(address);
    this.telemetryTopic = telemetryTopic(address);
    const url = new URL(options.url);
    url.username = '';
    url.password = '';
    this.safeUrl = url.toString();
    this.now = options.now ?? Date.now;
    this.log = (options.logger ?? pino({ level: 'silent' })).child({ component: 'uplink', ...address });
  }

  get connected(): boolean {
    return this.isConnected;
  }

  /**
   * How long the oldest publish still waiting for its PUBACK has waited, ms; 0 when none waits.
   * On a link that silently drops traffic TCP and the MQTT client stay "connected" until the
   * keepalive expires; unacknowledged publishes show it sooner.
   */
  unackedForMs(): number {
    let oldest = Infinity;
    for (const since of this.pending.values()) oldest = Math.min(oldest, since);
    return oldest === Infinity ? 0 : Math.max(0, this.now() - oldest);
  }

  /** The broker's refusal of the login while refused (every attempt since the last accepted one); else undefined. */
  refusal(): UplinkRefusal | undefined {
    return this.refused;
  }

  /** Starts connecting (and re-connecting for as long as it runs); an unreachable broker is a state, not an error. */
  start(): void {
    if (this.client) return;
    const o = this.options;
    const client = mqtt.connect(o.url, {
      clientId: o.clientId,
      ...(o.username === undefined ? {} : { username: o.username }),
      ...(o.password === undefined ? {} : { password: o.password }),
      clean: true,
      keepalive: o.keepaliveSec ?? 30,
      reconnectPeriod: o.reconnectPeriodMs ?? 2000,
      // A refused login (a credential rotated or issued again, a broker still loading its
      // accounts) is tried again: mqtt.js gives up at the first refusal otherwise, and the uplink
      // stayed offline, its spool filling, until restarted by hand. Backing off (below), so the
      // broker's flapping detection or fail2ban does not take it for a brute-force attack.
      reconnectOnConnackError: true,
      connectTimeout: o.connectTimeoutMs ?? 10_000,
      queueQoSZero: false,
      will: { topic: this.statusTopic, payload: Buffer.from(this.status('death')), qos: 1, retain: true },
    });
    backOffOnConnackRefusal(client, { log: this.log });
    this.client = client;
    client.on('connect', () => this.onConnect());
    client.on('close', () => this.onClose());
    // After backOffOnConnackRefusal's handler: the client's reconnectPeriod is the next delay.
    client.on('error', (err) => this.onError(client, err));
    this.heartbeat = setInterval(() => this.publishHeartbeat(), o.heartbeatIntervalMs ?? 30_000);
    this.heartbeat.unref();
  }

  publishBatch(entryId: number, readings: readonly Reading[]): Promise<void> {
    const payload: TelemetryPayload = { seq: entryId, readings: readings as Reading[] };
    return this.publish(this.telemetryTopic, JSON.stringify(payload), TELEMETRY);
  }

  publishDataLoss(dropped: SpoolDropReport): Promise<void> {
    return this.publish(this.statusTopic, this.status('data_loss', { dropped }), TELEMETRY);
  }

  onState(listener: (state: UplinkState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Publishes a retained `death` (when connected), then disconnects. Idempotent. */
  async close(): Promise<void> {
    const client = this.client;
    if (!client || this.closing) return;
    this.closing = true;
    clearInterval(this.heartbeat);
    if (this.isConnected) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, this.options.closeTimeoutMs ?? 5000);
      });
      const death = this.publish(this.statusTopic, this.status('death'), RETAINED).catch((err: unknown) =>
        this.log.warn({ err: String(err) }, 'death not acknowledged'),
      );
      await Promise.race([death, timeout]);
      clearTimeout(timer);
    }
    this.failPending(new Error('uplink closed'));
    await client.endAsync(true);
    this.setState(false);
  }

  private publish(topic: string, payload: string, options: IClientPublishOptions): Promise<void> {
    const client = this.client;
    if (!client || !this.isConnected) {
      return Promise.reject(new EdgeError('HW_EDGE_UPLINK_OFFLINE', { url: this.safeUrl }));
    }
    return new Promise<void>((resolve, reject) => {
      const fail = (reason: Error): void =>
        reject(new EdgeError('HW_EDGE_UPLINK_PUBLISH', { topic, reason: reason.message }, { cause: reason }));
      this.pending.set(fail, this.now());
      client.publish(topic, payload, options, (err) => {
        this.pending.delete(fail);
        if (err) fail(err);
        else resolve();
      });
    });
  }

  /**
   * A refused login is a state, logged at warn when it begins or its reason changes, not at every
   * attempt (the backoff logs its delays); any other error is logged as it comes.
   */
  private onError(client: MqttClient, err: Error): void {
    const code = connackRefusalCode(err, client.connected);
    if (code === undefined) {
      this.log.warn({ err: err.message }, 'mqtt error');
      return;
    }
    const now = this.now();
    const before = this.refused;
    const period = client.options.reconnectPeriod;
    this.refused = {
      reason: err.message,
      code,
      sinceMs: before?.sinceMs ?? now,
      attempts: (before?.attempts ?? 0) + 1,
      nextAttemptAtMs: period === undefined || period <= 0 ? undefined : now + period,
    };
    if (before?.code !== code || before.reason !== err.message) {
      this.log.warn(
        { url: this.safeUrl, code, reason: err.message, username: this.options.username },
        'uplink login refused',
      );
    }
  }

  private onConnect(): void {
    const refused = this.refused;
    this.refused = undefined;
    this.log.info(
      {
        url: this.safeUrl,
        ...(refused
          ? { refusedAttempts: refused.attempts, refusedForMs: Math.max(0, this.now() - refused.sinceMs) }
          : {}),
      },
      'uplink connected',
    );
    // Birth and the first heartbeat go out before anything else on this connection.
    this.isConnected = true;
    this.publishPresence('birth');
    this.publishHeartbeat();
    this.setState(true);
  }

  private onClose(): void {
    const client = this.client!;
    // Logged when a connection is lost, not at every failed attempt (refused, unreachable).
    const wasConnected = this.isConnected;
    this.isConnected = false;
    this.failPending(new Error('connection lost before PUBACK'));
    // Purge what mqtt.js would re-send after the reconnect: the spool replays it instead.
    for (const [id, pending] of Object.entries(client.outgoing)) {
      if (pending.cmd === 'publish') client.removeOutgoingMessage(Number(id));
    }
    if (!this.closing && wasConnected) this.log.warn({ url: this.safeUrl }, 'uplink disconnected');
    this.setState(false);
  }

  private failPending(reason: Error): void {
    const pending = [...this.pending.keys()];
    this.pending.clear();
    for (const fail of pending) fail(reason);
  }

  private setState(connected: boolean): void {
    const state: UplinkState = connected ? 'connected' : 'disconnected';
    if (state === this.lastState) return;
    this.lastState = state;
    for (const listener of this.listeners) listener(state);
  }

  private publishPresence(type: 'birth'): void {
    this.publish(this.statusTopic, this.status(type), RETAINED).catch((err: unknown) =>
      this.log.warn({ err: String(err), type }, 'status publish failed'),
    );
  }

  private publishHeartbeat(): void {
    if (!this.isConnected) return;
    let status: HeartbeatStatus;
    try {
      status = this.options.statusProvider();
    } catch (err) {
      this.log.warn({ err: String(err) }, 'status provider failed');
      return;
    }
    const body = {
      spoolDepth: status.spoolDepth,
      spoolBytes: status.spoolBytes,
      sources: [...status.sources],
      ...(status.spoolOldestTs === undefined ? {} : { spoolOldestTs: status.spoolOldestTs }),
    };
    this.publish(this.statusTopic, this.status('heartbeat', body), RETAINED).catch((err: unknown) =>
      this.log.warn({ err: String(err) }, 'heartbeat publish failed'),
    );
  }

  private status(type: GatewayStatus['type'], extra: Partial<GatewayStatus> = {}): string {
    const status: GatewayStatus = { type, ts: this.now(), version: this.options.version, ...extra };
    return JSON.stringify(status);
  }
}
