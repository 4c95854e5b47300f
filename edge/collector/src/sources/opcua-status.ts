/**
 * OPC-UA DataValue → reading. Pure: no session, no clock of its own (the caller passes `now`).
 *
 * Quality follows the StatusCode's severity bits (OPC UA Part 4 §7.39: bits 31–30, 00 Good,
 * 01 Uncertain, 10 Bad, 11 reserved and read as Bad), so every Good…, Uncertain… and Bad… sub-code
 * maps without a table of names. A source never invents a value: a DataValue without a usable
 * number is skipped (and counted by the caller), never replaced by 0 or the last value.
 */
import { DataType, type DataValue } from 'node-opcua';
import type { Quality, Reading } from '@hazardwatch/contracts';
import { applyScale, type LinearScale } from '../tag-mapping.js';

/** Quality of a StatusCode value (the 32-bit code). */
export function qualityOfStatus(code: number): Quality {
  const severity = (code >>> 30) & 0b11;
  return severity === 0 ? 'good' : severity === 1 ? 'uncertain' : 'bad';
}

/** BadNodeIdUnknown and BadNodeIdInvalid: the node is gone (or not there yet); the item must be re-created. */
export const OPCUA_NODE_GONE_CODES: ReadonlySet<number> = new Set([0x80340000, 0x80330000]);

export type DataValueOutcome =
  | { readonly kind: 'reading'; readonly reading: Reading }
  /** No usable number (null, string, NaN, array): skipped and counted, never invented. */
  | { readonly kind: 'skipped'; readonly status: number }
  /** The node disappeared: the monitored item must be re-created later. */
  | { readonly kind: 'node_gone'; readonly status: number };

/**
 * The raw number a Variant carries: numbers as they are, booleans as 0/1 (switches), 64-bit
 * integers from node-opcua's [high, low] pair; anything else (or a non-finite number) has none.
 */
export function numericFromVariant(dataType: DataType, value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if ((dataType === DataType.Int64 || dataType === DataType.UInt64) && Array.isArray(value)) {
    const [high, low] = value as unknown[];
    if (typeof high === 'number' && typeof low === 'number') return high * 2 ** 32 + (low >>> 0);
  }
  return undefined;
}

/**
 * The reading for a tag from a DataValue: raw value scaled to engineering units, quality from the
 * status, timestamp = sourceTimestamp, else serverTimestamp, else `now` (ms UTC).
 */
export function readingFromDataValue(
  tag: string,
  scale: LinearScale,
  dataValue: DataValue,
  now: number,
): DataValueOutcome {
  const status = dataValue.statusCode.value;
  if (OPCUA_NODE_GONE_CODES.has(status)) return { kind: 'node_gone', status };
  const raw = numericFromVariant(dataValue.value.dataType, dataValue.value.value);
  if (raw === undefined) return { kind: 'skipped', status };
  const value = applyScale(scale, raw);
  if (!Number.isFinite(value)) return { kind: 'skipped', status };
  const stamp = dataValue.sourceTimestamp ?? dataValue.serverTimestamp;
  const ts = stamp === null ? now : stamp.getTime();
  const quality = qualityOfStatus(status);
  const reading: Reading =
    quality === 'good'
      ? { tag, ts: Math.max(0, Math.floor(ts)), value }
      : { tag, ts: Math.max(0, Math.floor(ts)), value, quality };
  return { kind: 'reading', reading };
}
