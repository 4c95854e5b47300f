/**
 * The 预警 routes with real users (issue #19): the caller's side as the engine receives it, the
 * authority table on 督办/核查, and the whole record of GET /warnings/:id (cause value and limit,
 * deadlines, deliveries, events with texts), the steps each caller may take now (`steps`: the
 * desk's rule for its side ∩ the authority table) and lists with closed 预警.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type {
  AlarmActionOutcome,
  WarningAction,
  WarningDetail,
  WarningPage,
  WarningRecordPage,
} from '@hazardwatch/contracts';
import type { AlarmControl, WarningCaller } from '@hazardwatch/api';
import { buildTestApi, E1, E3, type TestApi, type TestUser } from './support/api-fixture.js';

const MIN = 60_000;

/** Our own seam, recording the caller (username and side) each 预警 step is handed over with. */
class RecordingControl implements AlarmControl {
  readonly calls: Array<[string, WarningCaller, ...unknown[]]> = [];
  private answer(op: string, caller: WarningCaller, ...rest: unknown[]): Promise<AlarmActionOutcome> {
    this.calls.push([op, caller, ...rest]);
    return Promise.resolve({ ok: true, before: null, after: { state: 'signed' } });
  }
  act(): Promise<AlarmActionOutcome> {
    return Promise.resolve({ ok: true, before: null, after: null });
  }
  signWarning(_id: string, caller: WarningCaller) {
    return this.answer('sign', caller);
  }
  feedbackWarning(_id: string, caller: WarningCaller, text: string) {
    return this.answer('feedback', caller, text);
  }
  urgeWarning(_id: string, caller: WarningCaller, text: string, deadlineMs: number) {
    return this.answer('urge', caller, text, deadlineMs);
  }
  verifyWarning(_id: string, caller: WarningCaller, text: string) {
    return this.answer('verify', caller, text);
  }
  closeWarning(_id: string, caller: WarningCaller, reason?: string) {
    return this.answer('close', caller, reason);
  }
}

