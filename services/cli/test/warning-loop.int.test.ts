/**
 * The 预警 loop end to end (issue #19, MUST-SHOW): readings raise a red 预警 in the alarm engine,
 * its sign deadline passes on the engine's clock and it escalates; the enterprise signs and feeds
 * back, the regulator urges, verifies and closes — through the REST API with real users, the
 * authority table and the desk's closing rules; the whole record shows the cause (value and
 * limit), the deadlines, the deliveries and every event with its text. And the refusals the issue
 * reports: a regulator signing, 消警 before 签收, a forced close without feedback, an operator
 * closing a red 预警, a county regulator closing one escalated to the province.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt, { type MqttClient } from 'mqtt';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { telemetryTopic, type WarningDetail, type WarningPage } from '@hazardwatch/contracts';
import type { ApiServer } from '@hazardwatch/api';
import { systemClock, type Clock, type TimerHandle } from '@hazardwatch/kit';
import { createTestDatabase, providedServices, type TestDatabase, waitFor } from '@hazardwatch/testkit';
import {
  ensureUsers,
  loadRuntimeConfig,
  startApiBeside,
  startIngestService,
  type IngestService,
} from 'hazardwatch';

const logger = pino({ level: 'silent' });
const EXAMPLE = fileURLToPath(new URL('../../core/examples/site.example.yaml', import.meta.url));
const PASSWORD = 'warning-loop-test-password';
const MIN = 60_000;

/** The engine's clock: real time plus an offset the test moves forward (timers stay real). */
class OffsetClock implements Clock {
  offsetMs = 0;
  now = (): number => Date.now() + this.offsetMs;
  setTimeout = (fn: () => void, ms: number): TimerHandle => systemClock.setTimeout(fn, ms);
  clearTimeout = (h: TimerHandle | undefined): void => systemClock.clearTimeout(h);
  setInterval = (fn: () => void, ms: number): TimerHandle => systemClock.setInterval(fn, ms);
  clearInterval = (h: TimerHandle | undefined): void => systemClock.clearInterval(h);
}

