import { join } from 'node:path';
import type { Logger } from 'pino';
import type { GatewayLogins } from './demo-credentials.js';
import type { Reading } from '@hazardwatch/contracts';
import { parseEdgeConfig, startCollector, type Collector } from '@hazardwatch/edge';
import {
  generateSite,
  MqttFleet,
  ScenarioPlant,
  type PointValueSource,
  type Scenario,
  type SimulatedPoint,
  type SimulatedSite,
} from '@hazardwatch/simulators';
import {
  opcuaTagsFromSite,
  PlantOpcuaFeed,
  startPlantOpcuaServer,
  type PlantOpcuaServer,
} from '@hazardwatch/simulators/opcua';

/**
 * The demo's region: the example park (two enterprises whose logins are printed) inside a
 * generated region of a few cities and dozens of enterprises. Region codes shared with the
 * example keep the example's entries; the seed is fixed, so a restart stores no new site version.
 */
export function demoSiteDocument(example: Record<string, unknown[]>): Record<string, unknown[]> {
  const generated = generateSite({
    cities: 3,
    enterprises: 36,
    points: 3000,
    seed: 2026,
  }) as unknown as Record<string, unknown[]>;
  const code = (x: unknown): string => String((x as { code?: unknown }).code);
  const regions = new Map<string, unknown>();
  for (const r of [...example['regions']!, ...generated['regions']!])
    if (!regions.has(code(r))) regions.set(code(r), r);
  const merged: Record<string, unknown[]> = { ...example, regions: [...regions.values()] };
  for (const list of ['enterprises', 'hazards', 'gateways', 'points'])
    merged[list] = [...(example[list] ?? []), ...(generated[list] ?? [])];
  return merged;
}

/**
 * A scenario played over and over in real time: every `durationSec` a fresh plant starts from
 * normal, so the incidents (and the alarms of every colour they raise) come back every few
 * minutes for as long as the demo runs.
 */
export class LoopingPlant implements PointValueSource {
  private plant: ScenarioPlant;
  private epochMs: number;
  /** Rounds started, the first included. */
  rounds = 1;

  get durationSec(): number {
    return this.scenario.durationSec;
  }

  constructor(
    private readonly scenario: Scenario,
    private readonly site: SimulatedSite,
    startMs: number,
  ) {
    this.epochMs = startMs;
    this.plant = new ScenarioPlant(scenario, site, startMs);
  }

  valueAt(point: SimulatedPoint, tsMs: number): number {
    return this.at(tsMs).valueAt(point, tsMs);
  }

  sampleAt(point: SimulatedPoint, tickMs: number): Reading | undefined {
    return this.at(tickMs).sampleAt(point, tickMs);
  }

  private at(tsMs: number): ScenarioPlant {
    const lengthMs = this.scenario.durationSec * 1000;
    if (tsMs - this.epochMs >= lengthMs) {
      this.epochMs += Math.floor((tsMs - this.epochMs) / lengthMs) * lengthMs;
      this.plant = new ScenarioPlant(this.scenario, this.site, this.epochMs);
      this.rounds++;
    }
    return this.plant;
  }
}

export interface DemoPlantOptions {
  readonly site: SimulatedSite;
  readonly scenario: Scenario;
  readonly mqttUrl: string;
  /** Address the OPC-UA plant server listens on (the demo's --host). @default 127.0.0.1 */
  readonly host?: string;
  /** The gateway whose data goes the hardware way: OPC-UA server → edge collector → MQTT. */
  readonly opcuaGateway: { readonly enterprise: string; readonly gateway: string };
  /** The collector's spool. */
  readonly dataDir: string;
  readonly logger: Logger;
  /** The gateways' own MQTT logins (a broker with device authentication). */
  readonly logins?: GatewayLogins;
}

export interface DemoPlant {
  readonly fleet: MqttFleet;
  readonly opcua: PlantOpcuaServer;
  readonly collector: Collector;
  readonly plant: LoopingPlant;
  close(): Promise<void>;
}

/**
 * The simulated plants of the demo, through real protocols only: one gateway's points are served
 * by an OPC-UA plant server and read by a real edge collector (disk spool, MQTT uplink); every
 * other gateway publishes straight over MQTT from the simulated fleet. Both sample the same
 * looping scenario.
 */
export async function startDemoPlant(options: DemoPlantOptions): Promise<DemoPlant> {
  const { enterprise, gateway } = options.opcuaGateway;
  const plant = new LoopingPlant(options.scenario, options.site, Date.now());
  const viaOpcua = (p: { enterprise: string; gateway: string }): boolean =>
    p.enterprise === enterprise && p.gateway === gateway;
  const opcuaSite: SimulatedSite = {
    ...options.site,
    gateways: options.site.gateways.filter((g) => g.enterprise === enterprise && g.code === gateway),
    points: options.site.points.filter(viaOpcua),
  };
  const mqttSite: SimulatedSite = {
    ...options.site,
    gateways: options.site.gateways.filter((g) => !(g.enterprise === enterprise && g.code === gateway)),
    points: options.site.points.filter((p) => !viaOpcua(p)),
  };
  const log = options.logger.child({ component: 'demo-plant' });
  const tags = opcuaTagsFromSite(opcuaSite, { enterprise });
  const opcua = await startPlantOpcuaServer({
    tags,
    host: options.host ?? '127.0.0.1',
    logger: options.logger,
    pkiDir: join(options.dataDir, 'opcua-server-pki'),
  });
  const feed = new PlantOpcuaFeed(opcua, opcuaSite, enterprise, plant);
  feed.tick(Date.now());
  const feedTimer = setInterval(() => feed.tick(Date.now()), 1000);
  let collector: Collector | undefined;
  let fleet: MqttFleet;
  try {
    collector = await startCollector(
      parseEdgeConfig({
        gateway: { enterprise, code: gateway },
        uplink: { url: options.mqttUrl, heartbeatSec: 30, ...options.logins?.({ enterprise, gateway }) },
        spool: { dir: join(options.dataDir, 'edge-spool') },
        healthPort: 0,
        sources: [
          {
            kind: 'opcua',
            name: 'demo-dcs',
            endpointUrl: opcua.endpointUrl,
            tags: tags.map((t) => ({ browsePath: opcua.browsePathOf(t.tag)!, tag: t.tag })),
          },
        ],
      }),
      { logger: options.logger },
    );
    fleet = new MqttFleet(
      { url: options.mqttUrl, tickIntervalMs: 1000, clientIdPrefix: 'hw-demo' },
      {
        site: mqttSite,
        logger: options.logger,
        values: plant,
        ...(options.logins ? { credentials: options.logins } : {}),
      },
    );
    await fleet.start();
  } catch (error) {
    // Whatever started is stopped: a collector left running kept a failed demo process alive.
    clearInterval(feedTimer);
    await collector?.close().catch((err: unknown) => log.warn({ err }, 'collector stop failed'));
    await opcua.stop().catch((err: unknown) => log.warn({ err }, 'OPC-UA server stop failed'));
    throw error;
  }
  const started = collector;
  log.info(
    { opcuaTags: tags.length, endpoint: opcua.endpointUrl, mqttGateways: mqttSite.gateways.length },
    'demo plant running',
  );
  return {
    fleet,
    opcua,
    collector: started,
    plant,
    close: async () => {
      clearInterval(feedTimer);
      await fleet.stop().catch((err: unknown) => log.warn({ err }, 'fleet stop failed'));
      await started.close().catch((err: unknown) => log.warn({ err }, 'collector stop failed'));
      await opcua.stop().catch((err: unknown) => log.warn({ err }, 'OPC-UA server stop failed'));
    },
  };
}
