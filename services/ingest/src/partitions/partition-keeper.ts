import type { Logger } from 'pino';
import type { Clock, TimerHandle } from '@hazardwatch/kit';
import { HeldLeases, type PartitionEpoch } from './held-leases.js';
import { planPartitions } from './partition-plan.js';

/**
 * The lease table as the keeper uses it (LeaseRepository of @hazardwatch/store): every expiry on
 * the database's clock.
 */
export interface LeaseStore {
  heartbeat(workerId: string, held: readonly PartitionEpoch[], leaseMs: number): Promise<PartitionEpoch[]>;
  /** `nextExpiryInMs`: until the earliest expiry of another worker's membership or lease (null: none). */
  snapshot(self: string): Promise<{
    readonly workers: readonly string[];
    readonly owners: ReadonlyMap<number, string>;
    readonly nextExpiryInMs: number | null;
  }>;
  acquire(workerId: string, partitions: readonly number[], leaseMs: number): Promise<PartitionEpoch[]>;
  release(workerId: string, held: readonly PartitionEpoch[]): Promise<void>;
  leave(workerId: string): Promise<void>;
}

/** Why a worker stops acting for a partition. */
export type LossReason =
  /** Its lease was not renewed before lease − margin: stop before anyone else may start. */
  | 'expired'
  /** The database says it is no longer ours (taken over after an expiry). */
  | 'not-renewed'
  /** The shared plan gives it to another worker: handed over cleanly (released at once). */
  | 'rebalanced'
  /** The worker is stopping. */
  | 'closing';

export interface PartitionKeeperOptions {
  /** This worker's id in the lease table (unique among the live workers). */
  readonly workerId: string;
  /** Partitions 0 … count − 1. */
  readonly count: number;
  /** Lease duration asked for at each grant and renewal, ms. */
  readonly leaseMs: number;
  /** Heartbeat period (renewal, membership, rebalancing), ms; well below `leaseMs − marginMs`. */
  readonly heartbeatMs: number;
  /** The worker stops acting this long before its lease ends, ms. */
  readonly marginMs: number;
  readonly store: LeaseStore;
  readonly clock: Clock;
  readonly logger: Logger;
  /**
   * A partition was granted at `epoch`: restore its state and start acting. Called outside the
   * rounds (renewals never wait for it), at most MAX_CONCURRENT_TAKEOVERS at once. A rejection gives
   * the lease back. `onLost` may come while this is still under way (restoring took past the
   * deadline, or the partition was handed over), and also for a grant lost before its turn came.
   */
  readonly onAcquired: (grant: PartitionEpoch) => Promise<void>;
  /**
   * Stop acting for the partition now: called synchronously from the keeper's timer at the local
   * deadline, so whatever the host does before returning happens before any other worker may act.
   * The promise (e.g. closing an MQTT session) is awaited before the lease is released.
   */
  readonly onLost: (grant: PartitionEpoch, reason: LossReason) => Promise<void> | void;
}

/**
 * Keeps this worker's share of the partitions by lease (issue #23; ARCHITECTURE: partitions owned
 * through leases in PostgreSQL with a fencing epoch — no cluster protocol of our own: the lease
 * table is the only thing the workers share). Every `heartbeatMs` one round, never two at once:
 *
 * 1. heartbeat — membership kept alive, held leases renewed; one not renewed is lost;
 * 2. plan — from the live members and owners (partition-plan.ts), which every worker computes alike;
 * 3. hand over what the plan gives to another (stop acting, then release), and acquire what it
 *    gives to us and nobody holds (free, released, or expired: a dead worker's).
 *
 * Between rounds a timer watches the earliest local deadline (held-leases.ts): a worker cut from the
 * database, or paused past its deadline, stops acting when it fires — before the lease's expiry
 * that the others wait for. A write still in flight then is refused by the database's fence.
 */
export class PartitionKeeper {
  private readonly held: HeldLeases;
  private readonly log: Logger;
  private roundTimer: TimerHandle | undefined;
  private watchdog: TimerHandle | undefined;
  private running = false;
  private round: Promise<void> = Promise.resolve();
  /** Granted partitions waiting to be restored, and the restores under way (outside the rounds). */
  private readonly pending: PartitionEpoch[] = [];
  private readonly takeovers = new Set<Promise<void>>();
  /** Delay before the next round: a heartbeat, or less when a peer's lease runs out sooner. */
  private nextRoundInMs: number;
  /** Rounds whose database calls failed, in a row (logged once per outage, counted). */
  failedRounds = 0;

