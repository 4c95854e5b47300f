/**
 * Leased ingest workers as the operator runs them (issue #23, docs/operations.md §5.1): three
 * `hazardwatch ingest` processes started with HW_INGEST_PARTITIONS=leased and nothing else but the
 * database, the broker and the site, on the real PostgreSQL and Mosquitto. They share the 64
 * partitions through the lease table; a worker killed with SIGKILL during an incident is taken
 * over (every reading the broker acknowledged stored once, no alarm raised twice, none missed),
 * a rolling restart of every worker loses nothing, and a worker joining takes its share while
 * readings flow. Short leases (2 s) keep each case under a minute.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt, { type MqttClient } from 'mqtt';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { commandRow, telemetryTopic } from '@hazardwatch/contracts';
import { PARTITION_COUNT, partitionOf, PartitionSessions } from '@hazardwatch/ingest';
import { ActionRequestRepository, importSiteDocument, sqlClientFromPg } from '@hazardwatch/store';
import { createTestDatabase, providedServices, waitFor, type TestDatabase } from '@hazardwatch/testkit';
import { freePort, startProcess, stopProcess, type StartedProcess } from './process-support.js';

const CLI = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const { postgresAdminUrl, mqttUrl } = providedServices();
const person = { name: '王建国', phone: '+8613800000001' };
/** Enterprises in distinct partitions: with three workers each holds some of them. */
const ENTERPRISES = 12;

/** Fresh enterprise codes in distinct partitions (nothing another test publishes arrives). */
function enterpriseCodes(): string[] {
  const codes: string[] = [];
  const used = new Set<number>();
  while (codes.length < ENTERPRISES) {
    const code = `91320623L${randomBytes(5).toString('hex').toUpperCase()}`.slice(0, 18);
    const p = partitionOf(code);
    if (used.has(p)) continue;
    used.add(p);
    codes.push(code);
  }
  return codes;
}

/** One tank farm per enterprise: PT-1 (H 1.0, HH 1.2, no delay), LT-1 (H 80, 10 s on-delay), TT-1 (the steady flow). */
function siteDocument(codes: readonly string[]): unknown {
  return {
    version: 1,
    regions: [
      { code: '320000', name: '江苏省', kind: 'province' },
      { code: '320600', name: '南通市', kind: 'city', parent: '320000' },
      { code: '320623', name: '如东县', kind: 'county', parent: '320600' },
      { code: 'PARK1', name: '洋口化工园区', kind: 'park', parent: '320623' },
    ],
    enterprises: codes.map((code, i) => ({
      code,
      name: `示例化工${i + 1}号有限公司`,
      region: 'PARK1',
      location: { lon: 121 + i / 100, lat: 32.5 },
    })),
    hazards: codes.map((enterprise, i) => ({
      code: 'TF1',
      enterprise,
      name: '储罐区',
      declaredLevel: 4,
      type: 'tank_farm',
      responsible: { principal: person, technical: person, operational: person },
      location: { lon: 121.001 + i / 100, lat: 32.501 },
      inventory: [{ substance: 'Cl2', designMaxTonnes: 10 }],
      exposedPopulation: 1,
    })),
    gateways: codes.map((enterprise) => ({ code: 'GW01', enterprise, name: '网关' })),
    points: codes.flatMap((enterprise) => [
      {
        tag: 'PT-1',
        enterprise,
        hazard: 'TF1',
        gateway: 'GW01',
        name: '储罐压力',
        kind: 'pressure',
        unit: 'MPa',
        range: { min: 0, max: 2.5 },
        limits: { h: 1.0, hh: 1.2 },
      },
      {
        tag: 'LT-1',
        enterprise,
        hazard: 'TF1',
        gateway: 'GW01',
        name: '储罐液位',
        kind: 'level',
        unit: '%',
        range: { min: 0, max: 100 },
        limits: { h: 80 },
        onDelaySec: 10,
      },
      {
        tag: 'TT-1',
        enterprise,
        hazard: 'TF1',
        gateway: 'GW01',
        name: '储罐温度',
        kind: 'temperature',
        unit: '°C',
        range: { min: 0, max: 200 },
        limits: { h: 150 },
      },
    ]),
  };
}

interface Worker {
  readonly name: string;
  readonly proc: StartedProcess;
  readonly health: number;
}

