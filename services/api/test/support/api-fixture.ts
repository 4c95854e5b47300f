import { readFileSync } from 'node:fs';
import { pino } from 'pino';
import { parse as parseYaml } from 'yaml';
import type { FastifyInstance } from 'fastify';
import { DEFAULT_ALARM_SETTINGS, type AlarmRecord, type SiteIndex } from '@hazardwatch/core';
import {
  buildApiApp,
  compileApiConfig,
  createUser,
  type AlarmControl,
  type ApiDeps,
  type ResponseContractViolation,
  type WarningCaller,
} from '@hazardwatch/api';
import type { AlarmActionOutcome as ControlOutcome } from '@hazardwatch/contracts';
import { createTestDatabase, openTestPool, providedServices, type TestDatabase } from '@hazardwatch/testkit';
import {
  AlarmRepository,
  importSiteDocument,
  migrate,
  PartitionMaintainer,
  sqlClientFromPg,
  type SqlClient,
} from '@hazardwatch/store';

export const silentLogger = pino({ level: 'silent' });
/** Fast scrypt for fixtures only (production default is ln=15). */
export const TEST_COST = { ln: 4, r: 8, p: 1 };
export const PASSWORD = 'correct horse battery';

/** Example site: county 320623 (park P32062301, enterprises E1, E2) — plus another county with E3. */
export const E1 = '91320623MA1W000001';
export const E2 = '91320623MA1W000002';
export const E3 = '91320682MA1W000003';
export const COUNTY_A = '320623';
export const COUNTY_B = '320682';
export const PARK_A = 'P32062301';
export const CITY = '320600';
export const PROVINCE = '320000';

export function testSiteJson(): string {
  const doc = parseYaml(
    readFileSync(new URL('../../../core/examples/site.example.yaml', import.meta.url), 'utf8'),
  ) as {
    regions: unknown[];
    enterprises: unknown[];
    hazards: Array<Record<string, unknown>>;
    gateways: unknown[];
    points: unknown[];
  };
  doc.regions.push({ code: COUNTY_B, name: '如皋市', kind: 'county', parent: CITY });
  doc.enterprises.push({
    code: E3,
    name: '如皋示例化工有限公司',
    region: COUNTY_B,
    location: { lon: 120.57, lat: 32.37 },
    risk: { score: 80 },
  });
  const hyd = doc.hazards.find((h) => h['code'] === 'HYD-U01')!;
  doc.hazards.push({ ...hyd, enterprise: E3, code: 'HYD-U02', location: { lon: 120.571, lat: 32.371 } });
  doc.gateways.push({ code: 'GW01', enterprise: E3, name: '如皋网关' });
  doc.points.push({
    tag: 'TT-3101',
    enterprise: E3,
    hazard: 'HYD-U02',
    gateway: 'GW01',
    name: '反应釜温度',
    kind: 'temperature',
    unit: '°C',
    range: { min: 0, max: 200 },
    limits: { h: 130, hh: 140 },
  });
  return JSON.stringify(doc);
}

export const USERS = {
  admin: { role: 'admin' },
  regProvince: { role: 'regulator', regionCode: PROVINCE },
  regCity: { role: 'regulator', regionCode: CITY },
  regCounty: { role: 'regulator', regionCode: COUNTY_A },
  regOther: { role: 'regulator', regionCode: COUNTY_B },
  viewerCounty: { role: 'viewer', regionCode: COUNTY_A },
  opE1: { role: 'operator', enterpriseCode: E1 },
  smE1: { role: 'safety_manager', enterpriseCode: E1 },
  opE2: { role: 'operator', enterpriseCode: E2 },
  opE3: { role: 'operator', enterpriseCode: E3 },
} as const;
export type TestUser = keyof typeof USERS;

/** A fake of our own seam: records calls and answers what the test says. */
export class FakeAlarmControl implements AlarmControl {
  readonly calls: Array<{ op: string; id: string; args: unknown[] }> = [];
  next: ControlOutcome | undefined;
  private answer(op: string, id: string, args: unknown[]): Promise<ControlOutcome> {
    this.calls.push({ op, id, args });
    const outcome = this.next ?? { ok: true, before: { state: 'UNACK' }, after: { state: 'ACKED' } };
    return Promise.resolve(outcome);
  }
  act(id: string, request: unknown) {
    return this.answer('act', id, [request]);
  }
  signWarning(id: string, caller: WarningCaller) {
    return this.answer('sign', id, [caller.actor]);
  }
  feedbackWarning(id: string, caller: WarningCaller, text: string) {
    return this.answer('feedback', id, [caller.actor, text]);
  }
  urgeWarning(id: string, caller: WarningCaller, text: string, deadlineMs: number) {
    return this.answer('urge', id, [caller.actor, text, deadlineMs]);
  }
  verifyWarning(id: string, caller: WarningCaller, text: string) {
    return this.answer('verify', id, [caller.actor, text]);
  }
  closeWarning(id: string, caller: WarningCaller, reason?: string) {
    return this.answer('close', id, [caller.actor, reason]);
  }
}

