import type { RejectReason } from '@hazardwatch/contracts';
import type { DecodeLimits } from '@hazardwatch/ingest';

/**
 * An independent model of what the ingest must make of one telemetry message, written from the
 * wire contract (topics.ts, telemetry.ts) rather than from the decoder: the fuzz test compares the
 * running service against it. Checks run in the contract's order: topic, size, JSON, envelope,
 * reading count, gateway, then per reading schema (non-finite apart), time window, point.
 */

export interface OraclePoint {
  readonly id: number;
  readonly gateway: string;
  readonly enabled: boolean;
}

export interface OracleSite {
  readonly enterprise: string;
  readonly gateways: ReadonlySet<string>;
  readonly points: ReadonlyMap<string, OraclePoint>;
}

export interface ExpectedRow {
  readonly pointId: number;
  readonly ts: number;
  readonly value: number;
  readonly quality: number;
}

export interface ExpectedOutcome {
  readonly rejects: RejectReason[];
  readonly accepts: ExpectedRow[];
}

const TOPIC_RE = /^hw\/v1\/([A-Za-z0-9_-]{1,64})\/([A-Za-z0-9_-]{1,64})\/telemetry$/;
const QUALITY: Readonly<Record<string, number>> = { good: 0, uncertain: 1, bad: 2 };
const READING_KEYS = new Set(['tag', 'ts', 'value', 'quality']);
const ENVELOPE_KEYS = new Set(['seq', 'readings']);

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isNonNegativeInteger = (v: unknown): v is number =>
  typeof v === 'number' && Number.isInteger(v) && v >= 0;
const only = (reason: RejectReason): ExpectedOutcome => ({ rejects: [reason], accepts: [] });

function readingSchemaOk(r: unknown): r is { tag: string; ts: number; value: number; quality?: string } {
  if (!isRecord(r)) return false;
  if (!Object.keys(r).every((k) => READING_KEYS.has(k))) return false;
  if (typeof r.tag !== 'string' || r.tag.length < 1 || r.tag.length > 64) return false;
  if (!isNonNegativeInteger(r.ts)) return false;
  if (typeof r.value !== 'number' || !Number.isFinite(r.value)) return false;
  if ('quality' in r && !(typeof r.quality === 'string' && Object.hasOwn(QUALITY, r.quality))) return false;
  return true;
}

export function expectedOutcome(
  topic: string,
  payload: Buffer,
  nowMs: number,
  limits: DecodeLimits,
  site: OracleSite,
): ExpectedOutcome {
  const match = TOPIC_RE.exec(topic);
  if (!match) return only('bad_topic');
  const [, enterprise, gateway] = match as unknown as [string, string, string];
  if (payload.byteLength > limits.maxPayloadBytes) return only('oversized');
  let body: unknown;
  try {
    body = JSON.parse(payload.toString('utf8'));
  } catch {
    return only('malformed_json');
  }
  if (!isRecord(body) || !Object.keys(body).every((k) => ENVELOPE_KEYS.has(k))) return only('bad_envelope');
  // seq is informative: a bad one is ignored (counted), the readings decoded.
  const readings = body.readings;
  if (!Array.isArray(readings) || readings.length < 1) return only('bad_envelope');
  if (readings.length > limits.maxReadingsPerMessage) return only('oversized');
  if (enterprise !== site.enterprise || !site.gateways.has(gateway)) return only('unknown_gateway');

  const outcome: ExpectedOutcome = { rejects: [], accepts: [] };
  for (const r of readings as unknown[]) {
    if (!readingSchemaOk(r)) {
      const value = isRecord(r) ? r.value : undefined;
      outcome.rejects.push(
        typeof value === 'number' && !Number.isFinite(value) ? 'non_finite' : 'bad_reading',
      );
      continue;
    }
    if (r.ts > nowMs + limits.maxFutureSkewMs) outcome.rejects.push('ts_in_future');
    else if (r.ts < nowMs - limits.maxAgeMs) outcome.rejects.push('ts_too_old');
    else {
      const point = site.points.get(r.tag);
      if (!point) outcome.rejects.push('unknown_point');
      else if (point.gateway !== gateway) outcome.rejects.push('wrong_gateway');
      else if (!point.enabled) outcome.rejects.push('point_disabled');
      else
        outcome.accepts.push({
          pointId: point.id,
          ts: r.ts,
          value: r.value,
          quality: QUALITY[r.quality ?? 'good']!,
        });
    }
  }
  return outcome;
}
