import pino from 'pino';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ALARM_SETTINGS, pointKey, requireValidSite, SiteIndex } from '@hazardwatch/core';
import { ManualClock } from '@hazardwatch/kit';
import { PARTITION_COUNT, partitionOf, PartitionUnit, type DurableWork } from '@hazardwatch/ingest';
import {
  LeaseRepository,
  migrate,
  NotificationOutbox,
  PartitionMaintainer,
  sqlClientFromPg,
  type SqlClient,
} from '@hazardwatch/store';
import {
  createTestDatabase,
  openTestPool,
  providedServices,
  waitFor,
  type TestDatabase,
} from '@hazardwatch/testkit';

// Issue #23: one partition's evaluators and alarm engine, built at a takeover and restored from
// the database (only that partition's state), every alarm write fenced with its epoch — on a real
// PostgreSQL.

const logger = pino({ level: 'silent' });
const T0 = Date.UTC(2026, 11, 6, 11, 0, 0);

/** Two enterprise codes hashed into different partitions (neither 0, which also has platform alarms). */
function twoEnterprises(): [string, string] {
  const codes: string[] = [];
  for (let i = 1; codes.length < 2; i++) {
    const code = `91320623MA1U${String(i).padStart(6, '0')}`;
    const p = partitionOf(code);
    if (p !== 0 && codes.every((c) => partitionOf(c) !== p)) codes.push(code);
  }
  return [codes[0]!, codes[1]!];
}

const person = { name: '王建国', phone: '+8613800000001' };

/** Two enterprise codes hashed into one partition outside `avoid` (and not 0). */
function twoInOnePartition(avoid: readonly number[]): [string, string] {
  const byPartition = new Map<number, string>();
  for (let i = 1; ; i++) {
    const code = `91320623MA1S${String(i).padStart(6, '0')}`;
    const p = partitionOf(code);
    if (p === 0 || avoid.includes(p)) continue;
    const first = byPartition.get(p);
    if (first !== undefined) return [first, code];
    byPartition.set(p, code);
  }
}

/** Point ids as the store issues them: one per enterprise and tag, whatever the site version. */
const pointIds = new Map<string, number>();
const idsFor = (codes: readonly string[]): Map<string, number> => {
  for (const e of codes) {
    const key = pointKey(e, 'TT-1');
    if (!pointIds.has(key)) pointIds.set(key, pointIds.size + 1);
  }
  return pointIds;
};

function site(...codes: string[]): SiteIndex {
  const enterprise = (code: string, i: number) => ({
    code,
    name: `示例化工${i}有限公司`,
    region: 'PARK1',
    location: { lon: 121 + i / 100, lat: 32.5 },
  });
  const hazard = (e: string) => ({
    code: 'TF1',
    enterprise: e,
    name: '储罐区',
    declaredLevel: 4,
    type: 'tank_farm',
    responsible: { principal: person, technical: person, operational: person },
    location: { lon: 121.001, lat: 32.501 },
    inventory: [{ substance: 'Cl2', designMaxTonnes: 10 }],
    exposedPopulation: 1,
  });
  const point = (e: string) => ({
    tag: 'TT-1',
    enterprise: e,
    hazard: 'TF1',
    gateway: 'GW01',
    name: '储罐温度',
    kind: 'temperature',
    unit: '°C',
    range: { min: 0, max: 200 },
    limits: { h: 80, hh: 120 },
    deadband: 5,
  });
  return new SiteIndex(
    requireValidSite({
      version: 1,
      regions: [
        { code: '320000', name: '江苏省', kind: 'province' },
        { code: '320600', name: '南通市', kind: 'city', parent: '320000' },
        { code: '320623', name: '如东县', kind: 'county', parent: '320600' },
        { code: 'PARK1', name: '洋口化工园区', kind: 'park', parent: '320623' },
      ],
      enterprises: codes.map((e, i) => enterprise(e, i + 1)),
      hazards: codes.map(hazard),
      gateways: codes.map((e) => ({ code: 'GW01', enterprise: e, name: '网关' })),
      points: codes.map(point),
    }).site,
    { ids: idsFor(codes) },
  );
}