describe('leased ingest workers (three processes, real PostgreSQL and Mosquitto)', () => {
  let db: TestDatabase;
  let check: pg.Client;
  let pub: MqttClient;
  let codes: string[];
  let sitePath: string;
  let prefix: string;
  let workers: Worker[];
  /** Every reading the broker acknowledged (PUBACK), as `enterprise|tag|ts`. */
  let acked: string[];
  let lastTs: number;

  beforeEach(async () => {
    db = await createTestDatabase(postgresAdminUrl, 'hw_lease');
    check = new pg.Client({ connectionString: db.url });
    await check.connect();
    codes = enterpriseCodes();
    sitePath = join(mkdtempSync(join(tmpdir(), 'hw-leased-')), 'site.json');
    writeFileSync(sitePath, JSON.stringify(siteDocument(codes)));
    prefix = `hw-lw-${randomBytes(3).toString('hex')}`;
    pub = await mqtt.connectAsync(mqttUrl, { clientId: `${prefix}-pub`, clean: true });
    workers = [];
    acked = [];
    lastTs = Date.now();
  });

  afterEach(async () => {
    await Promise.all(workers.map((w) => stopProcess(w.proc.child, 5_000)));
    await pub.endAsync();
    // The partitions' persistent sessions of this test end with it.
    for (const p of new Set(codes.map((c) => partitionOf(c))))
      await (
        await mqtt.connectAsync(mqttUrl, { clientId: PartitionSessions.clientId(prefix, p), clean: true })
      ).endAsync();
    await check.end();
    await db.drop();
  });

  /** A `hazardwatch ingest` process in lease mode, ready (/readyz) before this resolves. */
  async function startWorker(name: string): Promise<Worker> {
    const health = await freePort();
    const proc = startProcess(process.execPath, [CLI, 'ingest'], {
      env: {
        PATH: process.env['PATH'],
        DATABASE_URL: db.url,
        MQTT_URL: mqttUrl,
        HW_SITE_FILE: sitePath,
        HW_HEALTH_PORT: String(health),
        HW_INGEST_CLIENT_ID: prefix,
        HW_INGEST_PARTITIONS: 'leased',
        HW_INGEST_WORKER_ID: name,
        HW_INGEST_LEASE_MS: '2000',
        HW_INGEST_HEARTBEAT_MS: '300',
        HW_INGEST_LEASE_MARGIN_MS: '400',
        HW_DB_POOL_SIZE: '4',
        LOG_LEVEL: 'info',
      },
    });
    const worker = { name, proc, health };
    workers.push(worker);
    await waitFor(
      async () => {
        if (proc.child.exitCode !== null) throw new Error(`${name} exited:\n${proc.output()}`);
        return fetch(`http://127.0.0.1:${health}/readyz`).then(
          async (r) => (r.ok ? ((await r.json()) as { ready?: boolean }) : null),
          () => null,
        );
      },
      (r) => r?.ready === true,
      `${name} ready`,
      30_000,
    );
    return worker;
  }

  /** Live owners and how many partitions each holds, by worker name (`w1` of `w1-3fa2…`). */
  async function shares(): Promise<Map<string, number>> {
    const { rows } = await check.query<{ owner: string; n: number }>(
      `SELECT owner, count(*)::int AS n FROM partition_leases
        WHERE owner IS NOT NULL AND expires_at > now() GROUP BY owner`,
    );
    return new Map(rows.map((r) => [r.owner.split('-')[0]!, r.n]));
  }

  /** Waits until exactly `names` share the 64 partitions evenly. */
  async function balancedAmong(names: readonly string[], timeoutMs = 20_000): Promise<void> {
    const low = Math.floor(PARTITION_COUNT / names.length);
    await waitFor(
      shares,
      (s) =>
        s.size === names.length &&
        names.every((n) => (s.get(n) ?? 0) >= low && (s.get(n) ?? 0) <= low + 1) &&
        [...s.values()].reduce((a, b) => a + b, 0) === PARTITION_COUNT,
      `the partitions shared by ${names.join(', ')}`,
      timeoutMs,
    );
  }

  async function ownerOf(enterprise: string): Promise<{ name: string; epoch: number } | undefined> {
    const { rows } = await check.query<{ owner: string; epoch: string }>(
      `SELECT owner, epoch::text FROM partition_leases WHERE partition = $1 AND owner IS NOT NULL AND expires_at > now()`,
      [partitionOf(enterprise)],
    );
    const row = rows[0];
    return row ? { name: row.owner.split('-')[0]!, epoch: Number(row.epoch) } : undefined;
  }

  const nextTs = (): number => (lastTs = Math.max(Date.now(), lastTs + 1));

  /** Publishes readings at QoS 1; each is counted once the broker has acknowledged it. */
  async function publish(enterprise: string, readings: { tag: string; ts: number; value: number }[]) {
    await pub.publishAsync(telemetryTopic({ enterprise, gateway: 'GW01' }), JSON.stringify({ readings }), {
      qos: 1,
    });
    for (const r of readings) acked.push(`${enterprise}|${r.tag}|${r.ts}`);
  }

  /** TT-1 of every enterprise, steady and normal, until `stop` is called. */
  function steadyFlow(): { stop(): Promise<void> } {
    let running = true;
    const loop = (async () => {
      while (running) {
        for (const e of codes) await publish(e, [{ tag: 'TT-1', ts: nextTs(), value: 20 }]);
        await new Promise((r) => setTimeout(r, 150));
      }
    })();
    return {
      stop: async () => {
        running = false;
        await loop;
      },
    };
  }

  /** Every acknowledged reading is stored, once (readings are keyed by point and time). */
  async function expectEveryAckedReadingStored(): Promise<void> {
    const stored = async () =>
      (
        await check.query<{ k: string }>(
          `SELECT p.enterprise_code || '|' || p.tag || '|' || (extract(epoch FROM r.ts) * 1000)::bigint AS k
             FROM readings r JOIN point_ids p ON p.id = r.point_id`,
        )
      ).rows.map((r) => r.k);
    const rows = await waitFor(
      stored,
      (s) => s.length >= acked.length,
      'every acknowledged reading stored',
      30_000,
    );
    expect(new Set(acked).size).toBe(acked.length);
    expect(rows.length).toBe(new Set(rows).size);
    expect([...rows].sort()).toEqual([...acked].sort());
  }

  /** The alarm events of an enterprise's point, as `condition from→to`. */
  async function events(enterprise: string, tag: string): Promise<string[]> {
    const { rows } = await check.query<{ condition: string; from_state: string; to_state: string }>(
      `SELECT e.condition, e.from_state, e.to_state FROM alarm_events e
         JOIN point_ids p ON e.source_key = 'point:' || p.id
        WHERE p.enterprise_code = $1 AND p.tag = $2 ORDER BY e.id`,
      [enterprise, tag],
    );
    return rows.map((r) => `${r.condition} ${r.from_state}→${r.to_state}`);
  }

  /** Alarm events of anything but the given points of `enterprise` (gateways included). */
  async function otherEvents(enterprise: string, tags: readonly string[]): Promise<string[]> {
    const { rows } = await check.query<{ source_key: string; condition: string; to_state: string }>(
      `SELECT e.source_key, e.condition, e.to_state FROM alarm_events e
        WHERE e.source_key NOT IN (
          SELECT 'point:' || p.id FROM point_ids p WHERE p.enterprise_code = $1 AND p.tag = ANY($2::text[]))`,
      [enterprise, tags],
    );
    return rows.map((r) => `${r.source_key} ${r.condition} ${r.to_state}`);
  }

  /** No source and condition with two alarms open at once (written by two workers). */
  async function expectNoDuplicateOpenAlarm(): Promise<void> {
    const { rows } = await check.query(
      `SELECT source_key, condition, count(*) FROM alarms WHERE closed_at IS NULL
        GROUP BY source_key, condition HAVING count(*) > 1`,
    );
    expect(rows).toEqual([]);
  }

  it('kill -9 of the worker holding an incident: taken over, every acknowledged reading stored once, no alarm raised twice or missed', async () => {
    await startWorker('w1');
    await Promise.all([startWorker('w2'), startWorker('w3')]);
    await balancedAmong(['w1', 'w2', 'w3']);
    const flow = steadyFlow();

    // The incident: enterprise A's PT-1 above H (raised at once); its LT-1 above H, on-delay running.
    const a = codes[0]!;
    const before = (await ownerOf(a))!;
    const victim = workers.find((w) => w.name === before.name)!;
    const tRaise = nextTs();
    await publish(a, [{ tag: 'PT-1', ts: tRaise, value: 1.1 }]);
    const tPending = nextTs();
    await publish(a, [{ tag: 'LT-1', ts: tPending, value: 85 }]);
    await waitFor(
      () => events(a, 'PT-1'),
      (e) => e.includes('H NORM→UNACK'),
      'H of PT-1 raised',
    );
    await waitFor(
      async () =>
        (
          await check.query(
            'SELECT 1 FROM readings r JOIN point_ids p ON p.id = r.point_id WHERE p.tag = $1 AND p.enterprise_code = $2',
            ['LT-1', a],
          )
        ).rowCount,
      (n) => n === 1,
      'the LT-1 reading stored (judged by the owner: on-delay running)',
    );
    expect(await events(a, 'LT-1')).toEqual([]);

    victim.proc.child.kill('SIGKILL');
    const killedAt = Date.now();
    // While nobody holds A's partition the broker keeps what is published for it.
    await publish(a, [{ tag: 'PT-1', ts: nextTs(), value: 1.15 }]); // still H: no second raise
    await publish(a, [{ tag: 'PT-1', ts: nextTs(), value: 1.3 }]); // HH: must not be missed
    // LT-1 still above H when its on-delay has run (source time), then back to normal: the
    // on-delay begun under the dead worker completes under the new owner.
    await publish(a, [{ tag: 'LT-1', ts: tPending + 10_500, value: 85 }]);
    await publish(a, [{ tag: 'LT-1', ts: tPending + 11_000, value: 50 }]);

    await waitFor(
      () => events(a, 'PT-1'),
      (e) => e.includes('HH NORM→UNACK'),
      'HH of PT-1 raised by the new owner',
      20_000,
    );
    const takeoverMs = Date.now() - killedAt;
    const after = (await ownerOf(a))!;
    expect(after.name).not.toBe(before.name);
    expect(after.epoch).toBeGreaterThan(before.epoch);
    // The survivors share every partition again.
    await balancedAmong(
      ['w1', 'w2', 'w3'].filter((n) => n !== victim.name),
      15_000,
    );

    // An operator's acknowledgement forwarded by an API process (alarm_action_requests) reaches
    // the worker that holds A's partition now, and is applied there once.
    const { rows: open } = await check.query<{ id: string }>(
      `SELECT a.id FROM alarms a JOIN point_ids p ON p.id = a.point_id
        WHERE p.enterprise_code = $1 AND p.tag = 'PT-1' AND a.condition = 'HH' AND a.closed_at IS NULL`,
      [a],
    );
    const requests = new ActionRequestRepository(sqlClientFromPg(check));
    const asked = await requests.submit({
      enterprise: a,
      ttlMs: 30_000,
      ...commandRow({ type: 'alarm.act', alarmId: open[0]!.id, actor: 'duty', action: 'ack' }),
    });
    const outcome = await waitFor(
      () => requests.outcomes([asked]),
      (o) => o.has(asked),
      'the forwarded acknowledgement applied',
    );
    expect(outcome.get(asked)).toMatchObject({ ok: true, after: { state: 'ACKED' } });
    const { rows: claimed } = await check.query<{ claimed_by: string }>(
      'SELECT claimed_by FROM alarm_action_requests WHERE id = $1',
      [asked],
    );
    expect(claimed[0]!.claimed_by.split('-')[0]).toBe(after.name);

    await flow.stop();
    await expectEveryAckedReadingStored();
    const pt = await events(a, 'PT-1');
    expect(pt.filter((e) => e === 'H NORM→UNACK')).toHaveLength(1);
    expect(pt.filter((e) => e === 'HH NORM→UNACK')).toHaveLength(1);
    expect(pt).toContain('HH UNACK→ACKED');
    await expectNoDuplicateOpenAlarm();
    // Nothing else raised anywhere through every move: no STALE, no GATEWAY_OFFLINE, no limit alarm.
    expect(await otherEvents(a, ['PT-1', 'LT-1'])).toEqual([]);
    // The pending on-delay alarm (§5.1 item 3): begun under the dead worker, raised by the new owner
    // at the sample that completed it (t + 10.5 s ≥ first exceed + 10 s), then returned.
    expect(await events(a, 'LT-1')).toEqual(['H NORM→UNACK', 'H UNACK→RTNUN']);
    expect(takeoverMs).toBeGreaterThan(0);
    process.stdout.write(`leased-workers: kill -9 → HH raised by the new owner in ${takeoverMs} ms\n`);
  }, 90_000);

  it('a rolling restart of every worker loses nothing and raises nothing twice', async () => {
    await startWorker('w1');
    await Promise.all([startWorker('w2'), startWorker('w3')]);
    await balancedAmong(['w1', 'w2', 'w3']);
    const flow = steadyFlow();
    const a = codes[1]!;
    await publish(a, [{ tag: 'PT-1', ts: nextTs(), value: 1.1 }]);
    await waitFor(
      () => events(a, 'PT-1'),
      (e) => e.includes('H NORM→UNACK'),
      'H of PT-1 raised',
    );

    // Each worker in turn: stopped cleanly (SIGTERM) while its successor, a new member, starts.
    for (const name of ['w1', 'w2', 'w3']) {
      const old = workers.find((w) => w.name === name)!;
      const [exit] = await Promise.all([
        stopProcess(old.proc.child, 10_000),
        // Still above H while the partitions change hands: restored, never raised again.
        publish(a, [{ tag: 'PT-1', ts: nextTs(), value: 1.12 }]).then(() => startWorker(name)),
      ]);
      expect(exit, old.proc.output().slice(-2000)).toEqual({ code: 0, signal: null });
      workers.splice(workers.indexOf(old), 1);
      await balancedAmong(['w1', 'w2', 'w3']);
    }
    await publish(a, [{ tag: 'PT-1', ts: nextTs(), value: 0.5 }]);
    await waitFor(
      () => events(a, 'PT-1'),
      (e) => e.includes('H UNACK→RTNUN'),
      'H of PT-1 returned to normal',
      15_000,
    );
    await flow.stop();
    await expectEveryAckedReadingStored();
    expect(await events(a, 'PT-1')).toEqual(['H NORM→UNACK', 'H UNACK→RTNUN']);
    expect(await otherEvents(a, ['PT-1'])).toEqual([]);
    await expectNoDuplicateOpenAlarm();
    // Every start is a new member; the stopped ones left the table at their clean stop.
    const { rows } = await check.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM ingest_workers WHERE expires_at > now()',
    );
    expect(rows[0]!.n).toBe(3);
  }, 120_000);

  it('a worker joining takes its share while readings flow, with no reading lost; a site edit adding an enterprise is followed', async () => {
    await startWorker('w1');
    await startWorker('w2');
    await balancedAmong(['w1', 'w2']);
    const flow = steadyFlow();
    await new Promise((r) => setTimeout(r, 1_000));
    await startWorker('w3');
    await balancedAmong(['w1', 'w2', 'w3']);
    // Some of the enterprises (each in its own partition) moved to the new worker and kept flowing.
    const moved: string[] = [];
    for (const e of codes) if ((await ownerOf(e))?.name === 'w3') moved.push(e);
    expect(moved.length).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 1_000));
    await flow.stop();
    await expectEveryAckedReadingStored();

    // A site edit (a new stored version, NOTIFY) adds an enterprise: whoever holds its partition
    // evaluates it and subscribes its session to it (§5.1 item 4), with no restart.
    const added = enterpriseCodes().find((c) => !codes.includes(c))!;
    const edited = await importSiteDocument(
      sqlClientFromPg(check),
      JSON.stringify(siteDocument([...codes, added])),
      'json',
      Date.now(),
    );
    expect(edited.ok).toBe(true);
    // Until its partition's session has subscribed the broker keeps nothing for it: probe until
    // a reading is stored (these probes are not counted as acknowledged-and-kept).
    await waitFor(
      async () => {
        await pub.publishAsync(
          telemetryTopic({ enterprise: added, gateway: 'GW01' }),
          JSON.stringify({ readings: [{ tag: 'TT-1', ts: nextTs(), value: 20 }] }),
          { qos: 1 },
        );
        return (
          await check.query(
            'SELECT 1 FROM readings r JOIN point_ids p ON p.id = r.point_id WHERE p.enterprise_code = $1',
            [added],
          )
        ).rowCount;
      },
      (n) => (n ?? 0) > 0,
      'a reading of the added enterprise stored',
    );
    await publish(added, [{ tag: 'PT-1', ts: nextTs(), value: 1.1 }]);
    await waitFor(
      () => events(added, 'PT-1'),
      (e) => e.includes('H NORM→UNACK'),
      'H of the added enterprise',
    );
    codes.push(added);
    // Nothing else raised at any takeover or edit: no STALE, no GATEWAY_OFFLINE, no limit alarm.
    expect(await otherEvents(added, ['PT-1'])).toEqual([]);
  }, 90_000);
});
