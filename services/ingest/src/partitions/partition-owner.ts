import type { Logger } from 'pino';
import type { Clock } from '@hazardwatch/kit';
import type { PartitionEpoch } from './held-leases.js';
import { PartitionKeeper, type LeaseStore, type LossReason } from './partition-keeper.js';
import type { PartitionOwnership } from './partition-alarm-repository.js';
import type { PartitionRouter } from './partition-router.js';
import type { PartitionSessions } from './partition-sessions.js';
import type { PartitionUnit } from './partition-unit.js';

export interface PartitionOwnerOptions {
  readonly workerId: string;
  readonly count: number;
  readonly leaseMs: number;
  readonly heartbeatMs: number;
  readonly marginMs: number;
  readonly leases: LeaseStore;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Where the pipeline's readings and gateway messages go; units are attached and detached here. */
  readonly router: PartitionRouter;
  /** Builds the sessions, given whether this worker may act for a partition now. */
  readonly sessions: (owns: (partition: number) => boolean) => PartitionSessions;
  /** Builds a partition's unit (not yet restored) over the worker's ownership. */
  readonly unit: (partition: number, ownership: PartitionOwnership) => PartitionUnit;
}

/**
 * A leased worker's partitions, taken and given up in order (issue #23). A grant: the partition's
 * unit is built and restored from the database, routed to, and only then is its MQTT session
 * opened, so no message is taken before the state it is judged against is loaded. A loss: routing
 * stops at once (before anything else runs), then the session is dropped without acknowledging
 * more, then the unit is forgotten — never cleared.
 */
export class PartitionOwner {
  readonly keeper: PartitionKeeper;
  readonly sessions: PartitionSessions;
  private readonly units = new Map<number, PartitionUnit>();
  private readonly log: Logger;

  constructor(private readonly options: PartitionOwnerOptions) {
    this.log = options.logger.child({ component: 'partition-owner', worker: options.workerId });
    this.keeper = new PartitionKeeper({
      workerId: options.workerId,
      count: options.count,
      leaseMs: options.leaseMs,
      heartbeatMs: options.heartbeatMs,
      marginMs: options.marginMs,
      store: options.leases,
      clock: options.clock,
      logger: options.logger,
      onAcquired: (g) => this.take(g),
      onLost: (g, reason) => this.give(g, reason),
    });
    this.sessions = options.sessions((p) => this.keeper.owns(p));
  }

  /** The unit of a partition held now (e.g. for a forwarded action). */
  unitOf(partition: number): PartitionUnit | undefined {
    return this.units.get(partition);
  }

  /** Resolves once the first round's partitions are restored and acting (or given back). */
  async start(): Promise<void> {
    await this.keeper.start();
    await this.keeper.whenSettled();
  }

  /** Gives every partition back (released at once for the others) and leaves. */
  close(): Promise<void> {
    return this.keeper.close();
  }

  private async take(grant: PartitionEpoch): Promise<void> {
    const { partition } = grant;
    const unit = this.options.unit(partition, {
      count: this.options.count,
      epochOf: (p) => this.keeper.epochOf(p),
    });
    const { clock } = this.options;
    const startedAt = clock.now();
    const restored = await unit.restore();
    // Lost while restoring (past its deadline): nothing to start.
    if (this.keeper.epochOf(partition) !== grant.epoch) return;
    this.units.set(partition, unit);
    this.options.router.attach(unit);
    const sessionAt = clock.now();
    await this.sessions.open(partition);
    const doneAt = clock.now();
    // The steps of a takeover, timed (docs/operations.md §5.1: kill → first alarm).
    this.log.info(
      {
        partition,
        epoch: grant.epoch,
        ...restored,
        sessionMs: doneAt - sessionAt,
        takeMs: doneAt - startedAt,
      },
      'partition taken',
    );
  }

  private give(grant: PartitionEpoch, reason: LossReason): Promise<void> {
    const { partition } = grant;
    this.options.router.detach(partition);
    this.units.delete(partition);
    this.log.info({ partition, epoch: grant.epoch, reason }, 'partition given up');
    return this.sessions.stop(partition);
  }
}
