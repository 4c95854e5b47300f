/**
 * Static scale-out (docs/operations.md §5): two ingest workers, each pinned to its own enterprise
 * with HW_INGEST_ENTERPRISES, one PostgreSQL and one broker. A worker evaluates and restores only
 * what it owns: its staleness clocks never raise STALE or GATEWAY_OFFLINE (nor anything else) for
 * the other worker's points and gateways, whose readings it never receives, and at start it
 * restores only its own enterprises' open alarms and 预警 (never two workers holding one alarm).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt, { type MqttClient } from 'mqtt';
import pg from 'pg';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { telemetryTopic } from '@hazardwatch/contracts';
import type { AlarmRecord } from '@hazardwatch/core';
import { systemClock, type Clock, type TimerHandle } from '@hazardwatch/kit';
import { createTestDatabase, providedServices, type TestDatabase, waitFor } from '@hazardwatch/testkit';
import { loadRuntimeConfig, startIngestService, type IngestService } from 'hazardwatch';

const logger = pino({ level: 'silent' });
const EXAMPLE = fileURLToPath(new URL('../../core/examples/site.example.yaml', import.meta.url));

/** A worker's clock: real time plus an offset the test moves forward (its timers stay real). */
class OffsetClock implements Clock {
  offsetMs = 0;
  now = (): number => Date.now() + this.offsetMs;
  setTimeout = (fn: () => void, ms: number): TimerHandle => systemClock.setTimeout(fn, ms);
  clearTimeout = (h: TimerHandle | undefined): void => systemClock.clearTimeout(h);
  setInterval = (fn: () => void, ms: number): TimerHandle => systemClock.setInterval(fn, ms);
  clearInterval = (h: TimerHandle | undefined): void => systemClock.clearInterval(h);
}

const code = (prefix: string): string =>
  `91320623${prefix}${randomBytes(5).toString('hex').toUpperCase()}`.slice(0, 18);

