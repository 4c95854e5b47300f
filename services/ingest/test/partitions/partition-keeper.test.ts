import { describe, expect, it } from 'vitest';
import { ManualClock } from '@hazardwatch/kit';
import { PartitionKeeper, type LossReason, type PartitionEpoch } from '@hazardwatch/ingest';
import { logger } from '../support.js';
import { MemoryLeaseStore } from './memory-lease-store.js';

// Issue #23: the keeper's rounds and local deadline on a manual clock, over the lease table's rules
// in memory (the same rules on PostgreSQL: partition-keeper.int.test.ts).

const COUNT = 64;
const TIMING = { leaseMs: 4000, heartbeatMs: 1000, marginMs: 500 };
const T0 = Date.UTC(2026, 11, 6, 9, 0, 0);

interface Worker {
  readonly id: string;
  readonly keeper: PartitionKeeper;
  readonly acquired: Array<PartitionEpoch & { atMs: number }>;
  readonly lost: Array<PartitionEpoch & { atMs: number; reason: LossReason }>;
  /** Partitions it acts for, by its own callbacks. */
  readonly acting: Set<number>;
}

function harness(options: { restoreMs?: number } = {}) {
  const clock = new ManualClock(T0);
  const store = new MemoryLeaseStore(clock, COUNT);
  const workers: Worker[] = [];
  const worker = (id: string): Worker => {
    const acquired: Worker['acquired'] = [];
    const lost: Worker['lost'] = [];
    const acting = new Set<number>();
    const keeper = new PartitionKeeper({
      workerId: id,
      count: COUNT,
      ...TIMING,
      store: store.for(id),
      clock,
      logger,
      onAcquired: (g) => {
        acquired.push({ ...g, atMs: clock.now() });
        acting.add(g.partition);
        // Restoring a partition (its open alarms, 预警 and recent readings) takes this long.
        const restoreMs = options.restoreMs ?? 0;
        return restoreMs === 0
          ? Promise.resolve()
          : new Promise<void>((resolve) => clock.setTimeout(resolve, restoreMs));
      },
      onLost: (g, reason) => {
        lost.push({ ...g, atMs: clock.now(), reason });
        acting.delete(g.partition);
      },
    });
    const w = { id, keeper, acquired, lost, acting };
    workers.push(w);
    return w;
  };
  /** Moves time on in 50 ms steps, letting every round's promises settle between steps. */
  const run = async (ms: number): Promise<void> => {
    for (let t = 0; t < ms; t += 50) {
      clock.advance(50);
      for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    }
  };
  /** No partition acted for by two workers at once, ever (checked after every step by the caller). */
  const overlap = (): number[] => {
    const seen = new Map<number, number>();
    for (const w of workers) for (const p of w.acting) seen.set(p, (seen.get(p) ?? 0) + 1);
    return [...seen].filter(([, n]) => n > 1).map(([p]) => p);
  };
  return { clock, store, worker, run, overlap };
}