  constructor(private readonly options: PartitionKeeperOptions) {
    const { leaseMs, heartbeatMs, marginMs } = options;
    if (!(heartbeatMs > 0 && heartbeatMs * 2 <= leaseMs - marginMs))
      throw new RangeError(
        `heartbeat ${heartbeatMs} ms must be > 0 and at most half of lease − margin (${leaseMs - marginMs} ms)`,
      );
    this.held = new HeldLeases({ leaseMs, marginMs });
    this.nextRoundInMs = heartbeatMs;
    this.log = options.logger.child({ component: 'partition-keeper', worker: options.workerId });
  }

  /**
   * Starts the rounds (the first at once); resolves after the first round. The partitions it was
   * granted are restored after that, in the background (`whenSettled` waits for them).
   */
  async start(): Promise<void> {
    this.running = true;
    await this.runRound();
  }

  /** Resolves when every takeover begun or queued so far has finished (restored, or given back). */
  async whenSettled(): Promise<void> {
    while (this.takeovers.size > 0 || (this.pending.length > 0 && this.running))
      await Promise.all([...this.takeovers]);
  }

  /** Whether this worker may act for the partition now (held, and before its local deadline). */
  owns(partition: number): boolean {
    return this.held.valid(partition, this.options.clock.now());
  }

  /** The partitions held now with their epochs (what alarm writes are fenced with). */
  leases(): PartitionEpoch[] {
    const now = this.options.clock.now();
    return this.held.list().filter((l) => this.held.valid(l.partition, now));
  }

  /** The epoch the partition is held at now; undefined when not held (or past its deadline). */
  epochOf(partition: number): number | undefined {
    return this.owns(partition) ? this.held.epochOf(partition) : undefined;
  }

  /** Stops the rounds, stops acting for every partition and leaves (released at once for the others). */
  async close(): Promise<void> {
    this.running = false;
    this.options.clock.clearTimeout(this.roundTimer);
    this.options.clock.clearTimeout(this.watchdog);
    await this.round;
    // Takeovers not yet begun are dropped with the rest below; those under way are awaited first.
    this.pending.length = 0;
    await Promise.all([...this.takeovers]);
    const held = this.held.list();
    for (const l of held) {
      this.held.drop(l.partition);
      await this.options.onLost(l, 'closing');
    }
    await this.options.store
      .leave(this.options.workerId)
      .catch((err: unknown) =>
        this.log.warn({ err }, 'leaving the lease table failed; leases expire instead'),
      );
  }

  private runRound(): Promise<void> {
    this.round = this.oneRound()
      .then(() => {
        if (this.failedRounds > 0)
          this.log.info({ failedRounds: this.failedRounds }, 'lease table reachable again');
        this.failedRounds = 0;
      })
      .catch((err: unknown) => {
        if (this.failedRounds++ === 0)
          this.log.warn({ err }, 'lease round failed; held partitions stop at their deadline');
      })
      .finally(() => {
        this.armWatchdog();
        if (this.running)
          this.roundTimer = this.options.clock.setTimeout(() => void this.runRound(), this.nextRoundInMs);
      });
    return this.round;
  }

