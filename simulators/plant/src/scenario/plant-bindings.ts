/**
 * Builds the plant models a scenario describes and binds them to the site's tags: which model
 * channel each tag reads, in which unit. Tags of the site that no model claims keep their normal
 * operation signal (signal.ts). Also checks every reference of the scenario against the site
 * (enterprises, gateways, tags, tank and reactor ids), naming each problem.
 */
import { rngFor } from '../prng.js';
import { DEFAULT_REACTOR, ReactorModel, type ReactorOutputs } from '../plant/reactor-model.js';
import { TankModel, type TankOutputs, type TankSpec } from '../plant/tank-model.js';
import { WeatherModel, type WeatherSpec } from '../plant/weather-model.js';
import type { SimulatedPoint, SimulatedSite } from '../site-points.js';
import type { DetectorFile, EnterprisePlantFile, Scenario, TankFile } from './scenario-schema.js';

export interface DetectorState {
  readonly tag: string;
  readonly spec: DetectorFile;
  /** The bound point's unit (mg/m3, ppm, %LEL, LEL·m). */
  unit: string;
  /** Lagged reading of the gas from leaks, in the detector's unit (background is added apart). */
  reading: number;
}

export interface EnterprisePlant {
  readonly enterprise: string;
  readonly weather: WeatherModel;
  readonly tanks: ReadonlyMap<string, TankModel>;
  readonly reactors: ReadonlyMap<string, ReactorModel>;
  readonly detectors: ReadonlyMap<string, DetectorState>;
}

export type WeatherChannel = 'windSpeed' | 'windDirection' | 'airTemperature' | 'humidity';

export type Binding =
  | {
      readonly model: 'tank';
      readonly plant: EnterprisePlant;
      readonly tank: TankModel;
      readonly read: (o: TankOutputs) => number;
    }
  | {
      readonly model: 'reactor';
      readonly plant: EnterprisePlant;
      readonly reactor: ReactorModel;
      readonly read: (o: ReactorOutputs) => number;
    }
  | { readonly model: 'weather'; readonly plant: EnterprisePlant; readonly channel: WeatherChannel }
  | { readonly model: 'detector'; readonly plant: EnterprisePlant; readonly detector: DetectorState };

export interface PlantBinding {
  readonly plants: ReadonlyMap<string, EnterprisePlant>;
  /** By `enterprise/tag`. */
  readonly bindings: ReadonlyMap<string, Binding>;
  readonly issues: readonly string[];
}

export const pointKey = (enterprise: string, tag: string): string => `${enterprise}/${tag}`;

const DEFAULT_WEATHER: Omit<WeatherSpec, 'startHour'> = {
  windSpeedMs: 2.5,
  windFromDeg: 90,
  windWanderDeg: 15,
  airTempC: 22,
  diurnalAmplitudeK: 4,
  humidityPct: 70,
};

/** Pressure in MPa on the models; a point in kPa or bar reads the converted value. */
function pressureIn(unit: string): (mpa: number) => number {
  const u = unit.toLowerCase();
  if (u === 'kpa') return (p) => p * 1000;
  if (u === 'bar') return (p) => p * 10;
  return (p) => p;
}

