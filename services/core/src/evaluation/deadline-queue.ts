/**
 * Indexed binary min-heap of (id, due time) in typed arrays: each id 0…capacity−1 is queued at
 * most once, so the queue never grows past the number of points and never allocates after
 * construction. Used lazily by the staleness monitor: a reading only moves the point's deadline
 * in a Float64Array; the queue entry is corrected when it comes due. A tick therefore costs
 * O(k log n) for the k entries that come due, not a scan of every point.
 */
/** Heap order: earlier due first, then lower id, so equal deadlines come out in a fixed order. */
const before = (dueA: number, idA: number, dueB: number, idB: number): boolean =>
  dueA < dueB || (dueA === dueB && idA < idB);

export class DeadlineQueue {
  readonly #ids: Int32Array;
  readonly #due: Float64Array;
  /** Heap position of each id, −1 when not queued. */
  readonly #pos: Int32Array;
  #size = 0;

  constructor(capacity: number) {
    this.#ids = new Int32Array(capacity);
    this.#due = new Float64Array(capacity);
    this.#pos = new Int32Array(capacity).fill(-1);
  }

  get size(): number {
    return this.#size;
  }

  has(id: number): boolean {
    return this.#pos[id]! >= 0;
  }

  /** Queue `id` at `due`, or move it there when already queued. */
  schedule(id: number, due: number): void {
    let at = this.#pos[id]!;
    if (at < 0) {
      at = this.#size++;
      this.#ids[at] = id;
      this.#pos[id] = at;
      this.#due[at] = due;
      this.#up(at);
      return;
    }
    const previous = this.#due[at]!;
    this.#due[at] = due;
    if (due < previous) this.#up(at);
    else this.#down(at);
  }

  remove(id: number): void {
    const at = this.#pos[id]!;
    if (at < 0) return;
    this.#removeAt(at);
  }

  /** Due time of the earliest entry, +Infinity when empty. */
  peekDue(): number {
    return this.#size === 0 ? Infinity : this.#due[0]!;
  }

  /** Remove and return the earliest id (call only when size > 0). */
  pop(): number {
    const id = this.#ids[0]!;
    this.#removeAt(0);
    return id;
  }

  clear(): void {
    for (let j = 0; j < this.#size; j++) this.#pos[this.#ids[j]!] = -1;
    this.#size = 0;
  }

  #removeAt(at: number): void {
    const id = this.#ids[at]!;
    this.#pos[id] = -1;
    const last = --this.#size;
    if (at === last) return;
    const moved = this.#ids[last]!;
    this.#ids[at] = moved;
    this.#due[at] = this.#due[last]!;
    this.#pos[moved] = at;
    this.#up(at);
    this.#down(this.#pos[moved]);
  }

  #up(at: number): void {
    const ids = this.#ids;
    const due = this.#due;
    const id = ids[at]!;
    const d = due[at]!;
    while (at > 0) {
      const parent = (at - 1) >> 1;
      if (!before(d, id, due[parent]!, ids[parent]!)) break;
      ids[at] = ids[parent]!;
      due[at] = due[parent]!;
      this.#pos[ids[at]!] = at;
      at = parent;
    }
    ids[at] = id;
    due[at] = d;
    this.#pos[id] = at;
  }

  #down(at: number): void {
    const ids = this.#ids;
    const due = this.#due;
    const size = this.#size;
    const id = ids[at]!;
    const d = due[at]!;
    for (;;) {
      let child = 2 * at + 1;
      if (child >= size) break;
      if (child + 1 < size && before(due[child + 1]!, ids[child + 1]!, due[child]!, ids[child]!)) child++;
      if (!before(due[child]!, ids[child]!, d, id)) break;
      ids[at] = ids[child]!;
      due[at] = due[child]!;
      this.#pos[ids[at]!] = at;
      at = child;
    }
    ids[at] = id;
    due[at] = d;
    this.#pos[id] = at;
  }
}
