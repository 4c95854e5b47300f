import { Type } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import {
  QUALITY_CODES,
  ReadingSchema,
  TelemetryEnvelopeSchema,
  type ParsedTopic,
  type Quality,
  type RejectReason,
} from '@hazardwatch/contracts';
import { elementSpan, memberSpan } from './json-source.js';
import type { PointDirectory } from './point-directory.js';

export interface DecodeLimits {
  /** Largest accepted payload. */
  readonly maxPayloadBytes: number;
  /** Most readings in one message. */
  readonly maxReadingsPerMessage: number;
  /** How far a source timestamp may lie ahead of the platform clock (device clock skew). */
  readonly maxFutureSkewMs: number;
  /** Oldest accepted source timestamp, relative to now (must stay inside raw retention). */
  readonly maxAgeMs: number;
}

/** Receives the outcome of decoding, reading by reading; no intermediate objects are built. */
export interface DecodeSink {
  accept(pointId: number, ts: number, value: number, quality: number): void;
  /**
   * `reading` is the offending reading when the rejection is per reading, else undefined; bytes
   * (a Uint8Array) when it is the reading's text as sent (a non-finite value, which parsing lost).
   */
  reject(reason: RejectReason, detail: string, tag: string | undefined, reading: unknown): void;
  /** The message's `seq` is not an integer ≥ 0: ignored (it is informative), its readings decoded. */
  badSeq(detail: string): void;
}

const checkReading = TypeCompiler.Compile(ReadingSchema);
/**
 * The envelope as decoded: `seq` only traces gaps at the device, so a bad one (negative,
 * fractional, not a number) must not lose the readings; the contract's own check finds it after.
 */
const checkEnvelope = TypeCompiler.Compile(
  Type.Object(
    { ...TelemetryEnvelopeSchema.properties, seq: Type.Optional(Type.Unknown()) },
    { additionalProperties: false },
  ),
);
const checkContract = TypeCompiler.Compile(TelemetryEnvelopeSchema);
const qualityCode = (q: Quality | undefined): number =>
  q === undefined ? QUALITY_CODES.good : QUALITY_CODES[q];

/**
 * Decodes one telemetry message: size → JSON → envelope → per reading schema, finiteness, time
 * window, point resolution. Message-level failures reject the whole message once; reading-level
 * failures reject that reading only (a bad reading never drops its good neighbours).
 */
export class TelemetryDecoder {
  constructor(
    private readonly directory: () => PointDirectory,
    private readonly limits: DecodeLimits,
  ) {}

  /** How much of a topic's partition the site in force knows (bounds per-gateway metric labels). */
  knows(enterprise: string, gateway: string): 'gateway' | 'enterprise' | 'nothing' {
    const known = this.directory().enterprise(enterprise);
    if (!known) return 'nothing';
    return known.gateways.has(gateway) ? 'gateway' : 'enterprise';
  }

  decode(topic: ParsedTopic, payload: Uint8Array, nowMs: number, sink: DecodeSink): void {
    if (payload.byteLength > this.limits.maxPayloadBytes) {
      sink.reject(
        'oversized',
        `${payload.byteLength} bytes > ${this.limits.maxPayloadBytes}`,
        undefined,
        undefined,
      );
      return;
    }
    let body: unknown;
    let text: string;
    try {
      text = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString('utf8');
      body = JSON.parse(text);
    } catch (error) {
      sink.reject('malformed_json', (error as Error).message, undefined, undefined);
      return;
    }
    if (!checkEnvelope.Check(body)) {
      const first = checkEnvelope.Errors(body).First();
      sink.reject(
        'bad_envelope',
        first ? `${first.path || '/'}: ${first.message}` : 'invalid',
        undefined,
        undefined,
      );
      return;
    }
    if (body.seq !== undefined && !checkContract.Check(body)) {
      const first = checkContract.Errors(body).First();
      sink.badSeq(first ? `${first.path}: ${first.message}` : '/seq: invalid');
    }
    const readings = body.readings;
    if (readings.length > this.limits.maxReadingsPerMessage) {
      sink.reject(
        'oversized',
        `${readings.length} readings > ${this.limits.maxReadingsPerMessage}`,
        undefined,
        undefined,
      );
      return;
    }
    const enterprise = this.directory().enterprise(topic.enterprise);
    if (!enterprise || !enterprise.gateways.has(topic.gateway)) {
      sink.reject('unknown_gateway', `${topic.enterprise}/${topic.gateway}`, undefined, undefined);
      return;
    }
    const newest = nowMs + this.limits.maxFutureSkewMs;
    const oldest = nowMs - this.limits.maxAgeMs;
    for (let i = 0; i < readings.length; i++) {
      const r = readings[i];
      if (!checkReading.Check(r)) {
        const value = (r as { value?: unknown } | null)?.value;
        const tag = (r as { tag?: unknown } | null)?.tag;
        const tagText = typeof tag === 'string' ? tag : undefined;
        if (typeof value === 'number' && !Number.isFinite(value)) {
          // The reading as sent (its bytes), not as parsed: Infinity would be stored as null.
          const source = readingSource(text, i);
          const literal = source ? ` ${source.value}` : '';
          sink.reject(
            'non_finite',
            `readings/${i}/value${literal} is not finite`,
            tagText,
            source ? Buffer.from(source.reading) : r,
          );
        } else {
          const first = checkReading.Errors(r).First();
          sink.reject(
            'bad_reading',
            `readings/${i}${first?.path ?? ''}: ${first?.message ?? 'invalid'}`,
            tagText,
            r,
          );
        }
        continue;
      }
      if (r.ts > newest) {
        sink.reject('ts_in_future', `readings/${i}/ts ${r.ts} is ${r.ts - nowMs} ms ahead`, r.tag, r);
        continue;
      }
      if (r.ts < oldest) {
        sink.reject('ts_too_old', `readings/${i}/ts ${r.ts} is ${nowMs - r.ts} ms old`, r.tag, r);
        continue;
      }
      const point = enterprise.points.get(r.tag);
      if (!point) {
        sink.reject('unknown_point', `readings/${i}/tag ${r.tag}`, r.tag, r);
        continue;
      }
      if (point.gateway !== topic.gateway) {
        sink.reject(
          'wrong_gateway',
          `readings/${i}/tag ${r.tag} belongs to gateway ${point.gateway}`,
          r.tag,
          r,
        );
        continue;
      }
      if (!point.enabled) {
        sink.reject('point_disabled', `readings/${i}/tag ${r.tag}`, r.tag, r);
        continue;
      }
      sink.accept(point.id, r.ts, r.value, qualityCode(r.quality));
    }
  }
}

/** Reading `index` of a payload's text, and its value's literal, as the device wrote them. */
function readingSource(text: string, index: number): { reading: string; value: string } | undefined {
  const readings = memberSpan(text, 0, 'readings');
  const reading = readings && elementSpan(text, readings[0], index);
  const value = reading && memberSpan(text, reading[0], 'value');
  if (!reading || !value) return undefined;
  return { reading: text.slice(reading[0], reading[1]), value: text.slice(value[0], value[1]) };
}
