/**
 * Roll-up point → hazard → enterprise → park/county → city → province on the small site of
 * alarm-fixture.ts (REFERENCE §5, §8 item 20).
 */
import { describe, expect, it } from 'vitest';
import type { AlarmCondition } from '@hazardwatch/contracts';
import {
  AlarmBook,
  DEFAULT_COLOUR_POLICY,
  ColourRollup,
  compileColourPolicy,
  siteColourOf,
  type AlarmSource,
  type BookUpdate,
  type ColourPolicy,
  type RollupUpdate,
} from '@hazardwatch/core';
import { T0, clear, idSequence, raise, rollupSite } from './alarm-fixture.js';

const pt = (pointId: number): AlarmSource => ({ kind: 'point', pointId });

function harness(policy: ColourPolicy = DEFAULT_COLOUR_POLICY) {
  const index = rollupSite();
  const book = new AlarmBook({ newId: idSequence(), colourOf: siteColourOf(index, policy) });
  const rollup = new ColourRollup(index, policy);
  let ts = T0;
  const feed = (u: BookUpdate): RollupUpdate => rollup.apply(u.alarms, ts);
  return {
    book,
    rollup,
    raise: (id: number, c: AlarmCondition) => feed(book.change(raise(pt(id), c, ++ts))),
    clear: (id: number, c: AlarmCondition) => feed(book.change(clear(pt(id), c, ++ts))),
    act: (id: number, c: AlarmCondition, action: 'ack' | 'shelve' | 'unshelve') => {
      const r = book.act(
        { source: pt(id), condition: c },
        { action, actor: 'u1', ts: ++ts, reason: 'r', untilMs: ts + 60_000 },
      );
      if (!r.ok) throw r.error;
      return feed(r.value);
    },
    feed,
  };
}

const changes = (u: RollupUpdate) =>
  u.changes.map((c) => `${c.level} ${c.code} ${c.from ?? '-'}→${c.to ?? '-'}`);

