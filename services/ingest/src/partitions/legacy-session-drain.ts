import { createHash } from 'node:crypto';
import mqtt, { type IClientOptions, type IPublishPacket, type MqttClient } from 'mqtt';
import type { Logger } from 'pino';

/** A graceful end waits for answers a silent broker never gives: dropped after this (ms). */
const END_GRACE_MS = 2_000;

/** Ends a connection gracefully, or drops it after `ms` (nothing is lost: unacknowledged stays queued). */
async function endWithin(client: MqttClient, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      client.end(true);
      resolve();
    }, ms);
  });
  await Promise.race([client.endAsync(), late]);
  clearTimeout(timer);
}

export interface LegacySessionDrainOptions {
  readonly url: string;
  /** The single worker's session id: the leased sessions' prefix itself (`hw-ingest`). */
  readonly clientId: string;
  readonly username?: string | undefined;
  readonly password?: string | undefined;
  readonly protocolVersion: 4 | 5;
  readonly connectTimeoutMs: number;
  /**
   * The old session's subscriptions (the single worker's `mqtt.subscriptions`): unsubscribed as
   * soon as it is resumed, so no new message is added to it while its queue is worked through (the
   * partitions' sessions receive those directly).
   */
  readonly filters: readonly string[];
  /** The drain ends once no message has come for this long. @default 2000 */
  readonly idleMs?: number;
  /** …and at the latest after this long (what is left stays queued for the next try). @default 600000 */
  readonly maxMs?: number;
  readonly logger: Logger;
}

export interface LegacySessionDrainResult {
  /** The broker held a session under that id. */
  readonly present: boolean;
  /** Messages taken from it and published again (each acknowledged by the broker first). */
  readonly republished: number;
  /** The session was deleted at the end (false: messages may be left, the next try takes them). */
  readonly deleted: boolean;
}

/**
 * The session a single worker left behind (issue #23). Before leases, `hazardwatch ingest` had one
 * persistent session, its client id (`hw-ingest`) subscribed to every enterprise; a leased fleet
 * uses one session per partition (`hw-ingest-p00` …) instead. What the broker acknowledged to the
 * gateways between the single worker's last run and the partitions' first subscriptions is queued
 * in the old session only, and that session, still subscribed to everything, would go on queueing
 * every message until the broker's limits.
 *
 * `run()` resumes the old session (clean = false), publishes each message it is given again to
 * the same topic at QoS 1 — the partitions' sessions, which must all exist by then, receive it
 * like any other — and acknowledges the old message only once the broker has acknowledged the new
 * one; then, with nothing more coming for `idleMs`, deletes the session (a clean connection under
 * its id). A message the fleet also received directly is received twice: readings are idempotent
 * on (point, ts). A broker that has no such session answers `present: false` and keeps none.
 */
