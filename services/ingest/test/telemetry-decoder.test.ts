import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { ParsedTopic, RejectReason } from '@hazardwatch/contracts';
import {
  pointDirectoryFrom,
  TelemetryDecoder,
  type DecodeLimits,
  type DecodeSink,
} from '@hazardwatch/ingest';

/** Fixed platform clock, ms UTC (2023-11-14T22:13:20Z); the decoder never reads a clock itself. */
const NOW = 1_700_000_000_000;
const LIMITS: DecodeLimits = {
  maxPayloadBytes: 2048,
  maxReadingsPerMessage: 5,
  maxFutureSkewMs: 300_000,
  maxAgeMs: 7 * 86_400_000,
};

const directory = pointDirectoryFrom(
  [
    { enterprise: 'E1', code: 'GW1' },
    { enterprise: 'E1', code: 'GW2' },
  ],
  [
    { enterprise: 'E1', tag: 'TI-1', id: 11, gateway: 'GW1', enabled: true },
    { enterprise: 'E1', tag: 'PI-1', id: 12, gateway: 'GW1', enabled: true },
    { enterprise: 'E1', tag: 'OFF-1', id: 13, gateway: 'GW1', enabled: false },
    { enterprise: 'E1', tag: 'TI-2', id: 21, gateway: 'GW2', enabled: true },
  ],
);
const decoder = new TelemetryDecoder(() => directory, LIMITS);
const GW1: ParsedTopic = { enterprise: 'E1', gateway: 'GW1', kind: 'telemetry' };

interface Rejection {
  reason: RejectReason;
  detail: string;
  tag: string | undefined;
  reading: unknown;
}

function decode(payload: string | Uint8Array, topic = GW1) {
  const accepted: Array<[pointId: number, ts: number, value: number, quality: number]> = [];
  const rejected: Rejection[] = [];
  const badSeq: string[] = [];
  const sink: DecodeSink = {
    accept: (pointId, ts, value, quality) => accepted.push([pointId, ts, value, quality]),
    reject: (reason, detail, tag, reading) => rejected.push({ reason, detail, tag, reading }),
    badSeq: (detail) => badSeq.push(detail),
  };
  decoder.decode(topic, typeof payload === 'string' ? Buffer.from(payload) : payload, NOW, sink);
  return { accepted, rejected, badSeq };
}

// Neighbours of every bad reading: they must still be accepted, with quality mapped to its code.
const FIRST = '{"tag":"TI-1","ts":1699999990000,"value":21.5}';
const LAST = '{"tag":"PI-1","ts":1699999999000,"value":-0.25,"quality":"uncertain"}';
const FIRST_ROW = [11, 1_699_999_990_000, 21.5, 0];
const LAST_ROW = [12, 1_699_999_999_000, -0.25, 1];

/** A message whose reading 1 is `bad` (raw JSON text, so non-JSON numbers like 1e999 survive). */
const between = (bad: string): string => `{"readings":[${FIRST},${bad},${LAST}]}`;
const at = (ts: number, tag = 'TI-1'): string => `{"tag":"${tag}","ts":${ts},"value":1}`;

/** name, the bad reading (JSON text), reason, substrings of detail (index and field), tag reported. */
type ReadingCase = [
  name: string,
  reading: string,
  reason: RejectReason,
  detail: string[],
  tag: string | undefined,
];

