import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt, { type MqttClient } from 'mqtt';
import type pg from 'pg';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { telemetryTopic } from '@hazardwatch/contracts';
import { createTestDatabase, openTestPool, providedServices, type TestDatabase } from '@hazardwatch/testkit';
import {
  ensureUsers,
  loadRuntimeConfig,
  startApiService,
  startIngestService,
  type ApiService,
  type IngestService,
  type RuntimeConfig,
} from 'hazardwatch';

const logger = pino({ level: 'silent' });
const EXAMPLE = fileURLToPath(new URL('../../core/examples/site.example.yaml', import.meta.url));
const PASSWORD = 'forwarding-test-password';

async function waitFor<T>(
  probe: () => Promise<T>,
  done: (v: T) => boolean,
  what: string,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

interface RequestRow {
  kind: string;
  enterprise: string;
  claimed_by: string | null;
  done: boolean;
  outcome: { ok?: boolean; expired?: boolean } | null;
}

/**
 * `hazardwatch api` as a process of its own: alarm actions asked through it reach the alarm
 * engine of the ingest worker owning the enterprise through PostgreSQL (alarm_action_requests,
 * LISTEN/NOTIFY), and nowhere else.
 */
describe('separate API: alarm actions forwarded to the owning ingest worker', () => {
  const { postgresAdminUrl, mqttUrl } = providedServices();
  let db: TestDatabase;
  let pool: pg.Pool;
  let pub: MqttClient;
  let enterprise: string;
  let sitePath: string;
  const clientIds: string[] = [];
  const running: Array<{ close(): Promise<void> }> = [];

  /** An ingest worker owning `owns` (HW_INGEST_ENTERPRISES), with its own MQTT session. */
  const configFor = (owns: string, clientId: string): RuntimeConfig => {
    if (!clientIds.includes(clientId)) clientIds.push(clientId);
    return loadRuntimeConfig({
      DATABASE_URL: db.url,
      MQTT_URL: mqttUrl,
      HW_SITE_FILE: sitePath,
      HW_HEALTH_PORT: '0',
      HW_INGEST_CLIENT_ID: clientId,
      HW_INGEST_ENTERPRISES: owns,
      HW_JWT_SECRET: 'a-test-secret-that-is-at-least-32-chars',
    });
  };
  const startWorker = async (owns: string, clientId: string): Promise<IngestService> => {
    const service = await startIngestService(configFor(owns, clientId), logger);
    running.push(service);
    return service;
  };
  const stop = async (what: { close(): Promise<void> }): Promise<void> => {
    running.splice(running.indexOf(what), 1);
    await what.close();
  };
  const startApi = async (actionTimeoutMs: number): Promise<ApiService> => {
    // No broker, no site file, no ingest settings: the API only reads the database.
    const config = loadRuntimeConfig({
      DATABASE_URL: db.url,
      HW_HEALTH_PORT: '0',
      HW_JWT_SECRET: 'a-test-secret-that-is-at-least-32-chars',
    });
    const api = await startApiService(config, logger, {
      port: 0,
      actionTimeoutMs,
      actionPollIntervalMs: 200,
    });
    running.push(api);
    return api;
  };

  beforeEach(async () => {
    db = await createTestDatabase(postgresAdminUrl);
    pool = openTestPool(db.url, { max: 2 });
    enterprise = `91320623S${randomBytes(4).toString('hex').toUpperCase()}`.slice(0, 18);
    const site = readFileSync(EXAMPLE, 'utf8').replaceAll('91320623MA1W000001', enterprise);
    sitePath = join(mkdtempSync(join(tmpdir(), 'hw-forward-')), 'site.yaml');
    writeFileSync(sitePath, site);
    pub = await mqtt.connectAsync(mqttUrl, { clientId: `hw-test-pub-${randomBytes(3).toString('hex')}` });
  });

  afterEach(async () => {
    await pub.endAsync();
    for (const r of running.splice(0).reverse()) await r.close();
    for (const clientId of clientIds.splice(0)) {
      await (await mqtt.connectAsync(mqttUrl, { clientId, clean: true })).endAsync();
    }
    await pool.end();
    await db.drop();
  });

  async function login(api: ApiService, username: string): Promise<string> {
    const res = await fetch(`http://127.0.0.1:${api.port}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password: PASSWORD }),
    });
    expect(res.status).toBe(200);
    return ((await res.json()) as { accessToken: string }).accessToken;
  }
  const call = async (
    api: ApiService,
    token: string,
    method: 'GET' | 'POST',
    path: string,
  ): Promise<{ status: number; body: Record<string, unknown> }> => {
    const res = await fetch(`http://127.0.0.1:${api.port}/api/v1${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(method === 'POST' ? { 'content-type': 'application/json' } : {}),
      },
      ...(method === 'POST' ? { body: '{}' } : {}),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const requestRows = async (): Promise<RequestRow[]> =>
    (
      await pool.query<RequestRow>(
        `SELECT kind, enterprise, claimed_by, done_at IS NOT NULL AS done, outcome
         FROM alarm_action_requests ORDER BY id`,
      )
    ).rows;

  /** Raises HH on LT-1101 (limit 85, on-delay 10 s of source time) and returns its id via the API. */
  async function raiseHh(api: ApiService, token: string): Promise<string> {
    const t0 = Date.now() - 60_000;
    for (const [dt, value] of [
      [0, 60],
      [1000, 90],
      [12_000, 90],
    ] as const) {
      await pub.publishAsync(
        telemetryTopic({ enterprise, gateway: 'GW01' }),
        JSON.stringify({ readings: [{ tag: 'LT-1101', ts: t0 + dt, value }] }),
        { qos: 1 },
      );
    }
    const active = await waitFor(
      () => call(api, token, 'GET', `/alarms/active?enterprise=${enterprise}`),
      (r) =>
        (r.body['items'] as Array<{ condition: string }> | undefined)?.some((a) => a.condition === 'HH') ??
        false,
      'the HH alarm through the separate API',
    );
    const hh = (active.body['items'] as Array<{ id: string; condition: string; state: string }>).find(
      (a) => a.condition === 'HH',
    )!;
    expect(hh.state).toBe('UNACK');
    return hh.id;
  }

  it('applies a site edit made through the separate API in the owning worker without a restart', async () => {
    const worker = await startWorker(enterprise, `hw-fwd-s-${randomBytes(3).toString('hex')}`);
    const api = await startApi(20_000);
    await ensureUsers(worker, [{ username: 'admin', password: PASSWORD, role: 'admin' }]);
    const admin = await login(api, 'admin');
    const before = worker.siteVersion!;
    const lt = worker.site!.pointByKey(enterprise, 'LT-1101')!.id;
    // No on-delay, so two readings 1 s apart decide HH. onDelaySec: 0 says so; null would remove
    // the point's own 10 s and leave it on the site default (5 s): a merge patch's null removes.
    const res = await fetch(`http://127.0.0.1:${api.port}/api/v1/points/${lt}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ limits: { h: 65, hh: 70 }, onDelaySec: 0 }),
    });
    expect(res.status, await res.clone().text()).toBe(200);
    const { siteVersion } = (await res.json()) as { siteVersion: number };
    expect(siteVersion).toBeGreaterThan(before);
    // NOTIFY wakes the worker at once (its fallback poll is 30 s away).
    await waitFor(
      () => Promise.resolve(worker.siteVersion),
      (v) => v === siteVersion,
      'the worker to apply the edited site',
      10_000,
    );
    expect(worker.site!.pointById(lt)).toMatchObject({ limits: { h: 65, hh: 70 }, onDelayMs: 0 });
    // And it evaluates under it: 75 % is HH now (it was normal under the file's hh 85).
    const t0 = Date.now() - 60_000;
    for (const [dt, value] of [
      [0, 60],
      [1000, 75],
    ] as const) {
      await pub.publishAsync(
        telemetryTopic({ enterprise, gateway: 'GW01' }),
        JSON.stringify({ readings: [{ tag: 'LT-1101', ts: t0 + dt, value }] }),
        { qos: 1 },
      );
    }
    await waitFor(
      () => call(api, admin, 'GET', `/alarms/active?enterprise=${enterprise}`),
      (r) =>
        (r.body['items'] as Array<{ condition: string }> | undefined)?.some((a) => a.condition === 'HH') ??
        false,
      'HH under the edited limits',
    );
  });

  it('applies an acknowledgement through the owning worker’s engine, answers ACKED and audits it', async () => {
    const workerId = `hw-fwd-a-${randomBytes(3).toString('hex')}`;
    const worker = await startWorker(enterprise, workerId);
    const api = await startApi(20_000);
    await ensureUsers(worker, [
      { username: 'operator', password: PASSWORD, role: 'operator', enterpriseCode: enterprise },
      { username: 'admin', password: PASSWORD, role: 'admin' },
    ]);
    const [operator, admin] = [await login(api, 'operator'), await login(api, 'admin')];
    const id = await raiseHh(api, operator);

    const ack = await call(api, operator, 'POST', `/alarms/${id}/ack`);
    expect(ack.status, JSON.stringify(ack.body)).toBe(200);
    expect(ack.body).toMatchObject({ id, action: 'ack', alarm: { id, state: 'ACKED' } });
    // The engine that owns the alarm applied it (not a copy in the API process).
    expect(worker.alarms.book.get(id)?.state).toBe('ACKED');
    expect(await requestRows()).toEqual([
      {
        kind: 'alarm.act',
        enterprise,
        claimed_by: workerId,
        done: true,
        outcome: expect.objectContaining({ ok: true }) as unknown,
      },
    ]);
    const audit = await call(api, admin, 'GET', `/audit?action=alarm.ack`);
    expect(JSON.stringify(audit.body)).toContain(id);

    // A refusal of the engine comes back with the engine's own code: acknowledging twice.
    const again = await call(api, operator, 'POST', `/alarms/${id}/ack`);
    expect(again.status).toBe(409);
    expect(again.body['code']).toMatch(/^HW_CORE_/);
  });

  it('carries the 预警 loop — sign, feedback, 督办, 核查, close — with the caller’s side to the owning worker', async () => {
    const workerId = `hw-fwd-w-${randomBytes(3).toString('hex')}`;
    const worker = await startWorker(enterprise, workerId);
    const api = await startApi(20_000);
    await ensureUsers(worker, [
      { username: 'operator', password: PASSWORD, role: 'operator', enterpriseCode: enterprise },
      { username: 'county', password: PASSWORD, role: 'regulator', regionCode: '320623' },
    ]);
    const [operator, county] = [await login(api, 'operator'), await login(api, 'county')];
    await raiseHh(api, operator);
    const listed = await waitFor(
      () => call(api, county, 'GET', `/warnings?enterprise=${enterprise}`),
      (r) => (r.body['items'] as unknown[] | undefined)?.length === 1,
      'the red 预警 through the separate API',
    );
    const id = (listed.body['items'] as Array<{ id: string }>)[0]!.id;
    const post = async (token: string, verb: string, body: unknown) => {
      const res = await fetch(
        `http://127.0.0.1:${api.port}/api/v1/warnings/${encodeURIComponent(id)}/${verb}`,
        {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        },
      );
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    expect((await post(operator, 'sign', {})).status).toBe(200);
    expect((await post(operator, 'feedback', { text: '已关闭进料阀' })).status).toBe(200);
    const urged = await post(county, 'urge', { text: '请补充现场照片', deadline: Date.now() + 3_600_000 });
    expect(urged.status, JSON.stringify(urged.body)).toBe(200);
    // The worker's desk decides with the forwarded side: red is not the enterprise's to close.
    const own = await post(operator, 'close', { reason: '已处置' });
    expect([own.status, own.body['code']]).toEqual([403, 'HW_CORE_WARNING_PARTY_REFUSED']);
    const verified = await post(county, 'verify', { text: '现场核查属实' });
    expect(verified.status, JSON.stringify(verified.body)).toBe(200);
    expect(verified.body).toMatchObject({ id, warning: { state: 'verified' } });
    expect(worker.alarms.desk.get(id)?.state).toBe('verified');
    const rows = await requestRows();
    expect(rows.map((r) => [r.kind, r.claimed_by, r.done, r.outcome?.ok])).toEqual([
      ['warning.sign', workerId, true, true],
      ['warning.feedback', workerId, true, true],
      ['warning.urge', workerId, true, true],
      ['warning.close', workerId, true, false],
      ['warning.verify', workerId, true, true],
    ]);
    const { rows: party } = await pool.query<{ kind: string; party: string }>(
      `SELECT kind, request->>'party' AS party FROM alarm_action_requests ORDER BY id`,
    );
    expect(party.map((r) => r.party)).toEqual(['enterprise', 'enterprise', 'county', 'enterprise', 'county']);
  });

  it('expires an action no worker owns (HW_API_ACTION_TIMEOUT) and never applies it later', async () => {
    const ownerId = `hw-fwd-b-${randomBytes(3).toString('hex')}`;
    let owner = await startWorker(enterprise, ownerId);
    const api = await startApi(1500);
    await ensureUsers(owner, [
      { username: 'operator', password: PASSWORD, role: 'operator', enterpriseCode: enterprise },
    ]);
    const operator = await login(api, 'operator');
    const id = await raiseHh(api, operator);
    // The owner goes away; the only worker left owns another enterprise.
    await stop(owner);
    await startWorker('91320623SOTHER0001', `hw-fwd-other-${randomBytes(3).toString('hex')}`);

    const ack = await call(api, operator, 'POST', `/alarms/${id}/ack`);
    expect(ack.status).toBe(504);
    expect(ack.body['code']).toBe('HW_API_ACTION_TIMEOUT');
    expect(await requestRows()).toEqual([
      { kind: 'alarm.act', enterprise, claimed_by: null, done: true, outcome: { expired: true } },
    ]);

    // The owner comes back: the expired request stays unapplied.
    owner = await startWorker(enterprise, ownerId);
    await owner.actions.idle();
    expect(owner.alarms.book.get(id)?.state).toBe('UNACK');
    expect((await requestRows())[0]).toMatchObject({ claimed_by: null, outcome: { expired: true } });
  });

  it('applies a request made while the owning worker was down once it is back, within the deadline', async () => {
    const ownerId = `hw-fwd-c-${randomBytes(3).toString('hex')}`;
    const owner = await startWorker(enterprise, ownerId);
    const api = await startApi(30_000);
    await ensureUsers(owner, [
      { username: 'operator', password: PASSWORD, role: 'operator', enterpriseCode: enterprise },
    ]);
    const operator = await login(api, 'operator');
    const id = await raiseHh(api, operator);
    await stop(owner);

    const answer = call(api, operator, 'POST', `/alarms/${id}/ack`);
    // Stored while no worker listens ...
    await waitFor(requestRows, (rows) => rows.length === 1, 'the stored request');
    expect((await requestRows())[0]).toMatchObject({ claimed_by: null, done: false });
    // ... and applied by the owner when it is back (restored alarm state, then the request).
    const back = await startWorker(enterprise, ownerId);
    const ack = await answer;
    expect(ack.status, JSON.stringify(ack.body)).toBe(200);
    expect(ack.body).toMatchObject({ alarm: { id, state: 'ACKED' } });
    expect(back.alarms.book.get(id)?.state).toBe('ACKED');
    expect((await requestRows())[0]).toMatchObject({ claimed_by: ownerId, done: true });
  });
});
