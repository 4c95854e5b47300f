/**
 * One step of every enterprise's plant between two simulated times, under the process incidents
 * of the timeline (leak, loss of cooling, overfill, overpressure, wind shift). Incidents switch
 * on and off exactly at their times: the step is split at every incident edge inside it.
 */
import { concentrationIn, MEDIUM_DATA } from '../plant/media.js';
import { plumeConcentration } from '../plant/gas-plume.js';
import type { WeatherOverrides } from '../plant/weather-model.js';
import type { EnterprisePlant } from './plant-bindings.js';
import type { Incident } from './scenario-schema.js';

/** Open-path detectors: the plume crossing the beam is taken as this long (m) of it. */
const OPEN_PATH_PLUME_M = 10;

export function incidentActive(inc: Incident, elapsedMs: number): boolean {
  const start = inc.atSec * 1000;
  return elapsedMs >= start && (inc.durationSec === undefined || elapsedMs < start + inc.durationSec * 1000);
}

export function advancePlant(
  plants: ReadonlyMap<string, EnterprisePlant>,
  timeline: readonly Incident[],
  fromMs: number,
  toMs: number,
): void {
  const edges = new Set<number>();
  for (const inc of timeline) {
    const start = inc.atSec * 1000;
    edges.add(start);
    if (inc.durationSec !== undefined) edges.add(start + inc.durationSec * 1000);
  }
  const cuts = [...edges].filter((t) => t > fromMs && t < toMs).sort((a, b) => a - b);
  let t = fromMs;
  for (const next of [...cuts, toMs]) {
    for (const plant of plants.values()) stepPlant(plant, timeline, t, next);
    t = next;
  }
}

function stepPlant(
  plant: EnterprisePlant,
  timeline: readonly Incident[],
  fromMs: number,
  toMs: number,
): void {
  const dt = toMs - fromMs;
  const mine = timeline.filter((i) => i.enterprise === plant.enterprise && incidentActive(i, fromMs));
  const overrides: { -readonly [K in keyof WeatherOverrides]: WeatherOverrides[K] } = {};
  for (const inc of mine) {
    if (inc.type !== 'wind_shift') continue;
    if (inc.windFromDeg !== undefined) overrides.windFromDeg = inc.windFromDeg;
    if (inc.windSpeedMs !== undefined) overrides.windSpeedMs = inc.windSpeedMs;
  }
  const weather = plant.weather.at(toMs, overrides);

  for (const [id, tank] of plant.tanks) {
    const overfill = mine.find(
      (i): i is Extract<Incident, { type: 'overfill' }> => i.type === 'overfill' && i.tank === id,
    );
    const pressure = mine.find(
      (i): i is Extract<Incident, { type: 'overpressure' }> => i.type === 'overpressure' && i.tank === id,
    );
    if (overfill === undefined) tank.resetInterlocks();
    tank.step(dt, {
      ambientC: weather.airTempC,
      ...(overfill !== undefined
        ? { overfillFeedM3PerH: overfill.feedM3PerH ?? 2 * tank.spec.feedM3PerH }
        : {}),
      ...(pressure?.heatingKPerMin !== undefined ? { heatingKPerMin: pressure.heatingKPerMin } : {}),
      ...(pressure?.padRiseMPaPerMin !== undefined ? { padRiseMPaPerMin: pressure.padRiseMPaPerMin } : {}),
    });
  }

  for (const [id, reactor] of plant.reactors) {
    const loss = mine.find(
      (i): i is Extract<Incident, { type: 'loss_of_cooling' }> =>
        i.type === 'loss_of_cooling' && i.reactor === id,
    );
    reactor.step(dt, {
      ambientC: weather.airTempC,
      coolingFraction: loss === undefined ? 1 : (loss.remainingCoolingPct ?? 0) / 100,
    });
  }

  if (plant.detectors.size === 0) return;
  const leaks = timeline.filter(
    (i): i is Extract<Incident, { type: 'leak' }> => i.type === 'leak' && i.enterprise === plant.enterprise,
  );
  for (const d of plant.detectors.values()) {
    // Catalytic and IR combustible detectors see every flammable gas (on its own LEL); an
    // electrochemical toxic cell sees only its gas.
    const combustible = isLelUnit(d.unit);
    let target = 0;
    for (const leak of leaks) {
      if (combustible ? MEDIUM_DATA[leak.substance].lelPctVol === undefined : leak.substance !== d.spec.gas)
        continue;
      const startMs = leak.atSec * 1000;
      const endMs = leak.durationSec === undefined ? undefined : startMs + leak.durationSec * 1000;
      const kgM3 = plumeConcentration(
        {
          at: leak.location,
          rateKgPerS: leak.rateKgPerS,
          elapsedMs: toMs - startMs,
          ...(endMs !== undefined && toMs >= endMs ? { stoppedForMs: toMs - endMs } : {}),
        },
        d.spec,
        weather,
      );
      target += detectorReading(d.unit, kgM3, leak.substance, d.spec.pathM);
    }
    // First-order sensor response: T90 = τ·ln 10 (GB/T 50493-2019 response-time definition).
    const tauMs = ((d.spec.t90Sec ?? 30) * 1000) / Math.LN10;
    d.reading += (target - d.reading) * (1 - Math.exp(-dt / tauMs));
  }
}

const isLelUnit = (unit: string): boolean => unit.toUpperCase().replace(/\s+/g, '').includes('LEL');

function detectorReading(unit: string, kgM3: number, gas: keyof typeof MEDIUM_DATA, pathM = 50): number {
  if (unit.toUpperCase().startsWith('LEL')) {
    // LEL·m: fraction of LEL integrated over the part of the beam inside the plume.
    return (concentrationIn('%LEL', kgM3, gas) / 100) * Math.min(pathM, OPEN_PATH_PLUME_M);
  }
  return concentrationIn(unit, kgM3, gas);
}
