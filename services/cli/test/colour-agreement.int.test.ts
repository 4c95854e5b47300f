import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt, { type MqttClient } from 'mqtt';
import pg from 'pg';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { telemetryTopic, type WarningColour } from '@hazardwatch/contracts';
import type { ApiServer } from '@hazardwatch/api';
import { createTestDatabase, providedServices, type TestDatabase, waitFor } from '@hazardwatch/testkit';
import {
  ensureUsers,
  loadRuntimeConfig,
  startApiBeside,
  startApiService,
  startIngestService,
  type ApiService,
  type IngestService,
} from 'hazardwatch';

const logger = pino({ level: 'silent' });
const EXAMPLE = fileURLToPath(new URL('../../core/examples/site.example.yaml', import.meta.url));
const PASSWORD = 'colour-agreement-password';
const PARK = 'P32062301';
const COUNTY = '320623';

type Colour = WarningColour | null;

/**
 * Every documented option of the colour policy (core colour-policy.ts), with the hazard colours
 * the engine must reach for the readings below:
 *   CL-TF01 (一级): PT-1101 and LT-1101 in H (h-l rule: yellow), TT-1101 bad quality (SENSOR_BAD: blue);
 *   HYD-U01 (四级): combustible gas AT-2101 and AT-2102 in H (gas-level-1: yellow).
 * Rows that change a hazard-level rule (escalation, multi-detector) give other colours than the
 * default policy, so an API left on the default disagrees with the engine there (it did, issue
 * #18). The rule table, the fallback and the fire-control-room routing act when an alarm is
 * raised, and the overview rolls up the colours stored with the alarms: those rows pin that the
 * two agree there as well.
 */
const ROWS: ReadonlyArray<{
  readonly name: string;
  readonly colours: Record<string, unknown>;
  readonly clTf01: Colour;
  readonly hydU01: Colour;
}> = [
  { name: 'the default {}', colours: {}, clTf01: 'orange', hydU01: 'red' },
  {
    name: 'escalation disabled',
    colours: { escalation: { enabled: false } },
    clTf01: 'yellow',
    hydU01: 'red',
  },
  {
    name: 'escalation.minPoints 3',
    colours: { escalation: { minPoints: 3 } },
    clTf01: 'yellow',
    hydU01: 'red',
  },
  { name: 'escalation.steps 2', colours: { escalation: { steps: 2 } }, clTf01: 'red', hydU01: 'red' },
  {
    name: 'escalation.minPoints 3, steps 2',
    colours: { escalation: { minPoints: 3, steps: 2 } },
    clTf01: 'yellow',
    hydU01: 'red',
  },
  {
    name: 'escalation.countQuality with minPoints 3, steps 2',
    colours: { escalation: { countQuality: true, minPoints: 3, steps: 2 } },
    clTf01: 'red',
    hydU01: 'red',
  },
  {
    name: 'multiDetector disabled',
    colours: { multiDetector: { enabled: false } },
    clTf01: 'orange',
    hydU01: 'orange',
  },
  {
    name: 'multiDetector.minDetectors 3',
    colours: { multiDetector: { minDetectors: 3 } },
    clTf01: 'orange',
    hydU01: 'orange',
  },
  {
    name: 'multiDetector.conditions [HH]',
    colours: { multiDetector: { conditions: ['HH'] } },
    clTf01: 'orange',
    hydU01: 'orange',
  },
  {
    name: 'multiDetector.pointKinds [toxic_gas]',
    colours: { multiDetector: { pointKinds: ['toxic_gas'] } },
    clTf01: 'orange',
    hydU01: 'orange',
  },
  {
    name: 'multiDetector.colour blue, escalation disabled',
    colours: { multiDetector: { colour: 'blue' }, escalation: { enabled: false } },
    clTf01: 'yellow',
    hydU01: 'yellow',
  },
  {
    name: 'rules: every H red',
    colours: { rules: [{ id: 'h-red', colour: 'red', conditions: ['H'] }] },
    clTf01: 'red',
    hydU01: 'red',
  },
  {
    name: 'no rules, fallback blue, both hazard rules off',
    colours: {
      rules: [],
      fallback: 'blue',
      multiDetector: { enabled: false },
      escalation: { enabled: false },
    },
    clTf01: 'blue',
    hydU01: 'blue',
  },
  {
    name: 'fireControlRoom empty (routing only, colours as the default)',
    colours: { fireControlRoom: [] },
    clTf01: 'orange',
    hydU01: 'red',
  },
];

