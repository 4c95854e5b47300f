/**
 * Which partition an enterprise belongs to (issue #23): its code hashed into a fixed number of
 * partitions. The hash must never change between releases — it decides which worker evaluates an
 * enterprise and which persistent MQTT session holds its messages — so it is written out here
 * (FNV-1a, 32 bit, over the code's UTF-8 bytes) rather than borrowed from a library or a runtime
 * whose hash may change.
 */

/** Partitions the enterprises are hashed into. Fixed: changing it moves nearly every enterprise. */
export const PARTITION_COUNT = 64;

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const encoder = new TextEncoder();

/** FNV-1a 32-bit hash of the UTF-8 bytes of `text`, as an unsigned integer. */
export function fnv1a32(text: string): number {
  let hash = FNV_OFFSET;
  for (const byte of encoder.encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, FNV_PRIME) >>> 0;
  }
  return hash >>> 0;
}

/** The partition (0 … count − 1) of an enterprise code. */
export function partitionOf(enterpriseCode: string, count: number = PARTITION_COUNT): number {
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`partition count ${count} is not ≥ 1`);
  return fnv1a32(enterpriseCode) % count;
}

/** The enterprise codes of each partition that has any (a partition without enterprises is absent). */
export function enterprisesByPartition(
  enterpriseCodes: Iterable<string>,
  count: number = PARTITION_COUNT,
): Map<number, string[]> {
  const out = new Map<number, string[]>();
  for (const code of new Set(enterpriseCodes)) {
    const p = partitionOf(code, count);
    const list = out.get(p);
    if (list) list.push(code);
    else out.set(p, [code]);
  }
  for (const list of out.values()) list.sort();
  return out;
}