describe('预警 routes: sides, 督办/核查, the whole record, closed ones listed', () => {
  let api: TestApi;
  let control: RecordingControl;

  beforeEach(async () => {
    control = new RecordingControl();
    api = await buildTestApi({ deps: { alarmControl: control } });
  });
  afterEach(() => api.close());

  const post = (user: TestUser, verb: string, payload: unknown) =>
    api.app.inject({
      method: 'POST',
      url: `/api/v1/warnings/warning-e1/${verb}`,
      headers: api.auth(user),
      payload: payload as Record<string, unknown>,
    });

  it('hands each step to the engine with the caller’s side; the table refuses the wrong role first', async () => {
    const deadline = api.now + 30 * MIN;
    expect((await post('opE1', 'sign', {})).statusCode).toBe(200);
    expect((await post('smE1', 'feedback', { text: '已处置' })).statusCode).toBe(200);
    expect((await post('regCounty', 'urge', { text: '请尽快反馈', deadline })).statusCode).toBe(200);
    expect((await post('regCity', 'verify', { text: '核查属实' })).statusCode).toBe(200);
    expect((await post('admin', 'close', { reason: '测试' })).statusCode).toBe(200);
    expect(control.calls).toEqual([
      ['sign', { actor: 'opE1', party: 'enterprise' }],
      ['feedback', { actor: 'smE1', party: 'enterprise' }, '已处置'],
      ['urge', { actor: 'regCounty', party: 'county' }, '请尽快反馈', deadline],
      ['verify', { actor: 'regCity', party: 'city' }, '核查属实'],
      ['close', { actor: 'admin', party: 'admin' }, '测试'],
    ]);
    // 签收 is the enterprise's, 督办 and 核查 the regulator's (authority table, 403 before the engine).
    for (const [user, verb, body] of [
      ['regCounty', 'sign', {}],
      ['opE1', 'urge', { text: 'x', deadline }],
      ['opE1', 'verify', { text: 'x' }],
      ['viewerCounty', 'close', { reason: 'x' }],
    ] as const) {
      const res = await post(user, verb, body);
      expect([user, verb, res.statusCode]).toEqual([user, verb, 403]);
    }
    expect(control.calls).toHaveLength(5);
  });

  it('refuses a 督办 without a deadline or a note, and a verification without text (400)', async () => {
    expect((await post('regCounty', 'urge', { text: '督办' })).statusCode).toBe(400);
    expect((await post('regCounty', 'urge', { text: '', deadline: api.now + MIN })).statusCode).toBe(400);
    expect((await post('regCounty', 'verify', {})).statusCode).toBe(400);
    expect(control.calls).toEqual([]);
  });

  it('answers the whole record: closing rule, cause with value and limit, deadlines, deliveries, events with text', async () => {
    const opened = api.now - 30_000;
    await api.client.query(
      `INSERT INTO warning_events (warning_id, type, from_state, to_state, ts, actor, colour, level, detail)
       VALUES ('warning-e1', 'opened', NULL, 'pushed', to_timestamp($1 / 1000.0), 'system', 'red', 'enterprise', '{"causeAlarmIds":["alarm-e1"]}'),
              ('warning-e1', 'signed', 'pushed', 'signed', to_timestamp($2 / 1000.0), 'opE1', 'red', 'enterprise', '{"party":"enterprise"}'),
              ('warning-e1', 'feedback', 'signed', 'feedback', to_timestamp($3 / 1000.0), 'opE1', 'red', 'enterprise', '{"party":"enterprise","text":"已关闭进料阀"}')`,
      [opened, opened + 1_000, opened + 2_000],
    );
    await api.client.query(
      `INSERT INTO notification_outbox (channel, payload, created_at, next_attempt_at, warning_id, kind, recipient, failed_at, last_error, attempts)
       VALUES ('sms', '{}', to_timestamp($1 / 1000.0), to_timestamp($1 / 1000.0), 'warning-e1', 'opened',
               '{"role":"principal","name":"张三","address":"13800000000","regionCode":null}', to_timestamp($1 / 1000.0), 'no SMS gateway', 1)`,
      [opened],
    );
    for (const user of ['opE1', 'regCounty'] as const) {
      const res = await api.app.inject({
        method: 'GET',
        url: '/api/v1/warnings/warning-e1',
        headers: api.auth(user),
      });
      expect(res.statusCode, res.body).toBe(200);
      const d = res.json<WarningDetail>();
      expect(d.closing).toEqual({ closedBy: 'regulator', after: 'verified' });
      expect(d.causes).toEqual([
        expect.objectContaining({
          alarmId: 'alarm-e1',
          tag: 'LT-1101',
          condition: 'HH',
          value: 90,
          limit: 85,
        }),
      ]);
      expect(d.deadlines).toEqual([
        { step: 'sign', dueAt: opened + 5 * MIN, metAt: opened + 1_000, overdue: false },
        { step: 'feedback', dueAt: opened + 30 * MIN, metAt: opened + 2_000, overdue: false },
      ]);
      expect(d.deliveries).toEqual([
        expect.objectContaining({
          channel: 'sms',
          kind: 'opened',
          state: 'failed',
          lastError: 'no SMS gateway',
        }),
      ]);
      expect(d.events.map((e) => [e.type, e.actor, e.party, e.text])).toEqual([
        ['opened', 'system', null, null],
        ['signed', 'opE1', 'enterprise', null],
        ['feedback', 'opE1', 'enterprise', '已关闭进料阀'],
      ]);
    }
  });

  /** warning-e1 (red) as escalated to the city level, in `state`. */
  const escalate = (state: string) =>
    api.client.query(`UPDATE warnings SET state = $1, record = '{"level":"city"}' WHERE id = 'warning-e1'`, [
      state,
    ]);
  const stepsFor = async (user: TestUser): Promise<WarningAction[]> => {
    const res = await api.app.inject({
      method: 'GET',
      url: '/api/v1/warnings/warning-e1',
      headers: api.auth(user),
    });
    expect(res.statusCode, res.body).toBe(200);
    return res.json<WarningDetail>().steps;
  };
  const everyone = ['opE1', 'smE1', 'regCounty', 'regCity', 'regProvince', 'admin', 'viewerCounty'] as const;

  it.each<[string, Record<(typeof everyone)[number], WarningAction[]>]>([
    [
      'pushed',
      {
        opE1: ['sign'],
        smE1: ['sign'],
        regCounty: ['urge'],
        regCity: ['urge'],
        regProvince: ['urge'],
        admin: ['sign', 'urge'],
        viewerCounty: [],
      },
    ],
    [
      'feedback',
      {
        opE1: ['feedback'],
        smE1: ['feedback'],
        regCounty: ['urge', 'verify'],
        regCity: ['urge', 'verify'],
        regProvince: ['urge', 'verify'],
        admin: ['feedback', 'urge', 'verify', 'close'],
        viewerCounty: [],
      },
    ],
    [
      // Red closes by a regulator after 核查, at or above the level (city): not the county.
      'verified',
      {
        opE1: ['feedback'],
        smE1: ['feedback'],
        regCounty: ['urge'],
        regCity: ['urge', 'close'],
        regProvince: ['urge', 'close'],
        admin: ['feedback', 'urge', 'close'],
        viewerCounty: [],
      },
    ],
  ])('answers the steps each caller may take on an escalated red 预警 (%s)', async (state, expected) => {
    await escalate(state);
    const got: Record<string, WarningAction[]> = {};
    for (const user of everyone) got[user] = await stepsFor(user);
    expect(got).toEqual(expected);
  });

  it('answers no step on a closed 预警', async () => {
    await api.client.query(
      `UPDATE warnings SET state = 'closed', closed_at = updated_at, record = NULL WHERE id = 'warning-e1'`,
    );
    for (const user of everyone) expect([user, await stepsFor(user)]).toEqual([user, []]);
  });

  it('lists closed 预警 when asked, by status or by state, newest first', async () => {
    await api.client.query(
      `UPDATE warnings SET state = 'closed', closed_at = updated_at, record = NULL WHERE id = 'warning-e1'`,
    );
    await api.client.query(
      `INSERT INTO warning_events (warning_id, type, from_state, to_state, ts, actor, colour, level, detail)
       VALUES ('warning-e1', 'closed', 'verified', 'closed', to_timestamp($1 / 1000.0), 'regCounty', 'red', 'county', '{"party":"county","forced":false}')`,
      [api.now],
    );
    const list = async (query: string) => {
      const res = await api.app.inject({
        method: 'GET',
        url: `/api/v1/warnings?${query}`,
        headers: api.auth('regCity'),
      });
      expect(res.statusCode, res.body).toBe(200);
      return res.json<WarningPage>().items.map((w) => [w.id, w.state, w.level]);
    };
    expect(await list(`enterprise=${E1}`)).toEqual([]);
    expect(await list(`enterprise=${E1}&status=closed`)).toEqual([['warning-e1', 'closed', 'county']]);
    expect(await list(`enterprise=${E1}&state=closed`)).toEqual([['warning-e1', 'closed', 'county']]);
    expect(await list(`enterprise=${E1}&open=false`)).toEqual([['warning-e1', 'closed', 'county']]);
    expect((await list('status=all')).map((w) => w[0])).toEqual(['warning-e1', 'warning-e3']);
    // Every state may be asked for at once, 'verified' (核查) included.
    const every = 'state=pushed&state=signed&state=feedback&state=verified&state=closed';
    expect((await list(`${every}&status=all`)).map((w) => w[0])).toEqual(['warning-e1', 'warning-e3']);
  });
});