interface Overview {
  colour: Colour;
  hazards: Record<WarningColour | 'total', number>;
  enterprises: Record<WarningColour | 'total', number>;
  enterpriseColours: Array<{ code: string; colour: Colour }>;
}

/**
 * Issue #18: the engine and the REST overview must run one compiled set of alarm settings. Under
 * every documented colour setting, the same alarms give the same colours in the engine (its
 * roll-up, and the colour events it stores and pushes), in the API beside it (`hazardwatch serve`,
 * the demo) and in a separate API process (`hazardwatch api`).
 */
describe('one colour policy for the engine and the REST overview', () => {
  const { postgresAdminUrl, mqttUrl } = providedServices();
  let db: TestDatabase;
  let check: pg.Client;
  let pub: MqttClient;
  let service: IngestService | undefined;
  let beside: ApiServer | undefined;
  let separate: ApiService | undefined;
  let e1: string;
  let e2: string;
  let clientId: string;
  let dir: string;

  beforeEach(async () => {
    db = await createTestDatabase(postgresAdminUrl);
    check = new pg.Client({ connectionString: db.url });
    await check.connect();
    const suffix = () => randomBytes(4).toString('hex').toUpperCase();
    e1 = `91320623C${suffix()}`.slice(0, 18);
    e2 = `91320623D${suffix()}`.slice(0, 18);
    dir = mkdtempSync(join(tmpdir(), 'hw-colours-'));
    writeFileSync(
      join(dir, 'site.yaml'),
      readFileSync(EXAMPLE, 'utf8').replaceAll('91320623MA1W000001', e1).replaceAll('91320623MA1W000002', e2),
    );
    clientId = `hw-colours-${randomBytes(3).toString('hex')}`;
    pub = await mqtt.connectAsync(mqttUrl, { clientId: `hw-test-pub-${randomBytes(3).toString('hex')}` });
  });

  afterEach(async () => {
    await pub.endAsync();
    await separate?.close();
    await beside?.close();
    await service?.close();
    separate = beside = service = undefined;
    await (await mqtt.connectAsync(mqttUrl, { clientId, clean: true })).endAsync();
    await check.end();
    await db.drop();
  });

  function configWith(colours: Record<string, unknown>) {
    const file = join(dir, 'config.yaml');
    // JSON is YAML: the colour policy exactly as a deployment would write it.
    writeFileSync(file, JSON.stringify({ alarms: { colours } }));
    return loadRuntimeConfig(
      {
        DATABASE_URL: db.url,
        MQTT_URL: mqttUrl,
        HW_SITE_FILE: join(dir, 'site.yaml'),
        HW_HEALTH_PORT: '0',
        HW_INGEST_CLIENT_ID: clientId,
        HW_INGEST_ENTERPRISES: `${e1},${e2}`,
        HW_JWT_SECRET: 'a-test-secret-that-is-at-least-32-chars',
      },
      file,
    );
  }

  const publish = (enterprise: string, readings: unknown[]) =>
    pub.publishAsync(telemetryTopic({ enterprise, gateway: 'GW01' }), JSON.stringify({ readings }), {
      qos: 1,
    });

  /** Latest stored colour per node (what the engine stored, and pushed once stored). */
  async function storedColours(): Promise<Map<string, Colour>> {
    const { rows } = await check.query<{ level: string; code: string; to_colour: Colour }>(
      `SELECT DISTINCT ON (level, code) level, code, to_colour FROM colour_events ORDER BY level, code, id DESC`,
    );
    return new Map(rows.map((r) => [`${r.level}:${r.code}`, r.to_colour]));
  }

  async function overview(port: number, token: string, region: string): Promise<Overview> {
    const res = await fetch(`http://127.0.0.1:${port}/api/v1/regions/${region}/overview`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(200);
    return (await res.json()) as Overview;
  }

  async function login(port: number): Promise<string> {
    const res = await fetch(`http://127.0.0.1:${port}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: PASSWORD }),
    });
    expect(res.status).toBe(200);
    return ((await res.json()) as { accessToken: string }).accessToken;
  }

  it.each(ROWS)('$name: CL-TF01 $clTf01, HYD-U01 $hydU01, alike in engine and APIs', async (row) => {
    const config = configWith(row.colours);
    // As `hazardwatch serve` composes them: ingest and alarm engine, the API beside them.
    service = await startIngestService(config, logger);
    beside = await startApiBeside(service, config, logger, 0);
    await ensureUsers(service, [{ username: 'admin', password: PASSWORD, role: 'admin' }]);
    // As `hazardwatch api`: a separate API process over the same database.
    separate = await startApiService(config, logger, { port: 0 });

    const t0 = Date.now() - 60_000;
    for (const dt of [0, 6_000, 12_000]) {
      const ts = t0 + dt;
      await publish(e1, [
        { tag: 'PT-1101', ts, value: 1.05 },
        { tag: 'LT-1101', ts, value: 82 },
        { tag: 'TT-1101', ts, value: 20, quality: 'bad' },
      ]);
      await publish(e2, [
        { tag: 'AT-2101', ts, value: 22 },
        { tag: 'AT-2102', ts, value: 30 },
      ]);
    }
    const hazard1 = `${e1}/CL-TF01`;
    const hazard2 = `${e2}/HYD-U01`;
    const rollup = () => service!.alarms.rollup;
    const engine = () => ({
      [`hazard:${hazard1}`]: rollup().colour('hazard', hazard1),
      [`hazard:${hazard2}`]: rollup().colour('hazard', hazard2),
      [`enterprise:${e1}`]: rollup().colour('enterprise', e1),
      [`enterprise:${e2}`]: rollup().colour('enterprise', e2),
      [`region:${PARK}`]: rollup().colour('region', PARK),
      [`region:${COUNTY}`]: rollup().colour('region', COUNTY),
    });
    // The engine reached its colours for all five alarms, and stored every one of them.
    await waitFor(
      async () => ({ engine: engine(), stored: Object.fromEntries(await storedColours()) }),
      (v) =>
        v.engine[`hazard:${hazard1}`] === row.clTf01 &&
        v.engine[`hazard:${hazard2}`] === row.hydU01 &&
        Object.entries(v.engine).every(([node, colour]) => v.stored[node] === colour),
      'the engine to colour both hazards and store it',
    );
    const expected = engine();
    const park = rollup().region(PARK)!;
    for (const port of [beside.port, separate.port]) {
      const token = await login(port);
      const parkView = await overview(port, token, PARK);
      expect(parkView.colour).toBe(expected[`region:${PARK}`]);
      expect(parkView.hazards).toEqual({ ...park.hazards, total: park.hazardTotal });
      expect(parkView.enterprises).toEqual({ ...park.enterprises, total: park.enterpriseTotal });
      expect(Object.fromEntries(parkView.enterpriseColours.map((e) => [e.code, e.colour]))).toEqual({
        [e1]: expected[`enterprise:${e1}`],
        [e2]: expected[`enterprise:${e2}`],
      });
      expect((await overview(port, token, COUNTY)).colour).toBe(expected[`region:${COUNTY}`]);
    }
  });
});