export function bindPlant(scenario: Scenario, site: SimulatedSite): PlantBinding {
  const issues: string[] = [];
  const points = new Map(site.points.map((p) => [pointKey(p.enterprise, p.tag), p]));
  const plants = new Map<string, EnterprisePlant>();
  const bindings = new Map<string, Binding>();
  const enterprises = new Set(site.enterprises);

  const bind = (
    at: string,
    enterprise: string,
    tags: string | readonly string[] | undefined,
    make: (p: SimulatedPoint) => Binding,
  ) => {
    for (const tag of tags === undefined ? [] : typeof tags === 'string' ? [tags] : tags) {
      const key = pointKey(enterprise, tag);
      const point = points.get(key);
      if (point === undefined) issues.push(`${at}: site has no point ${key}`);
      else if (bindings.has(key)) issues.push(`${at}: point ${key} is bound twice`);
      else bindings.set(key, make(point));
    }
  };

  scenario.plant.forEach((file, i) => {
    const at = `/plant/${i}`;
    if (!enterprises.has(file.enterprise))
      issues.push(`${at}/enterprise: site has no enterprise ${file.enterprise}`);
    if (plants.has(file.enterprise)) issues.push(`${at}/enterprise: ${file.enterprise} appears twice`);
    const plant = buildPlant(file, scenario);
    plants.set(file.enterprise, plant);
    const w = file.weather?.tags;
    const weatherBind = (channel: WeatherChannel) => (): Binding => ({ model: 'weather', plant, channel });
    bind(`${at}/weather/tags`, file.enterprise, w?.windSpeed, weatherBind('windSpeed'));
    bind(`${at}/weather/tags`, file.enterprise, w?.windDirection, weatherBind('windDirection'));
    bind(`${at}/weather/tags`, file.enterprise, w?.airTemperature, weatherBind('airTemperature'));
    bind(`${at}/weather/tags`, file.enterprise, w?.humidity, weatherBind('humidity'));
    (file.tanks ?? []).forEach((t, j) => {
      const tank = plant.tanks.get(t.id)!;
      const tb = (read: (o: TankOutputs) => number) => (): Binding => ({ model: 'tank', plant, tank, read });
      const tat = `${at}/tanks/${j}/tags`;
      bind(tat, file.enterprise, t.tags.level, (p) => {
        const u = p.unit.toLowerCase();
        const read =
          u === 'mm'
            ? (o: TankOutputs) => o.levelM * 1000
            : u === 'm'
              ? (o: TankOutputs) => o.levelM
              : (o: TankOutputs) => o.levelPct;
        return { model: 'tank', plant, tank, read };
      });
      bind(tat, file.enterprise, t.tags.pressure, (p) => {
        const conv = pressureIn(p.unit);
        return { model: 'tank', plant, tank, read: (o) => conv(o.pressureMPa) };
      });
      bind(
        tat,
        file.enterprise,
        t.tags.temperature,
        tb((o) => o.temperatureC),
      );
      bind(
        tat,
        file.enterprise,
        t.tags.feedFlow,
        tb((o) => o.feedFlowM3PerH),
      );
      bind(
        tat,
        file.enterprise,
        t.tags.drawFlow,
        tb((o) => o.drawFlowM3PerH),
      );
      bind(
        tat,
        file.enterprise,
        t.tags.feedValve,
        tb((o) => o.feedValvePct),
      );
      bind(
        tat,
        file.enterprise,
        t.tags.drawValve,
        tb((o) => o.drawValvePct),
      );
    });
    (file.reactors ?? []).forEach((r, j) => {
      const reactor = plant.reactors.get(r.id)!;
      const rat = `${at}/reactors/${j}/tags`;
      const rb = (read: (o: ReactorOutputs) => number) => (): Binding => ({
        model: 'reactor',
        plant,
        reactor,
        read,
      });
      bind(
        rat,
        file.enterprise,
        r.tags.temperature,
        rb((o) => o.temperatureC),
      );
      bind(rat, file.enterprise, r.tags.pressure, (p) => {
        const conv = pressureIn(p.unit);
        return { model: 'reactor', plant, reactor, read: (o) => conv(o.pressureMPa) };
      });
      bind(
        rat,
        file.enterprise,
        r.tags.jacketTemperature,
        rb((o) => o.jacketC),
      );
      bind(
        rat,
        file.enterprise,
        r.tags.coolantFlow,
        rb((o) => o.coolantFlowPct),
      );
    });
    for (const [tag, detector] of plant.detectors) {
      bind(`${at}/detectors`, file.enterprise, tag, (p) => {
        detector.unit = p.unit;
        return { model: 'detector', plant, detector };
      });
    }
  });

  checkIncidents(scenario, site, plants, points, issues);
  return { plants, bindings, issues };
}