const T = 1_699_999_990_000;
const readingCases: ReadingCase[] = [
  ['missing tag', `{"ts":${T},"value":1}`, 'bad_reading', ['readings/1/tag'], undefined],
  ['tag not a string', `{"tag":7,"ts":${T},"value":1}`, 'bad_reading', ['readings/1/tag'], undefined],
  ['empty tag', `{"tag":"","ts":${T},"value":1}`, 'bad_reading', ['readings/1/tag'], ''],
  ['ts not an integer', `{"tag":"TI-1","ts":${T}.5,"value":1}`, 'bad_reading', ['readings/1/ts'], 'TI-1'],
  ['ts as a string', `{"tag":"TI-1","ts":"${T}","value":1}`, 'bad_reading', ['readings/1/ts'], 'TI-1'],
  ['negative ts', '{"tag":"TI-1","ts":-1,"value":1}', 'bad_reading', ['readings/1/ts'], 'TI-1'],
  ['value a string', `{"tag":"TI-1","ts":${T},"value":"21.5"}`, 'bad_reading', ['readings/1/value'], 'TI-1'],
  ['value null', `{"tag":"TI-1","ts":${T},"value":null}`, 'bad_reading', ['readings/1/value'], 'TI-1'],
  ['extra key', `{"tag":"TI-1","ts":${T},"value":1,"unit":"C"}`, 'bad_reading', ['readings/1/unit'], 'TI-1'],
  [
    'bad quality',
    `{"tag":"TI-1","ts":${T},"value":1,"quality":"ok"}`,
    'bad_reading',
    ['readings/1/quality'],
    'TI-1',
  ],
  ['reading not an object', '[1,2]', 'bad_reading', ['readings/1'], undefined],
  ['reading null', 'null', 'bad_reading', ['readings/1'], undefined],
  [
    'value 1e999 (Infinity)',
    `{"tag":"TI-1","ts":${T},"value":1e999}`,
    'non_finite',
    ['readings/1/value'],
    'TI-1',
  ],
  [
    'value -1e999 (-Infinity)',
    `{"tag":"TI-1","ts":${T},"value":-1e999}`,
    'non_finite',
    ['readings/1/value'],
    'TI-1',
  ],
  [
    'ts 1 ms beyond the skew allowance',
    at(NOW + LIMITS.maxFutureSkewMs + 1),
    'ts_in_future',
    ['readings/1/ts', `${LIMITS.maxFutureSkewMs + 1} ms ahead`],
    'TI-1',
  ],
  [
    'ts 1 ms older than maxAge',
    at(NOW - LIMITS.maxAgeMs - 1),
    'ts_too_old',
    ['readings/1/ts', `${LIMITS.maxAgeMs + 1} ms old`],
    'TI-1',
  ],
  ['ts 0', at(0), 'ts_too_old', ['readings/1/ts'], 'TI-1'],
  ['unknown tag', at(NOW, 'XX-9'), 'unknown_point', ['readings/1/tag', 'XX-9'], 'XX-9'],
  ["another gateway's point", at(NOW, 'TI-2'), 'wrong_gateway', ['readings/1/tag', 'TI-2', 'GW2'], 'TI-2'],
  ['disabled point', at(NOW, 'OFF-1'), 'point_disabled', ['readings/1/tag', 'OFF-1'], 'OFF-1'],
];

describe('TelemetryDecoder: reading-level rejections keep the good neighbours', () => {
  it.each(readingCases)('%s → %s', (_name, reading, reason, detail, tag) => {
    const { accepted, rejected } = decode(between(reading));
    expect(rejected).toHaveLength(1);
    const r = rejected[0]!;
    expect(r.reason).toBe(reason);
    for (const part of detail) expect(r.detail).toContain(part);
    expect(r.tag).toBe(tag);
    // The offending reading itself goes to the dead letter, not the whole message (as sent when
    // parsing lost its value).
    if (reason === 'non_finite') expect(Buffer.from(r.reading as Uint8Array).toString()).toBe(reading);
    else expect(r.reading).toEqual(JSON.parse(reading));
    expect(accepted).toEqual([FIRST_ROW, LAST_ROW]);
  });

  it.each([
    ['exactly at the future skew boundary', NOW + LIMITS.maxFutureSkewMs],
    ['exactly at the age boundary', NOW - LIMITS.maxAgeMs],
    ['exactly now', NOW],
  ])('accepts a ts %s', (_name, ts) => {
    const { accepted, rejected } = decode(between(at(ts)));
    expect(rejected).toEqual([]);
    expect(accepted).toEqual([FIRST_ROW, [11, ts, 1, 0], LAST_ROW]);
  });

  it.each([
    ['good', 0],
    ['uncertain', 1],
    ['bad', 2],
  ] as const)('maps quality %s to code %i', (quality, code) => {
    const { accepted } = decode(`{"readings":[{"tag":"TI-1","ts":${NOW},"value":3,"quality":"${quality}"}]}`);
    expect(accepted).toEqual([[11, NOW, 3, code]]);
  });

  it('accepts an optional seq and keeps values exactly (including -0 and extremes)', () => {
    const { accepted, rejected } = decode(
      `{"seq":42,"readings":[{"tag":"TI-1","ts":${NOW},"value":-0},{"tag":"PI-1","ts":${NOW},"value":1.7976931348623157e308}]}`,
    );
    expect(rejected).toEqual([]);
    expect(accepted).toEqual([
      [11, NOW, -0, 0],
      [12, NOW, Number.MAX_VALUE, 0],
    ]);
    expect(Object.is(accepted[0]![2], -0)).toBe(true);
  });

  // seq is informative (the device traces its own gaps): a bad one must not lose the readings.
  it.each([
    ['negative', '-1'],
    ['fractional', '1.5'],
    ['a string', '"7"'],
    ['null', 'null'],
    ['an object', '{"n":1}'],
  ])('keeps the readings of a message whose seq is %s, reporting the seq once', (_name, seq) => {
    const { accepted, rejected, badSeq } = decode(`{"seq":${seq},"readings":[${FIRST},${LAST}]}`);
    expect(rejected).toEqual([]);
    expect(accepted).toEqual([FIRST_ROW, LAST_ROW]);
    expect(badSeq).toHaveLength(1);
    expect(badSeq[0]).toContain('/seq');
  });

  it('reports nothing for a valid or absent seq', () => {
    expect(decode(`{"seq":0,"readings":[${FIRST}]}`).badSeq).toEqual([]);
    expect(decode(`{"readings":[${FIRST}]}`).badSeq).toEqual([]);
  });
});

