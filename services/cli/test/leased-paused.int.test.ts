/**
 * A paused leased worker on the whole service (issue #23, docs/operations.md §5.1): three
 * `hazardwatch ingest` processes with HW_INGEST_PARTITIONS=leased on the real PostgreSQL and
 * Mosquitto. The worker holding an enterprise's partition is stopped (SIGSTOP) while readings flow;
 * readings that raise HH for each of its enterprises are published while it is stopped (the broker
 * sends them into its sockets, where they wait unread); other workers take the partitions at higher
 * epochs and raise HH; then the paused worker is resumed (SIGCONT), past its deadline, with its
 * timers overdue. None of what waited in its sockets may be taken or acknowledged, none of its
 * writes may land, and it must stop acting for its partitions by itself and rejoin by handover.
 *
 * Which runs first on resuming depends on where the stop landed. Stopped inside epoll_wait (idle),
 * a Node.js process gets EINTR when continued (signal(7)) and libuv runs its overdue timers before
 * it polls again: the lease watchdog stops the partitions and closes their sessions, and what
 * waited in their sockets is never read. Stopped while working (in its timers or callbacks), it
 * polls with its old clock and reads its sockets first: each message it reads late must then be
 * dropped by the sessions' deadline check (4 of 10 runs on the development VM). The outcomes
 * asserted are the same either way.
 *
 * The lease-level test (services/ingest/test/partitions/partition-paused.int.test.ts) shows the
 * database refusing a paused keeper's alarm writes; this one shows the whole service.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { telemetryTopic } from '@hazardwatch/contracts';
import { PARTITION_COUNT, partitionOf, PartitionSessions } from '@hazardwatch/ingest';
import { createTestDatabase, providedServices, waitFor, type TestDatabase } from '@hazardwatch/testkit';
import {
  enterpriseCodes,
  holderOf,
  leaseShares,
  leasesOf,
  logLines,
  startLeasedWorker,
  tankFarmSite,
  tenures,
  type LeasedWorker,
  type LeaseTiming,
  type LogLine,
  type Tenure,
} from './leased-support.js';
import { stopProcess, type Exit } from './process-support.js';

const { postgresAdminUrl, mqttUrl } = providedServices();
/** Enterprises in distinct partitions: with three workers each holds some of them. */
const ENTERPRISES = 9;
/**
 * Short leases keep the case well under a minute: a paused worker's partitions expire 2 s after its
 * last renewal; it stops acting 0.4 s before that (margin); a heartbeat of 0.3 s (at most half of
 * lease − margin, as the config requires).
 */
const TIMING: LeaseTiming = { leaseMs: 2000, heartbeatMs: 300, marginMs: 400 };
/**
 * A SIGTERM'd worker flushes its batch, disconnects its sessions, gives its partitions back and
 * leaves: 2.1–3.0 s each here (load average 5–11). The bound is `docker stop`'s default grace
 * (compose runs the workers; systemd's is 90 s): a worker slower than that is killed, not stopped.
 */
const EXIT_WITHIN_MS = 10_000;
/** What a resumed worker must never log: its own alarm write attempted and refused (it took a message). */
const REFUSED_MESSAGES = ['alarm unit refused by storage; skipped', 'alarm unit not stored yet; will retry'];
const REFUSED_CODES = ['HW_STORE_LEASE_STALE', 'HW_INGEST_PARTITION_NOT_OWNED'];

