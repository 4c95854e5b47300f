import { describe, expect, it } from 'vitest';
import {
  AlarmBook,
  DEFAULT_COLOUR_POLICY,
  compileAlarmPolicy,
  siteColourOf,
  type AlarmPolicy,
  type AlarmSource,
  type BookUpdate,
} from '@hazardwatch/core';
import { P1, T0, clear, idSequence, raise, rollupSite } from './alarm-fixture.js';

const P2: AlarmSource = { kind: 'point', pointId: 2 };
const GW: AlarmSource = { kind: 'gateway', enterprise: 'E1', gateway: 'GW1' };
const pairs = (u: BookUpdate): string[] => u.events.map((e) => `${e.alarmId}:${e.from}→${e.to}`);

function policy(input: unknown): AlarmPolicy {
  const r = compileAlarmPolicy(input);
  if (!r.ok) throw r.error;
  return r.value;
}

const book = (p?: unknown) =>
  new AlarmBook({ newId: idSequence(), ...(p === undefined ? {} : { policy: policy(p) }) });

function must<T>(r: { ok: true; value: T } | { ok: false; error: Error }): T {
  if (!r.ok) throw r.error;
  return r.value;
}

describe('AlarmBook: one open alarm per (source, condition)', () => {
  it('a raise on an open alarm never duplicates; a closed alarm is replaced by a new id', () => {
    const b = book();
    expect(pairs(b.change(raise(P1, 'H', T0, 81)))).toEqual(['a1:NORM→UNACK']);
    expect(b.change(raise(P1, 'H', T0 + 1, 82)).events).toEqual([]);
    expect(b.open().map((a) => a.id)).toEqual(['a1']);
    expect(pairs(b.change(clear(P1, 'H', T0 + 2)))).toEqual(['a1:UNACK→RTNUN']);
    const acked = must(b.act({ alarmId: 'a1' }, { action: 'ack', actor: 'u1', ts: T0 + 3 }));
    expect(pairs(acked)).toEqual(['a1:RTNUN→NORM']);
    expect(acked.alarms.map((a) => [a.id, a.state])).toEqual([['a1', 'NORM']]);
    expect(b.open()).toEqual([]);
    expect(b.get('a1')).toBeUndefined();
    expect(pairs(b.change(raise(P1, 'H', T0 + 4)))).toEqual(['a2:NORM→UNACK']);
  });

  it('a clear with no open alarm is ignored', () => {
    const b = book();
    expect(b.change(clear(P1, 'H', T0))).toEqual({ events: [], alarms: [] });
    expect(b.open()).toEqual([]);
  });

  it('conditions and sources are separate alarms; H acked then HH is a new UNACK alarm (H suppressed by design)', () => {
    const b = book();
    b.change(raise(P1, 'H', T0));
    must(b.act({ alarmId: 'a1' }, { action: 'ack', actor: 'u1', ts: T0 + 1 }));
    b.change(raise(P1, 'HH', T0 + 2));
    b.change(raise(P2, 'H', T0 + 3));
    b.change(raise(GW, 'GATEWAY_OFFLINE', T0 + 4));
    expect(b.open().map((a) => [a.id, a.sourceKey, a.condition, a.state])).toEqual([
      ['a1', 'point:1', 'H', 'DSUPR'],
      ['a2', 'point:1', 'HH', 'UNACK'],
      ['a3', 'point:2', 'H', 'UNACK'],
      ['a4', 'gateway:E1/GW1', 'GATEWAY_OFFLINE', 'UNACK'],
    ]);
    expect(b.find(P1, 'HH')?.id).toBe('a2');
  });

  it('operator actions: unknown id refused; a normal alarm can be shelved or taken out of service ahead', () => {
    const b = book();
    const missing = b.act({ alarmId: 'nope' }, { action: 'ack', actor: 'u1', ts: T0 });
    expect(missing.ok ? null : missing.error.code).toBe('HW_CORE_ALARM_NOT_FOUND');
    const ackNormal = b.act({ source: P1, condition: 'HH' }, { action: 'ack', actor: 'u1', ts: T0 });
    expect(ackNormal.ok ? null : ackNormal.error.data).toMatchObject({ action: 'ack', state: 'NORM' });
    expect(b.open()).toEqual([]);

    const oos = must(
      b.act(
        { source: P1, condition: 'HH' },
        { action: 'remove_from_service', actor: 'u1', ts: T0, reason: 'detector swap' },
      ),
    );
    expect(pairs(oos)).toEqual(['a2:NORM→OOSRV']);
    // The condition occurs while out of service: tracked, not annunciated, no second alarm.
    expect(b.change(raise(P1, 'HH', T0 + 1)).events).toEqual([]);
    expect(b.open().map((a) => [a.id, a.state, a.active])).toEqual([['a2', 'OOSRV', true]]);
    const back = must(
      b.act({ source: P1, condition: 'HH' }, { action: 'return_to_service', actor: 'u1', ts: T0 + 2 }),
    );
    expect(pairs(back)).toEqual(['a2:OOSRV→UNACK']);
  });

  it('a refused request changes nothing', () => {
    const b = book();
    b.change(raise(P1, 'H', T0));
    const before = b.open();
    const r = b.act({ alarmId: 'a1' }, { action: 'shelve', actor: 'u1', ts: T0, reason: 'noisy' });
    expect(r.ok ? null : r.error.code).toBe('HW_CORE_ALARM_SHELVE_EXPIRY_REQUIRED');
    expect(b.open()).toEqual(before);
  });
});

