import { describe, expect, it } from 'vitest';
import { isEdgeError } from '../src/errors.js';
import { mapMessage, toNumber, toQuality, toTimestamp } from '../src/sources/mqtt-bridge-mapping.js';
import {
  compileMqttBridgeOptions,
  type MqttBridgeSubscriptionOptions,
} from '../src/sources/mqtt-bridge-options.js';

const ARRIVAL = 1_714_550_400_000; // 2024-05-01T08:00:00Z

const compile = (subscriptions: readonly MqttBridgeSubscriptionOptions[]) =>
  compileMqttBridgeOptions({ name: 'bridge', url: 'mqtt://127.0.0.1:1883', subscriptions }).subscriptions;

describe('toNumber', () => {
  it.each<[unknown, number | undefined]>([
    [12.5, 12.5],
    [-3, -3],
    [true, 1],
    [false, 0],
    ['12.5', 12.5],
    [' 7 ', 7],
    ['1e3', 1000],
    ['', undefined],
    ['  ', undefined],
    ['abc', undefined],
    ['12 bar', undefined],
    [null, undefined],
    [{}, undefined],
    [[1], undefined],
    [Number.NaN, undefined],
  ])('%j → %j', (raw, expected) => {
    expect(toNumber(raw)).toBe(expected);
  });
});

describe('toTimestamp', () => {
  it.each<[unknown, number | undefined]>([
    [ARRIVAL, ARRIVAL],
    [ARRIVAL + 0.9, ARRIVAL],
    ['2024-05-01T08:00:00Z', ARRIVAL],
    ['2024-05-01T10:00:00+02:00', ARRIVAL],
    ['2024-05-01T08:00:00.250Z', ARRIVAL + 250],
    ['yesterday', undefined],
    ['', undefined],
    [-1, undefined],
    [true, undefined],
    [undefined, undefined],
  ])('%j → %j', (raw, expected) => {
    expect(toTimestamp(raw)).toBe(expected);
  });
});

describe('toQuality', () => {
  it.each<[unknown, string]>([
    [undefined, 'good'],
    ['good', 'good'],
    ['BAD', 'bad'],
    [' Uncertain ', 'uncertain'],
    [0, 'good'],
    [1, 'uncertain'],
    [2, 'bad'],
    [true, 'good'],
    [false, 'bad'],
    ['ERR', 'uncertain'],
    [192, 'uncertain'],
    [null, 'uncertain'],
  ])('%j → %s', (raw, expected) => {
    expect(toQuality(raw)).toBe(expected);
  });
});