describe('PartitionKeeper', () => {
  it('three workers started with nothing but the lease table share the 64 partitions, 22/21/21', async () => {
    const h = harness();
    const ws = ['w-a', 'w-b', 'w-c'].map((id) => h.worker(id));
    await Promise.all(ws.map((w) => w.keeper.start()));
    await h.run(5000);
    expect(ws.map((w) => w.acting.size).sort()).toEqual([21, 21, 22]);
    expect(h.overlap()).toEqual([]);
    for (const w of ws)
      expect(
        w.keeper
          .leases()
          .map((l) => l.partition)
          .sort((a, b) => a - b),
      ).toEqual([...w.acting].sort((a, b) => a - b));
    await Promise.all(ws.map((w) => w.keeper.close()));
  });

  it('a worker cut off stops acting before its lease ends; the others take its partitions after that, at a new epoch', async () => {
    const h = harness();
    const ws = ['w-a', 'w-b', 'w-c'].map((id) => h.worker(id));
    await Promise.all(ws.map((w) => w.keeper.start()));
    await h.run(5000);
    const [a, b, c] = ws as [Worker, Worker, Worker];
    const orphaned = [...b.acting];
    h.store.cutOff(b.id);
    for (let t = 0; t < 8000; t += 50) {
      await h.run(50);
      expect(h.overlap()).toEqual([]);
    }
    expect(b.acting.size).toBe(0);
    expect(a.acting.size + c.acting.size).toBe(COUNT);
    expect(a.acting.size === 32 && c.acting.size === 32).toBe(true);
    for (const p of orphaned) {
      const stopped = b.lost.find((l) => l.partition === p)!;
      expect(stopped.reason).toBe('expired');
      const takeover = h.store.grants.filter((g) => g.partition === p).at(-1)!;
      expect(takeover.worker).not.toBe(b.id);
      // Stopped at least the margin before anyone else could take it.
      expect(stopped.atMs).toBeLessThanOrEqual(takeover.atMs - TIMING.marginMs);
      expect(takeover.epoch).toBe(stopped.epoch + 1);
      // Taken within lease + two heartbeats of the cut (kill → new owner).
      expect(takeover.atMs - (T0 + 5000)).toBeLessThanOrEqual(TIMING.leaseMs + 2 * TIMING.heartbeatMs);
    }
  });

  it("a dead worker's partitions are taken just after its lease runs out, not up to a heartbeat later", async () => {
    const h = harness();
    const [a, c] = [h.worker('w-a'), h.worker('w-c')];
    await Promise.all([a.keeper.start(), c.keeper.start()]);
    // Started out of step with the others' rounds: its lease runs out between two of their heartbeats.
    await h.run(350);
    const b = h.worker('w-b');
    await b.keeper.start();
    await h.run(5000);
    expect(b.acting.size).toBeGreaterThan(0);
    const orphaned = [...b.acting];
    h.store.cutOff(b.id);
    const expiresAt = new Map(orphaned.map((p) => [p, h.store.rows[p]!.expiresAt]));
    await h.run(8000);
    expect(b.acting.size).toBe(0);
    for (const p of orphaned) {
      const takeover = h.store.grants.filter((g) => g.partition === p).at(-1)!;
      expect(takeover.worker).not.toBe(b.id);
      // Within two 50 ms steps of the expiry (before: up to a heartbeat, 1000 ms, after it).
      expect(takeover.atMs - expiresAt.get(p)!).toBeLessThanOrEqual(100);
      expect(takeover.atMs).toBeGreaterThanOrEqual(expiresAt.get(p)!);
    }
  });

  it('a new worker takes its share; only that share moves, each partition handed over before it is taken', async () => {
    const h = harness();
    const ws = ['w-a', 'w-b', 'w-c'].map((id) => h.worker(id));
    await Promise.all(ws.map((w) => w.keeper.start()));
    await h.run(5000);
    const before = new Map(ws.flatMap((w) => [...w.acting].map((p) => [p, w.id] as const)));
    const d = h.worker('w-d');
    await d.keeper.start();
    for (let t = 0; t < 5000; t += 50) {
      await h.run(50);
      expect(h.overlap()).toEqual([]);
    }
    expect(d.acting.size).toBe(16);
    for (const w of ws) expect(w.acting.size).toBe(16);
    const moved = [...before].filter(([p, owner]) => !ws.find((w) => w.id === owner)!.acting.has(p));
    expect(moved).toHaveLength(16);
    for (const w of ws)
      for (const l of w.lost) {
        expect(l.reason).toBe('rebalanced');
        const taken = d.acquired.find((x) => x.partition === l.partition)!;
        expect(taken.atMs).toBeGreaterThanOrEqual(l.atMs);
      }
  });

  it('a clean stop hands everything over within a heartbeat or two, not after the lease', async () => {
    const h = harness();
    const ws = ['w-a', 'w-b'].map((id) => h.worker(id));
    await Promise.all(ws.map((w) => w.keeper.start()));
    await h.run(4000);
    const [a, b] = ws as [Worker, Worker];
    await b.keeper.close();
    expect(b.acting.size).toBe(0);
    expect(b.lost.every((l) => l.reason === 'closing')).toBe(true);
    await h.run(2 * TIMING.heartbeatMs + 100);
    expect(a.acting.size).toBe(COUNT);
    await a.keeper.close();
  });

  it("slow takeovers do not hold up the renewals: a dead worker's partitions are taken without the takers losing theirs", async () => {
    // bench failover: with restores taking longer than lease − margin in all, the round that
    // acquired a dead worker's 21 partitions restored them one after another before the next
    // heartbeat, so the takers' own leases ran out; another worker took everything, and so on.
    const h = harness({ restoreMs: 400 });
    const ws = ['w-a', 'w-b', 'w-c'].map((id) => h.worker(id));
    // Not awaited: the clock moves only in h.run.
    for (const w of ws) void w.keeper.start();
    await h.run(15_000);
    expect(ws.map((w) => w.acting.size).sort()).toEqual([21, 21, 22]);
    const [a, b, c] = ws as [Worker, Worker, Worker];
    h.store.cutOff(b.id);
    for (let t = 0; t < 20_000; t += 50) {
      await h.run(50);
      expect(h.overlap()).toEqual([]);
    }
    expect(a.acting.size + c.acting.size).toBe(COUNT);
    expect([a.acting.size, c.acting.size]).toEqual([32, 32]);
    // Only the dead worker's leases ended; the takers renewed theirs throughout.
    for (const w of [a, c]) expect(w.lost.filter((l) => l.reason !== 'rebalanced')).toEqual([]);
    await Promise.all([a, c].map((w) => w.keeper.close()));
  });

  it('a restore still under way when the worker closes is awaited, and the partition given back', async () => {
    const h = harness({ restoreMs: 3000 });
    const a = h.worker('w-a');
    await a.keeper.start();
    await h.run(100);
    // All 64 granted in the first round; restored four at a time, outside the rounds.
    expect(h.store.grants.length).toBe(COUNT);
    expect(a.acquired).toHaveLength(4);
    let closedAt: number | undefined;
    const closed = a.keeper.close().then(() => (closedAt = h.clock.now()));
    await h.run(1000);
    expect(closedAt).toBeUndefined();
    await h.run(2500);
    await closed;
    // Closed after the four restores under way finished, not before; the other 60 never begun.
    expect(closedAt).toBeGreaterThanOrEqual(a.acquired[0]!.atMs + 3000);
    expect(a.acquired).toHaveLength(4);
    expect(a.acting.size).toBe(0);
    expect(a.lost.map((l) => l.reason)).toEqual(Array<LossReason>(COUNT).fill('closing'));
  });

  it('refuses a heartbeat that leaves no room for a missed round before the deadline', () => {
    const h = harness();
    expect(
      () =>
        new PartitionKeeper({
          workerId: 'x',
          count: COUNT,
          leaseMs: 4000,
          heartbeatMs: 2000,
          marginMs: 500,
          store: h.store.for('x'),
          clock: h.clock,
          logger,
          onAcquired: () => Promise.resolve(),
          onLost: () => undefined,
        }),
    ).toThrow(RangeError);
  });
});
