// The root tsconfig.test.json has no DOM lib; this test mounts components (happy-dom).
/// <reference lib="dom" />
import { mount } from '@vue/test-utils';
import { computed, nextTick, ref, shallowRef } from 'vue';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AlarmRow, Enterprise, Gateway, RegionNode, WarningRow } from '@hazardwatch/contracts';
import { APP, type AppContext } from '../src/app-context.js';
import WallView from '../src/components/wall/WallView.vue';
import { createAppI18n } from '../src/i18n/index.js';
import { formatRoute, parseRoute } from '../src/logic/router.js';
import { ColourBook } from '../src/state/colour-book.js';

const NOW = Date.UTC(2026, 11, 6, 6, 0, 0);
const park: RegionNode = { code: 'P1', name: '洋口港园区', kind: 'park', parent: 'C1', children: [] };
const county: RegionNode = { code: 'C1', name: '如东县', kind: 'county', parent: null, children: [park] };
const ent = (code: string, region: string): Enterprise => ({
  code,
  name: `企业${code}`,
  region,
  location: { lon: 121 + Number(code.slice(1)) / 100, lat: 32.5 },
  risk: null,
  hazards: 0,
  gateways: 1,
  points: 1,
});
const gateway = (enterprise: string, online: boolean | null): Gateway =>
  ({
    code: 'GW01',
    enterprise,
    name: '网关',
    points: 1,
    status:
      online === null
        ? null
        : { online, lastSeen: new Date(NOW).toISOString(), since: null, spoolDepth: 0, version: null },
  }) as unknown as Gateway;
const warning = (over: Partial<WarningRow>): WarningRow => ({
  id: 'w1',
  enterprise: 'E1',
  hazard: null,
  colour: 'red',
  state: 'pushed',
  level: 'enterprise',
  openedAt: NOW - 90 * 60_000,
  updatedAt: NOW,
  closedAt: null,
  ...over,
});
const alarm = (id: string, raisedAt: number): AlarmRow =>
  ({
    id,
    condition: 'H',
    state: 'UNACK',
    colour: 'yellow',
    active: true,
    enterprise: 'E2',
    pointId: 1,
    tag: `PT-${id}`,
    hazard: null,
    gateway: 'GW01',
    raisedAt,
  }) as unknown as AlarmRow;

function mountWall(options: {
  region: string | null;
  warnings?: WarningRow[];
  alarms?: AlarmRow[];
  locale?: 'zh-CN' | 'en';
}) {
  const colours = new ColourBook();
  colours.set('enterprise', 'E2', 'yellow', 0);
  const ctx = {
    // The overview read never answers here: the counts come from the live books alone.
    api: { overview: vi.fn(() => new Promise(() => undefined)) },
    session: { user: ref({ username: 'wall', role: 'regulator', regionCode: 'C1', enterpriseCode: null }) },
    site: {
      roots: shallowRef([county]),
      regionDetails: shallowRef(new Map()),
      enterprises: shallowRef([ent('E1', 'P1'), ent('E2', 'P1'), ent('E3', 'C1')]),
      hazards: shallowRef([]),
      gateways: shallowRef([gateway('E1', true), gateway('E2', false), gateway('E3', null)]),
      overviews: shallowRef(new Map()),
    },
    live: {
      colours,
      coloursVersion: ref(1),
      warnings: shallowRef(options.warnings ?? []),
      sortedAlarms: computed(() => options.alarms ?? []),
      gatewayOnline: shallowRef(new Map()),
      connection: ref('live'),
      lastDataAt: ref<number | null>(NOW - 1000),
      pushDegradedSince: ref<number | null>(null),
    },
    go: () => undefined,
  } as unknown as AppContext;
  const i18n = createAppI18n(options.locale ?? 'zh-CN');
  const w = mount(WallView, {
    props: { region: options.region, now: NOW },
    attachTo: document.body,
    global: { plugins: [i18n], provide: { [APP as symbol]: ctx } },
  });
  return Object.assign(w, { ctx });
}

let wrapper: ReturnType<typeof mountWall> | null = null;
afterEach(() => {
  wrapper?.unmount();
  wrapper = null;
});