const pad = (json: string, bytes: number): string => json + ' '.repeat(bytes - Buffer.byteLength(json));
const readingsOf = (n: number): string =>
  `{"readings":[${Array.from({ length: n }, () => FIRST).join(',')}]}`;
const GW9: ParsedTopic = { ...GW1, gateway: 'GW9' };
const E9: ParsedTopic = { ...GW1, enterprise: 'E9' };

/** name, payload, reason, substrings of detail, topic (GW1 when omitted). */
type MessageCase = [
  name: string,
  payload: string | Uint8Array,
  reason: RejectReason,
  detail: string[],
  topic?: ParsedTopic,
];

const MAX_BYTES = LIMITS.maxPayloadBytes;
const MAX_READINGS = LIMITS.maxReadingsPerMessage;
const messageCases: MessageCase[] = [
  [
    'oversized by one byte',
    pad(readingsOf(1), MAX_BYTES + 1),
    'oversized',
    [`${MAX_BYTES + 1} bytes > ${MAX_BYTES}`],
  ],
  ['oversized by reading count', readingsOf(MAX_READINGS + 1), 'oversized', [`${MAX_READINGS + 1} readings`]],
  ['truncated JSON', '{"readings": [', 'malformed_json', []],
  ['empty payload', '', 'malformed_json', []],
  ['invalid UTF-8 bytes', new Uint8Array([0xff, 0xfe, 0x7b, 0x7d]), 'malformed_json', []],
  ['JSON with a trailing comma', `{"readings":[${FIRST},]}`, 'malformed_json', []],
  ['envelope an array', `[${FIRST}]`, 'bad_envelope', ['/']],
  ['envelope a number', '42', 'bad_envelope', ['/']],
  ['envelope null', 'null', 'bad_envelope', ['/']],
  ['missing readings', '{"seq":1}', 'bad_envelope', ['/readings']],
  ['readings not an array', `{"readings":${FIRST}}`, 'bad_envelope', ['/readings']],
  ['empty readings array', '{"readings":[]}', 'bad_envelope', ['/readings']],
  ['extra envelope key', `{"readings":[${FIRST}],"site":"x"}`, 'bad_envelope', ['/site']],
  ['unknown gateway', readingsOf(1), 'unknown_gateway', ['E1/GW9'], GW9],
  ['unknown enterprise', readingsOf(1), 'unknown_gateway', ['E9/GW1'], E9],
];

