import { describe, expect, it } from 'vitest';
import type { RegionNode, WarningRow } from '@hazardwatch/contracts';
import { markColour, type MarkColour } from '../src/components/map/map-colours.js';
import {
  latestAlarms,
  tickerPage,
  wallCounts,
  wallHealth,
  wallOnline,
  wallRegion,
  wallWarnings,
  warningCounts,
} from '../src/components/wall/wall-model.js';
import { QUIET_AFTER_MS } from '../src/state/live-store.js';

/** 南通市 with two counties; 如东县 holds a park. */
const park: RegionNode = { code: 'P1', name: '洋口港园区', kind: 'park', parent: 'C1', children: [] };
const rudong: RegionNode = { code: 'C1', name: '如东县', kind: 'county', parent: 'S1', children: [park] };
const haian: RegionNode = { code: 'C2', name: '海安市', kind: 'county', parent: 'S1', children: [] };
const city: RegionNode = {
  code: 'S1',
  name: '南通市',
  kind: 'city',
  parent: null,
  children: [rudong, haian],
};
const ents = [
  { code: 'E1', name: '甲', region: 'P1' },
  { code: 'E2', name: '乙', region: 'P1' },
  { code: 'E3', name: '丙', region: 'C2' },
  { code: 'E4', name: '丁', region: 'S1' },
  { code: 'X9', name: '外', region: 'ELSEWHERE' },
];

const row = (over: Partial<WarningRow>): WarningRow => ({
  id: 'w',
  enterprise: 'E1',
  hazard: null,
  colour: 'yellow',
  state: 'pushed',
  level: 'enterprise',
  openedAt: 0,
  updatedAt: 0,
  closedAt: null,
  ...over,
});

describe('wall region', () => {
  it('takes the route region, else the user region, else the first root; unknown is null', () => {
    expect(wallRegion([city], 'C2', 'C1')?.name).toBe('海安市');
    expect(wallRegion([city], null, 'C1')?.name).toBe('如东县');
    expect(wallRegion([city], null, null)?.name).toBe('南通市');
    // A typo (or a region outside the account's area: the API lists only its own) is not the map.
    expect(wallRegion([city], '32O623', 'C1')).toBeNull();
    expect(wallRegion([], null, null)).toBeNull();
  });
});

describe('wall counts', () => {
  const colours: Record<string, MarkColour> = {
    // E1: alarms back to normal but a red 预警 open — counted red, never normal.
    E1: markColour(null, { colour: 'red', count: 1 }),
    E2: markColour('yellow', undefined),
    E3: markColour('blue', { colour: 'orange', count: 2 }),
    E4: markColour(null, undefined),
    X9: markColour('red', undefined),
  };
  const markOf = (c: string): MarkColour => colours[c] ?? markColour(null, undefined);

  it('counts the subtree by shown colour, the open 预警 included', () => {
    const { overall } = wallCounts(city, ents, markOf);
    expect(overall).toEqual({ red: 1, orange: 1, yellow: 1, blue: 0, total: 4 });
  });

  it('rows: child regions and direct enterprises, worst first; a red 预警 makes its region red', () => {
    const { areas } = wallCounts(city, ents, markOf);
    expect(areas.map((a) => [a.kind, a.code, a.colour, a.warning, a.counts.total])).toEqual([
      ['region', 'C1', 'red', 'red', 2],
      ['region', 'C2', 'orange', 'orange', 1],
      ['enterprise', 'E4', null, null, 1],
    ]);
    expect(areas[0]!.counts).toEqual({ red: 1, orange: 0, yellow: 1, blue: 0, total: 2 });
  });

  it('a leaf region lists its enterprises', () => {
    const { areas, overall } = wallCounts(park, ents, markOf);
    expect(areas.map((a) => a.code)).toEqual(['E1', 'E2']);
    expect(overall.total).toBe(2);
  });
});

