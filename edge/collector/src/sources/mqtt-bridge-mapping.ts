import type { Quality, Reading } from '@hazardwatch/contracts';
import { applyScale } from '../tag-mapping.js';
import type { CompiledField, CompiledSubscription } from './mqtt-bridge-options.js';
import { readPath } from './mqtt-bridge-path.js';
import { topicMatches } from './mqtt-bridge-topic.js';

/** Why a message (or one field of it) gave no reading. Stable: counters are keyed by it. */
export type BridgeRejectReason =
  'malformed_json' | 'missing_field' | 'not_numeric' | 'bad_timestamp' | 'bad_tag';

export interface BridgeRejection {
  /** Filter of the subscription the message matched. */
  readonly subscription: string;
  /** Path of the field; absent when the whole message was unusable. */
  readonly field?: string;
  readonly reason: BridgeRejectReason;
}

export interface MappedMessage {
  /** Whether any subscription's filter matched the topic. */
  readonly matched: boolean;
  readonly readings: Reading[];
  readonly rejections: BridgeRejection[];
  /** Fields left out because the message was a retained one and the field carries no timestamp. */
  readonly retainedSkipped: number;
}

const TAG_MAX = 64; // ReadingSchema: tag is 1…64 characters

/**
 * Maps one MQTT message to readings: every subscription whose filter matches the topic contributes
 * its fields. Pure, so the rules (value and timestamp forms, quality) are table-tested without a
 * broker.
 *
 * A retained message delivered on (re-)subscription (MQTT 3.1.1 §3.3.1.3) may be hours old; a
 * field without a timestamp path would be stamped with the arrival time, which would present an
 * old value as fresh. Such fields are skipped until the sensor publishes again.
 */
export function mapMessage(
  subscriptions: readonly CompiledSubscription[],
  topic: string,
  payload: Buffer | string,
  arrivalMs: number,
  retained: boolean,
): MappedMessage {
  const matching = subscriptions.filter((s) => topicMatches(s.topic, topic));
  const result: MappedMessage = {
    matched: matching.length > 0,
    readings: [],
    rejections: [],
    retainedSkipped: 0,
  };
  if (matching.length === 0) return result;
  let document: unknown;
  try {
    document = JSON.parse(typeof payload === 'string' ? payload : payload.toString('utf8'));
  } catch {
    for (const s of matching) result.rejections.push({ subscription: s.topic, reason: 'malformed_json' });
    return result;
  }
  const levels = topic.split('/');
  let retainedSkipped = 0;
  for (const subscription of matching) {
    for (const field of subscription.fields) {
      if (retained && !field.timestampSegments) {
        retainedSkipped += 1;
        continue;
      }
      const outcome = mapField(field, document, levels, arrivalMs);
      if (typeof outcome === 'string') {
        result.rejections.push({ subscription: subscription.topic, field: field.path, reason: outcome });
      } else {
        result.readings.push(outcome);
      }
    }
  }
  return { ...result, retainedSkipped };
}

function mapField(
  field: CompiledField,
  document: unknown,
  levels: readonly string[],
  arrivalMs: number,
): Reading | BridgeRejectReason {
  const tag = field.renderTag(levels);
  if (tag === undefined || tag.length === 0 || tag.length > TAG_MAX) return 'bad_tag';
  const raw = readPath(document, field.segments);
  if (raw === undefined) return 'missing_field';
  const number = toNumber(raw);
  if (number === undefined) return 'not_numeric';
  const value = applyScale(field.scale, number);
  if (!Number.isFinite(value)) return 'not_numeric';
  let ts = Math.floor(arrivalMs);
  if (field.timestampSegments) {
    const parsed = toTimestamp(readPath(document, field.timestampSegments));
    if (parsed === undefined) return 'bad_timestamp';
    ts = parsed;
  }
  const quality = field.qualitySegments ? toQuality(readPath(document, field.qualitySegments)) : 'good';
  return quality === 'good' ? { tag, ts, value } : { tag, ts, value, quality };
}

/** Numbers, numeric strings ("12.5", " 3 ") and booleans (switches as 0/1, as the contract says). */
export function toNumber(raw: unknown): number | undefined {
  if (typeof raw === 'number') return Number.isFinite(raw) ? raw : undefined;
  if (typeof raw === 'boolean') return raw ? 1 : 0;
  if (typeof raw === 'string' && raw.trim() !== '') {
    const n = Number(raw);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

/** ms since the epoch (fractions dropped) or an ISO 8601 string; anything else is no timestamp. */
export function toTimestamp(raw: unknown): number | undefined {
  let ms: number | undefined;
  if (typeof raw === 'number' && Number.isFinite(raw)) ms = Math.floor(raw);
  else if (typeof raw === 'string' && raw.trim() !== '') {
    const parsed = Date.parse(raw);
    ms = Number.isNaN(parsed) ? undefined : parsed;
  }
  return ms !== undefined && ms >= 0 ? ms : undefined;
}

/**
 * A missing quality field means the sensor does not report one: good. A quality we cannot read
 * is "uncertain": the value exists, but nobody vouches for it.
 */
export function toQuality(raw: unknown): Quality {
  if (raw === undefined) return 'good';
  if (typeof raw === 'boolean') return raw ? 'good' : 'bad';
  if (typeof raw === 'number') return raw === 0 ? 'good' : raw === 2 ? 'bad' : 'uncertain';
  if (typeof raw === 'string') {
    const q = raw.trim().toLowerCase();
    if (q === 'good' || q === 'bad' || q === 'uncertain') return q;
  }
  return 'uncertain';
}
