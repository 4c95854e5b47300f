import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import mqtt from 'mqtt';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Reading } from '@hazardwatch/contracts';
import { OpcuaSource, parseEdgeConfig, startCollector, type Collector, type Source } from '@hazardwatch/edge';
import { startPlantOpcuaServer, type PlantOpcuaServer } from '@hazardwatch/simulators/opcua';
import {
  createTestDatabase,
  openTestPool,
  providedServices,
  startTcpProxy,
  type TcpProxy,
  type TestDatabase,
} from '@hazardwatch/testkit';
import { loadRuntimeConfig, startIngestService, type IngestService } from 'hazardwatch';

const logger = pino({ level: 'silent' });
const TAGS = 300;

const EXAMPLE = fileURLToPath(new URL('../../core/examples/site.example.yaml', import.meta.url));
const EXAMPLE_E1 = '91320623MA1W000001';

/** The example site cut down to its first enterprise (renamed), with TAGS temperature points on GW01. */
function siteYaml(enterprise: string): string {
  const doc = parseYaml(readFileSync(EXAMPLE, 'utf8')) as Record<string, Array<Record<string, unknown>>>;
  const own = (x: Record<string, unknown>) => x['enterprise'] === EXAMPLE_E1 || x['code'] === EXAMPLE_E1;
  doc['enterprises'] = doc['enterprises']!.filter(own).map((e) => ({ ...e, code: enterprise }));
  doc['hazards'] = doc['hazards']!.filter(own).map((h) => ({ ...h, enterprise }));
  doc['gateways'] = doc['gateways']!.filter(own).map((g) => ({ ...g, enterprise }));
  const hazard = doc['hazards'][0]!['code'];
  doc['points'] = Array.from({ length: TAGS }, (_, i) => ({
    tag: `TT-${String(i + 1).padStart(3, '0')}`,
    enterprise,
    hazard,
    gateway: 'GW01',
    kind: 'temperature',
    unit: '°C',
    range: { min: -40, max: 200 },
    limits: { h: 150, hh: 180 },
  }));
  return stringifyYaml(doc);
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** Records every reading the source hands on: the ground truth for "exactly once". */
function recording(source: Source, into: Reading[]): Source {
  return {
    name: source.name,
    kind: source.kind,
    status: () => source.status(),
    stop: () => source.stop(),
    start: (sink) =>
      source.start((readings) => {
        into.push(...readings);
        sink(readings);
      }),
  };
}

/**
 * The collector end to end: an OPC-UA plant server with 300 changing tags → edge collector →
 * real broker → ingestion → PostgreSQL. The uplink is cut for a while: every reading produced
 * during the outage is in the database exactly once afterwards.
 */
describe('edge collector: OPC-UA → spool → MQTT → ingestion', () => {
  const { postgresAdminUrl, mqttUrl } = providedServices();
  let db: TestDatabase;
  let server: PlantOpcuaServer;
  let proxy: TcpProxy;
  let ingest: IngestService;
  let collector: Collector | undefined;
  let enterprise: string;
  let clientId: string;
  let producer: NodeJS.Timeout | undefined;

  beforeEach(async () => {
    db = await createTestDatabase(postgresAdminUrl);
    enterprise = `EDGE${randomBytes(4).toString('hex').toUpperCase()}`;
    const dir = mkdtempSync(join(tmpdir(), 'hw-edge-it-'));
    writeFileSync(join(dir, 'site.yaml'), siteYaml(enterprise));
    clientId = `hw-edge-it-${randomBytes(3).toString('hex')}`;
    ingest = await startIngestService(
      loadRuntimeConfig({
        DATABASE_URL: db.url,
        MQTT_URL: mqttUrl,
        HW_SITE_FILE: join(dir, 'site.yaml'),
        HW_HEALTH_PORT: '0',
        HW_INGEST_CLIENT_ID: clientId,
        HW_INGEST_ENTERPRISES: enterprise,
      }),
      logger,
    );
    server = await startPlantOpcuaServer({
      tags: Array.from({ length: TAGS }, (_, i) => ({
        site: enterprise,
        unit: 'U1',
        tag: `TT-${String(i + 1).padStart(3, '0')}`,
        engineeringUnit: '°C',
      })),
      logger,
      pkiDir: join(dir, 'server-pki'),
    });
    const url = new URL(mqttUrl);
    proxy = await startTcpProxy(url.hostname, Number(url.port || 1883));
  });

  afterEach(async () => {
    if (producer) clearInterval(producer);
    await collector?.close();
    collector = undefined;
    await server.stop();
    await proxy.close();
    await ingest.close();
    for (const id of [clientId, `hw-edge-${enterprise}-GW01`])
      await (await mqtt.connectAsync(mqttUrl, { clientId: id, clean: true })).endAsync();
    await db.drop();
  });

  it('delivers every reading produced during an uplink outage exactly once, and reports its state', async () => {
    const produced: Reading[] = [];
    const dir = mkdtempSync(join(tmpdir(), 'hw-edge-spool-'));
    const tags = Array.from({ length: TAGS }, (_, i) => {
      const tag = `TT-${String(i + 1).padStart(3, '0')}`;
      return { nodeId: server.nodeIdOf(tag)!, tag };
    });
    const config = parseEdgeConfig({
      gateway: { enterprise, code: 'GW01' },
      uplink: { url: `mqtt://127.0.0.1:${proxy.port}`, heartbeatSec: 1 },
      spool: { dir: join(dir, 'spool') },
      healthPort: await freePort(),
      sources: [
        {
          kind: 'opcua',
          name: 'plant-dcs',
          endpointUrl: server.endpointUrl,
          samplingIntervalMs: 100,
          publishingIntervalMs: 100,
          tags,
        },
      ],
    });
    const opcua = new OpcuaSource({
      name: 'plant-dcs',
      endpointUrl: server.endpointUrl,
      samplingIntervalMs: 100,
      publishingIntervalMs: 100,
      tags,
    });
    collector = await startCollector(config, { logger, sources: [recording(opcua, produced)] });

    // The plant changes every tag every 200 ms.
    let step = 0;
    producer = setInterval(() => {
      step++;
      const ts = Date.now();
      server.setValues(
        Array.from({ length: TAGS }, (_, i) => ({
          tag: `TT-${String(i + 1).padStart(3, '0')}`,
          ts,
          value: 20 + ((step + i) % 50) / 10,
        })),
      );
    }, 200);

    await expect
      .poll(() => collector!.forwarder.stats().acknowledged, { timeout: 20_000 })
      .toBeGreaterThan(TAGS);
    proxy.cut();
    await expect.poll(() => collector!.spool.depth().readings, { timeout: 10_000 }).toBeGreaterThan(3 * TAGS);
    await new Promise((r) => setTimeout(r, 1500));
    proxy.restore();
    await new Promise((r) => setTimeout(r, 1000));
    clearInterval(producer);
    producer = undefined;
    await new Promise((r) => setTimeout(r, 500));
    await expect.poll(() => collector!.spool.depth().readings, { timeout: 30_000 }).toBe(0);
    expect(collector.forwarder.stats().replayed).toBeGreaterThan(0);

    // Ground truth: distinct (tag, ts) the source produced; all of them are stored, each once.
    const expected = new Set(produced.map((r) => `${r.tag}@${r.ts}`));
    const pool = openTestPool(db.url, { max: 1 });
    try {
      const count = async () =>
        (
          await pool.query<{ n: number; distinct_n: number }>(
            `SELECT count(*)::int AS n, count(DISTINCT (r.point_id, r.ts))::int AS distinct_n
             FROM readings r JOIN point_ids p ON p.id = r.point_id WHERE p.enterprise_code = $1`,
            [enterprise],
          )
        ).rows[0]!;
      await expect.poll(async () => (await count()).n, { timeout: 20_000 }).toBe(expected.size);
      expect((await count()).distinct_n).toBe(expected.size);
    } finally {
      await pool.end();
    }
    expect(ingest.app.presence.get(enterprise, 'GW01')?.online).toBe(true);
    const health = (await (await fetch(`http://127.0.0.1:${collector.health!.port}/healthz`)).json()) as {
      status: string;
      sources: Array<{ state: string }>;
    };
    expect(health).toMatchObject({ status: 'ok', sources: [{ state: 'connected' }] });
    const metrics = await (await fetch(`http://127.0.0.1:${collector.health!.port}/metrics`)).text();
    expect(metrics).toMatch(/hw_edge_uplink_connected 1/);
    expect(metrics).toMatch(/hw_edge_readings_replayed_total [1-9]/);
  });
});