  private async oneRound(): Promise<void> {
    const { store, workerId, leaseMs, clock } = this.options;
    this.nextRoundInMs = this.options.heartbeatMs;
    this.expireDue();
    const asked = this.held.list();
    const sentAt = clock.now();
    const renewed = await store.heartbeat(workerId, asked, leaseMs);
    const stillOurs = new Set(renewed.map(key));
    const lateRenewed: PartitionEpoch[] = [];
    for (const lease of renewed) {
      // Dropped at its deadline while the renewal was on its way: that tenure is over here, so it is
      // given back rather than resumed (its state was let go).
      if (this.held.epochOf(lease.partition) === lease.epoch) this.held.granted(lease, sentAt);
      else lateRenewed.push(lease);
    }
    for (const lease of asked) {
      if (stillOurs.has(key(lease)) || this.held.epochOf(lease.partition) !== lease.epoch) continue;
      this.held.drop(lease.partition);
      this.log.warn({ partition: lease.partition, epoch: lease.epoch }, 'partition lease lost');
      await this.options.onLost(lease, 'not-renewed');
    }
    if (lateRenewed.length > 0) await store.release(workerId, lateRenewed);
    this.armWatchdog();
    if (!this.running) return;

    const snapshot = await store.snapshot(workerId);
    // A peer's lease or membership running out before the next heartbeat is a dead worker's (a
    // live one renews every heartbeat, leaseMs ahead): the next round is then just after it, so
    // its partitions are taken at once rather than up to a heartbeat later (bench failover: kill →
    // first alarm p99 6.2 s with a 4 s lease, goal 5 s).
    this.nextRoundInMs =
      snapshot.nextExpiryInMs === null
        ? this.options.heartbeatMs
        : Math.min(this.options.heartbeatMs, Math.max(0, snapshot.nextExpiryInMs) + EXPIRY_SLACK_MS);
    const plan = planPartitions({
      count: this.options.count,
      workers: snapshot.workers,
      owners: snapshot.owners,
    });
    const handOver = this.held.list().filter((l) => plan.get(l.partition) !== workerId);
    for (const lease of handOver) {
      this.held.drop(lease.partition);
      await this.options.onLost(lease, 'rebalanced');
    }
    if (handOver.length > 0) {
      await store.release(workerId, handOver);
      this.log.info({ partitions: handOver.map((l) => l.partition) }, 'partitions handed over');
    }
    const wanted: number[] = [];
    for (const [partition, owner] of plan)
      if (owner === workerId && !snapshot.owners.has(partition) && this.held.epochOf(partition) === undefined)
        wanted.push(partition);
    if (wanted.length === 0) return;
    const askedAt = clock.now();
    const granted = await store.acquire(workerId, wanted, leaseMs);
    for (const g of granted) this.held.granted(g, askedAt);
    this.armWatchdog();
    if (granted.length > 0)
      this.log.info({ partitions: granted.map((g) => g.partition) }, 'partitions acquired');
    // Restored outside the round: the next heartbeat must renew on time however long restoring
    // a dead worker's partitions takes (bench failover: restored one after another inside the
    // round, they held up the renewals past the deadline and the workers took everything from
    // each other in turn).
    this.pending.push(...granted);
    this.pumpTakeovers();
  }

  /** Starts queued takeovers, at most MAX_CONCURRENT_TAKEOVERS at once. */
  private pumpTakeovers(): void {
    while (this.takeovers.size < MAX_CONCURRENT_TAKEOVERS && this.pending.length > 0) {
      const g = this.pending.shift()!;
      // Lost before its turn (deadline passed, handed over): its onLost has been called; nothing to restore.
      if (this.held.epochOf(g.partition) !== g.epoch) continue;
      const task: Promise<void> = this.takeOver(g).finally(() => {
        this.takeovers.delete(task);
        if (this.running) this.pumpTakeovers();
      });
      this.takeovers.add(task);
    }
  }

  private async takeOver(g: PartitionEpoch): Promise<void> {
    const { store, workerId } = this.options;
    try {
      await this.options.onAcquired(g);
    } catch (err) {
      this.log.error({ err, partition: g.partition }, 'taking over a partition failed; lease given back');
      try {
        if (this.held.epochOf(g.partition) === g.epoch) {
          this.held.drop(g.partition);
          await this.options.onLost(g, 'closing');
        }
        await store.release(workerId, [g]);
      } catch (releaseErr) {
        this.log.warn(
          { err: releaseErr, partition: g.partition },
          'giving back a partition failed; its lease expires instead',
        );
      }
    }
  }

  /** Stops acting, at once, for every partition past its local deadline. */
  private expireDue(): void {
    for (const lease of this.held.expire(this.options.clock.now())) {
      this.log.warn(
        { partition: lease.partition, epoch: lease.epoch },
        'partition lease not renewed in time; stopped',
      );
      void Promise.resolve(this.options.onLost(lease, 'expired')).catch((err: unknown) =>
        this.log.error({ err, partition: lease.partition }, 'stopping a partition failed'),
      );
    }
  }

  private armWatchdog(): void {
    const { clock } = this.options;
    clock.clearTimeout(this.watchdog);
    this.watchdog = undefined;
    const next = this.held.nextDeadlineMs();
    if (next === undefined) return;
    this.watchdog = clock.setTimeout(
      () => {
        this.expireDue();
        this.armWatchdog();
      },
      Math.max(0, next - clock.now()),
    );
  }
}

/**
 * Partitions restored at once by one worker: a dead worker's share is taken in parallel (the kill →
 * first alarm time of its last partition), without opening dozens of sessions and replays at once.
 */
const MAX_CONCURRENT_TAKEOVERS = 4;

/** A round after a peer's expiry runs this long after it (the database's clock may be a little behind ours). */
const EXPIRY_SLACK_MS = 20;

const key = (l: PartitionEpoch): string => `${l.partition}:${l.epoch}`;
