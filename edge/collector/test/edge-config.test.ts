import { describe, expect, it } from 'vitest';
import { isEdgeError, parseEdgeConfig } from '@hazardwatch/edge';

const base = () => ({
  gateway: { enterprise: '91320623MA1W000001', code: 'GW01' },
  uplink: { url: 'mqtts://mqtt.example.gov.cn:8883', username: 'E.GW01', password: 'secret' },
  spool: { dir: '/var/lib/hazardwatch/spool' },
  sources: [
    {
      kind: 'opcua',
      name: 'dcs',
      endpointUrl: 'opc.tcp://10.0.0.5:4840',
      tags: [
        {
          nodeId: 'ns=2;s=PT1101',
          tag: 'PT-1101',
          scale: { rawMin: 0, rawMax: 27648, engMin: 0, engMax: 1.6 },
        },
      ],
    },
    {
      kind: 'modbus',
      name: 'gas-panel',
      host: '10.0.0.9',
      deadband: 0.5,
      tags: [{ tag: 'AT-1201', table: 'input', address: 0, type: 'float32', wordOrder: 'CDAB' }],
    },
  ],
});

const problems = (input: unknown): string[] => {
  try {
    parseEdgeConfig(input);
  } catch (error) {
    if (isEdgeError(error, 'HW_EDGE_CONFIG_INVALID')) return error.data['issues'] as string[];
    throw error;
  }
  return [];
};

describe('edge config', () => {
  it('applies documented defaults and freezes the result', () => {
    const config = parseEdgeConfig(base());
    expect(config.spool).toMatchObject({ maxMb: 1024, maxAgeHours: 168, fsync: 'always' });
    expect(config.uplink).toMatchObject({
      heartbeatSec: 30,
      keepaliveSec: 30,
      ackTimeoutSec: 10,
      replayReadingsPerSec: 50_000,
    });
    expect(config.healthPort).toBe(9465);
    expect(Object.isFrozen(config.sources[0])).toBe(true);
  });

  it('names an unknown key inside a source by its path', () => {
    const input = base();
    (input.sources[1]!.tags[0] as Record<string, unknown>)['adress'] = 3;
    expect(problems(input)).toContain('unknown key sources.1.tags.0.adress');
  });

  it('names a bad value and an unknown source kind', () => {
    const input = base() as { sources: Array<Record<string, unknown>> };
    input.sources[0]!['endpointUrl'] = 'http://wrong';
    expect(problems(input).join('\n')).toMatch(/sources\.0\.endpointUrl/);
    input.sources[0]!['kind'] = 'bacnet';
    expect(problems(input)).toEqual(['sources.0.kind: must be one of opcua, modbus, mqtt']);
  });

  it('refuses a gateway code that cannot be a topic segment and a tag read twice', () => {
    const bad = base();
    bad.gateway.code = 'GW/01';
    expect(problems(bad).join('\n')).toMatch(/gateway\.code/);
    const twice = base();
    (twice.sources[1]!.tags[0] as Record<string, unknown>)['tag'] = 'PT-1101';
    expect(problems(twice)).toEqual([
      'sources.gas-panel: tag PT-1101 is read by more than one source or twice',
    ]);
  });
});