describe('PartitionUnit (PostgreSQL)', () => {
  const [eA, eB] = twoEnterprises();
  const pA = partitionOf(eA);
  const pB = partitionOf(eB);
  const index = site(eA, eB);
  const pointA = index.pointByKey(eA, 'TT-1')!.id;
  const pointB = index.pointByKey(eB, 'TT-1')!.id;
  let db: TestDatabase;
  let pool: pg.Pool;
  let client: SqlClient;
  let leases: LeaseRepository;

  beforeAll(async () => {
    db = await createTestDatabase(providedServices().postgresAdminUrl);
    pool = openTestPool(db.url, { max: 4 });
    client = sqlClientFromPg(pool);
    await migrate(client, { logger, dialect: 'postgres' });
    leases = new LeaseRepository(client);
    await leases.ensurePartitions(PARTITION_COUNT);
  });
  afterAll(async () => {
    await pool.end();
    await db.drop();
  });

  const unit = (
    epochs: Map<number, number>,
    clock: ManualClock,
    works: DurableWork[],
    partition = pA,
    siteIndex = index,
  ) =>
    new PartitionUnit({
      partition,
      ownership: { count: PARTITION_COUNT, epochOf: (p) => epochs.get(p) },
      index: siteIndex,
      settings: DEFAULT_ALARM_SETTINGS,
      client,
      outbox: new NotificationOutbox(client),
      logger,
      clock,
      joinBatch: (w) => void works.push(w),
    });
  const settle = async (works: DurableWork[]): Promise<void> => {
    await new Promise((r) => setImmediate(r));
    await Promise.all(works.splice(0).map((w) => w()));
  };
  const stored = async () =>
    (
      await client.query<{ id: string; closed: boolean; events: number }>(
        `SELECT a.id, a.closed_at IS NOT NULL AS closed, (SELECT count(*)::int FROM alarm_events e WHERE e.alarm_id = a.id) AS events
         FROM alarms a ORDER BY a.id`,
      )
    ).rows;

  it('evaluates only its partition, restores it at a takeover without a duplicate, and fences the old owner out', async () => {
    const clock = new ManualClock(T0);
    // Worker 1 holds the partition (a lease of 0 ms: free for a takeover at once).
    const held1 = new Map((await leases.acquire('w-1', [pA], 0)).map((g) => [g.partition, g.epoch]));
    const works1: DurableWork[] = [];
    const unit1 = unit(held1, clock, works1);
    expect([...unit1.enterprises]).toEqual([eA]);
    await unit1.restore();
    unit1.observe(pointA, T0, 95, 0);
    // A reading of another partition's point is not this unit's to evaluate.
    unit1.observe(pointB, T0, 150, 0);
    await settle(works1);
    const raised = await stored();
    expect(raised).toHaveLength(1);
    expect(raised[0]).toMatchObject({ closed: false, events: 1 });
    expect(unit1.alarms.failedUnits).toBe(0);

    // Another worker holds partition B and raises an alarm (and a 预警) there.
    const heldB = new Map((await leases.acquire('w-3', [pB], 60_000)).map((g) => [g.partition, g.epoch]));
    const worksB: DurableWork[] = [];
    const unitB = unit(heldB, clock, worksB, pB);
    await unitB.restore();
    unitB.observe(pointB, T0, 150, 0);
    await settle(worksB);
    const both = await stored();
    expect(both).toHaveLength(2);

    // Worker 2 takes the partition over (epoch + 1) and restores it from the database.
    const held2 = new Map((await leases.acquire('w-2', [pA], 60_000)).map((g) => [g.partition, g.epoch]));
    const works2: DurableWork[] = [];
    const unit2 = unit(held2, clock, works2);
    // The alarm and the 预警 it opened — nothing of partition B.
    expect(await unit2.restore()).toMatchObject({ alarms: 1, warnings: 1, points: 0, readings: 0 });
    // The condition is still active: no second alarm, no new event.
    clock.advance(1000);
    unit2.observe(pointA, T0 + 1000, 96, 0);
    await settle(works2);
    expect(await stored()).toEqual(both);

    // The old owner, not knowing yet, is asked to sign for the 预警 (no alarm row changes): its
    // transaction is refused by the fence, the 预警 stays unsigned.
    const { rows: warnings } = await client.query<{ id: string }>(
      'SELECT id FROM warnings WHERE enterprise = $1',
      [eA],
    );
    expect(warnings).toHaveLength(1);
    const warningEvents = async () =>
      (
        await client.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM warning_events WHERE warning_id = $1',
          [warnings[0]!.id],
        )
      ).rows[0]?.n;
    const eventsBefore = await warningEvents();
    expect(unit1.alarms.signWarning(warnings[0]!.id, { id: 'principal-1', party: 'enterprise' }).ok).toBe(
      true,
    );
    await settle(works1);
    await waitFor(
      () => Promise.resolve(unit1.alarms.failedUnits),
      (n) => n === 1,
      'the stale 签收 to be refused',
    );
    expect(await warningEvents()).toBe(eventsBefore);

    // ... and sees the value fall and clears: refused by the fence too.
    unit1.observe(pointA, T0 + 2000, 20, 0);
    await settle(works1);
    expect(unit1.alarms.failedUnits).toBe(2);
    expect(await stored()).toEqual(both);

    // The owner clears it.
    unit2.observe(pointA, T0 + 3000, 20, 0);
    await settle(works2);
    expect((await stored()).find((a) => a.id === raised[0]!.id)).toMatchObject({ closed: false, events: 2 });
    expect(unit2.alarms.failedUnits).toBe(0);
  });

  it('a takeover keeps an alarm whose value sits inside the deadband, with or without stored readings to replay', async () => {
    // An enterprise of its own partition (not A's, B's, nor the next test's).
    const avoid = [pA, pB, ...twoInOnePartition([pA, pB]).map((e) => partitionOf(e))];
    let eE = '';
    for (let i = 1; eE === ''; i++) {
      const code = `91320623MA1D${String(i).padStart(6, '0')}`;
      if (partitionOf(code) !== 0 && !avoid.includes(partitionOf(code))) eE = code;
    }
    const pE = partitionOf(eE);
    const idx = site(eE);
    const pointE = idx.pointByKey(eE, 'TT-1')!.id;
    // Readings are stored below: a time the database has a day partition for.
    const t0 = Date.now() - 300_000;
    const clock = new ManualClock(t0);
    const unitOf = (held: Map<number, number>, works: DurableWork[]) => unit(held, clock, works, pE, idx);
    const events = async () =>
      (
        await client.query<{ to_state: string }>(
          `SELECT e.to_state FROM alarm_events e JOIN alarms a ON a.id = e.alarm_id
            WHERE a.source_key = $1 AND a.condition = 'H' ORDER BY e.id`,
          [`point:${pointE}`],
        )
      ).rows.map((r) => r.to_state);

    // H = 80, deadband 5: raised at 95, then 78 (inside the deadband: still in alarm).
    const held1 = new Map((await leases.acquire('w-5', [pE], 0)).map((g) => [g.partition, g.epoch]));
    const works1: DurableWork[] = [];
    const unit1 = unitOf(held1, works1);
    await unit1.restore();
    unit1.observe(pointE, t0, 95, 0);
    clock.advance(1000);
    unit1.observe(pointE, t0 + 1000, 78, 0);
    await settle(works1);
    expect(await events()).toEqual(['UNACK']);

    // Takeover with nothing stored to replay (a restart's case): the first reading, still 78.
    const held2 = new Map((await leases.acquire('w-6', [pE], 0)).map((g) => [g.partition, g.epoch]));
    const works2: DurableWork[] = [];
    const unit2 = unitOf(held2, works2);
    await unit2.restore();
    clock.advance(1000);
    unit2.observe(pointE, t0 + 2000, 78, 0);
    await settle(works2);
    expect(await events()).toEqual(['UNACK']);

    // Takeover with the window's readings stored, all inside the deadband (the raise is older).
    clock.advance(120_000);
    await new PartitionMaintainer({
      client,
      logger,
      now: () => clock.now(),
      retention: { rawRetentionMs: 30 * 86_400_000 },
    }).run();
    for (let t = clock.now() - 55_000; t < clock.now(); t += 5000)
      await client.query(
        `INSERT INTO readings (point_id, ts, value, quality) VALUES ($1, to_timestamp($2::float8 / 1000), $3, 0)`,
        [pointE, t, 77],
      );
    const held3 = new Map((await leases.acquire('w-7', [pE], 60_000)).map((g) => [g.partition, g.epoch]));
    const works3: DurableWork[] = [];
    const unit3 = unitOf(held3, works3);
    // No delay but the default off-delay of 5 s: the point's window holds none of these rows, so
    // its newest reading alone is replayed; the book says H is active.
    expect(await unit3.restore()).toMatchObject({ alarms: 1, readings: 1 });
    await settle(works3);
    expect(await events()).toEqual(['UNACK']);
    // Only a value past the deadband returns it.
    unit3.observe(pointE, clock.now() + 1000, 76, 0);
    await settle(works3);
    expect(await events()).toEqual(['UNACK']);
    unit3.observe(pointE, clock.now() + 2000, 74.9, 0);
    await settle(works3);
    expect(await events()).toEqual(['UNACK', 'RTNUN']);
  });

  it('follows a site edit: an enterprise added to the partition is evaluated, one removed returns to normal, both fenced', async () => {
    const [eC, eD] = twoInOnePartition([pA, pB]);
    const pC = partitionOf(eC);
    const clock = new ManualClock(T0);
    const held = new Map((await leases.acquire('w-4', [pC], 60_000)).map((g) => [g.partition, g.epoch]));
    const works: DurableWork[] = [];
    const before = site(eA, eB, eC);
    const u = new PartitionUnit({
      partition: pC,
      ownership: { count: PARTITION_COUNT, epochOf: (p) => held.get(p) },
      index: before,
      settings: DEFAULT_ALARM_SETTINGS,
      client,
      outbox: new NotificationOutbox(client),
      logger,
      clock,
      joinBatch: (w) => void works.push(w),
    });
    await u.restore();
    const pointC = before.pointByKey(eC, 'TT-1')!.id;
    u.observe(pointC, T0, 150, 0);
    await settle(works);

    const added = site(eA, eB, eC, eD);
    expect(u.reconfigure(added)).toEqual({ added: [eD], removed: [] });
    expect([...u.enterprises].sort()).toEqual([eC, eD].sort());
    const pointD = added.pointByKey(eD, 'TT-1')!.id;
    u.observe(pointD, T0 + 1000, 150, 0);
    await settle(works);

    // eC leaves the site: its standing HH returns to normal, written under the partition's epoch.
    const removed = site(eA, eB, eD);
    expect(u.reconfigure(removed)).toEqual({ added: [], removed: [eC] });
    u.alarms.replaceSite(removed);
    await settle(works);
    expect(u.alarms.failedUnits).toBe(0);
    const { rows } = await client.query<{ point_id: number; transitions: string[] }>(
      `SELECT a.point_id, array_agg(e.from_state || '>' || e.to_state ORDER BY e.id) AS transitions
         FROM alarms a JOIN alarm_events e ON e.alarm_id = a.id
        WHERE a.point_id = ANY($1::int[]) GROUP BY a.point_id ORDER BY a.point_id`,
      [[pointC, pointD]],
    );
    expect(rows).toEqual(
      [
        { point_id: pointC, transitions: ['NORM>UNACK', 'UNACK>RTNUN'] },
        { point_id: pointD, transitions: ['NORM>UNACK'] },
      ].sort((a, b) => a.point_id - b.point_id),
    );
  });
});
