import type { Clock } from '@hazardwatch/kit';
import type { LeaseStore, PartitionEpoch } from '@hazardwatch/ingest';

interface Row {
  owner: string | null;
  epoch: number;
  expiresAt: number;
}

/**
 * The lease table's rules (LeaseRepository, migration 20) in memory, on a test clock standing for
 * the database's: what the keeper's unit tests run on. The real table is exercised by
 * partition-keeper.int.test.ts. A worker can be cut off: its calls then never answer.
 */
export class MemoryLeaseStore {
  readonly rows: Row[];
  private readonly members = new Map<string, number>();
  private readonly cut = new Set<string>();
  /** Every grant, in order: who took which partition at which epoch, when (database clock). */
  readonly grants: Array<{ worker: string; partition: number; epoch: number; atMs: number }> = [];

  constructor(
    private readonly clock: Clock,
    count: number,
  ) {
    this.rows = Array.from({ length: count }, () => ({ owner: null, epoch: 0, expiresAt: -Infinity }));
  }

  /** Calls by `worker` never answer from now on (network cut, process paused). */
  cutOff(worker: string): void {
    this.cut.add(worker);
  }

  ownerOf(partition: number): string | null {
    const r = this.rows[partition]!;
    return r.owner !== null && r.expiresAt > this.clock.now() ? r.owner : null;
  }

  for(worker: string): LeaseStore {
    const gate = <T>(fn: () => T): Promise<T> =>
      this.cut.has(worker) ? new Promise<T>(() => undefined) : Promise.resolve().then(fn);
    return {
      heartbeat: (id, held, leaseMs) =>
        gate(() => {
          const now = this.clock.now();
          this.members.set(id, now + leaseMs);
          const renewed: PartitionEpoch[] = [];
          for (const h of held) {
            const r = this.rows[h.partition]!;
            if (r.owner === id && r.epoch === h.epoch && r.expiresAt > now) {
              r.expiresAt = now + leaseMs;
              renewed.push(h);
            }
          }
          return renewed;
        }),
      snapshot: (self) =>
        gate(() => {
          const now = this.clock.now();
          const workers = [...this.members].filter(([, until]) => until > now).map(([w]) => w);
          const owners = new Map<number, string>();
          const expiries: number[] = [];
          for (const [w, until] of this.members) if (until > now && w !== self) expiries.push(until);
          this.rows.forEach((r, p) => {
            if (r.owner !== null && r.expiresAt > now) {
              owners.set(p, r.owner);
              if (r.owner !== self) expiries.push(r.expiresAt);
            }
          });
          return {
            workers,
            owners,
            nextExpiryInMs: expiries.length === 0 ? null : Math.min(...expiries) - now,
          };
        }),
      acquire: (id, partitions, leaseMs) =>
        gate(() => {
          const now = this.clock.now();
          const out: PartitionEpoch[] = [];
          for (const p of partitions) {
            const r = this.rows[p]!;
            if (r.owner !== null && r.expiresAt > now) continue;
            r.owner = id;
            r.epoch += 1;
            r.expiresAt = now + leaseMs;
            out.push({ partition: p, epoch: r.epoch });
            this.grants.push({ worker: id, partition: p, epoch: r.epoch, atMs: now });
          }
          return out;
        }),
      release: (id, held) =>
        gate(() => {
          for (const h of held) {
            const r = this.rows[h.partition]!;
            if (r.owner === id && r.epoch === h.epoch) {
              r.owner = null;
              r.expiresAt = -Infinity;
            }
          }
        }),
      leave: (id) =>
        gate(() => {
          for (const r of this.rows)
            if (r.owner === id) {
              r.owner = null;
              r.expiresAt = -Infinity;
            }
          this.members.delete(id);
        }),
    };
  }
}