describe('AlarmBook: time', () => {
  it('a shelve ends by itself at expiry, into UNACK or NORM by the condition', () => {
    const b = book();
    b.change(raise(P1, 'H', T0));
    b.change(raise(P2, 'H', T0));
    for (const id of ['a1', 'a2'])
      must(
        b.act(
          { alarmId: id },
          { action: 'shelve', actor: 'u1', ts: T0 + 1, reason: 'noisy', untilMs: T0 + 60_000 },
        ),
      );
    b.change(clear(P2, 'H', T0 + 2));
    expect(b.tick(T0 + 59_999).events).toEqual([]);
    const u = b.tick(T0 + 60_000);
    expect(pairs(u)).toEqual(['a1:SHLVD→UNACK', 'a2:SHLVD→NORM']);
    expect(u.events.every((e) => e.actor === 'system' && e.reason === 'shelve expired')).toBe(true);
    expect(b.open().map((a) => a.id)).toEqual(['a1']);
  });

  it('re-alarm time sends a still-active acknowledged alarm back to UNACK', () => {
    const b = book({ reAlarmMs: 600_000 });
    b.change(raise(P1, 'H', T0));
    must(b.act({ alarmId: 'a1' }, { action: 'ack', actor: 'u1', ts: T0 + 10 }));
    expect(b.tick(T0 + 600_009).events).toEqual([]);
    expect(pairs(b.tick(T0 + 600_010))).toEqual(['a1:ACKED→UNACK']);
  });

  it('recolour re-alarms an acknowledged alarm at higher severity', () => {
    const b = book();
    b.change(raise(P1, 'H', T0));
    must(b.act({ alarmId: 'a1' }, { action: 'ack', actor: 'u1', ts: T0 + 1 }));
    expect(pairs(must(b.recolour('a1', 'red', T0 + 2, 'multi-detector')))).toEqual(['a1:ACKED→UNACK']);
    expect(b.get('a1')?.colour).toBe('red');
    const missing = b.recolour('zz', 'red', T0, 'x');
    expect(missing.ok ? null : missing.error.code).toBe('HW_CORE_ALARM_NOT_FOUND');
  });
});

