import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  commandTopic,
  FLEET_FILTERS,
  gatewayTopic,
  isTopicSegment,
  MALFORMED_TOPIC_FILTERS,
  parseTopic,
  statusTopic,
  telemetryTopic,
  topicFilter,
  TOPIC_KINDS,
  type ParsedTopic,
} from '@hazardwatch/contracts';

const code64 = 'A'.repeat(64);
const code65 = 'A'.repeat(65);

describe('parseTopic', () => {
  const valid: Array<[string, ParsedTopic]> = [
    ['hw/v1/E1/GW1/telemetry', { enterprise: 'E1', gateway: 'GW1', kind: 'telemetry' }],
    ['hw/v1/E1/GW1/status', { enterprise: 'E1', gateway: 'GW1', kind: 'status' }],
    ['hw/v1/E1/GW1/cmd', { enterprise: 'E1', gateway: 'GW1', kind: 'cmd' }],
    ['hw/v1/ent_a-1/gw-B_2/telemetry', { enterprise: 'ent_a-1', gateway: 'gw-B_2', kind: 'telemetry' }],
    [`hw/v1/${code64}/${code64}/status`, { enterprise: code64, gateway: code64, kind: 'status' }],
    ['hw/v1/x/y/cmd', { enterprise: 'x', gateway: 'y', kind: 'cmd' }],
  ];
  it.each(valid)('parses %s', (topic, expected) => {
    expect(parseTopic(topic)).toEqual(expected);
  });

  const invalid: Array<[string, string]> = [
    ['wrong root', 'hx/v1/E1/GW1/telemetry'],
    ['root in upper case', 'HW/v1/E1/GW1/telemetry'],
    ['wrong version', 'hw/v2/E1/GW1/telemetry'],
    ['version without v', 'hw/1/E1/GW1/telemetry'],
    ['unknown kind', 'hw/v1/E1/GW1/telemetri'],
    ['kind in upper case', 'hw/v1/E1/GW1/Telemetry'],
    ['too few segments', 'hw/v1/E1/telemetry'],
    ['too many segments', 'hw/v1/E1/GW1/telemetry/x'],
    ['trailing slash', 'hw/v1/E1/GW1/telemetry/'],
    ['leading slash', '/hw/v1/E1/GW1/telemetry'],
    ['empty string', ''],
    ['empty enterprise', 'hw/v1//GW1/telemetry'],
    ['empty gateway', 'hw/v1/E1//telemetry'],
    ['single-level wildcard as enterprise', 'hw/v1/+/GW1/telemetry'],
    ['single-level wildcard as gateway', 'hw/v1/E1/+/telemetry'],
    ['multi-level wildcard', 'hw/v1/E1/#'],
    ['multi-level wildcard as gateway', 'hw/v1/E1/#/telemetry'],
    ['space in gateway', 'hw/v1/E1/GW 1/telemetry'],
    ['leading space in enterprise', 'hw/v1/ E1/GW1/telemetry'],
    ['dot in gateway', 'hw/v1/E1/GW.1/telemetry'],
    ['non-ASCII enterprise', 'hw/v1/企业/GW1/telemetry'],
    ['NUL in gateway', 'hw/v1/E1/GW\u00001/telemetry'],
    ['NUL in enterprise', 'hw/v1/\u0000/GW1/telemetry'],
    ['NUL after the kind', 'hw/v1/E1/GW1/telemetry\u0000'],
    ['empty enterprise and gateway', 'hw/v1///telemetry'],
    ['empty kind', 'hw/v1/E1/GW1/'],
    ['version in upper case', 'hw/V1/E1/GW1/telemetry'],
    ['kind all in upper case', 'hw/v1/E1/GW1/TELEMETRY'],
    ['two extra levels', 'hw/v1/E1/GW1/telemetry/a/b'],
    ['65-character enterprise', `hw/v1/${code65}/GW1/telemetry`],
    ['65-character gateway', `hw/v1/E1/${code65}/telemetry`],
    ['a filter, not a topic', topicFilter('telemetry')],
  ];
  it.each(invalid)('refuses %s', (_name, topic) => {
    expect(parseTopic(topic)).toBeUndefined();
  });
});

