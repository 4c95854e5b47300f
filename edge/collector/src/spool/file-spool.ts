import { fsyncSync, ftruncateSync, mkdirSync, openSync, readSync } from 'node:fs';
import { pino, type Logger } from 'pino';
import type { Reading } from '@hazardwatch/contracts';
import { EdgeError } from '../errors.js';
import { GroupCommit } from './group-commit.js';
import { decodeRecord, encodeRecord } from './segment-codec.js';
import {
  appendAcks,
  closeSegment,
  deleteSegment,
  listSegments,
  recoverSegment,
  segmentFor,
  syncDir,
  writeFully,
  type Segment,
} from './segment-store.js';
import type { AppendOptions, Spool, SpoolDepth, SpoolDrop, SpoolEntry } from './spool.js';

/**
 * Durability policy.
 * - `always` (default): `append` resolves only after its record is written and fsynced; appends
 *   that arrive while an fsync runs share the next one (group commit). Survives kill -9 and power
 *   loss. Removals are written to the ack log without fsync (fsynced on close): a power loss may
 *   replay an entry the broker already acknowledged — at-least-once; the core deduplicates by
 *   point and timestamp — but can never lose one.
 * - `none`: records are written (they survive a process crash through the page cache) but never
 *   fsynced; NOT power-loss safe. For benchmarks and tests only.
 */
export type FsyncPolicy = 'always' | 'none';

export interface FileSpoolOptions {
  readonly dir: string;
  /**
   * Bound on the spool's files on disk (segments and their ack logs); the oldest entries are
   * dropped (and reported) to stay within it. @default 256 MiB
   */
  readonly maxBytes?: number;
  /** Entries whose newest reading is older than now − maxAgeMs are dropped. @default 7 days */
  readonly maxAgeMs?: number;
  /**
   * A segment file rolls over once it would exceed this; at most maxBytes / 4, so the segment
   * being written is a small part of the bound. @default 8 MiB, or maxBytes / 4 if smaller
   */
  readonly segmentBytes?: number;
  /** @default 'always' */
  readonly fsync?: FsyncPolicy;
  /** Period of the full age sweep (append and take check the head anyway); 0 disables. @default 60 s */
  readonly ageCheckIntervalMs?: number;
  /** Wall clock, ms. @default Date.now */
  readonly now?: () => number;
  /** @default pino silent */
  readonly logger?: Logger;
}

const DEFAULT_SEGMENT_BYTES = 8 * 1024 * 1024;

interface IndexEntry {
  readonly id: number;
  readonly segment: Segment;
  readonly offset: number;
  readonly length: number;
  readonly count: number;
  readonly minTs: number;
  readonly maxTs: number;
  leased: boolean;
}

/** Opens (and recovers) a spool directory. */
export function openFileSpool(options: FileSpoolOptions): Promise<FileSpool> {
  return new Promise((resolve) => resolve(new FileSpool(options)));
}

/**
 * The durable spool: append-only segment files with a write-ahead discipline (a batch is on disk
 * before it is published). Memory holds only a small index per entry; `take` reads payloads
 * back from disk. One process per directory.
 */
export class FileSpool implements Spool {
  private readonly dir: string;
  private readonly maxBytes: number;
  private readonly maxAgeMs: number;
  private readonly segmentBytes: number;
  private readonly durable: boolean;
  private readonly now: () => number;
  private readonly log: Logger;
  /** Map iteration order is insertion order, which is id order: the FIFO. */
  private readonly index = new Map<number, IndexEntry>();
  private readonly segments = new Map<number, Segment>();
  private writeSegment: Segment;
  private nextId: number;
  private bytes = 0;
  private readings = 0;
  private oldestTs: number | undefined;
  private oldestDirty = false;
  private closed = false;
  private readonly listeners: Array<(drop: SpoolDrop) => void> = [];
  private readonly undelivered: SpoolDrop[] = [];
  private readonly commit: GroupCommit;
  private readonly timer: NodeJS.Timeout | undefined;

