/**
 * Who should own which partition (issue #23), computed alike by every worker from the same
 * snapshot of the lease table: the live workers and the live owner of each partition. Pure: no
 * clock, no I/O. The plan is a target, not an order: a worker releases what the plan gives to
 * another, and acquires only what the plan gives to it and nobody holds (the lease table decides
 * who actually gets a partition; two workers can never both hold one).
 *
 * Balanced: each live worker is given ⌊count / n⌋ or ⌈count / n⌉ partitions.
 * Minimal moves: a partition held by a live worker stays with it unless that worker holds more than
 * its share; partitions of dead or absent owners go to the workers below their share.
 */

export interface PlanInput {
  /** Partitions 0 … count − 1. */
  readonly count: number;
  /** Workers with a live membership (any order, duplicates ignored). */
  readonly workers: readonly string[];
  /** The live owner of each held partition; a partition absent or owned by a non-live worker is free. */
  readonly owners: ReadonlyMap<number, string>;
}

/** The target owner of every partition (all of 0 … count − 1 when there is a live worker; none otherwise). */
export function planPartitions(input: PlanInput): Map<number, string> {
  const { count } = input;
  const workers = [...new Set(input.workers)].sort();
  const plan = new Map<number, string>();
  if (workers.length === 0) return plan;
  const live = new Set(workers);
  const held = new Map<string, number>(workers.map((w) => [w, 0]));
  for (const [p, owner] of input.owners) {
    if (p >= 0 && p < count && live.has(owner)) held.set(owner, (held.get(owner) ?? 0) + 1);
  }
  const quota = quotas(count, workers, held);
  const kept = new Map<string, number>(workers.map((w) => [w, 0]));
  const free: number[] = [];
  for (let p = 0; p < count; p++) {
    const owner = input.owners.get(p);
    const k = owner === undefined ? undefined : kept.get(owner);
    if (owner !== undefined && k !== undefined && k < (quota.get(owner) ?? 0)) {
      plan.set(p, owner);
      kept.set(owner, k + 1);
    } else {
      free.push(p);
    }
  }
  let i = 0;
  for (const w of workers) {
    for (let k = kept.get(w) ?? 0; k < (quota.get(w) ?? 0); k++) plan.set(free[i++]!, w);
  }
  return plan;
}

/**
 * Each worker's share: ⌊count / n⌋, and one more for `count mod n` of them — those holding the most
 * now (then by id), so that an uneven split moves as little as possible.
 */
function quotas(
  count: number,
  workers: readonly string[],
  held: ReadonlyMap<string, number>,
): Map<string, number> {
  const base = Math.floor(count / workers.length);
  const extra = count % workers.length;
  const order = [...workers].sort((a, b) => (held.get(b) ?? 0) - (held.get(a) ?? 0) || (a < b ? -1 : 1));
  return new Map(order.map((w, i) => [w, base + (i < extra ? 1 : 0)]));
}

/** Partitions whose plan differs from their live owner: what a rebalance moves. */
export function movesOf(owners: ReadonlyMap<number, string>, plan: ReadonlyMap<number, string>): number[] {
  const moved: number[] = [];
  for (const [p, owner] of owners) if (plan.get(p) !== owner) moved.push(p);
  return moved.sort((a, b) => a - b);
}