describe('wall view (issue #22)', () => {
  it('counts by the colour the map draws: an open red 预警 counts red, its area too', () => {
    wrapper = mountWall({ region: 'C1', warnings: [warning({})] });
    const tile = (c: string) => wrapper!.find(`[data-test="wall-counts"] [data-colour="${c}"] .n`).text();
    expect([tile('red'), tile('orange'), tile('yellow'), tile('blue'), tile('normal')]).toEqual([
      '1',
      '0',
      '1',
      '0',
      '1',
    ]);
    // The park (E1 red by 预警, E2 yellow) first, then E3 directly in the county.
    const rows = wrapper.findAll('[data-test="wall-areas"] tbody tr');
    expect(rows.map((r) => [r.attributes('data-area'), r.attributes('data-colour')])).toEqual([
      ['P1', 'red'],
      ['E3', 'normal'],
    ]);
    expect(wrapper.find('[data-enterprise="E1"]').attributes('data-colour')).toBe('red');
    // Drawn last, so on top where markers overlap: red above yellow above normal.
    const order = [...document.querySelectorAll('.wall-enterprise')].map((e) =>
      e.getAttribute('data-enterprise'),
    );
    expect(order).toEqual(['E3', 'E2', 'E1']);
  });

  it('open 预警: most severe, then oldest first, with step and age in words', () => {
    wrapper = mountWall({
      region: 'C1',
      warnings: [
        warning({ id: 'y', colour: 'yellow', openedAt: NOW - 5 * 3_600_000, enterprise: 'E2' }),
        warning({ id: 'r-new', openedAt: NOW - 60_000, state: 'signed' }),
        warning({ id: 'r-old' }),
        warning({ id: 'gone', state: 'closed', closedAt: NOW }),
      ],
    });
    const rows = wrapper.findAll('[data-test="wall-warnings"] [data-warning]');
    expect(rows.map((r) => r.attributes('data-warning'))).toEqual(['r-old', 'r-new', 'y']);
    expect(rows[0]!.find('.step').text()).toBe('待签收');
    expect(rows[0]!.find('[data-test="warning-age"]').text()).toBe('1 小时 30 分');
    expect(rows[1]!.find('.step').text()).toBe('已签收');
    expect(wrapper.find('[data-test="wall-warnings"] h2').text()).toContain('未消警预警 3 条');
  });

  it('online rate as the data-quality view reads gateways; never heard from is not online', () => {
    wrapper = mountWall({ region: 'C1' });
    const online = wrapper.find('[data-test="wall-online"]');
    expect(online.find('.rate').attributes('data-rate')).toBe('33.3');
    expect(online.text()).toContain('在线 1 / 共 3');
    expect(online.text()).toContain('离线 1');
    expect(online.text()).toContain('从未上报 1');
  });

  it('latest alarms newest first, a page of eight, the rest on the next pages', () => {
    const alarms = Array.from({ length: 11 }, (_, i) => alarm(`a${i}`, NOW - (11 - i) * 1000));
    wrapper = mountWall({ region: 'C1', alarms });
    const shown = wrapper.findAll('[data-test="wall-alarms"] [data-alarm]');
    expect(shown.map((r) => r.attributes('data-alarm'))).toEqual([
      'a10',
      'a9',
      'a8',
      'a7',
      'a6',
      'a5',
      'a4',
      'a3',
    ]);
    expect(wrapper.find('[data-test="wall-alarms-page"]').text()).toBe('第 1/2 页');
  });

  it('a lost connection dims the wall under a banner with the age of its data', async () => {
    wrapper = mountWall({ region: 'C1' });
    expect(wrapper.find('[data-test="wall"]').attributes('data-health')).toBe('live');
    expect(wrapper.find('[data-test="wall-banner"]').exists()).toBe(false);
    wrapper.ctx.live.connection.value = 'offline';
    wrapper.ctx.live.lastDataAt.value = NOW - 3 * 60_000;
    await nextTick();
    expect(wrapper.find('[data-test="wall"]').classes()).toContain('wall-lost');
    const banner = wrapper.find('[data-test="wall-banner"]');
    expect(banner.attributes('data-health')).toBe('lost');
    expect(banner.text()).toContain('连接已中断 3 分钟');
    // Connected but silent: not live either.
    wrapper.ctx.live.connection.value = 'live';
    await nextTick();
    expect(wrapper.find('[data-test="wall-banner"]').attributes('data-health')).toBe('quiet');
  });

  it('live push interrupted on the server (connected, live-status live:false) dims the wall under a banner saying so', async () => {
    wrapper = mountWall({ region: 'C1' });
    wrapper.ctx.live.pushDegradedSince.value = NOW - 5000;
    await nextTick();
    expect(wrapper.find('[data-test="wall"]').classes()).toContain('wall-degraded');
    const banner = wrapper.find('[data-test="wall-banner"]');
    expect(banner.attributes('data-health')).toBe('degraded');
    expect(banner.text()).toBe('实时推送中断，数据每 10 秒刷新');
    wrapper.ctx.live.pushDegradedSince.value = null;
    await nextTick();
    expect(wrapper.find('[data-test="wall-banner"]').exists()).toBe(false);
  });

  it('an unknown region (typo, or outside the account) says so with the regions it can show', () => {
    wrapper = mountWall({ region: '32O623', locale: 'en' });
    const unknown = wrapper.find('[data-test="wall-unknown"]');
    expect(unknown.find('h1').text()).toBe('Unknown region: 32O623');
    expect(unknown.findAll('a').map((a) => a.attributes('href'))).toEqual(['#/wall/C1', '#/wall/P1']);
    expect(wrapper.find('[data-test="wall-map"]').exists()).toBe(false);
  });
});

describe('wall route', () => {
  it('#/wall/<region> and #/wall round-trip; a typo stays a wall route (its region unknown), never the map', () => {
    expect(parseRoute('#/wall/320623')).toEqual({ view: 'wall', region: '320623' });
    expect(parseRoute('#/wall')).toEqual({ view: 'wall', region: null });
    expect(parseRoute('#/wall/32O623')).toEqual({ view: 'wall', region: '32O623' });
    expect(formatRoute({ view: 'wall', region: '320623' })).toBe('#/wall/320623');
    expect(formatRoute({ view: 'wall', region: null })).toBe('#/wall');
  });
});
