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
} from '@hazardwatch/ingest';
import {
  LeaseRepository,
  migrate,
  NotificationOutbox,
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

// Issue #23: two workers hand a partition back and forth through the lease table — a new worker
// taking its share, a clean stop — on a real PostgreSQL and broker: the unit is restored before the
// partition's session opens, the broker keeps the partition's messages while it changes hands, and
// every alarm transition is stored once (no duplicate raise after a takeover, none missed).

const logger = pino({ level: 'silent' });
const person = { name: '王建国', phone: '+8613800000001' };

/** An enterprise whose partition is ≥ 32: with two workers it is the second one's share. */
function upperEnterprise(): string {
  for (let i = 1; ; i++) {
    const code = `91320623MA1V${String(i).padStart(6, '0')}`;
    if (partitionOf(code) >= 32) return code;
  }
}

function site(e: string): SiteIndex {
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
      points: [
        {
          tag: 'TT-1',
          enterprise: e,
          hazard: 'TF1',
          gateway: 'GW01',
          name: '储罐温度',
          kind: 'temperature',
          unit: '°C',
          range: { min: 0, max: 200 },
          limits: { h: 80, hh: 120 },
        },
      ],
    }).site,
  );
}

describe('PartitionOwner: a partition changing hands (PostgreSQL and broker)', () => {
  const enterprise = upperEnterprise();
  const index = site(enterprise);
  const pointId = index.pointByKey(enterprise, 'TT-1')!.id;
  const prefix = `hw-t-${randomBytes(4).toString('hex')}`;
  let db: TestDatabase;
  let pool: pg.Pool;
  let client: SqlClient;
  let pub: MqttClient;
  const owners: PartitionOwner[] = [];

  /** A worker: its own router, sessions and units; a message is acknowledged once its alarm changes are stored. */
  const worker = (id: string): PartitionOwner => {
    const router = new PartitionRouter(PARTITION_COUNT, (p) => index.pointById(p)?.enterprise);
    const works: DurableWork[] = [];
    const owner = new PartitionOwner({
      workerId: id,
      count: PARTITION_COUNT,
      leaseMs: 2000,
      heartbeatMs: 300,
      marginMs: 400,
      leases: new LeaseRepository(client),
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
            const r = JSON.parse(payload.toString()) as { value: number; ts: number };
            router.observe(pointId, r.ts, r.value, 0);
            setImmediate(() => {
              void Promise.all(works.splice(0).map((w) => w())).then(() => ack.done());
            });
          },
          logger,
        }),
      unit: (partition, ownership) =>
        new PartitionUnit({
          partition,
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
    return owner;
  };
  let ts = Date.now();
  const publish = (value: number) =>
    pub.publishAsync(
      telemetryTopic({ enterprise, gateway: 'GW01' }),
      JSON.stringify({ value, ts: (ts += 1000) }),
      { qos: 1 },
    );
  const events = async () =>
    (
      await client.query<{ condition: string; from_state: string; to_state: string }>(
        'SELECT condition, from_state, to_state FROM alarm_events ORDER BY id',
      )
    ).rows;

  beforeAll(async () => {
    db = await createTestDatabase(providedServices().postgresAdminUrl);
    pool = openTestPool(db.url, { max: 8 });
    client = sqlClientFromPg(pool);
    await migrate(client, { logger, dialect: 'postgres' });
    await new LeaseRepository(client).ensurePartitions(PARTITION_COUNT);
    pub = await mqtt.connectAsync(providedServices().mqttUrl, { clientId: `${prefix}-pub`, clean: true });
  });
  afterAll(async () => {
    await Promise.all(owners.map((o) => o.close()));
    await pub.endAsync();
    const c = await mqtt.connectAsync(providedServices().mqttUrl, {
      clientId: PartitionSessions.clientId(prefix, partitionOf(enterprise)),
      clean: true,
    });
    await c.endAsync();
    await pool.end();
    await db.drop();
  });

  it('hands the partition to a joining worker and back at a clean stop, storing every transition once', async () => {
    const partition = partitionOf(enterprise);
    const a = worker('w-a');
    await a.start();
    await waitFor(
      () => Promise.resolve(a.unitOf(partition) !== undefined),
      (held) => held,
      'the first worker to take the partition',
    );
    await publish(95); // H
    await waitFor(events, (e) => e.length >= 1, 'the H alarm');

    // A second worker joins: the partition (≥ 32) is its share and is handed over.
    const b = worker('w-b');
    await b.start();
    await waitFor(
      () => Promise.resolve(b.unitOf(partition) !== undefined && a.unitOf(partition) === undefined),
      (moved) => moved,
      'the partition to move to the joining worker',
      10_000,
    );
    await publish(96); // still H: restored, no second alarm
    await publish(130); // HH
    await waitFor(events, (e) => e.some((x) => x.condition === 'HH'), 'the HH alarm');

    // The second worker stops cleanly; readings sent while the partition changes hands are kept by
    // the broker and judged by the first worker once it has taken the partition back.
    await b.close();
    await publish(20); // both return to normal
    await waitFor(
      () => Promise.resolve(a.unitOf(partition) !== undefined),
      (held) => held,
      'the first worker to take the partition back',
      10_000,
    );
    // HH suppresses H while it stands (designed suppression); at the return HH goes RTNUN and H,
    // suppressed, closes. Every transition once: no second raise after either takeover.
    await waitFor(events, (e) => e.length >= 5, 'both alarms to return');
    await new Promise((r) => setTimeout(r, 300));
    expect((await events()).map((e) => `${e.condition} ${e.from_state}→${e.to_state}`)).toEqual([
      'H NORM→UNACK',
      'HH NORM→UNACK',
      'H UNACK→DSUPR',
      'HH UNACK→RTNUN',
      'H DSUPR→NORM',
    ]);
  }, 60_000);
});
