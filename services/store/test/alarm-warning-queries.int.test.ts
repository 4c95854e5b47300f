import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pointSourceKey, type AlarmEvent } from '@hazardwatch/contracts';
import type { AlarmRecord } from '@hazardwatch/core';
import {
  alarmById,
  alarmEnterprise,
  alarmEvents,
  AlarmRepository,
  ensurePointIds,
  migrate,
  pointKey,
  queryAlarms,
  queryWarnings,
  sqlClientFromPg,
  warningById,
  warningEnterprise,
  type AlarmQuery,
  type SqlClient,
} from '@hazardwatch/store';
import { createTestDatabase, type TestDatabase } from './support/db.js';
import { silentLogger } from './support/logger.js';

const T0 = Date.UTC(2026, 10, 23, 8, 0, 0);
const MIN = 60_000;

function record(id: string, over: Partial<AlarmRecord>): AlarmRecord {
  return {
    id,
    source: { kind: 'point', pointId: 1 },
    sourceKey: 'point:1',
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

function event(a: AlarmRecord, from: AlarmEvent['from'], to: AlarmEvent['to'], ts: number): AlarmEvent {
  const pointId = a.source.kind === 'point' ? a.source.pointId : null;
  return {
    alarmId: a.id,
    sourceKey: a.sourceKey,
    pointId,
    condition: a.condition,
    from,
    to,
    ts,
    actor: 'system',
    reason: null,
    value: a.value,
  };
}

/**
 * The alarm and 预警 queries the REST API lists and routes with (issue #18: moved from the API
 * into the store, which owns these tables), against real PostgreSQL.
 */
describe('alarm and 预警 queries (PostgreSQL)', () => {
  let db: TestDatabase;
  let client: SqlClient;
  const all: AlarmQuery = { openOnly: false, enterprises: null, pointIds: null, limit: 100, offset: 0 };

  beforeEach(async () => {
    db = await createTestDatabase();
    client = sqlClientFromPg(db.pool());
    await migrate(client, { logger: silentLogger, dialect: 'postgres' });
    const ids = await ensurePointIds(client, [{ enterprise: 'E1', tag: 'TI-101' }]);
    const point = ids.get(pointKey('E1', 'TI-101'))!;
    const source = { kind: 'point' as const, pointId: point };
    // An open red point alarm of E1, a closed yellow one of the same point, an open blue
    // gateway alarm of E2 (its enterprise is the gateway's, not a point's).
    const open = record('a-open', { source, sourceKey: pointSourceKey(point), raisedAt: T0 + 2 * MIN });
    const closed = record('a-closed', {
      source,
      sourceKey: pointSourceKey(point),
      condition: 'H',
      colour: 'yellow',
      state: 'NORM',
      active: false,
      raisedAt: T0,
      stateSinceMs: T0 + MIN,
    });
    const gateway = record('g-open', {
      source: { kind: 'gateway', enterprise: 'E2', gateway: 'GW1' },
      sourceKey: 'gateway:E2/GW1',
      condition: 'GATEWAY_OFFLINE',
      colour: 'blue',
      raisedAt: T0 + MIN,
      value: null,
      limit: 120_000,
    });
    await new AlarmRepository(client).write({
      alarms: [open, closed, gateway],
      events: [
        event(closed, 'NORM', 'UNACK', T0),
        event(closed, 'UNACK', 'NORM', T0 + MIN),
        event(gateway, 'NORM', 'UNACK', T0 + MIN),
        event(open, 'NORM', 'UNACK', T0 + 2 * MIN),
      ],
      colourChanges: [],
    });
    await client.query(
      `INSERT INTO warnings (id, enterprise, hazard, colour, state, opened_at, updated_at, closed_at, record)
       VALUES ('w-open', 'E1', 'H1', 'red', 'pushed', to_timestamp($1 / 1000.0), to_timestamp($1 / 1000.0), NULL,
               '{"level": "county"}'::jsonb),
              ('w-closed', 'E2', NULL, 'blue', 'closed', to_timestamp($2 / 1000.0), to_timestamp($1 / 1000.0),
               to_timestamp($1 / 1000.0), NULL)`,
      [T0 + MIN, T0],
    );
  });
  afterEach(() => db.drop());

  it('lists alarms newest first with filters, paging and the total', async () => {
    const ids = async (q: Partial<AlarmQuery>) => {
      const page = await queryAlarms(client, undefined, { ...all, ...q });
      return [page.items.map((a) => a.id), page.total];
    };
    expect(await ids({})).toEqual([['a-open', 'g-open', 'a-closed'], 3]);
    expect(await ids({ openOnly: true })).toEqual([['a-open', 'g-open'], 2]);
    expect(await ids({ enterprises: ['E1'] })).toEqual([['a-open', 'a-closed'], 2]);
    expect(await ids({ enterprises: ['E2'] })).toEqual([['g-open'], 1]);
    expect(await ids({ enterprises: [] })).toEqual([[], 0]);
    expect(await ids({ colours: ['blue', 'yellow'] })).toEqual([['g-open', 'a-closed'], 2]);
    expect(await ids({ conditions: ['GATEWAY_OFFLINE'] })).toEqual([['g-open'], 1]);
    expect(await ids({ states: ['NORM'] })).toEqual([['a-closed'], 1]);
    // Standing at some time in [from, to): the closed alarm ended at T0 + 1 min.
    expect(await ids({ fromMs: T0 + MIN + 1 })).toEqual([['a-open', 'g-open'], 2]);
    expect(await ids({ toMs: T0 + MIN })).toEqual([['a-closed'], 1]);
    expect(await ids({ limit: 1, offset: 1 })).toEqual([['g-open'], 3]);
  });

  it('gives one alarm with its enterprise, record fields and journal', async () => {
    const open = await alarmById(client, undefined, 'a-open');
    expect(open).toMatchObject({
      id: 'a-open',
      enterprise: 'E1',
      colour: 'red',
      active: true,
      closedAt: null,
      limit: 2,
    });
    const gateway = await alarmById(client, undefined, 'g-open');
    expect(gateway).toMatchObject({ enterprise: 'E2', gateway: 'GW1', pointId: null, limit: 120_000 });
    expect(await alarmById(client, undefined, 'nope')).toBeUndefined();
    expect((await alarmEvents(client, 'a-closed')).map((e) => [e.from, e.to, e.ts])).toEqual([
      ['NORM', 'UNACK', T0],
      ['UNACK', 'NORM', T0 + MIN],
    ]);
  });

  it('routes actions by enterprise: a point alarm by its point, a gateway alarm by its gateway, a 预警 by its own', async () => {
    expect(await alarmEnterprise(client, 'a-open')).toBe('E1');
    expect(await alarmEnterprise(client, 'g-open')).toBe('E2');
    expect(await alarmEnterprise(client, 'nope')).toBeUndefined();
    expect(await warningEnterprise(client, 'w-open')).toBe('E1');
    expect(await warningEnterprise(client, 'nope')).toBeUndefined();
  });

  it('lists 预警 newest first with filters, and gives one with its answerable level', async () => {
    const ids = async (q: Partial<Parameters<typeof queryWarnings>[1]>) => {
      const page = await queryWarnings(client, {
        status: 'all',
        enterprises: null,
        limit: 100,
        offset: 0,
        ...q,
      });
      return [page.items.map((w) => w.id), page.total];
    };
    expect(await ids({})).toEqual([['w-open', 'w-closed'], 2]);
    expect(await ids({ status: 'open' })).toEqual([['w-open'], 1]);
    expect(await ids({ status: 'closed' })).toEqual([['w-closed'], 1]);
    expect(await ids({ enterprises: ['E2'] })).toEqual([['w-closed'], 1]);
    expect(await ids({ hazard: 'H1' })).toEqual([['w-open'], 1]);
    expect(await ids({ colours: ['blue'] })).toEqual([['w-closed'], 1]);
    expect(await ids({ enterprises: [] })).toEqual([[], 0]);
    expect(await warningById(client, 'w-open')).toEqual({
      id: 'w-open',
      enterprise: 'E1',
      hazard: 'H1',
      colour: 'red',
      state: 'pushed',
      level: 'county',
      openedAt: T0 + MIN,
      updatedAt: T0 + MIN,
      closedAt: null,
    });
    expect(await warningById(client, 'nope')).toBeUndefined();
  });
});
