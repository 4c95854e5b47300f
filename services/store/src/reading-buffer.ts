/**
 * Columnar, growable buffer of readings: one typed array per column, so that a batch of tens of
 * thousands of readings costs four allocations instead of one object per reading.
 */
export class ReadingBuffer {
  pointIds: Int32Array;
  ts: Float64Array;
  values: Float64Array;
  qualities: Uint8Array;
  length = 0;

  constructor(initialCapacity = 1024) {
    const capacity = Math.max(16, initialCapacity);
    this.pointIds = new Int32Array(capacity);
    this.ts = new Float64Array(capacity);
    this.values = new Float64Array(capacity);
    this.qualities = new Uint8Array(capacity);
  }

  /** @param ts source timestamp, ms since the Unix epoch (UTC). */
  push(pointId: number, ts: number, value: number, quality: number): void {
    if (this.length === this.pointIds.length) this.grow();
    const i = this.length++;
    this.pointIds[i] = pointId;
    this.ts[i] = ts;
    this.values[i] = value;
    this.qualities[i] = quality;
  }

  /** Copies rows [start, end) into a new buffer. */
  slice(start: number, end: number): ReadingBuffer {
    const out = new ReadingBuffer(end - start);
    out.pointIds.set(this.pointIds.subarray(start, end));
    out.ts.set(this.ts.subarray(start, end));
    out.values.set(this.values.subarray(start, end));
    out.qualities.set(this.qualities.subarray(start, end));
    out.length = end - start;
    return out;
  }

  private grow(): void {
    const capacity = this.pointIds.length * 2;
    const pointIds = new Int32Array(capacity);
    pointIds.set(this.pointIds);
    const ts = new Float64Array(capacity);
    ts.set(this.ts);
    const values = new Float64Array(capacity);
    values.set(this.values);
    const qualities = new Uint8Array(capacity);
    qualities.set(this.qualities);
    this.pointIds = pointIds;
    this.ts = ts;
    this.values = values;
    this.qualities = qualities;
  }
}
