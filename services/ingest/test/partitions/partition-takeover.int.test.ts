import { randomBytes } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import pino from 'pino';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { telemetryTopic } from '@hazardwatch/contracts';
import { DEFAULT_ALARM_SETTINGS, requireValidSite, SiteIndex } from '@hazardwatch/core';
import { systemClock } from '@hazardwatch/kit';
import {
  PARTITION_COUNT,
  partitionOf,
  PartitionOwner,
  PartitionRouter,
  PartitionSessions,
  PartitionUnit,
  type DurableWork,
  type LeaseStore,
} from '@hazardwatch/ingest';
import {
  compileRetention,
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

// Issue #23 item 3: the evaluators' short-term state survives a takeover. Worker A sees TT-1 go
// beyond H (on-delay 10 s) and dies 3 s later (no handover: its lease store stops answering and its
// session drops without DISCONNECT); worker B takes the partition over when A's lease expires,
// rebuilds the state from the readings A stored, and raises H at the first reading ≥ 10 s after the
// first exceed (source time) — once. TT-2, silent since A's time, goes STALE at its last reading +
// staleAfter on B's evaluation clock, driven here by hand. Real PostgreSQL and Mosquitto.

const logger = pino({ level: 'silent' });
const person = { name: '王建国', phone: '+8613800000001' };

function site(e: string): SiteIndex {
  const point = (tag: string, extra: object) => ({
    tag,
    enterprise: e,
    hazard: 'TF1',
    gateway: 'GW01',
    name: `储罐温度${tag}`,
    kind: 'temperature',
    unit: '°C',
    range: { min: 0, max: 200 },
    limits: { h: 80, hh: 120 },
    ...extra,
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
      enterprises: [
        { code: e, name: '示例化工有限公司', region: 'PARK1', location: { lon: 121, lat: 32.5 } },
      ],
      hazards: [
        {
          code: 'TF1',
          enterprise: e,
          name: '储罐区',
          declaredLevel: 4,
          type: 'tank_farm',
          responsible: { principal: person, technical: person, operational: person },
          location: { lon: 121.001, lat: 32.501 },
          inventory: [{ substance: 'Cl2', designMaxTonnes: 10 }],
          exposedPopulation: 1,
        },
      ],
      gateways: [{ code: 'GW01', enterprise: e, name: '网关' }],
      points: [point('TT-1', { onDelaySec: 10 }), point('TT-2', { staleAfterSec: 30 })],
    }).site,
  );
}

/** The lease table as a worker sees it, until the worker "dies": then nothing answers it. */
class DyingLeaseStore implements LeaseStore {
  dead = false;
  constructor(private readonly inner: LeaseStore) {}
  #alive(): void {
    if (this.dead) throw new Error('worker is dead');
  }
  async heartbeat(...a: Parameters<LeaseStore['heartbeat']>) {
    this.#alive();
    return this.inner.heartbeat(...a);
  }
  async snapshot(...a: Parameters<LeaseStore['snapshot']>) {
    this.#alive();
    return this.inner.snapshot(...a);
  }
  async acquire(...a: Parameters<LeaseStore['acquire']>) {
    this.#alive();
    return this.inner.acquire(...a);
  }
  async release(...a: Parameters<LeaseStore['release']>) {
    this.#alive();
    return this.inner.release(...a);
  }
  async leave(workerId: string) {
    this.#alive();
    return this.inner.leave(workerId);
  }
}