describe('TelemetryDecoder: a non-finite value keeps the text the device sent', () => {
  // JSON.parse makes 1e999 Infinity, which JSON.stringify writes as null: the dead letter must show
  // what was sent, or nobody can tell which device bug it was.
  it.each([
    ['1e999', `{"tag":"TI-1","ts":${T},"value":1e999}`, '1e999'],
    ['spaces and an exponent sign', `{ "value" : -1E+400 , "tag":"TI-1", "ts":${T} }`, '-1E+400'],
    [
      'a later duplicate key (JSON.parse keeps the last)',
      `{"value":1,"tag":"TI-1","ts":${T},"value":2e308}`,
      '2e308',
    ],
  ])('%s', (_name, reading, literal) => {
    const { rejected } = decode(`{"seq":1,"readings":[${FIRST}, ${reading},${LAST}]}`);
    expect(rejected).toHaveLength(1);
    expect(rejected[0]!.reason).toBe('non_finite');
    expect(Buffer.from(rejected[0]!.reading as Uint8Array).toString()).toBe(reading);
    expect(rejected[0]!.detail).toBe(`readings/1/value ${literal} is not finite`);
  });

  it('finds the reading however the text is laid out (brackets and quotes inside strings, nesting)', () => {
    const reading = `{"tag":"TI-1","ts":${T},"value":1e999}`;
    const tricky = JSON.stringify({ tag: 'a]}"[{\\', ts: 1, value: 'x', more: [[{ ']': '"value":1' }]] });
    const payload = `{"readings":[${tricky},${reading}],"seq":2}`;
    expect(() => JSON.parse(payload) as unknown).not.toThrow();
    const { rejected } = decode(payload);
    const nonFinite = rejected.find((r) => r.reason === 'non_finite');
    expect(Buffer.from(nonFinite!.reading as Uint8Array).toString()).toBe(reading);
  });
});

describe('TelemetryDecoder: message-level rejections refuse the whole message once', () => {
  it.each(messageCases)('%s → %s', (_name, payload, reason, detail, topic) => {
    const { accepted, rejected } = decode(payload, topic);
    expect(accepted).toEqual([]);
    expect(rejected).toHaveLength(1);
    const r = rejected[0]!;
    expect(r.reason).toBe(reason);
    for (const part of detail) expect(r.detail).toContain(part);
    expect(r.detail.length).toBeGreaterThan(0);
    // Message-level: no tag, no reading; the caller dead-letters the raw payload.
    expect(r.tag).toBeUndefined();
    expect(r.reading).toBeUndefined();
  });

  it('accepts a payload of exactly maxPayloadBytes and exactly maxReadingsPerMessage readings', () => {
    const json = readingsOf(LIMITS.maxReadingsPerMessage);
    const { accepted, rejected } = decode(pad(json, LIMITS.maxPayloadBytes));
    expect(rejected).toEqual([]);
    expect(accepted).toHaveLength(LIMITS.maxReadingsPerMessage);
  });

  it('decodes a payload that is a view into a larger buffer (as the MQTT parser hands it over)', () => {
    const json = readingsOf(1);
    const backing = Buffer.from(`xxxx${json}yyyy`);
    const { accepted, rejected } = decode(backing.subarray(4, 4 + json.length));
    expect(rejected).toEqual([]);
    expect(accepted).toEqual([FIRST_ROW]);
  });
});

describe('TelemetryDecoder: every reading is accounted for', () => {
  const tags = ['TI-1', 'PI-1', 'OFF-1', 'TI-2', 'XX-9'];
  const reading = fc.oneof(
    fc.record({
      tag: fc.constantFrom(...tags),
      ts: fc.oneof(
        fc.integer({ min: NOW - LIMITS.maxAgeMs - 10, max: NOW + LIMITS.maxFutureSkewMs + 10 }),
        fc.constantFrom(0, -1, 1.5, NOW),
      ),
      value: fc.oneof(fc.double(), fc.constant('x'), fc.constant(null)),
    }),
    fc.anything(),
  );

  it('accepted + rejected equals the number of readings of a well-formed envelope', () => {
    fc.assert(
      fc.property(
        fc.array(reading, { minLength: 1, maxLength: LIMITS.maxReadingsPerMessage }),
        (readings) => {
          const text = JSON.stringify({ readings });
          fc.pre(Buffer.byteLength(text) <= LIMITS.maxPayloadBytes);
          const { accepted, rejected } = decode(text);
          expect(accepted.length + rejected.length).toBe(readings.length);
          for (const [, ts, value] of accepted) {
            expect(Number.isFinite(value)).toBe(true);
            expect(ts).toBeGreaterThanOrEqual(NOW - LIMITS.maxAgeMs);
            expect(ts).toBeLessThanOrEqual(NOW + LIMITS.maxFutureSkewMs);
          }
        },
      ),
      { seed: 1101, numRuns: 500 },
    );
  });

  it('never throws and rejects at most once per message for arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const { accepted, rejected } = decode(bytes);
        expect(accepted).toEqual([]);
        expect(rejected.length).toBe(1);
      }),
      { seed: 1102, numRuns: 300 },
    );
  });
});