  constructor(options: FileSpoolOptions) {
    this.dir = options.dir;
    this.maxBytes = options.maxBytes ?? 256 * 1024 * 1024;
    this.maxAgeMs = options.maxAgeMs ?? 7 * 24 * 3600_000;
    this.segmentBytes = Math.max(
      1,
      Math.min(options.segmentBytes ?? DEFAULT_SEGMENT_BYTES, Math.floor(this.maxBytes / 4)),
    );
    this.durable = (options.fsync ?? 'always') === 'always';
    this.now = options.now ?? Date.now;
    this.commit = new GroupCommit(() => this.writeSegment.fd!, this.dir);
    this.log = (options.logger ?? pino({ level: 'silent' })).child({ component: 'spool', dir: this.dir });
    try {
      mkdirSync(this.dir, { recursive: true });
      this.nextId = 1;
      const found = listSegments(this.dir);
      found.forEach((firstId, i) => this.recover(firstId, i === found.length - 1));
      const last = [...this.segments.values()].at(-1);
      this.writeSegment = last && last.size < this.segmentBytes ? last : this.createSegment();
      this.writeSegment.fd ??= openSync(this.writeSegment.logPath, 'a+');
    } catch (err) {
      for (const segment of this.segments.values()) closeSegment(segment);
      if (err instanceof EdgeError) throw err;
      throw new EdgeError('HW_EDGE_SPOOL_OPEN', { dir: this.dir, reason: String(err) }, { cause: err });
    }
    const sweepMs = options.ageCheckIntervalMs ?? 60_000;
    if (sweepMs > 0) {
      this.timer = setInterval(() => this.expire(), sweepMs);
      this.timer.unref();
    }
    this.log.info({ entries: this.index.size, readings: this.readings, nextId: this.nextId }, 'spool opened');
  }

  async append(readings: readonly Reading[], options: AppendOptions = {}): Promise<SpoolEntry> {
    // Everything up to the fsync runs synchronously: ids and file order follow call order.
    this.assertOpen('append');
    const id = this.nextId;
    const record = encodeRecord(id, readings);
    const length = record.bytes.length;
    if (length > this.maxBytes) {
      throw new EdgeError('HW_EDGE_SPOOL_ENTRY_TOO_LARGE', { bytes: length, maxBytes: this.maxBytes });
    }
    this.expireHead();
    this.makeRoom(length);
    if (this.writeSegment.size > 0 && this.writeSegment.size + length > this.segmentBytes) this.roll();
    const segment = this.writeSegment;
    const offset = segment.size;
    try {
      writeFully(segment.fd!, record.bytes);
    } catch (err) {
      // Cut a partial record so the next append does not land behind garbage.
      ftruncateSync(segment.fd!, offset);
      throw new EdgeError(
        'HW_EDGE_SPOOL_IO',
        { op: 'append', dir: this.dir, reason: String(err) },
        { cause: err },
      );
    }
    this.nextId = id + 1;
    segment.size += length;
    segment.live++;
    const { count, minTs, maxTs } = record;
    const leased = options.lease === true;
    this.index.set(id, { id, segment, offset, length, count, minTs, maxTs, leased });
    this.bytes += length;
    this.readings += count;
    if (count > 0 && (this.oldestTs === undefined || minTs < this.oldestTs)) this.oldestTs = minTs;
    const entry: SpoolEntry = { id, readings };
    if (this.durable) await this.commit.sync();
    return entry;
  }

  take(maxEntries: number): SpoolEntry[] {
    this.assertOpen('take');
    this.expireHead();
    const picked: IndexEntry[] = [];
    for (const entry of this.index.values()) {
      if (picked.length >= maxEntries) break;
      if (!entry.leased) picked.push(entry);
    }
    const out: SpoolEntry[] = [];
    const corrupt: IndexEntry[] = [];
    // Entries written one after the other are read back with one read(2).
    for (let start = 0; start < picked.length;) {
      let end = start + 1;
      const first = picked[start]!;
      while (end < picked.length) {
        const prev = picked[end - 1]!;
        const next = picked[end]!;
        if (next.segment !== first.segment || next.offset !== prev.offset + prev.length) break;
        end++;
      }
      const last = picked[end - 1]!;
      const buf = this.readRange(first.segment, first.offset, last.offset + last.length - first.offset);
      for (let i = start; i < end; i++) {
        const entry = picked[i]!;
        const readings = decodeRecord(buf, entry.offset - first.offset);
        if (readings === undefined) {
          corrupt.push(entry);
          continue;
        }
        entry.leased = true;
        out.push({ id: entry.id, readings });
      }
      start = end;
    }
    if (corrupt.length > 0) this.drop(corrupt, 'corrupt');
    return out;
  }

