import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  INCIDENT_TYPES,
  ScenarioPlant,
  isSimulatorError,
  loadScenarioFile,
  parseScenario,
  type LoadedScenario,
} from '@hazardwatch/simulators';

const dir = fileURLToPath(new URL('../scenarios/', import.meta.url));
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.yaml'))
  .sort();
const EPOCH = 1_750_000_000_000;

/** Every reading the fleet would publish over `seconds` of the scenario, hashed. */
function streamHash(loaded: LoadedScenario, epochMs: number, seconds: number, relative = true): string {
  const plant = new ScenarioPlant(loaded.scenario, loaded.site, epochMs);
  const hash = createHash('sha256');
  const tick = loaded.scenario.tickSec * 1000;
  for (let t = 0; t <= seconds * 1000; t += tick) {
    for (const p of loaded.site.points) {
      if (!p.enabled) continue;
      const r = plant.sampleAt(p, epochMs + t);
      hash.update(`${p.enterprise}/${r.tag}@${relative ? r.ts - epochMs : r.ts}=${r.value};`);
    }
  }
  return hash.digest('hex');
}

describe('shipped scenarios', () => {
  it('at least 8, covering every incident and fault type', async () => {
    expect(files.length).toBeGreaterThanOrEqual(8);
    const types = new Set<string>();
    for (const f of files)
      for (const i of (await loadScenarioFile(dir + f)).scenario.timeline) types.add(i.type);
    expect([...types].sort()).toEqual([...INCIDENT_TYPES].sort());
  });

  it.each(files)('%s loads, binds to its site and plays deterministically', async (f) => {
    const loaded = await loadScenarioFile(dir + f);
    expect(loaded.scenario.expectations.length).toBeGreaterThan(0);
    const a = streamHash(loaded, EPOCH, 120);
    expect(streamHash(loaded, EPOCH, 120)).toBe(a);
    // Values and relative timestamps do not depend on the wall-clock date of the run.
    expect(streamHash(loaded, EPOCH + 86_400_000 * 3 + 12_345, 120)).toBe(a);
  });

  it('another seed gives another stream', async () => {
    const loaded = await loadScenarioFile(dir + files[0]!);
    const other = { ...loaded, scenario: { ...loaded.scenario, seed: 999_999 } };
    expect(streamHash(other, EPOCH, 60)).not.toBe(streamHash(loaded, EPOCH, 60));
  });
});

describe('scenario plant', () => {
  it('overfill with the HH interlock: the level stops just above HH and never reaches the top', async () => {
    const loaded = await loadScenarioFile(dir + '01-chlorine-overfill-interlock.yaml');
    const plant = new ScenarioPlant(loaded.scenario, loaded.site, EPOCH);
    const lt = loaded.site.points.find((p) => p.tag === 'LT-1101')!;
    let max = 0;
    for (let t = 0; t <= loaded.scenario.durationSec; t++) {
      for (const p of loaded.site.points) plant.sampleAt(p, EPOCH + t * 1000);
      max = Math.max(max, plant.sampleAt(lt, EPOCH + t * 1000).value);
    }
    expect(max).toBeGreaterThanOrEqual(85);
    expect(max).toBeLessThan(86);
  });

  it('jitters sample timestamps within the configured bound and skews a gateway clock', async () => {
    const loaded = await loadScenarioFile(dir + '10-clock-skew-bad-payloads.yaml');
    const plant = new ScenarioPlant(loaded.scenario, loaded.site, EPOCH);
    const skewed = loaded.site.points.find((p) => p.tag === 'TT-2101')!;
    const other = loaded.site.points.find((p) => p.tag === 'LT-1101')!;
    for (const t of [0, 60, 119]) {
      const d = plant.sampleAt(other, EPOCH + t * 1000).ts - (EPOCH + t * 1000);
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThan(loaded.scenario.sampleJitterMs);
    }
    const during = plant.sampleAt(skewed, EPOCH + 200_000).ts - (EPOCH + 200_000);
    expect(during).toBeLessThanOrEqual(-120_000 + loaded.scenario.sampleJitterMs);
    expect(during).toBeGreaterThanOrEqual(-120_000);
  });
});

describe('scenario file checks', () => {
  const base = `
name: t
site: x.yaml
seed: 1
durationSec: 100
timeline:
  - { id: a, type: sensor_stuck, atSec: 1, enterprise: E1, tag: T1 }
expectations:
  - { id: e, type: no_alarm, alarm: { tag: T1 } }
`;
  it.each([
    ['unknown top-level key', base + 'bogus: 1\n', '/bogus: unknown key "bogus"'],
    [
      'unknown incident key',
      base.replace('tag: T1 }', 'tag: T1, colour: red }'),
      '/timeline/0/colour: unknown key "colour"',
    ],
    ['unknown incident type', base.replace('sensor_stuck', 'meteor'), '/timeline/0/type: must be one of'],
    [
      'unknown expectation key',
      base.replace('alarm: { tag: T1 } }', 'alarm: { tag: T1 }, withinSecs: 3 }'),
      'unknown key "withinSecs"',
    ],
    [
      'expectation after an unknown incident',
      base.replace('type: no_alarm,', 'type: no_alarm, after: zz,'),
      'no incident "zz"',
    ],
    ['incident after the end', base.replace('atSec: 1', 'atSec: 500'), 'starts after the scenario ends'],
    [
      'duplicate incident id',
      base.replace(
        'expectations:',
        '  - { id: a, type: noise_burst, atSec: 1, enterprise: E1, tag: T1, stdDev: 1 }\nexpectations:',
      ),
      'duplicate incident id',
    ],
  ])('%s is refused with the key named', (_name, text, message) => {
    try {
      parseScenario(text, 't.yaml');
      expect.unreachable();
    } catch (err) {
      expect(isSimulatorError(err, 'HW_SIM_SCENARIO_INVALID')).toBe(true);
      expect((err as Error).message).toContain(message);
    }
  });

  it('a scenario that does not fit its site is refused with every problem', async () => {
    const loaded = await loadScenarioFile(dir + '06-sensor-faults.yaml');
    const scenario = parseScenario(
      `
name: misfit
site: x.yaml
seed: 1
durationSec: 100
plant:
  - { enterprise: 91320623MA1W000001, tanks: [{ id: V, medium: lpg, kind: pressure, capacityM3: 1, levelPct: 5, feedM3PerH: 1, tags: { level: NOPE } }] }
timeline:
  - { id: a, type: gateway_power_loss, atSec: 1, enterprise: 91320623MA1W000001, gateway: GW99 }
  - { id: b, type: overfill, atSec: 1, enterprise: 91320623MA1W000001, tank: V-9 }
expectations: []
`,
      'misfit.yaml',
    );
    try {
      new ScenarioPlant(scenario, loaded.site, EPOCH);
      expect.unreachable();
    } catch (err) {
      expect(isSimulatorError(err, 'HW_SIM_SCENARIO_INVALID')).toBe(true);
      const issues = (err as { data: { issues: string[] } }).data.issues.join('\n');
      expect(issues).toContain('site has no point 91320623MA1W000001/NOPE');
      expect(issues).toContain('site has no gateway 91320623MA1W000001/GW99');
      expect(issues).toContain('no tank "V-9"');
    }
  });
});

describe('shipped scenario library', () => {
  it('is listed from the package', async () => {
    const { listShippedScenarios } = await import('@hazardwatch/simulators');
    const listed = await listShippedScenarios();
    expect(listed.map((p) => p.slice(p.lastIndexOf('/') + 1))).toEqual(files);
  });
});