describe('GET /warnings/records: the whole records of a list in one request, in the caller’s scope', () => {
  let api: TestApi;
  beforeEach(async () => {
    api = await buildTestApi({ deps: { alarmControl: new RecordingControl() } });
  });
  afterEach(() => api.close());

  const get = (user: TestUser, url: string) =>
    api.app.inject({ method: 'GET', url, headers: api.auth(user) });
  const records = async (user: TestUser, query = ''): Promise<WarningRecordPage> => {
    const res = await get(user, `/api/v1/warnings/records${query}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json<WarningRecordPage>();
  };

  it('answers each visible 预警 as GET /warnings/:id does for that caller, none outside its scope', async () => {
    await api.client.query(
      `INSERT INTO warning_events (warning_id, type, from_state, to_state, ts, actor, colour, level, detail)
       VALUES ('warning-e1', 'opened', NULL, 'pushed', to_timestamp($1 / 1000.0), 'system', 'red', 'enterprise', '{"causeAlarmIds":["alarm-e1"]}')`,
      [api.now - 30_000],
    );
    const ids = async (user: TestUser, query = '') => (await records(user, query)).items.map((w) => w.id);
    expect(await ids('opE1')).toEqual(['warning-e1']);
    expect(await ids('regCounty')).toEqual(['warning-e1']);
    expect(await ids('viewerCounty')).toEqual(['warning-e1']);
    expect(await ids('opE2')).toEqual([]);
    expect((await ids('admin')).sort()).toEqual(['warning-e1', 'warning-e3']);
    // A filter narrows the caller's scope, never widens it.
    expect(await ids('opE1', `?enterprise=${E3}`)).toEqual([]);
    expect(await ids('admin', `?enterprise=${E1}`)).toEqual(['warning-e1']);
    expect((await records('admin', '?status=closed')).total).toBe(0);

    for (const user of ['opE1', 'regCounty', 'viewerCounty'] as const) {
      const one = (await get(user, '/api/v1/warnings/warning-e1')).json<WarningDetail>();
      const listed = (await records(user)).items[0]!;
      expect([user, listed]).toEqual([user, one]);
    }
    const mine = (await records('opE1')).items[0]!;
    expect(mine.steps).toEqual(['sign']);
    expect(mine.causes).toEqual([
      expect.objectContaining({ alarmId: 'alarm-e1', tag: 'LT-1101', value: 90 }),
    ]);
    expect(mine.deadlines.map((d) => d.step)).toEqual(['sign', 'feedback']);
    expect((await records('regCounty')).items[0]!.steps).toEqual(['urge']);
  });

  it('pages by at most 50 records and refuses the unauthenticated', async () => {
    expect((await records('admin', '?limit=1')).items).toHaveLength(1);
    expect((await records('admin', '?limit=1')).total).toBe(2);
    expect((await get('admin', '/api/v1/warnings/records?limit=51')).statusCode).toBe(400);
    expect((await api.app.inject({ method: 'GET', url: '/api/v1/warnings/records' })).statusCode).toBe(401);
  });
});

describe('预警 steps follow the authority table', () => {
  let api: TestApi;
  afterEach(() => api.close());

  it('leaves out a step the table refuses the role, though the desk would take it', async () => {
    api = await buildTestApi({
      deps: { alarmControl: new RecordingControl() },
      config: {
        authority: {
          'warning.feedback': { operator: 'refuse' },
          'warning.close': { regulator_city: 'refuse' },
        },
      },
    });
    await api.client.query(
      `UPDATE warnings SET state = 'verified', record = '{"level":"city"}' WHERE id = 'warning-e1'`,
    );
    const steps = async (user: TestUser) =>
      (
        await api.app.inject({ method: 'GET', url: '/api/v1/warnings/warning-e1', headers: api.auth(user) })
      ).json<WarningDetail>().steps;
    expect(await steps('opE1')).toEqual([]);
    expect(await steps('smE1')).toEqual(['feedback']);
    expect(await steps('regCity')).toEqual(['urge']);
    expect(await steps('regProvince')).toEqual(['urge', 'close']);
  });
});
