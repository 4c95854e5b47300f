/**
 * Latest value per point, indexed by dense point id in typed arrays: an update is three array
 * stores and no allocation. Out-of-order samples never overwrite a newer value (the core never
 * trusts arrival order).
 */
export class LatestValues {
  private ts = new Float64Array(0);
  private values = new Float64Array(0);
  private qualities = new Uint8Array(0);

  /** @returns true when the sample became the latest value of its point. */
  update(pointId: number, ts: number, value: number, quality: number): boolean {
    if (pointId >= this.ts.length) this.grow(pointId + 1);
    // ts 0 marks "no value yet"; source timestamps are always > 0.
    if (ts < this.ts[pointId]!) return false;
    this.ts[pointId] = ts;
    this.values[pointId] = value;
    this.qualities[pointId] = quality;
    return true;
  }

  get(pointId: number): { ts: number; value: number; quality: number } | undefined {
    const ts = this.ts[pointId];
    if (ts === undefined || ts === 0) return undefined;
    return { ts, value: this.values[pointId]!, quality: this.qualities[pointId]! };
  }

  private grow(minLength: number): void {
    const length = Math.max(minLength, this.ts.length * 2, 1024);
    const ts = new Float64Array(length);
    ts.set(this.ts);
    const values = new Float64Array(length);
    values.set(this.values);
    const qualities = new Uint8Array(length);
    qualities.set(this.qualities);
    this.ts = ts;
    this.values = values;
    this.qualities = qualities;
  }
}