describe('ColourRollup', () => {
  it('one alarm colours every level up to the province, and says so as events', () => {
    const h = harness();
    const u = h.raise(8, 'H'); // temperature H on WH1 (四级) ⇒ yellow
    expect(changes(u)).toEqual([
      'point 8 -→yellow',
      'hazard E2/WH1 -→yellow',
      'enterprise E2 -→yellow',
      'region PARK1 -→yellow',
      'region 320623 -→yellow',
      'region 320600 -→yellow',
      'region 320000 -→yellow',
    ]);
    expect(u.changes.every((c) => c.ts === T0 + 1)).toBe(true);
    expect(u.regions.find((r) => r.code === 'PARK1')).toEqual({
      code: 'PARK1',
      colour: 'yellow',
      hazards: { blue: 0, yellow: 1, orange: 0, red: 0 },
      enterprises: { blue: 0, yellow: 1, orange: 0, red: 0 },
      hazardTotal: 2,
      enterpriseTotal: 2,
    });
    expect(h.rollup.region('320000')).toMatchObject({ hazardTotal: 2, enterpriseTotal: 3 });
    expect(h.rollup.region('320681')).toMatchObject({ colour: null, enterpriseTotal: 1, hazardTotal: 0 });
  });

  it('a second point of the hazard in alarm escalates it one step; acknowledging changes nothing', () => {
    const h = harness();
    h.raise(8, 'H');
    const u = h.raise(9, 'HH'); // pressure HH on 四级 ⇒ orange; 2 points ⇒ escalated to red
    expect(changes(u)).toEqual([
      'point 9 -→orange',
      'hazard E2/WH1 yellow→red',
      'enterprise E2 yellow→red',
      'region PARK1 yellow→red',
      'region 320623 yellow→red',
      'region 320600 yellow→red',
      'region 320000 yellow→red',
    ]);
    expect(h.rollup.hazardVerdict('E2', 'WH1')).toMatchObject({
      base: 'orange',
      escalated: true,
      pointsInAlarm: 2,
    });
    expect(h.act(9, 'HH', 'ack').changes).toEqual([]);
  });

  it('shelved, suppressed, out-of-service and returned-to-normal alarms do not count', () => {
    const h = harness();
    h.raise(8, 'H');
    h.raise(9, 'HH');
    expect(changes(h.act(9, 'HH', 'shelve'))).toEqual([
      'point 9 orange→-',
      'hazard E2/WH1 red→yellow',
      'enterprise E2 red→yellow',
      'region PARK1 red→yellow',
      'region 320623 red→yellow',
      'region 320600 red→yellow',
      'region 320000 red→yellow',
    ]);
    // H returns to normal unacknowledged (RTNUN): still open, no longer coloured.
    h.clear(8, 'H');
    expect(h.book.find(pt(8), 'H')?.state).toBe('RTNUN');
    expect(h.rollup.colour('enterprise', 'E2')).toBeNull();
    expect(h.rollup.region('320000')).toMatchObject({
      colour: null,
      hazards: { blue: 0, yellow: 0, orange: 0, red: 0 },
    });
    expect(changes(h.act(9, 'HH', 'unshelve'))).toContain('hazard E2/WH1 -→orange');
  });

  it('multi-detector rule: two independent gas detectors of one hazard in level-1 ⇒ red', () => {
    const h = harness(
      (() => {
        const r = compileColourPolicy({ escalation: { enabled: false } });
        if (!r.ok) throw r.error;
        return r.value;
      })(),
    );
    h.raise(2, 'H'); // toxic gas level-1 on 一级 ⇒ orange
    expect(h.rollup.colour('hazard', 'E1/TF1')).toBe('orange');
    h.raise(3, 'H');
    expect(h.rollup.colour('hazard', 'E1/TF1')).toBe('red');
    expect(h.rollup.hazardVerdict('E1', 'TF1')).toMatchObject({
      base: 'orange',
      multiDetector: true,
      detectorsInLevel1: 2,
    });
    h.clear(3, 'H');
    expect(h.rollup.colour('hazard', 'E1/TF1')).toBe('orange');
    // Points 4 and 5 are two channels of device D1: one detector.
    h.clear(2, 'H');
    h.raise(4, 'H');
    h.raise(5, 'H');
    expect(h.rollup.hazardVerdict('E1', 'TF1')).toMatchObject({
      colour: 'orange',
      multiDetector: false,
      detectorsInLevel1: 1,
    });
  });

  it('enterprise = highest of hazards, points without hazard and gateways; region counts per colour', () => {
    const h = harness();
    h.raise(7, 'HH'); // E1 point without hazard: HH, no hazard ⇒ orange
    expect(h.rollup.colour('enterprise', 'E1')).toBe('orange');
    expect(h.rollup.colour('hazard', 'E1/TF1')).toBeNull();
    h.raise(6, 'L'); // O₂ deficiency on 一级 ⇒ orange
    h.raise(8, 'H'); // E2 yellow
    const gw = h.book.change(
      raise({ kind: 'gateway', enterprise: 'E3', gateway: 'GW1' }, 'GATEWAY_OFFLINE', T0 + 100),
    );
    const u = h.feed(gw);
    expect(changes(u)).toEqual(['gateway E3/GW1 -→blue', 'enterprise E3 -→blue', 'region 320681 -→blue']);
    expect(h.rollup.region('320000')).toMatchObject({
      colour: 'orange',
      enterprises: { blue: 1, yellow: 1, orange: 1, red: 0 },
      hazards: { blue: 0, yellow: 1, orange: 1, red: 0 },
    });
    expect(h.rollup.region('320681')).toMatchObject({
      colour: 'blue',
      enterprises: { blue: 1, yellow: 0, orange: 0, red: 0 },
    });
    expect(h.rollup.region('PARK1')).toMatchObject({
      colour: 'orange',
      enterprises: { blue: 0, yellow: 1, orange: 1, red: 0 },
    });
  });

  it('closing everything returns every level to normal with matching counts', () => {
    const h = harness();
    h.raise(2, 'HH');
    h.raise(8, 'LL');
    expect(h.rollup.colour('region', '320000')).toBe('red');
    h.clear(2, 'HH');
    h.clear(8, 'LL');
    for (const id of [2, 8]) h.act(id, id === 2 ? 'HH' : 'LL', 'ack');
    expect(h.book.open()).toEqual([]);
    for (const code of ['320000', '320600', '320623', 'PARK1', '320681']) {
      expect(h.rollup.region(code)).toMatchObject({
        colour: null,
        hazards: { blue: 0, yellow: 0, orange: 0, red: 0 },
        enterprises: { blue: 0, yellow: 0, orange: 0, red: 0 },
      });
    }
    expect(h.rollup.colour('point', '2')).toBeNull();
  });

  it('an alarm on a point unknown to the site colours the point only', () => {
    const h = harness();
    expect(changes(h.raise(999, 'H'))).toEqual(['point 999 -→yellow']);
  });
});