describe('wall 预警', () => {
  const now = 10 * 3_600_000;
  const list = [
    row({ id: 'y-old', colour: 'yellow', openedAt: 1000 }),
    row({ id: 'r-new', colour: 'red', openedAt: now - 60_000, state: 'signed' }),
    row({ id: 'r-old', colour: 'red', openedAt: now - 3_600_000, state: 'feedback' }),
    row({ id: 'closed', colour: 'red', openedAt: 0, state: 'closed', closedAt: 5 }),
    row({ id: 'other', colour: 'red', enterprise: 'X9', openedAt: 0 }),
    row({ id: 'future', colour: 'blue', openedAt: now + 5000 }),
  ];
  const inScope = (e: string) => e !== 'X9';

  it('open ones of the region only, most severe first, oldest first within a colour', () => {
    const w = wallWarnings(list, inScope, now);
    expect(w.map((x) => x.id)).toEqual(['r-old', 'r-new', 'y-old', 'future']);
  });

  it('age from opening, never negative; the step is the loop state', () => {
    const w = wallWarnings(list, inScope, now);
    expect(w.map((x) => [x.id, x.ageMs, x.state])).toEqual([
      ['r-old', 3_600_000, 'feedback'],
      ['r-new', 60_000, 'signed'],
      ['y-old', now - 1000, 'pushed'],
      ['future', 0, 'pushed'],
    ]);
    expect(warningCounts(w)).toEqual({ red: 2, orange: 0, yellow: 1, blue: 1 });
  });
});

describe('wall online rate', () => {
  it('online ÷ all gateways; never heard from is not online', () => {
    expect(wallOnline([{ online: true }, { online: true }, { online: false }, { online: null }])).toEqual({
      total: 4,
      online: 2,
      offline: 1,
      neverSeen: 1,
      ratePct: 50,
    });
    expect(wallOnline([]).ratePct).toBeNull();
  });
});

describe('wall alarm list', () => {
  const alarms = Array.from({ length: 60 }, (_, i) => ({
    id: `a${String(i).padStart(2, '0')}`,
    raisedAt: i * 1000,
    enterprise: i % 10 === 0 ? 'X9' : 'E1',
  }));

  it('newest first, the region only, at most the ticker size', () => {
    const l = latestAlarms(alarms, (e) => e !== 'X9', 5);
    expect(l.map((a) => a.id)).toEqual(['a59', 'a58', 'a57', 'a56', 'a55']);
    expect(latestAlarms(alarms, (e) => e !== 'X9').length).toBe(40);
  });

  it('pages rotate and wrap; an empty list is one empty page', () => {
    const l = latestAlarms(alarms, () => true, 20);
    expect(tickerPage(l, 8, 0)).toMatchObject({ page: 1, pages: 3 });
    expect(tickerPage(l, 8, 2).rows.map((a) => a.id)).toEqual(['a43', 'a42', 'a41', 'a40']);
    expect(tickerPage(l, 8, 3).page).toBe(1);
    expect(tickerPage([], 8, 7)).toEqual({ rows: [], page: 1, pages: 1 });
  });
});

describe('wall health', () => {
  it('live only while connected and data keeps coming', () => {
    expect(wallHealth('live', 1000, 1000 + QUIET_AFTER_MS)).toBe('live');
    expect(wallHealth('live', 1000, 1001 + QUIET_AFTER_MS)).toBe('quiet');
    expect(wallHealth('live', null, 0)).toBe('quiet');
    expect(wallHealth('offline', 1000, 1000)).toBe('lost');
    expect(wallHealth('refused', 1000, 1000)).toBe('lost');
    expect(wallHealth('connecting', null, 0)).toBe('connecting');
    // The server's live push interrupted (live-status live:false): never calm while connected.
    expect(wallHealth('live', 1000, 1000, true)).toBe('degraded');
    expect(wallHealth('offline', 1000, 1000, true)).toBe('lost');
  });
});