describe('takeover: evaluator state rebuilt from stored readings (PostgreSQL and broker)', () => {
  const enterprise = `91320623MA1T${randomBytes(3).toString('hex').toUpperCase()}`;
  const partition = partitionOf(enterprise);
  const index = site(enterprise);
  const tt1 = index.pointByKey(enterprise, 'TT-1')!.id;
  const tt2 = index.pointByKey(enterprise, 'TT-2')!.id;
  const idOf = new Map([
    ['TT-1', tt1],
    ['TT-2', tt2],
  ]);
  const prefix = `hw-t-${randomBytes(4).toString('hex')}`;
  // Source time of the first exceed: a little in the past, within the replay window.
  const T0 = Math.floor(Date.now() / 1000) * 1000 - 5000;
  let db: TestDatabase;
  let pool: pg.Pool;
  let client: SqlClient;
  let pub: MqttClient;
  const owners: PartitionOwner[] = [];

  /** A worker storing each reading (as the pipeline does) before acknowledging it. */
  const worker = (id: string, leases: LeaseStore) => {
    const router = new PartitionRouter(PARTITION_COUNT, (p) => index.pointById(p)?.enterprise);
    const works: DurableWork[] = [];
    const owner = new PartitionOwner({
      workerId: id,
      count: PARTITION_COUNT,
      leaseMs: 2000,
      heartbeatMs: 300,
      marginMs: 400,
      leases,
      clock: systemClock,
      logger,
      router,
      sessions: (owns) =>
        new PartitionSessions({
          clientIdPrefix: prefix,
          count: PARTITION_COUNT,
          enterprises: () => [enterprise],
          session: {
            url: providedServices().mqttUrl,
            protocolVersion: 4,
            keepaliveSec: 30,
            reconnectPeriodMs: 200,
            connectTimeoutMs: 5000,
            receiveMaximum: 100,
            sessionExpirySec: 3600,
          },
          owns,
          onMessage: (_topic, payload, ack) => {
            const r = JSON.parse(payload.toString()) as { tag: string; value: number; ts: number };
            const pointId = idOf.get(r.tag)!;
            router.observe(pointId, r.ts, r.value, 0);
            const stored = client.query(
              `INSERT INTO readings (point_id, ts, value, quality) VALUES ($1, to_timestamp($2::float8 / 1000), $3, 0)
               ON CONFLICT DO NOTHING`,
              [pointId, r.ts, r.value],
            );
            setImmediate(() => {
              void Promise.all([stored, ...works.splice(0).map((w) => w())]).then(() => ack.done());
            });
          },
          logger,
        }),
      unit: (p, ownership) =>
        new PartitionUnit({
          partition: p,
          ownership,
          index,
          settings: DEFAULT_ALARM_SETTINGS,
          client,
          outbox: new NotificationOutbox(client),
          logger,
          clock: systemClock,
          joinBatch: (w) => void works.push(w),
        }),
    });
    owners.push(owner);
    return { owner, router };
  };
  const publish = (tag: string, at: number, value: number) =>
    pub.publishAsync(
      telemetryTopic({ enterprise, gateway: 'GW01' }),
      JSON.stringify({ tag, value, ts: T0 + at }),
      { qos: 1 },
    );
  const storedReadings = async () =>
    (await client.query<{ n: number }>('SELECT count(*)::int AS n FROM readings')).rows[0]!.n;
  const events = async () =>
    (
      await client.query<{
        point_id: number;
        condition: string;
        from_state: string;
        to_state: string;
        ts: number;
      }>(
        `SELECT a.point_id, e.condition, e.from_state, e.to_state, (extract(epoch FROM e.ts) * 1000)::float8 AS ts
           FROM alarm_events e JOIN alarms a ON a.id = e.alarm_id ORDER BY e.id`,
      )
    ).rows;

  beforeAll(async () => {
    db = await createTestDatabase(providedServices().postgresAdminUrl);
    pool = openTestPool(db.url, { max: 8 });
    client = sqlClientFromPg(pool);
    await migrate(client, { logger, dialect: 'postgres' });
    await new PartitionMaintainer({ client, logger, now: Date.now, retention: compileRetention() }).run();
    await new LeaseRepository(client).ensurePartitions(PARTITION_COUNT);
    pub = await mqtt.connectAsync(providedServices().mqttUrl, { clientId: `${prefix}-pub`, clean: true });
  });
  afterAll(async () => {
    await Promise.all(owners.map((o) => o.close().catch(() => undefined)));
    await pub.endAsync();
    const c = await mqtt.connectAsync(providedServices().mqttUrl, {
      clientId: PartitionSessions.clientId(prefix, partition),
      clean: true,
    });
    await c.endAsync();
    await pool.end();
    await db.drop();
  });

  it('raises a pending on-delay alarm at first exceed + delay, once, and times a silent point out from its last reading', async () => {
    const storeA = new DyingLeaseStore(new LeaseRepository(client));
    const a = worker('w-a', storeA);
    await a.owner.start();
    await waitFor(
      () => Promise.resolve(a.owner.sessions.partitions().includes(partition)),
      (open) => open,
      'worker A to take the partition and open its session',
    );
    // TT-1 beyond H from T0; TT-2's last reading ever at T0.
    await publish('TT-2', 0, 20);
    for (const at of [0, 1000, 2000, 3000]) await publish('TT-1', at, 95);
    await waitFor(storedReadings, (n) => n === 5, 'A to store the five readings');
    expect(await events()).toEqual([]); // the on-delay is running

    // A dies: no more lease rounds answered, its connection dropped without DISCONNECT.
    storeA.dead = true;
    await a.owner.sessions.stop(partition);
    // Readings sent while nobody owns the partition: the broker keeps them for its session.
    for (let at = 4000; at <= 12_000; at += 1000) await publish('TT-1', at, 95);

    const b = worker('w-b', new LeaseRepository(client));
    await b.owner.start();
    await waitFor(events, (e) => e.length >= 1, 'B to raise H', 15_000);
    await waitFor(storedReadings, (n) => n === 14, 'B to store the queued readings', 10_000);
    // Every reading judged: no later transition may follow.
    await new Promise((r) => setTimeout(r, 300));
    const raised = await events();
    expect(raised).toEqual([
      { point_id: tt1, condition: 'H', from_state: 'NORM', to_state: 'UNACK', ts: T0 + 10_000 },
    ]);
    expect(
      (await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM alarms WHERE condition = 'H'`))
        .rows[0]!.n,
    ).toBe(1);

    // Staleness on B's evaluation clock (driven by hand): TT-2's last reading was at T0.
    b.router.tick(T0 + 29_999);
    await new Promise((r) => setTimeout(r, 300));
    expect((await events()).filter((e) => e.condition === 'STALE')).toEqual([]);
    b.router.tick(T0 + 30_000);
    await waitFor(
      async () => (await events()).filter((e) => e.condition === 'STALE'),
      (s) => s.length === 1,
      'TT-2 to go STALE',
    );
    expect((await events()).filter((e) => e.condition === 'STALE')).toEqual([
      { point_id: tt2, condition: 'STALE', from_state: 'NORM', to_state: 'UNACK', ts: T0 + 30_000 },
    ]);
  }, 60_000);
});
