import { MALFORMED_TOPIC_FILTERS, topicFilter } from '@hazardwatch/contracts';
import type { Logger } from 'pino';
import {
  DurableAckSubscriber,
  type DurableAckSubscriberOptions,
  type DurableMessageHandler,
} from '../durable-ack-subscriber.js';
import type { MessageIntake } from '../app.js';
import { enterprisesByPartition } from './partition-hash.js';

export interface PartitionSessionsOptions {
  /** Each partition's MQTT client id is this with `-pNN` (e.g. `hw-ingest-p07`), the same on every worker. */
  readonly clientIdPrefix: string;
  /** Partitions 0 … count − 1. */
  readonly count: number;
  /** The enterprise codes of the site in force (read when a partition's session opens). */
  readonly enterprises: () => Iterable<string>;
  /** Everything of a session but its client id and subscriptions. */
  readonly session: Omit<DurableAckSubscriberOptions, 'clientId' | 'subscriptions' | 'logger'>;
  /**
   * Whether this worker may act for the partition now (PartitionKeeper.owns). Checked for every
   * message and again before its acknowledgement: past the lease's local deadline nothing more is
   * taken and nothing more acknowledged, so the broker gives those messages to the next owner.
   */
  readonly owns: (partition: number) => boolean;
  readonly onMessage: DurableMessageHandler;
  readonly logger: Logger;
}

/**
 * One persistent MQTT session per partition (issue #23), not per worker: the client id names the
 * partition, so whoever owns it resumes the same session, and while nobody owns it the broker keeps
 * queueing its messages (clean = false; MQTT 5 session expiry; Mosquitto `max_queued_messages`,
 * docs/operations.md §4). A session subscribes to its partition's enterprises
 * (`hw/v1/{enterprise}/+/telemetry|status`); partition 0's also to the malformed-topic catch-alls,
 * so bad topics are still counted by exactly one worker.
 *
 * Stopping a session drops the connection without acknowledging what is not yet durable: the
 * broker redelivers those messages to the next owner (readings are idempotent on (point, ts)).
 */
export class PartitionSessions implements MessageIntake {
  private readonly sessions = new Map<number, DurableAckSubscriber>();
  private readonly log: Logger;
  private paused = false;

  constructor(private readonly options: PartitionSessionsOptions) {
    this.log = options.logger.child({ component: 'partition-sessions' });
  }

  static clientId(prefix: string, partition: number): string {
    return `${prefix}-p${String(partition).padStart(2, '0')}`;
  }

  /** The topic filters of a partition's session for the given enterprises. */
  static filters(partition: number, enterprises: readonly string[]): string[] {
    return [
      ...enterprises.flatMap((e) => [topicFilter('telemetry', e), topicFilter('status', e)]),
      ...(partition === 0 ? MALFORMED_TOPIC_FILTERS : []),
    ];
  }

  /** Opens (resumes) the partition's session; resolves once connected. */
  async open(partition: number): Promise<void> {
    if (this.sessions.has(partition)) return;
    const { options } = this;
    const enterprises = enterprisesByPartition(options.enterprises(), options.count).get(partition) ?? [];
    const subscriptions = PartitionSessions.filters(partition, enterprises);
    if (subscriptions.length === 0) {
      this.log.info({ partition }, 'partition has no enterprise: no session');
      return;
    }
    const onMessage: DurableMessageHandler = (topic, payload, ack) => {
      // Past the deadline: neither taken nor acknowledged (the next owner gets it from the broker).
      if (!options.owns(partition)) return;
      options.onMessage(topic, payload, {
        done: () => {
          if (options.owns(partition)) ack.done();
        },
      });
    };
    const session = new DurableAckSubscriber(
      {
        ...options.session,
        clientId: PartitionSessions.clientId(options.clientIdPrefix, partition),
        subscriptions,
        logger: options.logger.child({ partition }),
      },
      onMessage,
    );
    this.sessions.set(partition, session);
    if (this.paused) session.pause();
    await session.start();
  }

  /** Drops the partition's connection at once, acknowledging nothing more. */
  async stop(partition: number): Promise<void> {
    const session = this.sessions.get(partition);
    if (!session) return;
    this.sessions.delete(partition);
    await session.kill();
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.sessions.keys()].map((p) => this.stop(p)));
  }

  /** As the app's message intake (MessageIntake): sessions open as partitions are granted. */
  start(): Promise<void> {
    return Promise.resolve();
  }

  /**
   * As the app's message intake, after the pipeline has flushed: every session disconnects
   * cleanly (its acknowledgements sent first); what is not durable stays unacknowledged.
   */
  async close(): Promise<void> {
    const open = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(open.map((s) => s.close()));
  }

  /** Stops taking packets off every session's socket (the pipeline's backpressure). */
  pause(): void {
    this.paused = true;
    for (const s of this.sessions.values()) s.pause();
  }

  resume(): void {
    this.paused = false;
    for (const s of this.sessions.values()) s.resume();
  }

  /** Every open session connected (true with none open). */
  get connected(): boolean {
    return [...this.sessions.values()].every((s) => s.connected);
  }

  get unacknowledged(): number {
    let n = 0;
    for (const s of this.sessions.values()) n += s.unacknowledged;
    return n;
  }

  /** The partitions with an open session. */
  partitions(): number[] {
    return [...this.sessions.keys()].sort((a, b) => a - b);
  }
}
