/**
 * Region colours under leased partitions (issue #23, docs/operations.md §5.1 item 5): two
 * `hazardwatch ingest` workers in lease mode share the 64 partitions, so the enterprises of one
 * park are evaluated by both. The park's stored colour is the roll-up over all of them, and each
 * stored change is heard once, from the unit of the worker that stored it, with its number.
 * Real PostgreSQL and Mosquitto.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import pg from 'pg';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { colourRank, telemetryTopic, type WarningColour } from '@hazardwatch/contracts';
import type { ColourChange } from '@hazardwatch/core';
import { PARTITION_COUNT, partitionOf, PartitionSessions } from '@hazardwatch/ingest';
import { createTestDatabase, providedServices, type TestDatabase, waitFor } from '@hazardwatch/testkit';
import { loadRuntimeConfig, startIngestWorker, type LeasedIngestService } from 'hazardwatch';

const logger = pino({ level: 'silent' });
const ENTERPRISES = 8;
type Colour = WarningColour | null;

/** Fresh enterprise codes in distinct partitions (nothing another test publishes arrives). */
function enterpriseCodes(): string[] {
  const codes: string[] = [];
  const used = new Set<number>();
  while (codes.length < ENTERPRISES) {
    const code = `91320623K${randomBytes(5).toString('hex').toUpperCase()}`.slice(0, 18);
    if (used.has(partitionOf(code))) continue;
    used.add(partitionOf(code));
    codes.push(code);
  }
  return codes;
}

/** One park; per enterprise a 四级 hazard with a combustible gas detector AT-1 (H 20 yellow, HH 40 red). */
function siteDocument(codes: readonly string[], park: string): unknown {
  const person = { name: '王建国', phone: '+8613800000001' };
  return {
    version: 1,
    regions: [
      { code: '320000', name: '江苏省', kind: 'province' },
      { code: '320600', name: '南通市', kind: 'city', parent: '320000' },
      { code: '320623', name: '如东县', kind: 'county', parent: '320600' },
      { code: park, name: '洋口化工园区', kind: 'park', parent: '320623' },
    ],
    enterprises: codes.map((code, i) => ({
      code,
      name: `示例化工${i + 1}号有限公司`,
      region: park,
      location: { lon: 121 + i / 100, lat: 32.5 },
    })),
    hazards: codes.map((enterprise, i) => ({
      code: 'HU1',
      enterprise,
      name: '加氢装置',
      declaredLevel: 4,
      type: 'production_unit',
      responsible: { principal: person, technical: person, operational: person },
      location: { lon: 121.001 + i / 100, lat: 32.501 },
      inventory: [{ substance: '氢', designMaxTonnes: 1 }],
      exposedPopulation: 1,
    })),
    gateways: codes.map((enterprise) => ({ code: 'GW01', enterprise, name: '网关' })),
    points: codes.map((enterprise) => ({
      tag: 'AT-1',
      enterprise,
      hazard: 'HU1',
      gateway: 'GW01',
      name: '可燃气体探测器',
      kind: 'combustible_gas',
      unit: '%LEL',
      range: { min: 0, max: 100 },
      limits: { h: 20, hh: 40 },
    })),
  };
}

