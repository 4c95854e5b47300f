import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  buildSourceKey,
  gatewaySourceKey,
  parseSourceKey,
  platformSourceKey,
  pointSourceKey,
  type ParsedSourceKey,
} from '@hazardwatch/contracts';

describe('source key builders', () => {
  it('write the stored forms', () => {
    expect(pointSourceKey(42)).toBe('point:42');
    expect(gatewaySourceKey('E1', 'GW01')).toBe('gateway:E1/GW01');
    expect(buildSourceKey({ type: 'point', pointId: 7 })).toBe('point:7');
    expect(buildSourceKey({ type: 'gateway', enterprise: 'E1', gateway: 'GW01' })).toBe('gateway:E1/GW01');
    expect(platformSourceKey('timescaledb', 'retention:readings')).toBe(
      'platform:timescaledb/retention:readings',
    );
  });
});

describe('parseSourceKey', () => {
  const valid: Array<[string, ParsedSourceKey]> = [
    ['point:42', { type: 'point', pointId: 42 }],
    ['point:0', { type: 'point', pointId: 0 }],
    [`point:${Number.MAX_SAFE_INTEGER}`, { type: 'point', pointId: Number.MAX_SAFE_INTEGER }],
    ['gateway:E1/GW01', { type: 'gateway', enterprise: 'E1', gateway: 'GW01' }],
    ['gateway:ent_a-1/gw-B_2', { type: 'gateway', enterprise: 'ent_a-1', gateway: 'gw-B_2' }],
    [
      'platform:timescaledb/refresh:readings_1m',
      { type: 'platform', component: 'timescaledb', name: 'refresh:readings_1m' },
    ],
  ];
  it.each(valid)('parses %s', (key, expected) => {
    expect(parseSourceKey(key)).toEqual(expected);
  });

  const malformed: Array<[string, string]> = [
    ['empty', ''],
    ['unknown prefix', 'hazard:E1/H1'],
    ['prefix in upper case', 'POINT:42'],
    ['point without id', 'point:'],
    ['point id not a number', 'point:abc'],
    ['point id with a fraction', 'point:1.5'],
    ['negative point id', 'point:-1'],
    ['point id with a leading zero', 'point:042'],
    ['point id with a sign', 'point:+42'],
    ['point id with blanks', 'point: 42'],
    ['point id in exponent form', 'point:1e3'],
    ['point id beyond a safe integer', 'point:9007199254740993'],
    ['gateway without a slash', 'gateway:E1'],
    ['gateway without enterprise', 'gateway:/GW01'],
    ['gateway without gateway code', 'gateway:E1/'],
    ['gateway with an extra level', 'gateway:E1/GW01/x'],
    ['gateway without codes', 'gateway:'],
    ['no prefix separator', 'point42'],
    ['platform without a slash', 'platform:timescaledb'],
    ['platform without component', 'platform:/retention:readings'],
    ['platform without name', 'platform:timescaledb/'],
    ['platform with an extra level', 'platform:timescaledb/a/b'],
  ];
  it.each(malformed)('refuses %s', (_name, key) => {
    expect(parseSourceKey(key)).toBeUndefined();
  });

  it('reads back what the builders write', () => {
    const code = fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/);
    fc.assert(
      fc.property(
        fc.oneof(
          fc
            .integer({ min: 0, max: Number.MAX_SAFE_INTEGER })
            .map((pointId) => ({ type: 'point' as const, pointId })),
          fc.record({ type: fc.constant('gateway' as const), enterprise: code, gateway: code }),
          fc.record({
            type: fc.constant('platform' as const),
            component: code,
            name: fc.stringMatching(/^[A-Za-z0-9_:-]{1,64}$/),
          }),
        ),
        (source: ParsedSourceKey) => {
          expect(parseSourceKey(buildSourceKey(source))).toEqual(source);
        },
      ),
    );
  });
});
