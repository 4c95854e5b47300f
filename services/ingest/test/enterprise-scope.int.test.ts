import pino from 'pino';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sourceKey, type AlarmRecord, type AlarmSource } from '@hazardwatch/core';
import { EnterpriseScope } from '@hazardwatch/ingest';
import {
  AlarmRepository,
  ensurePointIds,
  migrate,
  pointKey,
  sqlClientFromPg,
  type SqlClient,
} from '@hazardwatch/store';
import { createTestDatabase, openTestPool, providedServices, type TestDatabase } from '@hazardwatch/testkit';

// A worker pinned to some enterprises (HW_INGEST_ENTERPRISES) restores only their open alarms
// (docs/operations.md §5), on a real PostgreSQL: its points' (also one removed from the site since,
// placed by the enterprise its stored id was issued for) and its gateways', never another
// enterprise's nor a platform alarm (the unpinned worker's).

const logger = pino({ level: 'silent' });
const T0 = Date.UTC(2026, 11, 6, 10, 0, 0);
const [EA, EB] = ['91320623SCOPE00001', '91320623SCOPE00002'];

function alarm(id: string, source: AlarmSource): AlarmRecord {
  return {
    id,
    source,
    sourceKey: sourceKey(source),
    condition: 'STALE',
    state: 'UNACK',
    active: true,
    latched: false,
    colour: 'blue',
    raisedAt: T0,
    stateSinceMs: T0,
    lastActivationMs: T0,
    ackedAt: null,
    ackedBy: null,
    value: null,
    limit: 300_000,
    shelvedUntilMs: null,
    shelveReason: null,
    suppressReason: null,
    suppressedBy: null,
    outOfServiceReason: null,
    chattering: false,
  };
}

describe('EnterpriseScope: the open alarms a worker restores (PostgreSQL)', () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  let client: SqlClient;
  /** The site in force knows A's T1 and B's T2; A's GONE was removed from it. */
  let enterpriseOfPoint: (id: number) => string | undefined;

  beforeAll(async () => {
    db = await createTestDatabase(providedServices().postgresAdminUrl);
    pool = openTestPool(db.url, { max: 2 });
    client = sqlClientFromPg(pool);
    await migrate(client, { logger, dialect: 'postgres' });
    const ids = await ensurePointIds(client, [
      { enterprise: EA, tag: 'T1' },
      { enterprise: EB, tag: 'T2' },
      { enterprise: EA, tag: 'GONE' },
    ]);
    const id = (e: string, tag: string): number => ids.get(pointKey(e, tag))!;
    const inSite = new Map([
      [id(EA, 'T1'), EA],
      [id(EB, 'T2'), EB],
    ]);
    enterpriseOfPoint = (pointId) => inSite.get(pointId);
    const alarms = [
      alarm('a-point', { kind: 'point', pointId: id(EA, 'T1') }),
      alarm('b-point', { kind: 'point', pointId: id(EB, 'T2') }),
      alarm('a-removed-point', { kind: 'point', pointId: id(EA, 'GONE') }),
      alarm('a-gateway', { kind: 'gateway', enterprise: EA, gateway: 'GW01' }),
      alarm('b-gateway', { kind: 'gateway', enterprise: EB, gateway: 'GW01' }),
      alarm('platform', { kind: 'platform', component: 'timescaledb', name: 'retention:readings' }),
    ];
    await new AlarmRepository(client).write({ alarms, events: [], colourChanges: [] });
  });

  afterAll(async () => {
    await pool.end();
    await db.drop();
  });

  const restored = async (owned: readonly string[] | null): Promise<string[]> =>
    (await EnterpriseScope.of(owned).alarms(client, enterpriseOfPoint).openAlarms()).map((a) => a.id).sort();

  it('pinned to A: A’s point, removed point and gateway alarms only', async () => {
    expect(await restored([EA])).toEqual(['a-gateway', 'a-point', 'a-removed-point']);
  });

  it('pinned to B: B’s only', async () => {
    expect(await restored([EB])).toEqual(['b-gateway', 'b-point']);
  });

  it('every enterprise (unpinned): every open alarm, the platform one included', async () => {
    expect(await restored(null)).toEqual([
      'a-gateway',
      'a-point',
      'a-removed-point',
      'b-gateway',
      'b-point',
      'platform',
    ]);
  });
});
