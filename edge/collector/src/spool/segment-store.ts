import {
  closeSync,
  existsSync,
  fsyncSync,
  openSync,
  readFileSync,
  readdirSync,
  renameSync,
  statSync,
  truncateSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { scanSegment, type RecordMeta } from './segment-codec.js';

/**
 * Segment files of the file spool: `seg-<firstId>.log` holds framed records (segment-codec.ts),
 * `seg-<firstId>.ack` the ids removed from it (f64 LE each). Both go when every entry of the
 * segment is removed, so the ack log never needs compaction.
 */
export interface Segment {
  readonly firstId: number;
  readonly logPath: string;
  readonly ackPath: string;
  /** Read (and, for the write segment, append) descriptor; opened lazily for old segments. */
  fd: number | undefined;
  ackFd: number | undefined;
  /** File size in bytes. */
  size: number;
  /** Size of the ack log in bytes. */
  ackSize: number;
  /** Entries of this segment still in the spool. */
  live: number;
}

export interface RecoveredSegment {
  readonly segment: Segment;
  /** Records still in the spool (not removed), in id order, offsets valid for the file as it now is. */
  readonly records: RecordMeta[];
  readonly corrupt: number;
  /** Highest id seen in the file, removed or not. */
  readonly maxId: number;
}

const NAME = /^seg-(\d+)\.log$/;

export function segmentFor(dir: string, firstId: number): Segment {
  const base = `seg-${String(firstId).padStart(16, '0')}`;
  return {
    firstId,
    logPath: join(dir, `${base}.log`),
    ackPath: join(dir, `${base}.ack`),
    fd: undefined,
    ackFd: undefined,
    size: 0,
    ackSize: 0,
    live: 0,
  };
}

/** Segment first ids found in `dir`, ascending. */
export function listSegments(dir: string): number[] {
  return readdirSync(dir)
    .map((name) => NAME.exec(name)?.[1])
    .filter((id): id is string => id !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
}

function readAcks(path: string): Set<number> {
  const acked = new Set<number>();
  if (!existsSync(path)) return acked;
  const buf = readFileSync(path);
  // A torn last id (fewer than 8 bytes) is ignored: at worst that entry is replayed once more.
  for (let at = 0; at + 8 <= buf.length; at += 8) acked.add(buf.readDoubleLE(at));
  return acked;
}

/**
 * Reads one segment back. A torn tail is cut off. A segment with damaged records is rewritten
 * with its intact, un-removed records (write to a temporary file, fsync, rename) so the damage is
 * reported once, not at every start.
 */
export function recoverSegment(dir: string, firstId: number, durable: boolean): RecoveredSegment {
  const segment = segmentFor(dir, firstId);
  const buf = readFileSync(segment.logPath);
  const acked = readAcks(segment.ackPath);
  const scan = scanSegment(buf);
  const maxId = scan.records.reduce((max, r) => Math.max(max, r.id), firstId - 1);
  let records = scan.records.filter((r) => !acked.has(r.id));
  if (scan.corrupt > 0) {
    const kept = Buffer.concat(records.map((r) => buf.subarray(r.offset, r.offset + r.length)));
    let offset = 0;
    records = records.map((r) => {
      const moved = { ...r, offset };
      offset += r.length;
      return moved;
    });
    const tmp = `${segment.logPath}.tmp`;
    const fd = openSync(tmp, 'w');
    try {
      writeFully(fd, kept);
      if (durable) fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, segment.logPath);
    if (existsSync(segment.ackPath)) unlinkSync(segment.ackPath);
    if (durable) syncDir(dir);
    segment.size = kept.length;
  } else if (scan.validEnd < buf.length) {
    truncateSync(segment.logPath, scan.validEnd);
    segment.size = scan.validEnd;
  } else {
    segment.size = buf.length;
  }
  segment.ackSize = existsSync(segment.ackPath) ? statSync(segment.ackPath).size : 0;
  segment.live = records.length;
  return { segment, records, corrupt: scan.corrupt, maxId };
}

export function writeFully(fd: number, bytes: Buffer): void {
  let done = 0;
  while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done);
}

/** Makes a created or renamed directory entry survive power loss (POSIX leaves it to the directory's fsync). */
export function syncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export function appendAcks(segment: Segment, ids: readonly number[]): void {
  const buf = Buffer.allocUnsafe(ids.length * 8);
  ids.forEach((id, i) => buf.writeDoubleLE(id, i * 8));
  segment.ackFd ??= openSync(segment.ackPath, 'a');
  writeFully(segment.ackFd, buf);
  segment.ackSize += buf.length;
}

export function closeSegment(segment: Segment): void {
  if (segment.fd !== undefined) closeSync(segment.fd);
  if (segment.ackFd !== undefined) closeSync(segment.ackFd);
  segment.fd = undefined;
  segment.ackFd = undefined;
}

/** Deletes the log before the ack file: a lost unlink of the log then replays at worst, never loses. */
export function deleteSegment(segment: Segment): void {
  closeSegment(segment);
  unlinkSync(segment.logPath);
  if (existsSync(segment.ackPath)) unlinkSync(segment.ackPath);
}
