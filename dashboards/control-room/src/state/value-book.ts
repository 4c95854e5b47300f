/**
 * Latest value per point: the REST cold start (`/enterprises/:e/latest`) merged with conflated
 * live `values` batches. The newest source timestamp wins, so a late REST answer or a replayed
 * batch never overwrites a fresher reading (the server's conflator applies the same rule).
 */
import { qualityFromCode, type LatestValue, type LiveValue, type Quality } from '@hazardwatch/contracts';

export interface HeldValue {
  readonly pointId: number;
  readonly ts: number;
  readonly value: number;
  readonly quality: Quality;
}

/**
 * A REST latest value as held: the API answers the stored quality code (QUALITY_CODES: 0 good,
 * 1 uncertain, 2 bad) where live batches carry the name. An unknown code is held as bad.
 */
export function heldFromLatest(v: LatestValue): HeldValue {
  return { pointId: v.pointId, ts: v.ts, value: v.value, quality: qualityFromCode(v.quality) ?? 'bad' };
}

export class ValueBook {
  readonly #values = new Map<number, HeldValue>();
  /** Newest source timestamp held, ms. */
  newestTs: number | null = null;

  get(pointId: number): HeldValue | undefined {
    return this.#values.get(pointId);
  }

  get size(): number {
    return this.#values.size;
  }

  /** Returns how many points changed. */
  merge(values: Iterable<LiveValue | HeldValue>): number {
    let changed = 0;
    for (const v of values) {
      const held = this.#values.get(v.pointId);
      if (held !== undefined && held.ts >= v.ts) continue;
      this.#values.set(v.pointId, { pointId: v.pointId, ts: v.ts, value: v.value, quality: v.quality });
      if (this.newestTs === null || v.ts > this.newestTs) this.newestTs = v.ts;
      changed += 1;
    }
    return changed;
  }
}