describe('AlarmBook: chattering (≥ 3 transitions to active in 60 s)', () => {
  const flap = (b: AlarmBook, times: readonly number[]): BookUpdate[] =>
    times.flatMap((t) => [b.change(raise(P1, 'H', t)), b.change(clear(P1, 'H', t + 1))]);

  it('flags the alarm on the third activation within the window', () => {
    const b = book();
    flap(b, [T0, T0 + 20_000]);
    expect(b.find(P1, 'H')?.chattering).toBe(false);
    b.change(raise(P1, 'H', T0 + 40_000));
    expect(b.find(P1, 'H')).toMatchObject({ chattering: true, state: 'UNACK' });
  });

  it('three activations spread over more than 60 s are not chattering', () => {
    const b = book();
    flap(b, [T0, T0 + 30_000]);
    b.change(raise(P1, 'H', T0 + 60_000));
    expect(b.find(P1, 'H')?.chattering).toBe(false);
  });

  it('counts across alarm records (each closed by an ack)', () => {
    const b = book();
    for (const t of [T0, T0 + 10_000]) {
      b.change(raise(P1, 'H', t));
      const id = b.find(P1, 'H')!.id;
      must(b.act({ alarmId: id }, { action: 'ack', actor: 'u1', ts: t + 1 }));
      b.change(clear(P1, 'H', t + 2));
    }
    expect(b.open()).toEqual([]);
    b.change(raise(P1, 'H', T0 + 20_000));
    expect(b.find(P1, 'H')).toMatchObject({ id: 'a3', chattering: true });
  });

  it('autoSuppress puts it in DSUPR with the rule as reason, and releases it after the quiet period', () => {
    const b = book({ chattering: { autoSuppress: true } });
    flap(b, [T0, T0 + 20_000]);
    const third = b.change(raise(P1, 'H', T0 + 40_000));
    expect(third.events.map((e) => [e.from, e.to, e.reason])).toEqual([
      ['RTNUN', 'UNACK', 're-alarm: condition active again'],
      ['UNACK', 'DSUPR', 'chattering: ≥3 in 60s'],
    ]);
    // Keeps flapping while suppressed: no events, the quiet period restarts.
    expect(b.change(clear(P1, 'H', T0 + 40_001)).events).toEqual([]);
    expect(flap(b, [T0 + 50_000]).flatMap((u) => u.events)).toEqual([]);
    expect(b.tick(T0 + 50_000 + 299_999).events).toEqual([]);
    const released = b.tick(T0 + 50_000 + 300_000);
    expect(released.events.map((e) => [e.from, e.to])).toEqual([['DSUPR', 'NORM']]);
    expect(b.open()).toEqual([]);
  });
});

describe('AlarmBook: restart', () => {
  it('load restores open alarms; a raise then joins the restored alarm', () => {
    const first = book();
    first.change(raise(P1, 'H', T0));
    first.change(raise(P2, 'HH', T0));
    must(first.act({ alarmId: 'a2' }, { action: 'ack', actor: 'u1', ts: T0 + 1 }));
    const saved = first.open();

    const second = new AlarmBook({ newId: idSequence('b') });
    expect(must(second.load(saved))).toBe(2);
    expect(second.change(raise(P1, 'H', T0 + 5)).events).toEqual([]);
    expect(pairs(second.change(clear(P2, 'HH', T0 + 6)))).toEqual(['a2:ACKED→NORM']);
    expect(pairs(second.change(raise(P2, 'HH', T0 + 7)))).toEqual(['b1:NORM→UNACK']);
  });

  it('refuses a load with a closed record or two alarms for one (source, condition), all or nothing', () => {
    const b = book();
    b.change(raise(P1, 'H', T0));
    const a1 = b.open()[0]!;
    const dup = b.load([a1, { ...a1, id: 'other' }]);
    expect(dup.ok ? null : dup.error.code).toBe('HW_CORE_ALARM_LOAD_INVALID');
    expect(b.open()).toEqual([a1]);
    const closed = b.load([{ ...a1, state: 'NORM' }]);
    expect(closed.ok ? null : closed.error.data['problem']).toBe('it is in NORM (closed)');
    const sameId = b.load([a1, { ...a1, condition: 'HH' }]);
    expect(sameId.ok ? null : sameId.error.data['problem']).toBe('its id is repeated');
  });
});

describe('AlarmBook: colour and latching from policy', () => {
  it('new alarms take their colour from the site-aware colour policy', () => {
    const index = rollupSite();
    const b = new AlarmBook({ newId: idSequence(), colourOf: siteColourOf(index, DEFAULT_COLOUR_POLICY) });
    b.change(raise({ kind: 'point', pointId: 2 }, 'HH', T0)); // toxic gas level-2
    b.change(raise({ kind: 'point', pointId: 8 }, 'HH', T0)); // temperature HH on a 四级 hazard
    b.change(raise(GW, 'GATEWAY_OFFLINE', T0));
    expect(b.open().map((a) => a.colour)).toEqual(['red', 'orange', 'blue']);
  });

  it('latchConditions latch new alarms of those conditions', () => {
    const b = book({ latchConditions: ['HH'] });
    b.change(raise(P1, 'HH', T0));
    expect(b.change(clear(P1, 'HH', T0 + 1)).events).toEqual([]);
    expect(b.find(P1, 'HH')).toMatchObject({ state: 'UNACK', active: false, latched: true });
    const ack = must(b.act({ alarmId: 'a1' }, { action: 'ack', actor: 'u1', ts: T0 + 2 }));
    expect(pairs(ack)).toEqual(['a1:UNACK→ACKED', 'a1:ACKED→NORM']);
  });
});
