import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { parse as parseYaml } from 'yaml';
import {
  listShippedScenarios,
  loadScenarioFile,
  loadSimulatedSite,
  MqttFleet,
  siteToYaml,
  simulatedSiteFrom,
} from '@hazardwatch/simulators';
import type { ApiServer } from '@hazardwatch/api';
import { ensureUsers, startApiBeside, type DemoUser } from './api-service.js';
import { LiveValueTap } from '@hazardwatch/ingest';
import type { RuntimeConfig } from './config.js';
import { issueDemoCredentials, type GatewayLogins } from './demo-credentials.js';
import { demoSiteDocument, startDemoPlant, type DemoPlant } from './demo-plant.js';
import { connectHost, isWildcardHost } from './infrastructure.js';
import { startIngestService, type IngestService } from './ingest-service.js';
import { firstFreePort, reservePorts } from './port-reservation.js';

/**
 * Demo logins (printed at start): one county regulator; the chlor-alkali enterprise's duty-room
 * operator and its safety manager (who owns limits, points and hazards: issue #19); one admin.
 */
export const DEMO_USERS: readonly DemoUser[] = [
  { username: 'rudong-regulator', password: 'hazardwatch-demo', role: 'regulator', regionCode: '320623' },
  {
    username: 'chlor-operator',
    password: 'hazardwatch-demo',
    role: 'operator',
    enterpriseCode: '91320623MA1W000001',
  },
  {
    username: 'chlor-safety',
    password: 'hazardwatch-demo',
    role: 'safety_manager',
    enterpriseCode: '91320623MA1W000001',
  },
  { username: 'admin', password: 'hazardwatch-admin', role: 'admin' },
];

export const EXAMPLE_SITE_FILE = fileURLToPath(
  new URL('../../core/examples/site.example.yaml', import.meta.url),
);

export interface DemoOptions {
  /** HTTP port of the API, dashboard, /healthz and /readyz (metrics: the internal health port). */
  readonly port: number;
  /**
   * Address the dashboard and API, the MQTT broker and the OPC-UA plant server listen on:
   * loopback unless another address is asked for (`0.0.0.0`: every interface; the demo logins
   * are public, see `exposureWarning`). The metrics port keeps HW_HEALTH_HOST. @default 127.0.0.1
   */
  readonly host?: string;
  /** Start from empty data (and a newly generated site file). */
  readonly reset: boolean;
  /** Start-up steps as they happen (the command prints them). */
  readonly onProgress?: (step: string) => void;
}

/** Ports tried from HW_MQTT_EMBEDDED_PORT (1883, MQTT's registered port) before any free one is taken. */
const MQTT_PORTS_TRIED = 100;

/** Loopback addresses: nothing listening there is reachable from another machine. */
function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

/**
 * What the demo says on stderr when `--host` exposes it: its logins are printed and published
 * in the README, so anyone who reaches it can sign in as admin. Undefined on loopback.
 */
export function exposureWarning(host: string): string | undefined {
  if (isLoopback(host)) return undefined;
  const logins = DEMO_USERS.map((u) => `${u.username} / ${u.password}`).join(', ');
  return (
    `warning: --host ${host}: the demo's dashboard, API, MQTT broker and OPC-UA server are reachable from ` +
    `${isWildcardHost(host) ? 'every network this machine is on' : host}, and the demo logins are public ` +
    `(${logins}; printed below and in the README): anyone who reaches them can sign in as admin, ` +
    'and the broker takes readings from anyone (HW_MQTT_DEVICE_AUTH=true asks gateways for credentials)'
  );
}

/** The incident loop the demo plays (every colour within a few minutes, then again). */
const DEMO_SCENARIO = '12-demo-incident-loop.yaml';
/** This gateway's data goes the hardware way: OPC-UA plant server → edge collector → MQTT. */
const OPCUA_GATEWAY = { enterprise: '91320623MA1W000001', gateway: 'GW01' } as const;

export interface RunningDemo {
  readonly service: IngestService;
  readonly api: ApiServer;
  /** The simulated gateways publishing over MQTT. */
  readonly fleet: MqttFleet;
  /** With the built-in demo region: the OPC-UA plant, the edge collector and the incident loop. */
  readonly plant: DemoPlant | undefined;
  readonly summary: string;
  close(): Promise<void>;
}

