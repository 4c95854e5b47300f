/** Ages are counted in 1 ms buckets up to this bound; older values land in the last bucket. */
const MAX_BUCKET_MS = 60_000;

/**
 * Ages (ms) in 1 ms buckets: exact enough for p50/p99 of millions of samples in fixed memory.
 */
export class AgeHistogram {
  private readonly buckets = new Uint32Array(MAX_BUCKET_MS + 1);
  count = 0;
  max = 0;

  add(ageMs: number): void {
    const a = Math.max(0, ageMs);
    this.buckets[Math.min(MAX_BUCKET_MS, Math.floor(a))]! += 1;
    this.count += 1;
    if (a > this.max) this.max = a;
  }

  quantile(q: number): number {
    if (this.count === 0) return NaN;
    const rank = Math.ceil(q * this.count);
    let seen = 0;
    for (let ms = 0; ms <= MAX_BUCKET_MS; ms++) {
      seen += this.buckets[ms]!;
      if (seen >= rank) return ms;
    }
    return MAX_BUCKET_MS;
  }
}