export interface TestApi {
  readonly app: FastifyInstance;
  readonly client: SqlClient;
  readonly site: SiteIndex;
  readonly control: FakeAlarmControl;
  readonly now: number;
  /** Access token per test user. */
  readonly tokens: Record<TestUser, string>;
  auth(user: TestUser): { authorization: string };
  /** Answers that broke their route's response contract (strict check, on in every test). */
  readonly contractViolations: readonly ResponseContractViolation[];
  /** Fails when any answer broke its response contract, then drops the database. */
  close(): Promise<void>;
}

export const NOW = Date.UTC(2026, 2, 2, 8, 0, 0);

function alarm(id: string, pointId: number, over: Partial<AlarmRecord> = {}): AlarmRecord {
  return {
    id,
    source: { kind: 'point', pointId },
    sourceKey: `point:${pointId}`,
    condition: 'HH',
    state: 'UNACK',
    active: true,
    latched: false,
    colour: 'red',
    raisedAt: NOW - 60_000,
    stateSinceMs: NOW - 60_000,
    lastActivationMs: NOW - 60_000,
    ackedAt: null,
    ackedBy: null,
    value: 90,
    limit: 85,
    shelvedUntilMs: null,
    shelveReason: null,
    suppressReason: null,
    suppressedBy: null,
    outOfServiceReason: null,
    chattering: false,
    ...over,
  };
}

/**
 * Helper in the manner of fastify/demo `test/helper.ts`: a migrated test database with the
 * example site (plus a second county), one user per role and scope, an alarm and a 预警 per
 * enterprise E1 and E3, and the app built on it (not listening).
 */
export async function buildTestApi(
  options: { deps?: Partial<ApiDeps>; config?: Record<string, unknown> } = {},
): Promise<TestApi> {
  const db: TestDatabase = await createTestDatabase(providedServices().postgresAdminUrl, 'hw_api');
  const pool = openTestPool(db.url, { max: 4 });
  pool.on('error', () => undefined);
  const client = sqlClientFromPg(pool);
  try {
    const migration = await migrate(client, { logger: silentLogger, dialect: 'postgres' });
    await new PartitionMaintainer({
      client,
      logger: silentLogger,
      now: () => NOW,
      retention: migration.retention,
    }).ensureCovering(NOW - 2 * 86_400_000, NOW + 86_400_000);
    const loaded = await importSiteDocument(client, testSiteJson(), 'json', NOW);
    if (!loaded.ok) throw new Error(`test site invalid: ${loaded.errors.map((e) => e.message).join('; ')}`);
    const site = loaded.index;
    for (const [username, u] of Object.entries(USERS))
      await createUser(client, { username, password: PASSWORD, ...u }, { cost: TEST_COST });

    const e1Point = site.pointByKey(E1, 'LT-1101')!;
    const e3Point = site.pointByKey(E3, 'TT-3101')!;
    await new AlarmRepository(client).write({
      alarms: [
        alarm('alarm-e1', e1Point.id),
        alarm('alarm-e3', e3Point.id),
        alarm('gw-e1', 0, {
          source: { kind: 'gateway', enterprise: E1, gateway: 'GW01' },
          sourceKey: `gateway:${E1}/GW01`,
          condition: 'GATEWAY_OFFLINE',
          colour: 'blue',
        }),
      ],
      events: [],
      colourChanges: [],
    });
    await client.query(
      `INSERT INTO warnings (id, enterprise, hazard, colour, state, opened_at, updated_at, record)
       VALUES ('warning-e1', $1, 'CL-TF01', 'red', 'pushed', to_timestamp($3 / 1000.0), to_timestamp($3 / 1000.0), '{"level":"enterprise"}'),
              ('warning-e3', $2, 'HYD-U02', 'red', 'pushed', to_timestamp($3 / 1000.0), to_timestamp($3 / 1000.0), '{"level":"enterprise"}')`,
      [E1, E3, NOW - 30_000],
    );

    const control = new FakeAlarmControl();
    // Every answer is checked against its route's response contract: a field the contract lacks
    // would be dropped by fastify's serializer in production (issue #18).
    const contractViolations: ResponseContractViolation[] = [];
    const settings = compileApiConfig({
      port: 0,
      auth: { jwtSecret: 'test-secret-test-secret-test-secret-0123' },
      ...options.config,
    });
    const app = await buildApiApp(settings, {
      logger: silentLogger,
      client,
      dialect: 'postgres',
      site: { current: () => site },
      now: () => NOW,
      alarmControl: control,
      alarmSettings: DEFAULT_ALARM_SETTINGS,
      processMetrics: false,
      strictResponses: (violation) => contractViolations.push(violation),
      ...options.deps,
    });
    const tokens = {} as Record<TestUser, string>;
    for (const username of Object.keys(USERS) as TestUser[]) {
      const res = await app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { username, password: PASSWORD },
      });
      if (res.statusCode !== 200) throw new Error(`login ${username}: ${res.statusCode} ${res.body}`);
      tokens[username] = res.json<{ accessToken: string }>().accessToken;
    }
    return {
      app,
      client,
      site,
      control,
      now: NOW,
      tokens,
      auth: (user) => ({ authorization: `Bearer ${tokens[user]}` }),
      contractViolations,
      close: async () => {
        await app.close();
        await pool.end();
        await db.drop();
        if (contractViolations.length > 0)
          throw new Error(`answers broke their response contract: ${JSON.stringify(contractViolations)}`);
      },
    };
  } catch (error) {
    await pool.end();
    await db.drop();
    throw error;
  }
}