/**
 * The whole chain on one machine with nothing installed but Node: embedded PostgreSQL and MQTT
 * broker, the example site (two enterprises in a chemical park), a simulated sensor fleet that
 * publishes over MQTT like real gateways, and the ingest service writing every reading.
 */
export async function startDemo(
  base: RuntimeConfig,
  options: DemoOptions,
  logger: Logger,
): Promise<RunningDemo> {
  const progress = options.onProgress ?? (() => undefined);
  const dataDir = base.dataDir === '.data' ? resolve('.data', 'demo') : resolve(base.dataDir);
  if (options.reset && existsSync(dataDir)) await rm(dataDir, { recursive: true, force: true });
  await mkdir(dataDir, { recursive: true });
  // The built-in region (the example park inside a generated region), unless a site file is given.
  const builtIn = base.site.file === undefined;
  const siteFile = base.site.file ?? resolve(dataDir, 'demo-site.yaml');
  // Generated once: an edited demo-site.yaml is loaded as it is at the next start (--reset
  // generates it again), as a site file is in production.
  if (builtIn && !existsSync(siteFile)) {
    progress('generating the demo region (example park + 3 cities, 38 enterprises, ~3,000 points)');
    const example = parseYaml(await readFile(EXAMPLE_SITE_FILE, 'utf8')) as Record<string, unknown[]>;
    await writeFile(siteFile, siteToYaml(demoSiteDocument(example)));
  } else if (builtIn)
    progress(`using the demo region in ${siteFile} (edits kept; --reset generates it again)`);
  const host = options.host ?? '127.0.0.1';
  const exposure = exposureWarning(host);
  if (exposure) logger.warn({ host }, 'demo reachable from other machines: its logins are public');
  // Gateways and mosquitto_pub reach the embedded broker on 1883 when it is free, else on the
  // next free port above it (printed); HW_MQTT_EMBEDDED_PORT=0: any free port.
  const wantedMqttPort = base.mqtt.embeddedPort;
  const embeddedPort =
    base.mqtt.url || wantedMqttPort === 0
      ? wantedMqttPort
      : ((await firstFreePort(host, wantedMqttPort, MQTT_PORTS_TRIED)) ?? 0);
  const config: RuntimeConfig = {
    ...base,
    dataDir,
    site: { file: siteFile },
    api: { ...base.api, host },
    mqtt: { ...base.mqtt, embeddedPort, embeddedHost: host },
  };
  // The demo's port is checked before anything starts or is stored (issue 17 item 11).
  const ports = await reservePorts(
    [{ what: 'dashboard and REST API', setting: '--port', host, port: options.port }],
    logger,
  );
  progress('starting PostgreSQL (embedded unless DATABASE_URL), MQTT broker, migrations, site, ingestion');
  const tap = new LiveValueTap();
  // Metrics (ingest and API) on the internal health port, never the demo's public one (issue 17
  // item 4); none when that port is taken (another HazardWatch on this machine).
  let service: IngestService;
  try {
    service = await startIngestService(config, logger, { observers: [tap], healthPortOptional: true });
  } catch (error) {
    await ports.release();
    throw error;
  }
  let fleet: MqttFleet;
  let plant: DemoPlant | undefined;
  let api: ApiServer | undefined;
  try {
    if (builtIn) await ensureUsers(service, DEMO_USERS);
    progress('starting the REST API, live push and dashboard');
    await ports.release();
    api = await startApiBeside(service, config, logger, options.port, tap);
    // With device authentication the broker admits a gateway only with its own credential.
    const credentialsFor = async (site: { gateways: ReadonlyArray<{ enterprise: string; code: string }> }) =>
      config.mqtt.deviceAuth
        ? await issueDemoCredentials(service.store.client, site.gateways, Date.now())
        : undefined;
    if (builtIn) {
      progress('starting the plants: OPC-UA server + edge collector, MQTT gateway fleet, incident loop');
      const scenarioFile = (await listShippedScenarios()).find((f) => f.endsWith(DEMO_SCENARIO));
      if (scenarioFile === undefined) throw new Error(`demo scenario ${DEMO_SCENARIO} is missing`);
      const loaded = await loadScenarioFile(scenarioFile);
      const site = simulatedSiteFrom(parseYaml(await readFile(siteFile, 'utf8')));
      const logins: GatewayLogins | undefined = await credentialsFor(site);
      plant = await startDemoPlant({
        site,
        scenario: loaded.scenario,
        mqttUrl: service.infrastructure.mqttUrl,
        host,
        opcuaGateway: OPCUA_GATEWAY,
        dataDir,
        logger,
        ...(logins ? { logins } : {}),
      });
      fleet = plant.fleet;
    } else {
      const site = loadSimulatedSite(await readFile(siteFile, 'utf8'));
      const logins = await credentialsFor(site);
      fleet = new MqttFleet(
        { url: service.infrastructure.mqttUrl, tickIntervalMs: 1000 },
        { site, logger, ...(logins ? { credentials: logins } : {}) },
      );
      await fleet.start();
    }
  } catch (error) {
    // Everything that started stops again, so a failed start ends the process (nothing left open).
    await ports.release();
    await plant?.close();
    await api?.close().catch((err: unknown) => logger.warn({ err }, 'API close after failed start'));
    await service.close();
    throw error;
  }
  const port = api.port;
  // A wildcard address is reached on loopback from this machine; another address as it is.
  const at = connectHost(host);
  const mqttUrl = service.infrastructure.mqttUrl;
  const mqttPort = new URL(mqttUrl).port || '1883';
  const movedFrom =
    !base.mqtt.url && wantedMqttPort !== 0 && embeddedPort !== wantedMqttPort
      ? `   (${wantedMqttPort} is in use: use this port)`
      : '';
  const databaseUrl = service.infrastructure.databaseUrl;
  const summary = [
    'HazardWatch demo is running / 演示已启动',
    ...(exposure ? [`  WARNING  listening on ${host}: the logins below are public (see stderr)`] : []),
    `  dashboard http://${at}:${port}/   (控制室 / control room)`,
    `  API      http://${at}:${port}/api/v1   docs: ${config.api.docs ? `http://${at}:${port}/docs` : 'off (HW_API_DOCS=false)'}   live: socket.io on the same port`,
    `  health   http://${at}:${port}/healthz   ready: /readyz`,
    service.health
      ? `  metrics  http://${service.health.host}:${service.health.port}/metrics   (internal port HW_HEALTH_PORT, not the API's)`
      : `  metrics  off: HW_HEALTH_PORT ${base.healthPort === 0 ? 'is 0' : `${base.healthPort} is in use`}`,
    ...(builtIn
      ? ['  logins   ' + DEMO_USERS.map((u) => `${u.username} / ${u.password} (${u.role})`).join(', ')]
      : []),
    `  MQTT     ${mqttUrl}   port ${mqttPort}${movedFrom}   (simulated gateways publish every second)`,
    ...(plant
      ? [
          `  OPC-UA   ${plant.opcua.endpointUrl}   (read by an edge collector for ${OPCUA_GATEWAY.enterprise}/${OPCUA_GATEWAY.gateway})`,
          `  incidents every ${Math.round(plant.plant.durationSec / 60)} min: blue, yellow, orange and red alarms (${DEMO_SCENARIO})`,
        ]
      : []),
    `  site     ${siteFile}${builtIn ? '   (edit it and restart: your edits are loaded; --reset generates it again)' : ''}`,
    service.infrastructure.embedded.database
      ? `  database ${databaseUrl}   (embedded PostgreSQL, this machine only: psql "${databaseUrl}")`
      : `  database ${redactPassword(databaseUrl)}   (DATABASE_URL)`,
    `  data     ${dataDir}`,
    '  try      mosquitto_pub -q 1 -t hw/v1/91320623MA1W000001/GW01/telemetry \\',
    `             -m '{"readings":[{"tag":"PT-1101","ts":'$(date +%s000)',"value":0.5}]}' -h ${new URL(mqttUrl).hostname} -p ${mqttPort}`,
    '  Ctrl-C stops everything cleanly; data persists in the data directory (--reset starts fresh).',
  ].join('\n');
  return {
    service,
    api,
    fleet,
    plant,
    summary,
    close: async () => {
      if (plant) await plant.close();
      else await fleet.stop().catch((err: unknown) => logger.warn({ err }, 'fleet stop failed'));
      await api.close();
      await service.close();
    },
  };
}

/** A database URL fit to print: its password replaced by `***`. */
function redactPassword(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}