describe('mapMessage', () => {
  const subscriptions = compile([
    {
      topic: 'plant/+/telemetry',
      fields: [
        { path: 'p', tag: '{1}-PT', scale: { factor: 0.001, offset: 0 } },
        {
          path: 'readings[0].v',
          tag: '{1}-TT',
          timestampPath: 'readings[0].t',
          qualityPath: 'readings[0].q',
        },
      ],
    },
    { topic: 'plant/#', fields: [{ path: 'p', tag: 'ALL-{1}' }] },
  ]);

  it('maps every field of every matching subscription, with templates and scaling', () => {
    const payload = JSON.stringify({
      p: 1500,
      readings: [{ v: 21.5, t: '2024-05-01T07:59:00Z', q: 'uncertain' }],
    });
    const mapped = mapMessage(subscriptions, 'plant/U1/telemetry', payload, ARRIVAL, false);
    expect(mapped.rejections).toEqual([]);
    expect(mapped.readings).toEqual([
      { tag: 'U1-PT', ts: ARRIVAL, value: 1.5 },
      { tag: 'U1-TT', ts: ARRIVAL - 60_000, value: 21.5, quality: 'uncertain' },
      { tag: 'ALL-U1', ts: ARRIVAL, value: 1500 },
    ]);
  });

  it('ignores topics no subscription matches', () => {
    const mapped = mapMessage(subscriptions, 'other/U1', 'not json', ARRIVAL, false);
    expect(mapped).toEqual({ matched: false, readings: [], rejections: [], retainedSkipped: 0 });
  });

  it('rejects malformed JSON once per matching subscription', () => {
    const mapped = mapMessage(subscriptions, 'plant/U1/telemetry', '{"p": 1', ARRIVAL, false);
    expect(mapped.readings).toEqual([]);
    expect(mapped.rejections.map((r) => r.reason)).toEqual(['malformed_json', 'malformed_json']);
  });

  it.each<[string, unknown, string[]]>([
    ['missing fields', {}, ['missing_field', 'missing_field', 'missing_field']],
    [
      'non-numeric values',
      { p: 'high', readings: [{ v: null, t: ARRIVAL }] },
      ['not_numeric', 'not_numeric', 'not_numeric'],
    ],
    ['a bad timestamp', { p: 1, readings: [{ v: 1, t: 'noon' }] }, ['bad_timestamp']],
    ['a missing timestamp', { p: 1, readings: [{ v: 1 }] }, ['bad_timestamp']],
  ])('rejects %s per field, keeping the good fields', (_name, payload, reasons) => {
    const mapped = mapMessage(subscriptions, 'plant/U1/telemetry', JSON.stringify(payload), ARRIVAL, false);
    expect(mapped.rejections.map((r) => r.reason)).toEqual(reasons);
    expect(mapped.readings.length + mapped.rejections.length).toBe(3);
  });

  it('gives no tag when a template level is missing under #', () => {
    const mapped = mapMessage(subscriptions, 'plant', '{"p": 1}', ARRIVAL, false);
    expect(mapped.rejections).toEqual([{ subscription: 'plant/#', field: 'p', reason: 'bad_tag' }]);
  });

  it('skips retained fields without a source timestamp, keeps those with one', () => {
    const payload = JSON.stringify({ p: 1, readings: [{ v: 2, t: ARRIVAL - 3_600_000 }] });
    const mapped = mapMessage(subscriptions, 'plant/U1/telemetry', payload, ARRIVAL, true);
    expect(mapped.readings).toEqual([{ tag: 'U1-TT', ts: ARRIVAL - 3_600_000, value: 2 }]);
    expect(mapped.retainedSkipped).toBe(2);
  });

  it('accepts a bare number payload with the empty path', () => {
    const bare = compile([{ topic: 'sensors/+', fields: [{ path: '', tag: '{1}' }] }]);
    expect(mapMessage(bare, 'sensors/TI-9', '23.5', ARRIVAL, false).readings).toEqual([
      { tag: 'TI-9', ts: ARRIVAL, value: 23.5 },
    ]);
  });
});

describe('compileMqttBridgeOptions', () => {
  it.each<[string, MqttBridgeSubscriptionOptions, RegExp]>([
    ['a bad filter', { topic: 'a/#/b', fields: [{ path: 'v', tag: 'T' }] }, /"#" must be/],
    ['a bad path', { topic: 'a', fields: [{ path: 'v..w', tag: 'T' }] }, /path "v..w"/],
    [
      'a bad timestamp path',
      { topic: 'a', fields: [{ path: 'v', tag: 'T', timestampPath: '[x]' }] },
      /path "\[x\]"/,
    ],
    [
      'a template beyond the filter',
      { topic: 'a/+', fields: [{ path: 'v', tag: '{2}-PT' }] },
      /uses level \{2\}/,
    ],
    ['a stray brace', { topic: 'a/+', fields: [{ path: 'v', tag: '{one}' }] }, /placeholders/],
    ['no fields', { topic: 'a', fields: [] }, /no fields/],
  ])('rejects %s with HW_EDGE_SOURCE_CONFIG', (_name, subscription, message) => {
    let error: unknown;
    try {
      compile([subscription]);
    } catch (err) {
      error = err;
    }
    expect(isEdgeError(error, 'HW_EDGE_SOURCE_CONFIG')).toBe(true);
    expect((error as Error).message).toMatch(message);
  });
});
