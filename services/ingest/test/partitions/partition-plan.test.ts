import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  enterprisesByPartition,
  fnv1a32,
  HeldLeases,
  movesOf,
  PARTITION_COUNT,
  partitionOf,
  planPartitions,
} from '@hazardwatch/ingest';

// Issue #23 step 1: partitions by hash, the shared plan of who owns which, and a worker's own
// view of its leases on its clock.

describe('partitionOf', () => {
  it('is FNV-1a 32 (published test vectors), so it never changes between releases', () => {
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
    // An enterprise code (统一社会信用代码) and its partition, pinned: a change moves enterprises.
    expect(partitionOf('91320623MA1W000001')).toBe(fnv1a32('91320623MA1W000001') % 64);
    expect(partitionOf('91320623MA1W000001')).toBe(6);
  });

  it('maps every code into 0 … count − 1 and spreads codes over the partitions', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.integer({ min: 1, max: 256 }), (code, count) => {
        const p = partitionOf(code, count);
        return Number.isInteger(p) && p >= 0 && p < count;
      }),
    );
    const codes = Array.from({ length: 6400 }, (_, i) => `9132062${String(i).padStart(4, '0')}MA1W0001`);
    const sizes = [...enterprisesByPartition(codes).values()].map((l) => l.length);
    expect(sizes).toHaveLength(PARTITION_COUNT);
    // 100 expected per partition; a fair hash keeps every one well within 50 … 150.
    expect(Math.min(...sizes)).toBeGreaterThan(50);
    expect(Math.max(...sizes)).toBeLessThan(150);
  });

  it('refuses a partition count below 1', () => {
    expect(() => partitionOf('E1', 0)).toThrow(RangeError);
  });
});

const workerIds: fc.Arbitrary<string[]> = fc.uniqueArray(
  fc.constantFrom('w-a', 'w-b', 'w-c', 'w-d', 'w-e', 'w-f', 'w-g'),
  {
    minLength: 1,
    maxLength: 7,
  },
);

/** Any ownership: each partition held by one of `pool` (live or not) or by nobody. */
const ownersArb = (count: number) =>
  fc
    .array(
      fc.option(fc.constantFrom('w-a', 'w-b', 'w-c', 'w-d', 'w-e', 'w-f', 'w-g', 'dead-1'), {
        nil: undefined,
      }),
      {
        minLength: count,
        maxLength: count,
      },
    )
    .map((list) => new Map(list.flatMap((o, p) => (o === undefined ? [] : [[p, o] as [number, string]]))));

function sharesOf(plan: ReadonlyMap<number, string>): Map<string, number> {
  const n = new Map<string, number>();
  for (const w of plan.values()) n.set(w, (n.get(w) ?? 0) + 1);
  return n;
}

describe('planPartitions', () => {
  it('gives every partition to one live worker, each worker ⌊64/n⌋ or ⌈64/n⌉, whatever the ownership', () => {
    fc.assert(
      fc.property(workerIds, ownersArb(64), (workers, owners) => {
        const plan = planPartitions({ count: 64, workers, owners });
        expect(plan.size).toBe(64);
        for (const w of plan.values()) expect(workers).toContain(w);
        const floor = Math.floor(64 / workers.length);
        for (const w of workers) {
          const n = sharesOf(plan).get(w) ?? 0;
          expect(n === floor || n === floor + 1).toBe(true);
        }
      }),
    );
  });

  it('moves no more partitions held by live workers than balance needs', () => {
    fc.assert(
      fc.property(workerIds, ownersArb(64), (workers, owners) => {
        const plan = planPartitions({ count: 64, workers, owners });
        const live = new Map([...owners].filter(([, o]) => workers.includes(o)));
        const held = sharesOf(live);
        const shares = sharesOf(plan);
        // A live worker loses only what it holds beyond its share.
        const needed = workers.reduce(
          (sum, w) => sum + Math.max(0, (held.get(w) ?? 0) - (shares.get(w) ?? 0)),
          0,
        );
        expect(movesOf(live, plan)).toHaveLength(needed);
      }),
    );
  });

  it('is the same plan whatever order the workers are listed in (every worker computes it alike)', () => {
    fc.assert(
      fc.property(
        workerIds.chain((w) => fc.tuple(fc.constant(w), fc.shuffledSubarray(w, { minLength: w.length }))),
        ownersArb(64),
        ([workers, shuffled], owners) => {
          expect(planPartitions({ count: 64, workers: shuffled, owners })).toEqual(
            planPartitions({ count: 64, workers, owners }),
          );
        },
      ),
    );
  });

  it('three workers share 64 as 22/21/21; a fourth joining takes 16, moving only 16', () => {
    const three = planPartitions({ count: 64, workers: ['a', 'b', 'c'], owners: new Map() });
    expect([...sharesOf(three).values()].sort()).toEqual([21, 21, 22]);
    const four = planPartitions({ count: 64, workers: ['a', 'b', 'c', 'd'], owners: three });
    expect(sharesOf(four).get('d')).toBe(16);
    expect(movesOf(three, four)).toHaveLength(16);
  });

  it('a worker leaving: only its partitions move, spread over the others', () => {
    const three = planPartitions({ count: 64, workers: ['a', 'b', 'c'], owners: new Map() });
    const two = planPartitions({ count: 64, workers: ['a', 'c'], owners: three });
    const moved = movesOf(three, two);
    expect(moved).toEqual([...three].filter(([, w]) => w === 'b').map(([p]) => p));
    expect([...sharesOf(two).values()]).toEqual([32, 32]);
  });

  it('no live worker: no plan', () => {
    expect(planPartitions({ count: 64, workers: [], owners: new Map([[1, 'a']]) }).size).toBe(0);
  });
});

describe('HeldLeases', () => {
  const timing = { leaseMs: 4000, marginMs: 500 };

  it('is valid from the request sent until lease − margin after it, never later', () => {
    const held = new HeldLeases(timing);
    held.granted({ partition: 3, epoch: 7 }, 1000);
    expect(held.valid(3, 4499)).toBe(true);
    expect(held.valid(3, 4500)).toBe(false);
    expect(held.valid(3, 4000, 6)).toBe(false);
    held.granted({ partition: 3, epoch: 7 }, 2000);
    expect(held.nextDeadlineMs()).toBe(5500);
    // A renewal answered late (sent earlier) never shortens what a later one gave.
    held.granted({ partition: 3, epoch: 7 }, 1500);
    expect(held.nextDeadlineMs()).toBe(5500);
  });

  it('expire() hands back exactly the leases past their deadline, earliest deadline next', () => {
    const held = new HeldLeases(timing);
    held.granted({ partition: 1, epoch: 1 }, 0);
    held.granted({ partition: 2, epoch: 4 }, 1000);
    expect(held.expire(3499)).toEqual([]);
    expect(held.expire(3500)).toEqual([{ partition: 1, epoch: 1 }]);
    expect(held.list()).toEqual([{ partition: 2, epoch: 4 }]);
    expect(held.nextDeadlineMs()).toBe(4500);
  });

  it('a new epoch replaces the old (a re-acquired partition is a new tenure)', () => {
    const held = new HeldLeases(timing);
    held.granted({ partition: 5, epoch: 1 }, 0);
    held.granted({ partition: 5, epoch: 2 }, 100);
    expect(held.epochOf(5)).toBe(2);
    expect(held.valid(5, 200, 1)).toBe(false);
  });

  it('refuses a margin that is not below the lease', () => {
    expect(() => new HeldLeases({ leaseMs: 1000, marginMs: 1000 })).toThrow(RangeError);
  });
});
