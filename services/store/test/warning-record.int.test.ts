/**
 * The whole 预警 record as stored (issue #19): events with actor, side, text, deadline, step and
 * forced flag; causes with the value at raise and the limit; closed 预警 listed with their level.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  compileWarningPolicy,
  requireValidSite,
  SiteIndex,
  WarningDesk,
  type WarningEvent,
  type WarningRecord,
} from '@hazardwatch/core';
import {
  AlarmRepository,
  migrate,
  queryWarnings,
  sqlClientFromPg,
  warningById,
  warningCauses,
  WarningRepository,
  type SqlClient,
} from '@hazardwatch/store';
import { createTestDatabase, type TestDatabase } from './support/db.js';
import { silentLogger } from './support/logger.js';

/** Province → city → county, enterprise E1 with hazard H1. */
function site(): SiteIndex {
  const person = (name: string) => ({ name, phone: '13800000000' });
  return new SiteIndex(
    requireValidSite({
      version: 1,
      regions: [
        { code: '320000', name: '省', kind: 'province' },
        { code: '320600', name: '市', kind: 'city', parent: '320000' },
        { code: '320623', name: '县', kind: 'county', parent: '320600' },
      ],
      enterprises: [{ code: 'E1', name: '甲', region: '320623', location: { lon: 121, lat: 32.5 } }],
      hazards: [
        {
          code: 'H1',
          enterprise: 'E1',
          name: '罐区',
          declaredLevel: 1,
          type: 'tank_farm',
          responsible: { principal: person('张'), technical: person('李'), operational: person('王') },
          location: { lon: 121, lat: 32.5 },
          inventory: [{ substance: 'Cl2', designMaxTonnes: 10 }],
          exposedPopulation: 1,
        },
      ],
      gateways: [],
      points: [],
    }).site,
  );
}
const T0 = Date.UTC(2026, 0, 5, 8, 0, 0);
const MIN = 60_000;

describe('预警 record: events, causes, lists', () => {
  let db: TestDatabase;
  let client: SqlClient;

  beforeEach(async () => {
    db = await createTestDatabase();
    client = sqlClientFromPg(db.pool());
    await migrate(client, { logger: silentLogger, dialect: 'postgres' });
  });
  afterEach(async () => {
    await db.drop();
  });

  /** Writes what a desk produced, as the engine does (open records beside the events). */
  async function store(desk: WarningDesk, events: readonly WarningEvent[]): Promise<void> {
    const openRecords = new Map<string, WarningRecord>();
    for (const e of events) {
      const r = desk.get(e.warningId);
      if (r) openRecords.set(e.warningId, r);
    }
    await new WarningRepository(client).write({ events, openRecords });
  }

  it('keeps every event’s actor, side, text, deadline, step and forced flag; lists the closed one with its level', async () => {
    const desk = new WarningDesk(site(), { policy: compileWarningPolicy() });
    const run = async (r: ReturnType<WarningDesk['open']>) => {
      if (!r.ok) throw r.error;
      await store(desk, r.events);
      return r;
    };
    const id = (await run(desk.open({ enterprise: 'E1', hazard: 'H1' }, 'red', ['a1'], T0))).warningId!;
    await run(desk.tick(T0 + 6 * MIN)); // sign missed at 5 min → county
    await run(desk.sign(id, { id: 'op1', party: 'enterprise' }, T0 + 7 * MIN));
    await run(
      desk.urge(
        id,
        { id: 'reg1', party: 'county' },
        { text: '请30分钟内反馈', deadlineMs: T0 + 40 * MIN },
        T0 + 8 * MIN,
      ),
    );
    await run(desk.feedback(id, { id: 'op1', party: 'enterprise' }, '已关闭进料阀', T0 + 9 * MIN));
    await run(desk.verify(id, { id: 'reg1', party: 'county' }, '现场核查属实', T0 + 10 * MIN));
    await run(
      desk.close(
        id,
        { id: 'reg1', party: 'county' },
        { causeActive: true, reason: '仪表待修' },
        T0 + 11 * MIN,
      ),
    );

    const events = await new WarningRepository(client).events(id);
    expect(events.map((e) => [e.type, e.actor, e.party, e.text, e.step, e.deadline, e.forced])).toEqual([
      ['opened', 'system', null, null, null, null, null],
      ['escalated', 'system', null, null, 'sign', null, null],
      ['signed', 'op1', 'enterprise', null, null, null, null],
      ['urged', 'reg1', 'county', '请30分钟内反馈', null, T0 + 40 * MIN, null],
      ['feedback', 'op1', 'enterprise', '已关闭进料阀', null, null, null],
      ['verified', 'reg1', 'county', '现场核查属实', null, null, null],
      ['closed', 'reg1', 'county', '仪表待修', null, null, true],
    ]);
    expect(events[0]).toMatchObject({
      causeAlarmIds: ['a1'],
      colour: 'red',
      level: 'enterprise',
      from: null,
    });

    // Closed 预警 are listed when asked, with the level they were closed at.
    const list = (status: 'open' | 'closed' | 'all') =>
      queryWarnings(client, { status, enterprises: null, limit: 10, offset: 0 });
    expect((await list('open')).items).toEqual([]);
    expect((await list('closed')).items.map((w) => [w.id, w.state, w.level])).toEqual([
      [id, 'closed', 'county'],
    ]);
    expect((await list('all')).total).toBe(1);
    expect(await warningById(client, id)).toMatchObject({
      state: 'closed',
      level: 'county',
      closedAt: T0 + 11 * MIN,
    });
  });

  it('gives each cause with the value that raised it and the limit it crossed', async () => {
    const base = {
      source: { kind: 'point' as const, pointId: 7 },
      sourceKey: 'point:7',
      condition: 'HH' as const,
      state: 'UNACK' as const,
      active: true,
      latched: false,
      colour: 'red' as const,
      raisedAt: T0,
      stateSinceMs: T0,
      lastActivationMs: T0,
      ackedAt: null,
      ackedBy: null,
      value: 93.5, // latest value in the record
      limit: 85,
      shelvedUntilMs: null,
      shelveReason: null,
      suppressReason: null,
      suppressedBy: null,
      outOfServiceReason: null,
      chattering: false,
    };
    await new AlarmRepository(client).write({
      alarms: [
        { ...base, id: 'a1' },
        { ...base, id: 'a2', condition: 'H', limit: 80, value: 81 },
      ],
      events: [
        {
          alarmId: 'a1',
          sourceKey: 'point:7',
          pointId: 7,
          condition: 'HH',
          from: 'NORM',
          to: 'UNACK',
          ts: T0,
          actor: 'system',
          reason: null,
          value: 88.2,
        },
      ],
      colourChanges: [],
    });
    expect(await warningCauses(client, ['a2', 'a1', 'missing'])).toEqual([
      expect.objectContaining({ alarmId: 'a2', condition: 'H', value: 81, limit: 80, pointId: 7 }),
      // The raising event's value, not the record's latest.
      expect.objectContaining({ alarmId: 'a1', condition: 'HH', value: 88.2, limit: 85, raisedAt: T0 }),
    ]);
    expect(await warningCauses(client, [])).toEqual([]);
  });
});