describe('workers pinned to different enterprises (HW_INGEST_ENTERPRISES)', () => {
  const { postgresAdminUrl, mqttUrl } = providedServices();
  let db: TestDatabase;
  let check: pg.Client;
  let pub: MqttClient;
  let services: IngestService[];
  let clientIds: string[];
  let a: string;
  let b: string;
  let sitePath: string;

  beforeEach(async () => {
    db = await createTestDatabase(postgresAdminUrl);
    check = new pg.Client({ connectionString: db.url });
    await check.connect();
    pub = await mqtt.connectAsync(mqttUrl, { clientId: `hw-test-pub-${randomBytes(3).toString('hex')}` });
    // Fresh codes for both enterprises: nothing another test publishes on the shared broker arrives.
    a = code('PA');
    b = code('PB');
    sitePath = join(mkdtempSync(join(tmpdir(), 'hw-pinned-')), 'site.yaml');
    writeFileSync(
      sitePath,
      readFileSync(EXAMPLE, 'utf8').replaceAll('91320623MA1W000001', a).replaceAll('91320623MA1W000002', b),
    );
    services = [];
    clientIds = [];
  });

  afterEach(async () => {
    for (const s of services) await s.close().catch(() => undefined);
    await pub.endAsync();
    for (const id of clientIds)
      await (await mqtt.connectAsync(mqttUrl, { clientId: id, clean: true })).endAsync();
    await check.end();
    await db.drop();
  });

  /** A worker owning `enterprise` only, under its own client id and clock. */
  async function worker(enterprise: string, clock: Clock = systemClock): Promise<IngestService> {
    const clientId = `hw-pin-${enterprise.slice(-4)}-${randomBytes(3).toString('hex')}`;
    clientIds.push(clientId);
    const config = loadRuntimeConfig({
      DATABASE_URL: db.url,
      MQTT_URL: mqttUrl,
      HW_SITE_FILE: sitePath,
      HW_HEALTH_PORT: '0',
      HW_INGEST_CLIENT_ID: clientId,
      HW_INGEST_ENTERPRISES: enterprise,
    });
    const service = await startIngestService(config, logger, { clock });
    services.push(service);
    return service;
  }

  const publish = (enterprise: string, readings: { tag: string; ts: number; value: number }[]) =>
    pub.publishAsync(telemetryTopic({ enterprise, gateway: 'GW01' }), JSON.stringify({ readings }), {
      qos: 1,
    });

  /** The enterprise an alarm belongs to, by the worker's site ('platform' for a platform alarm). */
  const enterpriseOf = (service: IngestService, alarm: AlarmRecord): string | undefined =>
    alarm.source.kind === 'gateway'
      ? alarm.source.enterprise
      : alarm.source.kind === 'point'
        ? service.site?.pointById(alarm.source.pointId)?.enterprise
        : 'platform';

  /** What a worker holds open in memory, as `enterprise condition` strings. */
  const held = (service: IngestService): string[] =>
    service.alarms.book
      .open()
      .map((x) => `${enterpriseOf(service, x) ?? '?'} ${x.condition}`)
      .sort();

  /** Open stored alarms as `enterprise condition` (points through their id's enterprise). */
  async function storedOpen(): Promise<string[]> {
    const { rows } = await check.query<{ enterprise: string; condition: string }>(
      `SELECT coalesce(a.enterprise, p.enterprise_code) AS enterprise, a.condition
         FROM alarms a LEFT JOIN point_ids p ON p.id = a.point_id
        WHERE a.closed_at IS NULL ORDER BY 1, 2`,
    );
    return rows.map((r) => `${r.enterprise} ${r.condition}`);
  }

  it('a worker whose clock runs past every timeout raises STALE / GATEWAY_OFFLINE for its own enterprise only', async () => {
    const clockA = new OffsetClock();
    const workerA = await worker(a, clockA);
    // B's clock stays put: nothing of enterprise B ever times out in the worker that owns it.
    const workerB = await worker(b);
    const t = Date.now() - 5_000;
    // Normal values for a point of each enterprise: each reaches its own worker only.
    await publish(a, [{ tag: 'LT-1101', ts: t, value: 50 }]);
    await publish(b, [{ tag: 'TT-2101', ts: t, value: 100 }]);
    await waitFor(
      async () => (await check.query('SELECT 1 FROM readings')).rowCount,
      (n) => n === 2,
      'both readings stored',
    );
    // A's evaluation clock starts at its first alarm tick (every second, real time) after start.
    await new Promise((r) => setTimeout(r, 1_500));
    // A site edit put in force (as one saved through the API is) keeps A's scope.
    workerA.applySite({ index: workerA.site!, version: workerA.siteVersion! + 1 });
    // Then past every timeout of the site (points 300–600 s, gateways 120–180 s) on A's clock
    // only: A's next tick judges staleness at that time.
    clockA.offsetMs += 700_000;
    await waitFor(
      () => Promise.resolve(held(workerA)),
      (h) => h.includes(`${a} GATEWAY_OFFLINE`),
      "A's own gateway offline (A's staleness ran)",
    );
    // Two more ticks of A (a unit raised in one tick is stored before the next is judged).
    await new Promise((r) => setTimeout(r, 2_500));
    await workerA.app.pipeline.drain();
    await workerB.app.pipeline.drain();

    expect(held(workerA).filter((h) => !h.startsWith(`${a} `))).toEqual([]);
    expect(held(workerB).filter((h) => !h.startsWith(`${b} `))).toEqual([]);
    const stored = await storedOpen();
    expect(stored).toContain(`${a} GATEWAY_OFFLINE`);
    // Nothing timed out for B in the database either: nobody raised it (B's clock never moved).
    expect(stored.filter((s) => s.startsWith(`${b} `) && /STALE|GATEWAY_OFFLINE/.test(s))).toEqual([]);
    const { rows: warnings } = await check.query<{ enterprise: string }>('SELECT enterprise FROM warnings');
    expect(warnings.filter((w) => w.enterprise === b)).toEqual([]);
    // No write refused for a duplicate open alarm (two workers raising one condition).
    expect(workerA.ready().detail.alarmUnitsFailed + workerB.ready().detail.alarmUnitsFailed).toBe(0);
  });

  it("at start a worker restores its own enterprises' open alarms and 预警, not the other worker's", async () => {
    const workerA = await worker(a);
    const workerB = await worker(b);
    const t0 = Date.now() - 60_000;
    // A: LT-1101 above H (80) past its 10 s on-delay. B: AT-2101 above HH (40) past the 5 s default.
    await publish(a, [
      { tag: 'LT-1101', ts: t0, value: 82 },
      { tag: 'LT-1101', ts: t0 + 12_000, value: 82 },
    ]);
    await publish(b, [
      { tag: 'AT-2101', ts: t0, value: 45 },
      { tag: 'AT-2101', ts: t0 + 6_000, value: 45 },
    ]);
    const stored = await waitFor(
      storedOpen,
      (s) => s.includes(`${a} H`) && s.includes(`${b} HH`),
      'an open alarm of each enterprise',
    );
    await workerA.app.pipeline.drain();
    await workerB.app.pipeline.drain();
    const ofB = stored.filter((s) => s.startsWith(`${b} `));
    expect(held(workerB)).toEqual(ofB);
    const { rows: openWarnings } = await check.query<{ enterprise: string }>(
      'SELECT enterprise FROM warnings WHERE closed_at IS NULL ORDER BY enterprise',
    );
    // A gas HH is red at its hazard: B has a 预警 open (A's H is below the opening colour or not).
    expect(openWarnings.map((w) => w.enterprise)).toContain(b);

    // A restarts (deploy, crash): it comes back with its own alarms, not B's.
    await workerA.close();
    services.splice(services.indexOf(workerA), 1);
    const restarted = await worker(a);
    expect(held(restarted)).toEqual(stored.filter((s) => s.startsWith(`${a} `)));
    expect(restarted.alarms.desk.openWarnings().map((w) => w.enterprise)).toEqual(
      openWarnings.filter((w) => w.enterprise === a).map((w) => w.enterprise),
    );
    // B, restarted too, holds exactly its own again.
    await workerB.close();
    services.splice(services.indexOf(workerB), 1);
    const restartedB = await worker(b);
    expect(held(restartedB)).toEqual(ofB);
    expect(restartedB.alarms.desk.openWarnings().map((w) => w.enterprise)).toEqual(
      openWarnings.filter((w) => w.enterprise === b).map((w) => w.enterprise),
    );
  });
});