describe('a leased worker paused (SIGSTOP) and resumed after the takeover (three processes)', () => {
  let db: TestDatabase;
  let check: pg.Client;
  let pub: MqttClient;
  let codes: string[];
  let sitePath: string;
  let prefix: string;
  let workers: LeasedWorker[];
  /** Every reading the broker acknowledged (PUBACK), as `enterprise|tag|ts`. */
  let acked: string[];
  let lastTs: number;
  let flow: { stop(): Promise<void> } | undefined;

  beforeEach(async () => {
    db = await createTestDatabase(postgresAdminUrl, 'hw_paused');
    check = new pg.Client({ connectionString: db.url });
    await check.connect();
    codes = enterpriseCodes(ENTERPRISES);
    sitePath = join(mkdtempSync(join(tmpdir(), 'hw-paused-')), 'site.json');
    writeFileSync(sitePath, JSON.stringify(tankFarmSite(codes)));
    prefix = `hw-lp-${randomBytes(3).toString('hex')}`;
    pub = await mqtt.connectAsync(mqttUrl, { clientId: `${prefix}-pub`, clean: true });
    workers = [];
    acked = [];
    lastTs = Date.now();
    flow = undefined;
  });

  afterEach(async () => {
    await flow?.stop();
    for (const w of workers) if (w.proc.child.exitCode === null) w.proc.child.kill('SIGCONT');
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

  async function startWorker(name: string): Promise<LeasedWorker> {
    const worker = await startLeasedWorker({
      name,
      databaseUrl: db.url,
      mqttUrl,
      sitePath,
      clientIdPrefix: prefix,
      timing: TIMING,
    });
    workers.push(worker);
    return worker;
  }

  /** Waits until exactly `names` share the 64 partitions evenly. */
  async function balancedAmong(names: readonly string[], timeoutMs = 20_000): Promise<void> {
    const low = Math.floor(PARTITION_COUNT / names.length);
    await waitFor(
      () => leaseShares(check),
      (s) =>
        s.size === names.length &&
        names.every((n) => (s.get(n) ?? 0) >= low && (s.get(n) ?? 0) <= low + 1) &&
        [...s.values()].reduce((a, b) => a + b, 0) === PARTITION_COUNT,
      `the partitions shared by ${names.join(', ')}`,
      timeoutMs,
    );
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

  /** Every acknowledged reading is stored, once, and nothing else is (readings keyed by point and time). */
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

  /** Every alarm event stored, as `enterprise|tag condition from→to` with when it was recorded. */
  async function allEvents(): Promise<{ what: string; recordedAtMs: number }[]> {
    const { rows } = await check.query<{ what: string; at: string }>(
      `SELECT coalesce(p.enterprise_code || '|' || p.tag, e.source_key) || ' ' || e.condition || ' ' ||
              e.from_state || '→' || e.to_state AS what,
              (extract(epoch FROM e.recorded_at) * 1000)::text AS at
         FROM alarm_events e LEFT JOIN point_ids p ON e.source_key = 'point:' || p.id ORDER BY e.id`,
    );
    return rows.map((r) => ({ what: r.what, recordedAtMs: Number(r.at) }));
  }

  it('takes and acknowledges nothing it read late, writes nothing, stops and rejoins; nothing lost or raised twice', async () => {
    await startWorker('w1');
    await Promise.all([startWorker('w2'), startWorker('w3')]);
    await balancedAmong(['w1', 'w2', 'w3']);
    flow = steadyFlow();
    await new Promise((r) => setTimeout(r, 600));

    // The worker holding the first enterprise's partition, and every enterprise it holds.
    const first = (await holderOf(check, partitionOf(codes[0]!)))!;
    const paused = workers.find((w) => w.name === first.name)!;
    const held = new Map<string, { partition: number; epoch: number }>();
    for (const e of codes) {
      const h = await holderOf(check, partitionOf(e));
      if (h?.name === paused.name) held.set(e, { partition: partitionOf(e), epoch: h.epoch });
    }
    const mine = [...held.keys()];
    // Settled first: it has taken (restored, routed to, session opened) every partition it holds,
    // so it is acting for each when stopped (the lease table is balanced before the takeovers end).
    const leases = (await waitFor(
      async () => {
        const now = await leasesOf(check, paused.name);
        const taken = new Set(
          tenures(paused.name, logLines(paused.proc.output())).map((t) => `${t.partition}:${t.epoch}`),
        );
        return [...now].every(([p, epoch]) => taken.has(`${p}:${epoch}`)) ? now : undefined;
      },
      (now) => now !== undefined && [...held.values()].every((h) => now.get(h.partition) === h.epoch),
      `${paused.name} acting for every partition it holds`,
    ))!;
    paused.proc.child.kill('SIGSTOP');
    const pausedAt = Date.now();
    // At once, while its sessions are still connected: the broker sends these into the stopped
    // process's sockets (their in-flight windows are not full), where they wait unread with the
    // steady flow. Whichever of them it reads on resuming would raise HH there if it took it.
    for (const e of mine) {
      await publish(e, [{ tag: 'PT-1', ts: nextTs(), value: 1.3 }]); // HH at once (no on-delay)
      await publish(e, [{ tag: 'PT-1', ts: nextTs(), value: 1.35 }]); // still HH: no second raise
    }

    // Other workers take the partitions once the leases run out, at higher epochs, resume their
    // sessions (the broker closes the stopped one's connections and sends their unacknowledged
    // messages to the new holder) and raise HH.
    const successors = new Map<string, { name: string; epoch: number; acquiredAtMs: number }>();
    for (const e of mine) {
      const { partition, epoch } = held.get(e)!;
      successors.set(
        e,
        (await waitFor(
          () => holderOf(check, partition),
          (h) => h !== undefined && h.name !== paused.name && h.epoch > epoch,
          `another worker holding partition ${partition} at a higher epoch`,
          15_000,
        ))!,
      );
    }
    const raised = await waitFor(
      allEvents,
      (ev) => mine.every((e) => ev.some((x) => x.what === `${e}|PT-1 HH NORM→UNACK`)),
      'HH raised by the new owners',
      15_000,
    );
    const takeoverMs = Date.now() - pausedAt;
    expect(paused.proc.child.exitCode).toBeNull();

    // Resumed: it has been stopped past its leases, its timers are overdue, its sockets hold what
    // the broker sent it before the takeover (and the close of those connections).
    const resumedAt = Date.now();
    paused.proc.child.kill('SIGCONT');
    const pausedLog = (): LogLine[] => logLines(paused.proc.output()).filter((l) => l.time >= resumedAt);
    const gaveUp = (lines: readonly LogLine[], partition: number): LogLine | undefined =>
      lines.find(
        (l) =>
          l.msg === 'partition given up' && l.partition === partition && l.epoch === leases.get(partition),
      );
    await waitFor(
      () => Promise.resolve(pausedLog()),
      (lines) => [...leases.keys()].every((p) => gaveUp(lines, p) !== undefined),
      'the resumed worker to stop acting for its partitions',
      10_000,
    );
    // It rejoins: its membership renewed, the others hand it its share back.
    await balancedAmong(['w1', 'w2', 'w3'], 20_000);

    // The alarms return to normal once, whoever holds the partitions now.
    for (const e of mine) await publish(e, [{ tag: 'PT-1', ts: nextTs(), value: 0.5 }]);
    await waitFor(
      allEvents,
      (ev) => mine.every((e) => ev.some((x) => x.what === `${e}|PT-1 HH UNACK→RTNUN`)),
      'HH returned to normal',
      15_000,
    );
    await flow.stop();
    await expectEveryAckedReadingStored();

    // Raised exactly once each, by the new owner: recorded after it acquired the partition and
    // while the paused worker was still stopped; returned once; nothing else anywhere (no STALE,
    // no GATEWAY_OFFLINE at any takeover, no alarm of another enterprise).
    const events = await allEvents();
    expect(events.map((e) => e.what).sort()).toEqual(
      mine.flatMap((e) => [`${e}|PT-1 HH NORM→UNACK`, `${e}|PT-1 HH UNACK→RTNUN`]).sort(),
    );
    for (const e of mine) {
      const raise = raised.find((x) => x.what === `${e}|PT-1 HH NORM→UNACK`)!;
      expect(raise.recordedAtMs).toBeGreaterThanOrEqual(successors.get(e)!.acquiredAtMs);
      expect(raise.recordedAtMs).toBeLessThan(resumedAt);
    }
    const { rows: open } = await check.query(
      `SELECT source_key, condition FROM alarms WHERE closed_at IS NULL
        GROUP BY source_key, condition HAVING count(*) > 1`,
    );
    expect(open).toEqual([]);
    // 预警 (the HH of a Cl2 tank farm opens one): one per enterprise raised, none elsewhere, and
    // no step stored twice.
    const { rows: warnings } = await check.query<{ enterprise: string }>(
      'SELECT enterprise FROM warnings ORDER BY enterprise',
    );
    expect(warnings.map((w) => w.enterprise)).toEqual([...mine].sort());
    const { rows: warningSteps } = await check.query(
      `SELECT warning_id, type, from_state, to_state, count(*)::int AS n FROM warning_events
        GROUP BY 1, 2, 3, 4 HAVING count(*) > 1`,
    );
    expect(warningSteps).toEqual([]);

    // Its log: after resuming it stopped acting for each partition it had held, at its old epoch,
    // by its own deadline ('not renewed in time', reason 'expired'), and it attempted no alarm
    // write, then or later: none of the messages it read late was taken (an HH reading taken there
    // would have raised HH in its unit and been refused by the fence).
    const resumed = pausedLog();
    const stopped = resumed.filter((l) => l.msg === 'partition lease not renewed in time; stopped');
    for (const [partition, epoch] of leases) {
      expect(stopped.map((l) => [l.partition, l.epoch])).toContainEqual([partition, epoch]);
      expect(gaveUp(resumed, partition)?.reason).toBe('expired');
    }
    const refused = resumed
      .filter(
        (l) =>
          REFUSED_MESSAGES.includes(l.msg) ||
          (l.err?.code !== undefined && REFUSED_CODES.includes(l.err.code)),
      )
      .map((l) => ({ msg: l.msg, partition: l.partition, code: l.err?.code }));
    expect(refused).toEqual([]);

    // No partition acted for by two workers at once: for each partition, tenures ordered by epoch
    // (every epoch taken by one worker) follow each other in time; one ended cleanly (handed over,
    // or stopped) ended before the next began. A tenure that ended at its deadline while the worker
    // was stopped is logged on resuming; that it acted for nothing past its deadline is shown above.
    const all: Tenure[] = workers.flatMap((w) => tenures(w.name, logLines(w.proc.output())));
    const byPartition = new Map<number, Tenure[]>();
    for (const t of all) byPartition.set(t.partition, [...(byPartition.get(t.partition) ?? []), t]);
    for (const [p, list] of byPartition) {
      list.sort((x, y) => x.epoch - y.epoch);
      for (let i = 1; i < list.length; i++) {
        const prev = list[i - 1]!;
        const next = list[i]!;
        const what = `partition ${p}: ${JSON.stringify(list)}`;
        expect(next.epoch, what).toBeGreaterThan(prev.epoch);
        expect(next.takenAt, what).toBeGreaterThanOrEqual(prev.takenAt);
        expect(prev.endedAt, what).toBeDefined();
        if (prev.reason !== 'expired') expect(prev.endedAt!, what).toBeLessThanOrEqual(next.takenAt);
      }
    }
    for (const [partition, epoch] of leases)
      expect(byPartition.get(partition)?.find((t) => t.epoch === epoch)).toMatchObject({
        worker: paused.name,
        reason: 'expired',
      });
    for (const e of mine) {
      const list = byPartition.get(held.get(e)!.partition)!;
      const successor = list.find((t) => t.epoch === successors.get(e)!.epoch)!;
      expect(successor.worker).toBe(successors.get(e)!.name);
      expect(successor.takenAt).toBeGreaterThan(pausedAt);
      expect(successor.takenAt).toBeLessThan(resumedAt);
    }
    // It rejoined by handover: partitions taken again after resuming, at new epochs.
    expect(resumed.filter((l) => l.msg === 'partition taken').length).toBeGreaterThan(0);

    // Stopped cleanly: every worker exits 0 within the bound.
    const exits: { name: string; exit: Exit; ms: number }[] = await Promise.all(
      workers.map(async (w) => {
        const t0 = Date.now();
        const exit = await stopProcess(w.proc.child, EXIT_WITHIN_MS + 5_000);
        return { name: w.name, exit, ms: Date.now() - t0 };
      }),
    );
    for (const e of exits) {
      expect(e.exit, `${e.name}`).toEqual({ code: 0, signal: null });
      expect(e.ms, `${e.name}`).toBeLessThan(EXIT_WITHIN_MS);
    }
    process.stdout.write(
      `leased-paused: SIGSTOP → HH of ${mine.length} enterprise(s) raised by the new owners in ${takeoverMs} ms; ` +
        `SIGTERM → exit ${exits.map((e) => `${e.name} ${e.ms} ms`).join(', ')}\n`,
    );
  }, 90_000);
});
