import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AlarmEvent } from '@hazardwatch/contracts';
import type { AlarmRecord } from '@hazardwatch/core';
import { AlarmRepository, migrate, sqlClientFromPg, sqlState } from '@hazardwatch/store';
import { createTestDatabase, type TestDatabase } from './support/db.js';
import { silentLogger } from './support/logger.js';

const T0 = Date.UTC(2026, 10, 23, 8, 0, 0);

function record(id: string, over: Partial<AlarmRecord> = {}): AlarmRecord {
  return {
    id,
    source: { kind: 'point', pointId: 7 },
    sourceKey: 'point:7',
    condition: 'HH',
    state: 'UNACK',
    active: true,
    latched: false,
    colour: 'red',
    raisedAt: T0,
    stateSinceMs: T0,
    lastActivationMs: T0,
    ackedAt: null,
    ackedBy: null,
    value: 2.1,
    limit: 2,
    shelvedUntilMs: null,
    shelveReason: null,
    suppressReason: null,
    suppressedBy: null,
    outOfServiceReason: null,
    chattering: false,
    ...over,
  };
}

function event(
  alarmId: string,
  from: AlarmEvent['from'],
  to: AlarmEvent['to'],
  ts: number,
  actor = 'system',
): AlarmEvent {
  return {
    alarmId,
    sourceKey: 'point:7',
    pointId: 7,
    condition: 'HH',
    from,
    to,
    ts,
    actor,
    reason: null,
    value: 2.1,
  };
}

