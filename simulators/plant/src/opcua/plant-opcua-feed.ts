/**
 * Drives the OPC-UA server from the same simulated plant the MQTT fleet plays: the site's points
 * become tags, and each tick samples the same `PointValueSource` (normal operation or a
 * `ScenarioPlant`) the fleet would publish, and writes it into the server instead.
 */
import type { Reading } from '@hazardwatch/contracts';
import type { PointValueSource } from '../signal.js';
import type { SimulatedPoint, SimulatedSite } from '../site-points.js';
import type { PlantOpcuaTag } from './address-space.js';
import type { PlantOpcuaServer } from './plant-opcua-server.js';

export interface OpcuaTagsFromSiteOptions {
  /** The enterprise whose DCS the server plays (tags are unique within one enterprise only). */
  readonly enterprise: string;
  /**
   * The unit folder of a point. The simulator's site subset carries no hazard code, so the
   * gateway (the plant area one acquisition unit serves) stands in for it. @default point.gateway
   */
  readonly unitOf?: (point: SimulatedPoint) => string;
}

/** The enabled points of one enterprise, as server tags (site folder = enterprise code). */
export function opcuaTagsFromSite(site: SimulatedSite, options: OpcuaTagsFromSiteOptions): PlantOpcuaTag[] {
  const unitOf = options.unitOf ?? ((p: SimulatedPoint) => p.gateway);
  return enabledPoints(site, options.enterprise).map((p) => ({
    site: p.enterprise,
    unit: unitOf(p),
    tag: p.tag,
    engineeringUnit: p.unit,
    range: p.range,
    description: `${p.kind} ${p.tag}`,
  }));
}

/** Call `tick(simulatedMs)` once per simulator tick (the runner's or an interval's). */
export class PlantOpcuaFeed {
  private readonly points: readonly SimulatedPoint[];

  constructor(
    private readonly server: Pick<PlantOpcuaServer, 'setValues'>,
    site: SimulatedSite,
    enterprise: string,
    private readonly values: PointValueSource,
  ) {
    this.points = enabledPoints(site, enterprise);
  }

  /**
   * Samples every point at `tsMs` and writes the readings into the server, as `MqttFleet` would
   * publish them (a device that produced no sample this tick keeps its last value).
   * @returns the number of tags written
   */
  tick(tsMs: number): number {
    const ts = Math.floor(tsMs);
    const readings: Reading[] = [];
    const values = this.values;
    for (const p of this.points) {
      if (values.sampleAt === undefined) {
        readings.push({ tag: p.tag, ts, value: values.valueAt(p, ts) });
        continue;
      }
      const reading = values.sampleAt(p, ts);
      if (reading !== undefined) readings.push(reading);
    }
    return this.server.setValues(readings);
  }
}

function enabledPoints(site: SimulatedSite, enterprise: string): SimulatedPoint[] {
  return site.points.filter((p) => p.enterprise === enterprise && p.enabled);
}
