import { MALFORMED_TOPIC_FILTERS, parseTopic, topicFilter } from '@hazardwatch/contracts';
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
 *
 * Site edits (issue #23 item 4): `refresh()` re-reads the enterprises and changes each open
 * session's subscriptions — SUBSCRIBE for an enterprise added to the partition, UNSUBSCRIBE for one
 * that left it — and opens the session of a held partition that had no enterprise before. The
 * broker keeps a persistent session's subscriptions across owners, so a session may also resume
 * with filters of an enterprise that left while another worker held it, or while nobody did: the
 * first message of an enterprise the session does not serve now is not taken (acknowledged and
 * dropped, counted in `strays`: it is not this partition's to store or judge) and that enterprise's
 * filters are unsubscribed.
 */
export class PartitionSessions implements MessageIntake {
  private readonly sessions = new Map<number, DurableAckSubscriber>();
  /** The enterprises each open session serves now. */
  private readonly served = new Map<number, ReadonlySet<string>>();
  /** Partitions asked to be open (open() until stop()), with or without a session. */
  private readonly wanted = new Set<number>();
  private readonly log: Logger;
  private paused = false;
  /** Messages of an enterprise a session no longer serves (a subscription left behind), dropped. */
  strays = 0;
  private unsubscribing: Promise<void> = Promise.resolve();

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
    this.wanted.add(partition);
    if (this.sessions.has(partition)) return;
    const { options } = this;
    const enterprises = enterprisesByPartition(options.enterprises(), options.count).get(partition) ?? [];
    const subscriptions = PartitionSessions.filters(partition, enterprises);
    if (subscriptions.length === 0) {
      this.log.info({ partition }, 'partition has no enterprise: no session');
      return;
    }
    this.served.set(partition, new Set(enterprises));
    const onMessage: DurableMessageHandler = (topic, payload, ack, retained) => {
      // Past the deadline: neither taken nor acknowledged (the next owner gets it from the broker,
      // or this session again if the lease was renewed late: dropped, it is then handed over).
      if (!options.owns(partition)) {
        ack.drop();
        return;
      }
      const parsed = parseTopic(topic);
      if (parsed !== undefined && !this.served.get(partition)?.has(parsed.enterprise)) {
        this.stray(partition, parsed.enterprise);
        ack.done();
        return;
      }
      options.onMessage(
        topic,
        payload,
        {
          // Durable, but past the deadline: not acknowledged by this owner (dropped: handed over
          // again if this session gets it again, stored once).
          done: () => {
            if (options.owns(partition)) ack.done();
            else ack.drop();
          },
          drop: () => ack.drop(),
        },
        retained,
      );
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

  /**
   * The site changed: each open session subscribes to the enterprises its partition gained and
   * unsubscribes those it lost; a partition asked to be open without a session (it had no
   * enterprise) opens one if it has some now. Resolves once the broker has answered.
   */
  async refresh(): Promise<void> {
    const { options } = this;
    const byPartition = enterprisesByPartition(options.enterprises(), options.count);
    await Promise.all(
      [...this.wanted].map(async (partition) => {
        const enterprises = byPartition.get(partition) ?? [];
        const session = this.sessions.get(partition);
        if (session === undefined) {
          if (enterprises.length > 0 && options.owns(partition)) await this.open(partition);
          return;
        }
        const before = this.served.get(partition) ?? new Set<string>();
        // Serve the new set at once: a message of an enterprise that left is a stray from here on.
        this.served.set(partition, new Set(enterprises));
        const added = enterprises.filter((e) => !before.has(e));
        const removed = [...before].filter((e) => !enterprises.includes(e));
        if (added.length > 0 || removed.length > 0)
          this.log.info({ partition, added, removed }, 'partition enterprises changed: resubscribing');
        await session.setSubscriptions(PartitionSessions.filters(partition, enterprises));
      }),
    );
  }

  /** A message of an enterprise the session does not serve: its subscription was left behind. */
  private stray(partition: number, enterprise: string): void {
    this.strays++;
    const session = this.sessions.get(partition);
    if (session === undefined) return;
    const filters = PartitionSessions.filters(1, [enterprise]);
    if (filters.every((f) => session.subscriptions.includes(f))) return;
    this.log.warn(
      { partition, enterprise },
      'message of an enterprise this partition does not serve: unsubscribing',
    );
    this.unsubscribing = Promise.all([this.unsubscribing, session.unsubscribe(filters)]).then(
      () => undefined,
    );
  }

  /** Resolves once the broker has answered every UNSUBSCRIBE started for stray messages so far. */
  strayUnsubscribes(): Promise<void> {
    return this.unsubscribing;
  }

  /** Drops the partition's connection at once, acknowledging nothing more. */
  async stop(partition: number): Promise<void> {
    this.wanted.delete(partition);
    const session = this.sessions.get(partition);
    if (!session) return;
    this.sessions.delete(partition);
    this.served.delete(partition);
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
    this.served.clear();
    this.wanted.clear();
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

  /** Every open session connected with its subscriptions in place (true with none open). */
  get subscribed(): boolean {
    return [...this.sessions.values()].every((s) => s.subscribed);
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
