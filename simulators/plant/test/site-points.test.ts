import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { isSimulatorError, loadSimulatedSite, type SimulatorError } from '@hazardwatch/simulators';
import { CHLOR_ALKALI, EXAMPLE_SITE_YAML, FINE_CHEM } from './example-site.js';

function thrown(fn: () => unknown): SimulatorError {
  try {
    fn();
  } catch (err) {
    if (isSimulatorError(err)) return err;
    throw err;
  }
  throw new Error('expected a SimulatorError');
}

const minimal = (points: object[], gateways: object[] = [{ code: 'GW1', enterprise: 'E1', name: 'g' }]) =>
  JSON.stringify({ enterprises: [{ code: 'E1' }], gateways, points });
const point = (over: object = {}) => ({
  tag: 'TT-1',
  enterprise: 'E1',
  gateway: 'GW1',
  kind: 'temperature',
  unit: '°C',
  range: { min: 0, max: 100 },
  ...over,
});

describe('loadSimulatedSite on the example site', () => {
  const site = loadSimulatedSite(EXAMPLE_SITE_YAML);

  it('reads the enterprises, their gateways and the points on each', () => {
    expect(site.enterprises).toEqual([CHLOR_ALKALI, FINE_CHEM]);
    expect(site.gateways.map((g) => [g.enterprise, g.code, g.points.map((p) => p.tag)])).toEqual([
      [
        CHLOR_ALKALI,
        'GW01',
        ['LT-1101', 'LSHH-1101', 'PT-1101', 'TT-1101', 'AT-1101', 'AT-1103', 'SIT-1190'],
      ],
      [FINE_CHEM, 'GW01', ['TT-2101', 'PT-2101', 'FT-2102', 'AT-2101', 'AT-2102', 'AT-2110']],
    ]);
    expect(site.points).toHaveLength(13);
  });

  it('keeps kind, unit, range and only the limits that are set', () => {
    const byTag = new Map(site.points.map((p) => [p.tag, p]));
    expect(byTag.get('LT-1101')).toEqual({
      enterprise: CHLOR_ALKALI,
      gateway: 'GW01',
      tag: 'LT-1101',
      kind: 'level',
      unit: '%',
      range: { min: 0, max: 100 },
      limits: { ll: 10, l: 20, h: 80, hh: 85 },
      enabled: true,
    });
    expect(byTag.get('PT-1101')!.limits).toEqual({ h: 1.0, hh: 1.2 });
    expect(byTag.get('AT-1103')).toMatchObject({ kind: 'oxygen', unit: '%VOL', limits: {} });
    expect(byTag.get('AT-2110')).toMatchObject({ kind: 'open_path_gas', unit: 'LEL·m', limits: {} });
  });

  it('reads the same site from JSON', () => {
    expect(loadSimulatedSite(JSON.stringify(parse(EXAMPLE_SITE_YAML)))).toEqual(site);
  });

  it('is frozen', () => {
    expect(Object.isFrozen(site)).toBe(true);
    expect(Object.isFrozen(site.points[0])).toBe(true);
    expect(Object.isFrozen(site.gateways[0]!.points)).toBe(true);
  });
});

describe('loadSimulatedSite', () => {
  it('keeps disabled points on their gateway, marked disabled', () => {
    const site = loadSimulatedSite(minimal([point(), point({ tag: 'TT-2', enabled: false })]));
    expect(site.gateways[0]!.points.map((p) => [p.tag, p.enabled])).toEqual([
      ['TT-1', true],
      ['TT-2', false],
    ]);
  });

  it('keeps a gateway without points', () => {
    const site = loadSimulatedSite(minimal([], [{ code: 'GW1', enterprise: 'E1' }]));
    expect(site.gateways).toEqual([{ enterprise: 'E1', code: 'GW1', points: [] }]);
  });

  it.each([
    [
      'a point on an unknown gateway',
      minimal([point({ gateway: 'GW9' })]),
      'point E1/TT-1: unknown gateway GW9',
    ],
    ['a duplicate tag', minimal([point(), point()]), 'point E1/TT-1: duplicate tag'],
    ['an empty range', minimal([point({ range: { min: 5, max: 5 } })]), 'range.min must be below range.max'],
    [
      'a gateway of an unknown enterprise',
      minimal([], [{ code: 'GW1', enterprise: 'E2' }]),
      'gateway E2/GW1: unknown enterprise',
    ],
    ['a code that cannot be a topic level', minimal([point({ enterprise: 'E/1' })]), '/points/0/enterprise'],
    [
      'a range that is not numeric',
      minimal([point({ range: { min: 'low', max: 1 } })]),
      '/points/0/range/min',
    ],
    ['a file without points', JSON.stringify({ enterprises: [], gateways: [] }), '/points'],
  ])('refuses %s, naming the problem', (_what, text, issue) => {
    const err = thrown(() => loadSimulatedSite(text));
    expect(err.code).toBe('HW_SIM_SITE_INVALID');
    expect(err.retryable).toBe(false);
    expect((err.data.issues as string[]).join('\n')).toContain(issue);
  });

  it('refuses text that is neither YAML nor JSON', () => {
    expect(thrown(() => loadSimulatedSite('points: [\n  - {tag: ')).code).toBe('HW_SIM_SITE_PARSE');
  });
});