  release(ids: readonly number[]): void {
    // The index is ordered by id, so clearing the lease puts the entry back at its place.
    for (const id of ids) {
      const entry = this.index.get(id);
      if (entry) entry.leased = false;
    }
  }

  remove(ids: readonly number[]): Promise<void> {
    if (this.closed) return Promise.reject(new EdgeError('HW_EDGE_SPOOL_CLOSED', { action: 'remove' }));
    this.forget(ids.map((id) => this.index.get(id)).filter((e): e is IndexEntry => e !== undefined));
    return Promise.resolve();
  }

  holds(id: number): boolean {
    return this.index.has(id);
  }

  depth(): SpoolDepth {
    if (this.oldestDirty) {
      let oldest: number | undefined;
      for (const e of this.index.values())
        if (e.count > 0 && (oldest === undefined || e.minTs < oldest)) oldest = e.minTs;
      this.oldestTs = oldest;
      this.oldestDirty = false;
    }
    const depth = { entries: this.index.size, readings: this.readings, bytes: this.bytes };
    return this.oldestTs === undefined ? depth : { ...depth, oldestTs: this.oldestTs };
  }

  onDrop(listener: (drop: SpoolDrop) => void): void {
    this.listeners.push(listener);
    for (const drop of this.undelivered.splice(0)) listener(drop);
  }

  /** Drops every queued entry older than the age bound (the timer calls it; tests may too). */
  expire(): void {
    if (this.closed) return;
    const cutoff = this.now() - this.maxAgeMs;
    const old = [...this.index.values()].filter((e) => !e.leased && e.maxTs < cutoff);
    if (old.length > 0) this.drop(old, 'max_age');
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await this.commit.drain();
    for (const segment of this.segments.values()) {
      if (this.durable && segment.ackFd !== undefined) fsyncSync(segment.ackFd);
      closeSegment(segment);
    }
    this.log.info({ entries: this.index.size }, 'spool closed');
  }

  private assertOpen(action: string): void {
    if (this.closed) throw new EdgeError('HW_EDGE_SPOOL_CLOSED', { action });
  }

  private recover(firstId: number, newest: boolean): void {
    const { segment, records, corrupt, maxId } = recoverSegment(this.dir, firstId, this.durable);
    this.segments.set(firstId, segment);
    this.nextId = Math.max(this.nextId, maxId + 1, firstId);
    for (const r of records) {
      this.index.set(r.id, { ...r, segment, leased: false });
      this.bytes += r.length;
      this.readings += r.count;
    }
    this.oldestDirty = true;
    if (corrupt > 0) this.emit({ reason: 'corrupt', entries: corrupt, readings: 0 });
    // Keep the newest segment even when empty: its name carries the next id across restarts.
    if (segment.live === 0 && !newest) {
      deleteSegment(segment);
      this.segments.delete(firstId);
    }
  }

  private createSegment(): Segment {
    const segment = segmentFor(this.dir, this.nextId);
    segment.fd = openSync(segment.logPath, 'a+');
    if (this.durable) syncDir(this.dir);
    this.segments.set(segment.firstId, segment);
    return segment;
  }

  /** Starts a new segment; the old one is fsynced first so no waiter depends on its descriptor. */
  private roll(): void {
    const old = this.writeSegment;
    if (this.durable) fsyncSync(old.fd!);
    this.commit.retire(old.fd!);
    old.fd = undefined;
    this.writeSegment = this.createSegment();
    if (old.live === 0) this.deleteSegment(old);
  }

  private readRange(segment: Segment, offset: number, length: number): Buffer {
    segment.fd ??= openSync(segment.logPath, 'r');
    const buf = Buffer.allocUnsafe(length);
    let done = 0;
    while (done < length) {
      const n = readSync(segment.fd, buf, done, length - done, offset + done);
      if (n === 0) break;
      done += n;
    }
    // A short read leaves a tail the CRC check rejects as corrupt.
    return done === length ? buf : buf.subarray(0, done);
  }

