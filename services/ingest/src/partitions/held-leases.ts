/**
 * A worker's own view of the partition leases it holds (issue #23), on its own clock. The lease
 * table's expiry is on the database's clock; a worker cannot read that clock, so it counts from
 * the moment it *sent* the request that granted or renewed a lease: the database stamped the
 * expiry later than that, so `sentAt + leaseMs` is never after the expiry others wait for. The
 * worker stops acting `marginMs` earlier still (timer lateness, clock rate drift), so it has
 * stopped before anyone else may start. A write it still has in flight is refused by the
 * database's fence once another worker holds the partition (lease-repository.ts).
 */

export interface LeaseTiming {
  /** How long a granted or renewed lease lasts, ms. */
  readonly leaseMs: number;
  /** How long before the lease's end the worker stops acting, ms. */
  readonly marginMs: number;
}

/** A partition held at an epoch (the fencing token the database checks every alarm write against). */
export interface PartitionEpoch {
  readonly partition: number;
  readonly epoch: number;
}

interface Held {
  readonly epoch: number;
  /** On the worker's clock: from this moment the worker no longer acts for the partition. */
  validUntilMs: number;
}

export class HeldLeases {
  private readonly held = new Map<number, Held>();

  constructor(private readonly timing: LeaseTiming) {
    if (!(timing.marginMs >= 0 && timing.marginMs < timing.leaseMs))
      throw new RangeError(
        `lease margin ${timing.marginMs} ms must be ≥ 0 and below the lease ${timing.leaseMs} ms`,
      );
  }

  /** Granted or renewed by a request sent at `sentAtMs` (worker clock). */
  granted(lease: PartitionEpoch, sentAtMs: number): void {
    const validUntilMs = sentAtMs + this.timing.leaseMs - this.timing.marginMs;
    const current = this.held.get(lease.partition);
    if (current && current.epoch === lease.epoch)
      current.validUntilMs = Math.max(current.validUntilMs, validUntilMs);
    else this.held.set(lease.partition, { epoch: lease.epoch, validUntilMs });
  }

  /** Whether the partition is held, at this epoch if given, and still valid at `nowMs`. */
  valid(partition: number, nowMs: number, epoch?: number): boolean {
    const h = this.held.get(partition);
    return h !== undefined && h.validUntilMs > nowMs && (epoch === undefined || h.epoch === epoch);
  }

  epochOf(partition: number): number | undefined {
    return this.held.get(partition)?.epoch;
  }

  /** Forgets a partition (released, or found lost); returns whether it was held. */
  drop(partition: number): boolean {
    return this.held.delete(partition);
  }

  /** Removes and returns the partitions whose validity ended at or before `nowMs`, in order. */
  expire(nowMs: number): PartitionEpoch[] {
    const gone: PartitionEpoch[] = [];
    for (const [partition, h] of this.held)
      if (h.validUntilMs <= nowMs) gone.push({ partition, epoch: h.epoch });
    for (const g of gone) this.held.delete(g.partition);
    return gone.sort((a, b) => a.partition - b.partition);
  }

  /** The earliest moment a held lease stops being valid; undefined when none is held. */
  nextDeadlineMs(): number | undefined {
    let next: number | undefined;
    for (const h of this.held.values())
      if (next === undefined || h.validUntilMs < next) next = h.validUntilMs;
    return next;
  }

  /** Every held partition with its epoch, in partition order. */
  list(): PartitionEpoch[] {
    return [...this.held]
      .map(([partition, h]) => ({ partition, epoch: h.epoch }))
      .sort((a, b) => a.partition - b.partition);
  }

  get size(): number {
    return this.held.size;
  }
}