describe('预警 loop through the REST API: red escalates → sign, feedback → urge, verify → close', () => {
  const { postgresAdminUrl, mqttUrl } = providedServices();
  let db: TestDatabase;
  let service: IngestService;
  let api: ApiServer;
  let pub: MqttClient;
  let enterprise: string;
  let clientId: string;
  let clock: OffsetClock;
  const tokens: Record<string, string> = {};

  beforeEach(async () => {
    db = await createTestDatabase(postgresAdminUrl);
    enterprise = `91320623W${randomBytes(4).toString('hex').toUpperCase()}`.slice(0, 18);
    const sitePath = join(mkdtempSync(join(tmpdir(), 'hw-wloop-')), 'site.yaml');
    writeFileSync(sitePath, readFileSync(EXAMPLE, 'utf8').replaceAll('91320623MA1W000001', enterprise));
    clientId = `hw-wloop-${randomBytes(3).toString('hex')}`;
    const config = loadRuntimeConfig({
      DATABASE_URL: db.url,
      MQTT_URL: mqttUrl,
      HW_SITE_FILE: sitePath,
      HW_HEALTH_PORT: '0',
      HW_INGEST_CLIENT_ID: clientId,
      HW_INGEST_ENTERPRISES: enterprise,
      HW_JWT_SECRET: 'a-test-secret-that-is-at-least-32-chars',
    });
    clock = new OffsetClock();
    service = await startIngestService(config, logger, { clock });
    api = await startApiBeside(service, config, logger, 0);
    await ensureUsers(service, [
      { username: 'operator', password: PASSWORD, role: 'operator', enterpriseCode: enterprise },
      { username: 'county', password: PASSWORD, role: 'regulator', regionCode: '320623' },
      { username: 'city', password: PASSWORD, role: 'regulator', regionCode: '320600' },
      { username: 'province', password: PASSWORD, role: 'regulator', regionCode: '320000' },
    ]);
    for (const username of ['operator', 'county', 'city', 'province']) {
      const res = await fetch(`${base()}/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username, password: PASSWORD }),
      });
      expect(res.status).toBe(200);
      tokens[username] = ((await res.json()) as { accessToken: string }).accessToken;
    }
    pub = await mqtt.connectAsync(mqttUrl, { clientId: `hw-test-pub-${randomBytes(3).toString('hex')}` });
  });

  afterEach(async () => {
    await pub.endAsync();
    await api.close();
    await service.close();
    await (await mqtt.connectAsync(mqttUrl, { clientId, clean: true })).endAsync();
    await db.drop();
  });

  const base = () => `http://127.0.0.1:${api.port}/api/v1`;
  const call = async <T = Record<string, unknown>>(
    user: string,
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: T }> => {
    const res = await fetch(`${base()}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${tokens[user]}`,
        ...(method === 'POST' ? { 'content-type': 'application/json' } : {}),
      },
      ...(method === 'POST' ? { body: JSON.stringify(body ?? {}) } : {}),
    });
    return { status: res.status, body: (await res.json()) as T };
  };
  const act = (user: string, id: string, verb: string, body?: unknown) =>
    call<{ code?: string }>(user, 'POST', `/warnings/${encodeURIComponent(id)}/${verb}`, body);
  const detail = async (id: string, user = 'county'): Promise<WarningDetail> => {
    const res = await call<WarningDetail>(user, 'GET', `/warnings/${encodeURIComponent(id)}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body;
  };
  const level = (ts: number, value: number) =>
    pub.publishAsync(
      telemetryTopic({ enterprise, gateway: 'GW01' }),
      JSON.stringify({ readings: [{ tag: 'LT-1101', ts, value }] }),
      { qos: 1 },
    );

  /** LT-1101 (HH 85, on-delay 10 s) at 90 %: a red 预警 on the chlorine tank farm, as listed. */
  async function raiseRed(): Promise<string> {
    const t0 = clock.now() - 60_000;
    await level(t0, 60);
    await level(t0 + 1_000, 90);
    await level(t0 + 12_000, 90);
    const page = await waitFor(
      () => call<WarningPage>('county', 'GET', `/warnings?enterprise=${enterprise}`),
      (r) => r.body.items?.length === 1,
      'the red 预警',
    );
    expect(page.body.items[0]).toMatchObject({ colour: 'red', state: 'pushed', hazard: 'CL-TF01' });
    return page.body.items[0]!.id;
  }

  /** Moves the engine's clock and runs its timers (as its duty schedule would). */
  async function advance(
    ms: number,
    until: (d: WarningDetail) => boolean,
    id: string,
  ): Promise<WarningDetail> {
    clock.offsetMs += ms;
    service.alarms.tick(clock.now());
    return waitFor(() => detail(id), until, 'the timer events');
  }

  it('a red 预警 escalates, the enterprise signs and feeds back, the county regulator urges, verifies and closes; the record shows it all', async () => {
    const id = await raiseRed();
    const opened = await detail(id);
    // The cause: the HH alarm of LT-1101 with the value that raised it and the limit it crossed.
    const hh = opened.causes.find((c) => c.condition === 'HH');
    expect(hh).toMatchObject({ tag: 'LT-1101', name: '液氯储罐V-1101液位', unit: '%', value: 90, limit: 85 });
    // Deadlines per step (red: sign 5 min, feedback 30 min, provisional defaults).
    const openedAt = opened.events[0]!.ts;
    expect(opened.deadlines).toEqual([
      { step: 'sign', dueAt: openedAt + 5 * MIN, metAt: null, overdue: false },
      { step: 'feedback', dueAt: openedAt + 30 * MIN, metAt: null, overdue: false },
    ]);
    expect(opened.closing).toEqual({ closedBy: 'regulator', after: 'verified' });

    // Refusals of the issue: a county regulator signs (the authority table), 消警 before 签收.
    expect((await act('county', id, 'sign')).status).toBe(403);
    const early = await act('county', id, 'close', { reason: '已电话核实' });
    expect([early.status, early.body.code]).toEqual([409, 'HW_CORE_WARNING_INVALID_TRANSITION']);

    // Nobody signed within 5 min: escalated to the county, the persons told as well.
    const escalated = await advance(6 * MIN, (d) => d.level === 'county', id);
    expect(escalated.events.map((e) => [e.type, e.step, e.level])).toContainEqual([
      'escalated',
      'sign',
      'county',
    ]);
    // The escalation restarts the timers: signing is now due 5 min after it.
    const escalatedAt = escalated.events.find((e) => e.type === 'escalated')!.ts;
    expect(escalated.deadlines[0]).toMatchObject({ step: 'sign', dueAt: escalatedAt + 5 * MIN, metAt: null });

    expect((await act('operator', id, 'sign')).status).toBe(200);
    // A county regulator force-closing a red 预警 with only a reason and no enterprise feedback.
    const forced = await act('county', id, 'close', { reason: '现场已处置' });
    expect([forced.status, forced.body.code]).toEqual([409, 'HW_CORE_WARNING_FEEDBACK_REQUIRED']);
    expect((await act('operator', id, 'feedback', { text: '已关闭进料阀XV-1101，液位回落' })).status).toBe(
      200,
    );
    // A red 预警 is not the enterprise's to close.
    const own = await act('operator', id, 'close', { reason: '已处置' });
    expect([own.status, own.body.code]).toEqual([403, 'HW_CORE_WARNING_PARTY_REFUSED']);
    // 督办 and 核查 are the regulator's.
    expect((await act('operator', id, 'verify', { text: '自查' })).status).toBe(403);
    const deadline = clock.now() + 20 * MIN;
    expect((await act('county', id, 'urge', { text: '请于20分钟内补充处置照片', deadline })).status).toBe(
      200,
    );
    const notYet = await act('county', id, 'close');
    expect([notYet.status, notYet.body.code]).toEqual([409, 'HW_CORE_WARNING_VERIFICATION_REQUIRED']);
    expect((await act('county', id, 'verify', { text: '现场核查：阀门已关闭，液位正常' })).status).toBe(200);

    // The level back to normal and the alarm acknowledged: the cause is gone, a normal close.
    const t1 = clock.now();
    await level(t1 - 20_000, 50);
    await level(t1 - 5_000, 50);
    const rtn = await waitFor(
      () =>
        call<{ items: Array<{ id: string; condition: string; state: string }> }>(
          'operator',
          'GET',
          `/alarms/active?enterprise=${enterprise}`,
        ),
      (r) => r.body.items.filter((a) => a.condition === 'HH').every((a) => a.state === 'RTNUN'),
      'the HH alarm back to normal',
    );
    for (const a of rtn.body.items.filter((x) => x.state === 'RTNUN'))
      expect((await call('operator', 'POST', `/alarms/${a.id}/ack`, {})).status).toBe(200);
    await waitFor(
      () => Promise.resolve(service.alarms.rollup.colour('hazard', `${enterprise}/CL-TF01`)),
      (c) => c === null,
      'the hazard back to normal',
    );
    const closed = await act('county', id, 'close');
    expect(closed.status, JSON.stringify(closed.body)).toBe(200);

    const record = await waitFor(
      () => detail(id, 'operator'),
      (d) => d.state === 'closed',
      'the closed record',
    );
    const line = (type: string) => record.events.find((e) => e.type === type)!;
    expect(record.events.map((e) => e.type)).toEqual([
      'opened',
      'escalated',
      'signed',
      'feedback',
      'urged',
      'verified',
      'closed',
    ]);
    expect(line('signed')).toMatchObject({ actor: 'operator', party: 'enterprise' });
    expect(line('feedback')).toMatchObject({ actor: 'operator', text: '已关闭进料阀XV-1101，液位回落' });
    expect(line('urged')).toMatchObject({
      actor: 'county',
      party: 'county',
      text: '请于20分钟内补充处置照片',
      deadline,
    });
    expect(line('verified')).toMatchObject({ actor: 'county', text: '现场核查：阀门已关闭，液位正常' });
    expect(line('closed')).toMatchObject({ actor: 'county', party: 'county', forced: false, to: 'closed' });
    expect(record.deadlines.map((d) => [d.step, d.metAt !== null])).toEqual([
      ['sign', true],
      ['feedback', true],
      ['urge', false],
    ]);
    // Deliveries, one per recipient and channel, each with its state (none configured: not reached).
    expect(record.deliveries.length).toBeGreaterThan(0);
    for (const d of record.deliveries) expect(['pending', 'delivered', 'failed']).toContain(d.state);
    const roles = new Set(record.deliveries.map((d) => d.recipient?.role));
    for (const role of ['principal', 'technical', 'operational', 'regulator']) expect(roles).toContain(role);

    // Closed 预警 stay listed when asked (issue: "closed 预警 disappear from the lists").
    const ids = async (query: string) =>
      (await call<WarningPage>('county', 'GET', `/warnings?enterprise=${enterprise}${query}`)).body.items.map(
        (w) => [w.id, w.state, w.level],
      );
    expect(await ids('')).toEqual([]);
    expect(await ids('&status=closed')).toEqual([[id, 'closed', 'county']]);
    expect(await ids('&state=closed')).toEqual([[id, 'closed', 'county']]);
    expect(await ids('&open=false&colour=red')).toEqual([[id, 'closed', 'county']]);
  });

  it('escalated to the province: the operator cannot close it seconds after signing, nor the county or city; the province closes, forced with a reason while the cause is active', async () => {
    const id = await raiseRed();
    await advance(16 * MIN, (d) => d.level === 'province', id);
    expect((await act('operator', id, 'sign')).status).toBe(200);
    expect((await act('operator', id, 'feedback', { text: '已处置' })).status).toBe(200);
    const own = await act('operator', id, 'close', { reason: '已处置' });
    expect([own.status, own.body.code]).toEqual([403, 'HW_CORE_WARNING_PARTY_REFUSED']);
    expect((await act('county', id, 'verify', { text: '核查属实' })).status).toBe(200);
    for (const user of ['county', 'city']) {
      const low = await act(user, id, 'close', { reason: '核查属实' });
      expect([user, low.status, low.body.code]).toEqual([user, 403, 'HW_CORE_WARNING_TIER_TOO_LOW']);
    }
    const active = await act('province', id, 'close');
    expect([active.status, active.body.code]).toEqual([409, 'HW_CORE_WARNING_CAUSE_ACTIVE']);
    expect((await act('province', id, 'close', { reason: '液位计故障，已报修' })).status).toBe(200);
    const record = await waitFor(
      () => detail(id),
      (d) => d.state === 'closed',
      'the closed record',
    );
    expect(record.events.at(-1)).toMatchObject({
      type: 'closed',
      actor: 'province',
      party: 'province',
      forced: true,
      text: '液位计故障，已报修',
      level: 'province',
    });
  });
});