export class LegacySessionDrain {
  private readonly log: Logger;
  private stopping = false;
  private running: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: LegacySessionDrainOptions) {
    this.log = options.logger.child({ component: 'legacy-session-drain', clientId: options.clientId });
  }

  run(): Promise<LegacySessionDrainResult> {
    const run = this.runOnce();
    this.running = run.catch(() => undefined);
    return run;
  }

  /** Ends a drain under way at once (what it has not taken stays queued) and makes no more. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.running;
  }

  private async runOnce(): Promise<LegacySessionDrainResult> {
    if (this.stopping) return { present: false, republished: 0, deleted: false };
    const idleMs = this.options.idleMs ?? 2_000;
    const maxMs = this.options.maxMs ?? 600_000;
    // Published again on a connection of its own: mqtt.js reads nothing more on a connection until
    // its handleMessage calls back, so the PUBACK of a publish on the same one would never be read.
    const publisher = this.connect(true, `${this.options.clientId}-republish`);
    try {
      await this.connected(publisher);
    } catch (error) {
      publisher.end(true);
      throw error;
    }
    try {
      return await this.drain(publisher, idleMs, maxMs);
    } finally {
      await endWithin(publisher, END_GRACE_MS);
    }
  }

  private async drain(
    publisher: MqttClient,
    idleMs: number,
    maxMs: number,
  ): Promise<LegacySessionDrainResult> {
    let republished = 0;
    let lastMessageAt = Date.now();
    const client = this.connect(false);
    // Set before the connection opens: the broker sends the queued messages right after CONNACK.
    // The old session is still subscribed to every enterprise, so each message published again
    // comes back to it once: that echo is acknowledged and dropped, never published a second time.
    const echoes = new Map<string, number>();
    client.handleMessage = (packet: IPublishPacket, callback: (error?: Error) => void) => {
      lastMessageAt = Date.now();
      const key = `${packet.topic}\u0000${createHash('sha1')
        .update(packet.payload as Buffer)
        .digest('hex')}`;
      const echo = echoes.get(key) ?? 0;
      if (echo > 0) {
        if (echo === 1) echoes.delete(key);
        else echoes.set(key, echo - 1);
        callback();
        return;
      }
      echoes.set(key, 1);
      publisher.publishAsync(packet.topic, packet.payload as Buffer, { qos: 1, retain: false }).then(
        () => {
          republished++;
          lastMessageAt = Date.now();
          // mqtt.js acknowledges the old message now, and only now.
          callback();
        },
        (err: unknown) => {
          // Not acknowledged: the broker keeps it in the old session for the next try.
          this.log.warn({ err, topic: packet.topic }, 'republishing a queued message failed; left queued');
          client.end(true);
        },
      );
    };
    client.once('connect', () => {
      // Sent at once; the broker stops adding messages to the old session, its queue stays.
      client.unsubscribe([...this.options.filters], (err) => {
        if (err) this.log.warn({ err }, 'unsubscribing the old session failed');
      });
    });
    let present: boolean;
    try {
      present = await this.connected(client);
    } catch (error) {
      client.end(true);
      throw error;
    }
    if (present) {
      this.log.warn(
        'a single worker’s session is left at the broker: publishing its queued messages again for the partitions’ sessions',
      );
      const started = Date.now();
      while (
        !this.stopping &&
        client.connected &&
        Date.now() - lastMessageAt < idleMs &&
        Date.now() - started < maxMs
      )
        await new Promise((r) => setTimeout(r, Math.min(200, idleMs)));
    }
    // No old session: the one this probe made is deleted at once (nothing can be queued in it, it
    // has no subscription). One worked through: when nothing more came for idleMs.
    const complete =
      !this.stopping && (!present || (client.connected && Date.now() - lastMessageAt >= idleMs));
    await endWithin(client, END_GRACE_MS);
    if (!complete) {
      this.log.warn({ republished }, 'the single worker’s session is not drained yet; tried again later');
      return { present, republished, deleted: false };
    }
    // Deleted: a clean connection under the same id discards the session (and one made just now).
    const clean = this.connect(true);
    try {
      await this.connected(clean);
    } finally {
      await endWithin(clean, END_GRACE_MS);
    }
    if (present) this.log.warn({ republished }, 'the single worker’s session drained and deleted');
    return { present, republished, deleted: true };
  }

  private connect(clean: boolean, clientId = this.options.clientId): MqttClient {
    const { options } = this;
    const clientOptions: IClientOptions = {
      clientId,
      clean,
      protocolVersion: options.protocolVersion,
      reconnectPeriod: 0,
      connectTimeout: options.connectTimeoutMs,
      ...(options.username !== undefined ? { username: options.username } : {}),
      ...(options.password !== undefined ? { password: options.password } : {}),
      // MQTT 5: the old session as it was kept; a clean start with no expiry ends it at disconnect.
      ...(options.protocolVersion === 5 && !clean
        ? { properties: { sessionExpiryInterval: 0xffffffff } }
        : {}),
    };
    return mqtt.connect(options.url, clientOptions);
  }

  /** Resolves with CONNACK's session-present flag; rejects when the connection fails. */
  private connected(client: MqttClient): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      const onError = (err: Error): void => {
        client.off('connect', onConnect);
        client.off('error', onError);
        client.off('close', onClose);
        reject(err);
      };
      const onConnect = (connack: { sessionPresent: boolean }): void => {
        client.off('error', onError);
        client.off('close', onClose);
        resolve(connack.sessionPresent);
      };
      const onClose = (): void => onError(new Error('connection closed before CONNACK'));
      client.once('connect', onConnect);
      client.once('error', onError);
      client.once('close', onClose);
    });
  }
}