describe('topic builders', () => {
  const address = { enterprise: 'E1', gateway: 'GW1' };

  it.each([
    ['telemetryTopic', telemetryTopic, 'hw/v1/E1/GW1/telemetry'],
    ['statusTopic', statusTopic, 'hw/v1/E1/GW1/status'],
    ['commandTopic', commandTopic, 'hw/v1/E1/GW1/cmd'],
  ] as const)('%s builds the v1 topic', (_name, build, expected) => {
    expect(build(address)).toBe(expected);
  });

  it('round-trips every kind for any topic-safe address', () => {
    const segment = fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/);
    fc.assert(
      fc.property(segment, segment, fc.constantFrom(...TOPIC_KINDS), (enterprise, gateway, kind) => {
        expect(isTopicSegment(enterprise) && isTopicSegment(gateway)).toBe(true);
        expect(parseTopic(gatewayTopic(kind, { enterprise, gateway }))).toEqual({
          enterprise,
          gateway,
          kind,
        });
      }),
      { seed: 20240611, numRuns: 300 },
    );
  });

  it('round-trips telemetryTopic', () => {
    expect(parseTopic(telemetryTopic(address))).toEqual({ ...address, kind: 'telemetry' });
  });

  it('refuses any address with a character outside the topic-safe alphabet', () => {
    const unsafe = fc
      .tuple(
        fc.string({ maxLength: 10 }),
        fc.constantFrom('+', '#', ' ', '.', '/', 'é', '\n', ''),
        fc.string({ maxLength: 10 }),
      )
      .map(([a, bad, b]) => `${a}${bad}${b}`)
      .filter((s) => !/^[A-Za-z0-9_-]{1,64}$/.test(s));
    fc.assert(
      fc.property(unsafe, (gateway) => {
        expect(parseTopic(telemetryTopic({ enterprise: 'E1', gateway }))).toBeUndefined();
      }),
      { seed: 7, numRuns: 300 },
    );
  });
});

describe('topicFilter', () => {
  it.each([
    ['telemetry', undefined, 'hw/v1/+/+/telemetry'],
    ['status', undefined, 'hw/v1/+/+/status'],
    ['cmd', undefined, 'hw/v1/+/+/cmd'],
    ['telemetry', 'E1', 'hw/v1/E1/+/telemetry'],
    ['status', 'E1', 'hw/v1/E1/+/status'],
  ] as const)('topicFilter(%s, %s) is %s', (kind, enterprise, expected) => {
    expect(topicFilter(kind, enterprise)).toBe(expected);
  });

  it('matches exactly the topics of its kind (and partition) under MQTT single-level wildcard rules', () => {
    const matches = (filter: string, topic: string): boolean => {
      const f = filter.split('/');
      const t = topic.split('/');
      return f.length === t.length && f.every((part, i) => part === '+' || part === t[i]);
    };
    const filter = topicFilter('telemetry', 'E1');
    expect(matches(filter, telemetryTopic({ enterprise: 'E1', gateway: 'GW7' }))).toBe(true);
    expect(matches(filter, statusTopic({ enterprise: 'E1', gateway: 'GW7' }))).toBe(false);
    expect(matches(filter, telemetryTopic({ enterprise: 'E2', gateway: 'GW7' }))).toBe(false);
  });
});

/** MQTT 3.1.1 §4.7 topic matching, enough for these filters (no `$` topics involved). */
const filterMatches = (filter: string, topic: string): boolean => {
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length || (f[i] !== '+' && f[i] !== t[i])) return false;
  }
  return f.length === t.length;
};

describe('catch-all subscriptions', () => {
  const malformed = [
    'hw/v1//GW1/telemetry',
    'hw/v1/E1//telemetry',
    '/hw/v1/E1/GW1/telemetry',
    'hw/v1/E1/GW1/telemetry/',
    'hw/v1/E1/GW1/telemetry/x',
    'HW/v1/E1/GW1/telemetry',
    'hw/V1/E1/GW1/telemetry',
    'hw/v1/E1/GW1/Telemetry',
    'hw/v1/E1/telemetry',
    'hw',
  ];
  const wellFormed = TOPIC_KINDS.map((kind) => gatewayTopic(kind, { enterprise: 'E1', gateway: 'GW1' }));

  it.each(malformed)('FLEET_FILTERS: %s matches exactly one filter', (topic) => {
    expect(FLEET_FILTERS.filter((f) => filterMatches(f, topic))).toHaveLength(1);
  });

  it('FLEET_FILTERS: every gateway topic matches exactly one filter (never delivered twice)', () => {
    for (const topic of wellFormed)
      expect(FLEET_FILTERS.filter((f) => filterMatches(f, topic))).toHaveLength(1);
  });

  it('MALFORMED_TOPIC_FILTERS never match a well-formed topic, and match every malformed one but wrong case below the root', () => {
    for (const topic of wellFormed)
      expect(MALFORMED_TOPIC_FILTERS.some((f) => filterMatches(f, topic))).toBe(false);
    const seen = malformed.filter((t) => MALFORMED_TOPIC_FILTERS.some((f) => filterMatches(f, t)));
    expect(malformed.filter((t) => !seen.includes(t))).toEqual([
      'hw/v1//GW1/telemetry',
      'hw/v1/E1//telemetry',
      'hw/V1/E1/GW1/telemetry',
      'hw/v1/E1/GW1/Telemetry',
    ]);
  });
});
