import type { ReadingBuffer } from './reading-buffer.js';
import { PointScales, READINGS_TABLE, scaledInteger } from './scaled-values.js';

// PostgreSQL binary COPY format (docs: "COPY ... Binary Format"): 11-byte signature, int32 flags,
// int32 header-extension length; then per tuple an int16 field count and, per field, an int32
// byte length (-1: NULL) followed by the value in network byte order; an int16 -1 trailer.
const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
const HEADER_BYTES = SIGNATURE.length + 8;
// point_id int4, ts timestamptz (int8 µs since 2000-01-01), value float8, value_int int8 or NULL,
// scale int2 or NULL, quality int2: the longest tuple, with both scaled columns present.
const MAX_TUPLE_BYTES = 2 + (4 + 4) + (4 + 8) + (4 + 8) + (4 + 8) + (4 + 2) + (4 + 2);
const PG_EPOCH_MS = 946_684_800_000;
const TWO_POW_32 = 4_294_967_296;

/** Column list matching the encoding, for `COPY readings_encoded (...) FROM STDIN (FORMAT binary)`. */
export const READING_COPY_COLUMNS = '(point_id, ts, value, value_int, scale, quality)';

/** `COPY … FROM STDIN` of the encoding into `table` (the raw table, or a staging copy of it). */
export const readingCopySql = (table: string = READINGS_TABLE): string =>
  `COPY ${table} ${READING_COPY_COLUMNS} FROM STDIN (FORMAT binary)`;

export interface ReadingEncodingOptions {
  /**
   * Store a value that is exactly n / 10^k (k ≤ 9) as value_int n and scale k, with value 0 (a
   * placeholder the `readings` view ignores: TimescaleDB 2.17 cannot drop its NOT NULL on a
   * compressed hypertable, and a run of zeros compresses to nothing). Worth it where chunks are
   * compressed (TimescaleDB); a plain PostgreSQL row would only grow by 16 bytes.
   * @default false
   */
  readonly scaledValues?: boolean;
  /**
   * The points' scales so far (scaled values only): a writer keeps one across its batches, so a
   * point's values keep one scale. @default a new one for this call
   */
  readonly scales?: PointScales;
}

/** Writes an int64 that is an integer with |v| ≤ 2^53 as two 32-bit words. */
function writeInt64(out: Buffer, v: number, o: number): void {
  const hi = Math.floor(v / TWO_POW_32);
  out.writeInt32BE(hi, o);
  out.writeUInt32BE(v - hi * TWO_POW_32, o + 4);
}

/**
 * Encodes rows [start, end) of a reading buffer as one binary COPY stream. Binary avoids
 * formatting timestamps and floats as text: about 50 bytes per reading and no per-row strings.
 */
export function encodeReadingsBinary(
  rows: ReadingBuffer,
  start = 0,
  end = rows.length,
  options: ReadingEncodingOptions = {},
): Buffer {
  const scales = options.scaledValues === true ? (options.scales ?? new PointScales()) : undefined;
  const out = Buffer.allocUnsafe(HEADER_BYTES + (end - start) * MAX_TUPLE_BYTES + 2);
  SIGNATURE.copy(out, 0);
  let o = SIGNATURE.length;
  out.writeInt32BE(0, o);
  out.writeInt32BE(0, o + 4);
  o += 8;
  const { pointIds, ts, values, qualities } = rows;
  for (let i = start; i < end; i++) {
    out.writeInt16BE(6, o);
    out.writeInt32BE(4, o + 2);
    out.writeInt32BE(pointIds[i]!, o + 6);
    out.writeInt32BE(8, o + 10);
    // Microseconds since 2000-01-01 fit in 2^53 for any realistic date.
    writeInt64(out, (ts[i]! - PG_EPOCH_MS) * 1000, o + 14);
    out.writeInt32BE(8, o + 22);
    const value = values[i]!;
    const scale = scales ? scales.scaleFor(pointIds[i]!, value) : -1;
    if (scale < 0) {
      out.writeDoubleBE(value, o + 26);
      out.writeInt32BE(-1, o + 34);
      out.writeInt32BE(-1, o + 38);
      o += 42;
    } else {
      out.writeDoubleBE(0, o + 26);
      out.writeInt32BE(8, o + 34);
      writeInt64(out, scaledInteger(value, scale), o + 38);
      out.writeInt32BE(2, o + 46);
      out.writeInt16BE(scale, o + 50);
      o += 52;
    }
    out.writeInt32BE(2, o);
    out.writeInt16BE(qualities[i]!, o + 4);
    o += 6;
  }
  out.writeInt16BE(-1, o);
  return out.subarray(0, o + 2);
}
