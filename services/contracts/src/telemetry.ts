import { Type, type Static } from '@sinclair/typebox';
import { QUALITY_CODES, type Quality } from './quality.js';

/**
 * Telemetry payload (topic `hw/v1/{enterprise}/{gateway}/telemetry`), JSON, UTF-8.
 *
 * One message carries a batch of readings. Each reading is validated on its own: a bad reading is
 * rejected (and dead-lettered with its reason) without dropping the good readings beside it.
 */
export const ReadingSchema = Type.Object(
  {
    /** Point tag (位号) as configured for the enterprise, e.g. "TI-1101". */
    tag: Type.String({ minLength: 1, maxLength: 64 }),
    /** Source timestamp, milliseconds since the Unix epoch, UTC. The platform never substitutes arrival time. */
    ts: Type.Integer({ minimum: 0 }),
    /** Value in the point's engineering unit; finite (NaN and ±Infinity are rejected). Switches use 0/1. */
    value: Type.Number(),
    /** Quality of the value at the source; "good" when omitted. */
    quality: Type.Optional(Type.Union(Object.keys(QUALITY_CODES).map((q) => Type.Literal(q as Quality)))),
  },
  { additionalProperties: false },
);
export type Reading = Static<typeof ReadingSchema>;

export const TelemetryEnvelopeSchema = Type.Object(
  {
    /**
     * Optional sender sequence number, for tracing gaps at the device. Informative: the platform
     * never orders or deduplicates by it, and one that is not an integer ≥ 0 is ignored (counted
     * in hw_ingest_seq_invalid_total) while the message's readings are decoded as usual.
     */
    seq: Type.Optional(Type.Integer({ minimum: 0 })),
    /** At least one reading. */
    readings: Type.Array(Type.Unknown(), { minItems: 1 }),
  },
  { additionalProperties: false },
);

/** The payload as a device sends it. */
export interface TelemetryPayload {
  seq?: number;
  readings: Reading[];
}

/** Why a message or a reading was rejected. Stable codes: counters and dead letters use them. */
export const REJECT_REASONS = [
  'bad_topic',
  'oversized',
  'malformed_json',
  'bad_envelope',
  'bad_reading',
  'non_finite',
  'ts_in_future',
  'ts_too_old',
  'unknown_gateway',
  'unknown_point',
  'wrong_gateway',
  'point_disabled',
  'storage_rejected',
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];