describe('region colours with leased workers (two workers sharing the partitions)', () => {
  const { postgresAdminUrl, mqttUrl } = providedServices();
  let db: TestDatabase;
  let check: pg.Client;
  let pub: MqttClient;
  let codes: string[];
  let park: string;
  let prefix: string;
  let workers: LeasedIngestService[];

  beforeEach(async () => {
    db = await createTestDatabase(postgresAdminUrl);
    check = new pg.Client({ connectionString: db.url });
    await check.connect();
    codes = enterpriseCodes();
    park = `P${randomBytes(5).toString('hex').toUpperCase()}`;
    prefix = `hw-rcl-${randomBytes(3).toString('hex')}`;
    pub = await mqtt.connectAsync(mqttUrl, { clientId: `${prefix}-pub`, clean: true });
    workers = [];
  });

  afterEach(async () => {
    for (const w of workers) await w.close().catch(() => undefined);
    await pub.endAsync();
    for (const p of new Set(codes.map((c) => partitionOf(c))))
      await (
        await mqtt.connectAsync(mqttUrl, { clientId: PartitionSessions.clientId(prefix, p), clean: true })
      ).endAsync();
    await check.end();
    await db.drop();
  });

  async function worker(name: string, sitePath: string): Promise<LeasedIngestService> {
    const config = loadRuntimeConfig({
      DATABASE_URL: db.url,
      MQTT_URL: mqttUrl,
      HW_SITE_FILE: sitePath,
      HW_HEALTH_PORT: '0',
      HW_INGEST_CLIENT_ID: prefix,
      HW_INGEST_PARTITIONS: 'leased',
      HW_INGEST_WORKER_ID: name,
      HW_INGEST_LEASE_MS: '2000',
      HW_INGEST_HEARTBEAT_MS: '300',
      HW_INGEST_LEASE_MARGIN_MS: '400',
    });
    const service = (await startIngestWorker(config, logger)) as LeasedIngestService;
    workers.push(service);
    return service;
  }

  const drive = (enterprise: string, value: number) =>
    pub.publishAsync(
      telemetryTopic({ enterprise, gateway: 'GW01' }),
      JSON.stringify({ readings: [{ tag: 'AT-1', ts: Date.now(), value }] }),
      { qos: 1 },
    );

  async function stored(level: 'enterprise' | 'region', node: string): Promise<Colour> {
    const { rows } = await check.query<{ to_colour: Colour }>(
      'SELECT to_colour FROM colour_events WHERE level = $1 AND code = $2 ORDER BY id DESC LIMIT 1',
      [level, node],
    );
    return rows[0]?.to_colour ?? null;
  }

  it("stores the park's roll-up over enterprises held by different workers, each change heard once", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hw-region-leased-'));
    const sitePath = join(dir, 'site.json');
    writeFileSync(sitePath, JSON.stringify(siteDocument(codes, park)));
    const w1 = await worker('w1', sitePath);
    const w2 = await worker('w2', sitePath);
    const heard: ColourChange[] = [];
    for (const w of workers)
      w.onStored((e) =>
        heard.push(...e.colourChanges.filter((c) => c.level === 'region' && c.code === park)),
      );
    await waitFor(
      () => Promise.resolve([w1.partitions().length, w2.partitions().length]),
      ([a, b]) => a! + b! === PARTITION_COUNT && Math.abs(a! - b!) <= 1,
      'the partitions shared by w1 and w2',
    );
    const holder = (e: string) => (w1.partitions().includes(partitionOf(e)) ? w1 : w2);
    const x = codes.find((e) => holder(e) === w1);
    const y = codes.find((e) => holder(e) === w2);
    if (x === undefined || y === undefined) throw new Error('every enterprise on one worker');

    const steps: Array<[string, number, Colour, Colour]> = [
      // enterprise, value, X's colour, Y's colour after it
      [x, 45, 'red', null],
      [y, 25, 'red', 'yellow'],
      [x, 5, null, 'yellow'],
      [x, 45, 'red', 'yellow'],
      [y, 5, 'red', null],
      [x, 5, null, null],
    ];
    for (const [enterprise, value, cx, cy] of steps) {
      await drive(enterprise, value);
      await waitFor(
        async () => [await stored('enterprise', x), await stored('enterprise', y)],
        ([sx, sy]) => sx === cx && sy === cy,
        `${enterprise === x ? 'X' : 'Y'} at ${value}`,
      );
      await w1.app.pipeline.drain();
      await w2.app.pipeline.drain();
      const want = colourRank(cx) >= colourRank(cy) ? cx : cy;
      expect(await stored('region', park), `park after ${enterprise === x ? 'X' : 'Y'} at ${value}`).toBe(
        want,
      );
    }
    const { rows } = await check.query<{ id: string; to_colour: Colour }>(
      "SELECT id, to_colour FROM colour_events WHERE level = 'region' AND code = $1 ORDER BY id",
      [park],
    );
    expect(rows.map((r) => r.to_colour)).toEqual(['red', 'yellow', 'red', null]);
    expect(heard.map((c) => [c.seq, c.to]).sort((p, q) => Number(p[0]) - Number(q[0]))).toEqual(
      rows.map((r) => [Number(r.id), r.to_colour]),
    );
  });
});
