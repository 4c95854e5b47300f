import { crc32 } from 'node:zlib';
import type { Reading } from '@hazardwatch/contracts';

/**
 * On-disk layout of a spool segment: a sequence of framed records
 *
 *   [u32 LE payload length][u32 LE crc32(payload)][payload]
 *   payload = [f64 LE id][f64 LE minTs][f64 LE maxTs][u32 LE readings][UTF-8 JSON of the readings]
 *
 * The fixed metadata lets recovery rebuild the index from headers and CRCs without parsing the
 * JSON of the whole backlog. Ids and timestamps are stored as float64: exact up to 2^53.
 */
export const FRAME_BYTES = 8;
export const META_BYTES = 28;
const JSON_AT = FRAME_BYTES + META_BYTES;

export interface RecordMeta {
  readonly id: number;
  /** Byte offset of the frame in the segment file. */
  readonly offset: number;
  /** Whole record size in bytes (frame + payload). */
  readonly length: number;
  readonly count: number;
  readonly minTs: number;
  readonly maxTs: number;
}

export interface EncodedRecord {
  readonly bytes: Buffer;
  readonly count: number;
  readonly minTs: number;
  readonly maxTs: number;
}

export function encodeRecord(id: number, readings: readonly Reading[]): EncodedRecord {
  let minTs = Infinity;
  let maxTs = -Infinity;
  for (const r of readings) {
    if (r.ts < minTs) minTs = r.ts;
    if (r.ts > maxTs) maxTs = r.ts;
  }
  if (readings.length === 0) minTs = maxTs = 0;
  const json = JSON.stringify(readings);
  const jsonBytes = Buffer.byteLength(json);
  const bytes = Buffer.allocUnsafe(JSON_AT + jsonBytes);
  bytes.writeUInt32LE(META_BYTES + jsonBytes, 0);
  bytes.writeDoubleLE(id, 8);
  bytes.writeDoubleLE(minTs, 16);
  bytes.writeDoubleLE(maxTs, 24);
  bytes.writeUInt32LE(readings.length, 32);
  bytes.write(json, JSON_AT, 'utf8');
  bytes.writeUInt32LE(crc32(bytes.subarray(FRAME_BYTES)), 4);
  return { bytes, count: readings.length, minTs, maxTs };
}

/** True when the record at `offset` of `buf` has a plausible frame and a matching CRC. */
function validAt(buf: Buffer, offset: number): boolean {
  if (offset + FRAME_BYTES > buf.length) return false;
  const len = buf.readUInt32LE(offset);
  if (len < META_BYTES || offset + FRAME_BYTES + len > buf.length) return false;
  return (
    crc32(buf.subarray(offset + FRAME_BYTES, offset + FRAME_BYTES + len)) === buf.readUInt32LE(offset + 4)
  );
}

function metaAt(buf: Buffer, offset: number): RecordMeta {
  return {
    offset,
    length: FRAME_BYTES + buf.readUInt32LE(offset),
    id: buf.readDoubleLE(offset + 8),
    minTs: buf.readDoubleLE(offset + 16),
    maxTs: buf.readDoubleLE(offset + 24),
    count: buf.readUInt32LE(offset + 32),
  };
}

/**
 * Reads the readings of one whole record held in `buf` at `offset`; undefined when the CRC does
 * not match (bit rot after the spool was opened).
 */
export function decodeRecord(buf: Buffer, offset: number): Reading[] | undefined {
  if (!validAt(buf, offset)) return undefined;
  const len = buf.readUInt32LE(offset);
  return JSON.parse(buf.toString('utf8', offset + JSON_AT, offset + FRAME_BYTES + len)) as Reading[];
}

export interface SegmentScan {
  readonly records: RecordMeta[];
  /** Damaged records (CRC mismatch) or damaged regions skipped to find the next valid frame. */
  readonly corrupt: number;
  /** Offset after the last valid record; bytes beyond it are a torn (never completed) write. */
  readonly validEnd: number;
}

/**
 * Scans a whole segment. A record with a plausible frame but a wrong CRC is skipped by its length;
 * a frame that cannot be trusted starts a search for the next valid record, so one damaged length
 * field does not take the rest of the segment with it. Whatever cannot be resynchronised at the
 * end is a torn tail: the write that was in progress when the process or the power died.
 */
export function scanSegment(buf: Buffer): SegmentScan {
  const records: RecordMeta[] = [];
  let corrupt = 0;
  let offset = 0;
  let validEnd = 0;
  while (offset + FRAME_BYTES <= buf.length) {
    if (validAt(buf, offset)) {
      const meta = metaAt(buf, offset);
      records.push(meta);
      offset += meta.length;
      validEnd = offset;
      continue;
    }
    const len = buf.readUInt32LE(offset);
    const framed = len >= META_BYTES && offset + FRAME_BYTES + len <= buf.length;
    if (framed && validAt(buf, offset + FRAME_BYTES + len)) {
      corrupt++;
      offset += FRAME_BYTES + len;
      continue;
    }
    let next = offset + 1;
    while (next + FRAME_BYTES <= buf.length && !validAt(buf, next)) next++;
    if (next + FRAME_BYTES > buf.length) {
      // A lone bad record at the very end with an intact frame is damage, not a torn write.
      if (framed && offset + FRAME_BYTES + len === buf.length) {
        corrupt++;
        validEnd = buf.length;
      }
      break;
    }
    corrupt++;
    offset = next;
  }
  return { records, corrupt, validEnd };
}