function buildPlant(file: EnterprisePlantFile, scenario: Scenario): EnterprisePlant {
  const weatherSpec: WeatherSpec = {
    ...DEFAULT_WEATHER,
    ...(file.weather ?? {}),
    startHour: scenario.startHour,
  };
  const weather = new WeatherModel(weatherSpec, rngFor(scenario.seed, 'weather', file.enterprise));
  const ambient = weatherSpec.airTempC;
  const tanks = new Map((file.tanks ?? []).map((t) => [t.id, new TankModel(tankSpec(t), ambient)]));
  const reactors = new Map(
    (file.reactors ?? []).map((r) => [
      r.id,
      new ReactorModel({
        ...DEFAULT_REACTOR,
        id: r.id,
        ...definedOnly({
          setpointC: r.setpointC,
          pressureMPa: r.pressureMPa,
          rateAtSetpointPerMin: r.rateAtSetpointPerMin,
          adiabaticRiseK: r.adiabaticRiseK,
          decompositionOnsetC: r.decompositionOnsetC,
          reliefSetMPa: r.reliefSetMPa,
        }),
      }),
    ]),
  );
  const detectors = new Map(
    Object.entries(file.detectors ?? {}).map(([tag, spec]) => [tag, { tag, spec, unit: '%LEL', reading: 0 }]),
  );
  return { enterprise: file.enterprise, weather, tanks, reactors, detectors };
}

/** Tank defaults by kind and medium (see scenario-schema.ts). */
export function tankSpec(t: TankFile): TankSpec {
  const lng = t.medium === 'lng';
  const pressure = t.kind === 'pressure';
  return {
    id: t.id,
    medium: t.medium,
    kind: t.kind,
    capacityM3: t.capacityM3,
    heightM: t.heightM ?? 10,
    levelPct: t.levelPct,
    feedM3PerH: t.feedM3PerH,
    hhInterlockPct: t.interlock?.hhPct,
    llInterlockPct: t.interlock?.llPct,
    valveStrokeSec: t.valveStrokeSec ?? 20,
    padMPa: t.padMPa ?? (pressure ? 0 : lng ? 0.015 : 0.0005),
    // LPG sphere design pressure ≈ 1.77 MPa (REFERENCE §6, [U]); LNG tanks < 30 kPa; vented tanks a few kPa.
    reliefSetMPa: t.reliefSetMPa ?? (pressure ? 1.77 : lng ? 0.029 : 0.006),
    thermalTimeConstantH: t.thermalTimeConstantH ?? 24,
  };
}

function definedOnly<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function checkIncidents(
  scenario: Scenario,
  site: SimulatedSite,
  plants: ReadonlyMap<string, EnterprisePlant>,
  points: ReadonlyMap<string, SimulatedPoint>,
  issues: string[],
): void {
  const gateways = new Set(site.gateways.map((g) => pointKey(g.enterprise, g.code)));
  const enterprises = new Set(site.enterprises);
  scenario.timeline.forEach((inc, i) => {
    const at = `/timeline/${i}`;
    if (!enterprises.has(inc.enterprise))
      issues.push(`${at}/enterprise: site has no enterprise ${inc.enterprise}`);
    const plant = plants.get(inc.enterprise);
    if ('tag' in inc && !points.has(pointKey(inc.enterprise, inc.tag))) {
      issues.push(`${at}/tag: site has no point ${pointKey(inc.enterprise, inc.tag)}`);
    }
    if ('gateway' in inc && !gateways.has(pointKey(inc.enterprise, inc.gateway))) {
      issues.push(`${at}/gateway: site has no gateway ${pointKey(inc.enterprise, inc.gateway)}`);
    }
    if ('tank' in inc && plant?.tanks.has(inc.tank) !== true) {
      issues.push(`${at}/tank: no tank "${inc.tank}" in the plant of ${inc.enterprise}`);
    }
    if ('reactor' in inc && plant?.reactors.has(inc.reactor) !== true) {
      issues.push(`${at}/reactor: no reactor "${inc.reactor}" in the plant of ${inc.enterprise}`);
    }
    if (inc.type === 'flapping' && typeof inc.around === 'string') {
      const p = points.get(pointKey(inc.enterprise, inc.tag));
      if (p !== undefined && p.limits[inc.around] === undefined) {
        issues.push(`${at}/around: point ${inc.tag} has no ${inc.around} limit`);
      }
    }
  });
}