describe('AlarmRepository (PostgreSQL)', () => {
  let db: TestDatabase;
  let repo: AlarmRepository;

  beforeEach(async () => {
    db = await createTestDatabase();
    const client = sqlClientFromPg(db.pool());
    await migrate(client, { logger: silentLogger, dialect: 'postgres' });
    repo = new AlarmRepository(client);
  });
  afterEach(() => db.drop());

  it('stores alarms with their events and reloads the open ones', async () => {
    await repo.write({
      alarms: [
        record('a1'),
        record('g1', {
          source: { kind: 'gateway', enterprise: 'E1', gateway: 'GW1' },
          sourceKey: 'gateway:E1/GW1',
          condition: 'GATEWAY_OFFLINE',
          colour: 'blue',
        }),
      ],
      events: [event('a1', 'NORM', 'UNACK', T0)],
      colourChanges: [{ level: 'hazard', code: 'E1/TF1', from: null, to: 'red', ts: T0 }],
    });
    await repo.write({
      alarms: [record('a1', { state: 'ACKED', ackedBy: 'u1', stateSinceMs: T0 + 1000 })],
      events: [event('a1', 'UNACK', 'ACKED', T0 + 1000, 'u1')],
      colourChanges: [],
    });
    const open = await repo.openAlarms();
    expect(open.map((a) => [a.id, a.state])).toEqual([
      ['a1', 'ACKED'],
      ['g1', 'UNACK'],
    ]);
    expect(open[1]!.source).toEqual({ kind: 'gateway', enterprise: 'E1', gateway: 'GW1' });
    const events = await repo.events(T0, T0 + 2000);
    expect(events.map((e) => [e.from, e.to, e.actor, e.colour, e.pointId])).toEqual([
      ['NORM', 'UNACK', 'system', 'red', 7],
      ['UNACK', 'ACKED', 'u1', 'red', 7],
    ]);
  });

  it('stores and reads back late events (replayed readings) with their source times', async () => {
    await repo.write({
      alarms: [record('a1', { state: 'RTNUN', active: false, late: true, stateSinceMs: T0 + 20_000 })],
      events: [
        { ...event('a1', 'NORM', 'UNACK', T0), late: true },
        { ...event('a1', 'UNACK', 'RTNUN', T0 + 20_000), late: true },
      ],
      colourChanges: [],
    });
    await repo.write({
      alarms: [record('a1', { state: 'NORM', active: false, late: true, stateSinceMs: T0 + 90_000 })],
      events: [event('a1', 'RTNUN', 'NORM', T0 + 90_000, 'u1')],
      colourChanges: [],
    });
    const events = await repo.events(T0, T0 + 100_000);
    expect(events.map((e) => [e.from, e.to, e.ts - T0, e.late === true])).toEqual([
      ['NORM', 'UNACK', 0, true],
      ['UNACK', 'RTNUN', 20_000, true],
      ['RTNUN', 'NORM', 90_000, false],
    ]);
    expect((await repo.eventsAfter(0, 10)).map((e) => e.late === true)).toEqual([true, true, false]);
    expect((await repo.kpiReport({ fromMs: T0 - 1000, toMs: T0 + 100_000 })).late).toEqual({ count: 1 });
  });

  it('refuses a second open alarm for one source and condition, keeping nothing of that write', async () => {
    await repo.write({
      alarms: [record('a1')],
      events: [event('a1', 'NORM', 'UNACK', T0)],
      colourChanges: [],
    });
    const error = await repo
      .write({ alarms: [record('a2')], events: [event('a2', 'NORM', 'UNACK', T0 + 5)], colourChanges: [] })
      .catch((e: unknown) => e);
    expect(sqlState(error)).toBe('23505');
    expect((await repo.openAlarms()).map((a) => a.id)).toEqual(['a1']);
    expect(await repo.events(T0, T0 + 10)).toHaveLength(1);
  });

  it('closes an alarm and opens the next occurrence of the same condition in one write', async () => {
    await repo.write({
      alarms: [record('a1')],
      events: [event('a1', 'NORM', 'UNACK', T0)],
      colourChanges: [],
    });
    await repo.write({
      // The new occurrence is listed first on purpose: the repository orders the closing first.
      alarms: [
        record('a2', { raisedAt: T0 + 60_000 }),
        record('a1', { state: 'NORM', active: false, stateSinceMs: T0 + 30_000 }),
      ],
      events: [
        event('a1', 'UNACK', 'RTNUN', T0 + 20_000),
        event('a1', 'RTNUN', 'NORM', T0 + 30_000, 'u1'),
        event('a2', 'NORM', 'UNACK', T0 + 60_000),
      ],
      colourChanges: [],
    });
    expect((await repo.openAlarms()).map((a) => a.id)).toEqual(['a2']);
    expect(await repo.pruneClosedBefore(T0 + 40_000)).toBe(1);
    expect((await repo.events(T0, T0 + 100_000)).map((e) => e.alarmId)).toEqual(['a2']);
  });

  it("gives each event read for live clients its alarm's limit, a rate-of-change slope included", async () => {
    await repo.write({
      alarms: [record('a1', { condition: 'ROC_RISE', limit: 0.05 }), record('a2', { limit: null })],
      events: [event('a1', 'NORM', 'UNACK', T0), event('a2', 'NORM', 'UNACK', T0 + 1)],
      colourChanges: [],
    });
    expect((await repo.eventsAfter(0, 10)).map((e) => [e.alarmId, e.limit])).toEqual([
      ['a1', 0.05],
      ['a2', null],
    ]);
  });

  it('reads events after an id in id order across a decimal digit, page by page without a duplicate or a gap', async () => {
    // Ids 1 to 12: as text, "10" < "2". The id was selected as text and the page sorted by that
    // output column, so a page crossing 9 → 10 (999 → 1000, …) came out of order and the next page
    // (after the last id of the page) sent events again and skipped others: a live tail or a Redis
    // outage's catch-up of thousands of events lost some and duplicated others on the screens.
    await repo.write({
      alarms: [record('a1')],
      events: Array.from({ length: 12 }, (_, i) =>
        event('a1', i % 2 === 0 ? 'NORM' : 'UNACK', i % 2 === 0 ? 'UNACK' : 'NORM', T0 + i),
      ),
      colourChanges: [],
    });
    const all = (await repo.eventsAfter(0, 100)).map((e) => e.id);
    expect(all).toHaveLength(12);
    expect(all).toEqual([...all].sort((a, b) => a - b));
    const paged: number[] = [];
    for (let after = 0; ;) {
      const page = await repo.eventsAfter(after, 5);
      paged.push(...page.map((e) => e.id));
      if (page.length < 5) break;
      after = page[page.length - 1]!.id;
    }
    expect(paged).toEqual(all);
  });

  it('reads the events of a range in the order they happened: at one timestamp by id, across a decimal digit', async () => {
    // Twelve events at one timestamp (ids 1 to 12): only the id orders them. The id was selected as
    // text and the tie sorted by that output column ("10" < "2"), so KPIs and history read an
    // alarm's transitions out of order past the 9th (99th, …) event of a millisecond.
    await repo.write({
      alarms: [record('a1')],
      events: Array.from({ length: 12 }, (_, i) =>
        event('a1', i % 2 === 0 ? 'NORM' : 'UNACK', i % 2 === 0 ? 'UNACK' : 'NORM', T0),
      ),
      colourChanges: [],
    });
    const inOrder = Array.from({ length: 12 }, (_, i) => i + 1);
    expect.soft((await repo.events(T0, T0 + 1)).map((e) => e.id)).toEqual(inOrder);
    expect
      .soft((await repo.events(T0, T0 + 1, { limit: 10 })).map((e) => e.id))
      .toEqual(inOrder.slice(0, 10));
  });

  it('keeps the order given to events of one write (replay by id follows it) and stores colour changes', async () => {
    // Same timestamp on purpose: only the written order tells RTNUN before NORM before UNACK.
    await repo.write({
      alarms: [record('a1')],
      events: [
        event('a1', 'NORM', 'UNACK', T0),
        event('a1', 'UNACK', 'RTNUN', T0),
        event('a1', 'RTNUN', 'UNACK', T0),
      ],
      colourChanges: [
        { level: 'point', code: '7', from: null, to: 'red', ts: T0 },
        { level: 'hazard', code: 'E1/TF1', from: 'blue', to: 'red', ts: T0 },
        { level: 'enterprise', code: 'E1', from: 'yellow', to: 'red', ts: T0 },
      ],
    });
    const replay = await repo.eventsAfter(0, 10);
    expect(replay.map((e) => e.to)).toEqual(['UNACK', 'RTNUN', 'UNACK']);
    expect(replay.map((e) => e.id)).toEqual([...replay.map((e) => e.id)].sort((a, b) => a - b));
    const { rows } = await db
      .pool()
      .query<{ level: string; code: string; from_colour: string | null }>(
        'SELECT level, code, from_colour FROM colour_events ORDER BY id',
      );
    expect(rows).toEqual([
      { level: 'point', code: '7', from_colour: null },
      { level: 'hazard', code: 'E1/TF1', from_colour: 'blue' },
      { level: 'enterprise', code: 'E1', from_colour: 'yellow' },
    ]);
  });
});