  /** Drops the oldest entries until `incoming` more bytes fit; queued entries go before leased ones. */
  private makeRoom(incoming: number): void {
    let excess = this.bytes + incoming - this.maxBytes;
    const victims: IndexEntry[] = [];
    for (const leased of [false, true]) {
      for (const e of this.index.values()) {
        if (excess <= 0) break;
        if (e.leased !== leased) continue;
        victims.push(e);
        excess -= e.length;
      }
    }
    victims.sort((a, b) => a.id - b.id);
    if (victims.length > 0) this.drop(victims, 'max_bytes');
    this.makeRoomOnDisk(incoming);
  }

  /**
   * The bound holds for the files, not only for the records still queued: an acknowledged record
   * stays in its segment file until every record of that segment is gone, so a few unacknowledged
   * batches could pin whole segments. Beyond the bound the oldest segment is dropped whole
   * (reported like any drop); segments are at most a quarter of the bound, so that costs at most
   * a quarter of it.
   */
  private makeRoomOnDisk(incoming: number): void {
    while (this.diskBytes() + incoming > this.maxBytes) {
      const oldest = this.segments.values().next().value;
      if (oldest === undefined) return;
      if (oldest === this.writeSegment) {
        if (oldest.size === 0) return;
        this.roll();
        continue;
      }
      // Ids grow with segments: the oldest segment's entries lead the index.
      const victims: IndexEntry[] = [];
      for (const e of this.index.values()) {
        if (e.segment !== oldest) break;
        victims.push(e);
      }
      if (victims.length > 0) this.drop(victims, 'max_bytes');
      if (this.segments.get(oldest.firstId) === oldest) this.deleteSegment(oldest);
    }
  }

  private diskBytes(): number {
    let sum = 0;
    for (const s of this.segments.values()) sum += s.size + s.ackSize;
    return sum;
  }

  /** Cheap age check of the queue head; `expire` sweeps everything. */
  private expireHead(): void {
    const cutoff = this.now() - this.maxAgeMs;
    const old: IndexEntry[] = [];
    for (const e of this.index.values()) {
      if (e.leased) continue;
      if (e.maxTs >= cutoff) break;
      old.push(e);
    }
    if (old.length > 0) this.drop(old, 'max_age');
  }

  private drop(entries: IndexEntry[], reason: SpoolDrop['reason']): void {
    let readings = 0;
    let oldestTs = Infinity;
    let newestTs = -Infinity;
    for (const e of entries) {
      readings += e.count;
      if (e.count > 0) {
        oldestTs = Math.min(oldestTs, e.minTs);
        newestTs = Math.max(newestTs, e.maxTs);
      }
    }
    this.forget(entries);
    const drop: SpoolDrop =
      readings > 0
        ? { reason, entries: entries.length, readings, oldestTs, newestTs }
        : { reason, entries: entries.length, readings };
    this.log.warn(drop, 'spool dropped entries');
    this.emit(drop);
  }

  private emit(drop: SpoolDrop): void {
    if (this.listeners.length === 0) this.undelivered.push(drop);
    for (const listener of this.listeners) listener(drop);
  }

  /** Takes entries out of the index, logs their ids as removed, deletes emptied segments. */
  private forget(entries: readonly IndexEntry[]): void {
    const bySegment = new Map<Segment, number[]>();
    for (const e of entries) {
      if (!this.index.delete(e.id)) continue;
      this.bytes -= e.length;
      this.readings -= e.count;
      if (e.count > 0 && e.minTs === this.oldestTs) this.oldestDirty = true;
      e.segment.live--;
      const ids = bySegment.get(e.segment);
      if (ids) ids.push(e.id);
      else bySegment.set(e.segment, [e.id]);
    }
    for (const [segment, ids] of bySegment) {
      if (segment.live === 0 && segment !== this.writeSegment) this.deleteSegment(segment);
      else appendAcks(segment, ids);
    }
  }

  private deleteSegment(segment: Segment): void {
    deleteSegment(segment);
    this.segments.delete(segment.firstId);
  }
}
