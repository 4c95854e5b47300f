// The root tsconfig.test.json has no DOM lib; this test mounts components (happy-dom).
/// <reference lib="dom" />
import { mount } from '@vue/test-utils';
import { computed, nextTick, ref, shallowRef } from 'vue';
import { describe, expect, it } from 'vitest';
import { APP, type AppContext } from '../src/app-context.js';
import type { Enterprise, Hazard, RegionNode, RegionOverview, WarningRow } from '@hazardwatch/contracts';
import MapView from '../src/components/map/MapView.vue';
import { createAppI18n } from '../src/i18n/index.js';
import { ColourBook } from '../src/state/colour-book.js';

const zero = { red: 0, orange: 0, yellow: 0, blue: 0 };
const root: RegionNode = { code: 'R1', name: '响水县', kind: 'county', parent: null, children: [] };
const ent = (code: string, lon: number): Enterprise => ({
  code,
  name: `企业${code}`,
  region: 'R1',
  location: { lon, lat: 34.2 },
  risk: null,
  hazards: 1,
  gateways: 1,
  points: 1,
});
const hazard: Hazard = {
  code: 'H1',
  enterprise: 'E1',
  name: '液氯罐区',
  type: 'tank_farm',
  declaredLevel: 1,
  computedLevel: 1,
  levelMismatch: false,
  assessment: null,
  responsible: {
    principal: { name: '张主要', phone: '13800000001' },
    technical: { name: '李技术', phone: '13800000002' },
    operational: { name: '王操作', phone: '13800000003' },
  },
  location: { lon: 119.81, lat: 34.21 },
  floorPlan: null,
  exposedPopulation: 0,
  inventory: [],
  points: 1,
};
/** The overview as the API gives it when no alarm is active: every roll-up colour normal. */
const overview: RegionOverview = {
  code: 'R1',
  name: '响水县',
  colour: null,
  hazards: { ...zero, total: 1 },
  enterprises: { ...zero, total: 2 },
  children: [],
  enterpriseColours: [
    { code: 'E1', name: '企业E1', colour: null },
    { code: 'E2', name: '企业E2', colour: null },
  ],
  stalePoints: { count: 0, items: [] },
  outOfServicePoints: { count: 0, items: [] },
  gatewaysOffline: { count: 0, items: [] },
  gatewaysBacklog: { readings: 0, gateways: 0 },
};
const warning = (over: Partial<WarningRow> = {}): WarningRow => ({
  id: 'w1',
  enterprise: 'E1',
  hazard: 'H1',
  colour: 'red',
  state: 'signed',
  level: 'enterprise',
  openedAt: 1,
  updatedAt: 2,
  closedAt: null,
  ...over,
});

function mountMap(warnings: WarningRow[], locale: 'zh-CN' | 'en' = 'zh-CN') {
  const colours = new ColourBook();
  for (const e of overview.enterpriseColours) colours.set('enterprise', e.code, e.colour, 0);
  colours.set('hazard', 'E1/H1', null, 0);
  const ctx = {
    site: {
      roots: shallowRef([root]),
      regionDetails: shallowRef(new Map()),
      enterprises: shallowRef([ent('E1', 119.8), ent('E2', 119.9)]),
      hazards: shallowRef([hazard]),
      points: shallowRef(new Map()),
      overviews: shallowRef(new Map([['R1', overview]])),
    },
    live: {
      colours,
      coloursVersion: ref(1),
      warnings: shallowRef(warnings),
      sortedAlarms: computed(() => []),
    },
    go: () => undefined,
  } as unknown as AppContext;
  const i18n = createAppI18n();
  i18n.global.locale.value = locale;
  const w = mount(MapView, {
    props: { region: null },
    attachTo: document.body,
    global: { plugins: [i18n], provide: { [APP as symbol]: ctx } },
  });
  return Object.assign(w, { ctx });
}

describe('map colours with open 预警 (issue #21: all green while red 预警 are open)', () => {
  it('an enterprise with no active alarm but an open red 预警 is not green, and carries the 预警 mark', () => {
    const w = mountMap([warning()]);
    const e1 = w.find('[data-enterprise="E1"]');
    expect(e1.attributes('data-colour')).toBe('red');
    expect(e1.attributes('data-warning')).toBe('red');
    expect(e1.attributes('data-alarm')).toBe('normal');
    const h1 = document.querySelector('[data-hazard="E1/H1"]');
    expect(h1?.getAttribute('data-colour')).toBe('red');
    // The enterprise without a 预警 stays normal.
    expect(w.find('[data-enterprise="E2"]').attributes('data-colour')).toBe('normal');
    // The dashed 预警 ring is drawn in the 预警's colour, for the hazard too.
    expect(w.find('[data-ring-of="E1"]').attributes('data-warning-ring')).toBe('red');
    expect(w.find('[data-ring-of="E1/H1"]').attributes('data-warning-ring')).toBe('red');
    expect(w.find('[data-ring-of="E2"]').attributes('data-warning-ring')).toBe('none');
    // The side list and the region tree agree with the map.
    expect(w.find('[data-enterprise-row="E1"]').attributes('data-colour')).toBe('red');
    expect(w.find('[data-enterprise-row="E1"] .wbadge').text()).toBe('预警');
    expect(w.find('[data-region="R1"] .dot').attributes('data-colour')).toBe('red');
    w.unmount();
  });

  it('recolours when a 预警 opens or closes while the map is shown', async () => {
    const w = mountMap([]);
    const e1 = () => w.find('[data-enterprise="E1"]');
    expect(e1().attributes('data-colour')).toBe('normal');
    w.ctx.live.warnings.value = [warning({ colour: 'orange' })];
    await nextTick();
    expect(e1().attributes('data-colour')).toBe('orange');
    expect(e1().attributes('data-warning')).toBe('orange');
    w.ctx.live.warnings.value = [];
    await nextTick();
    expect(e1().attributes('data-colour')).toBe('normal');
    expect(e1().attributes('data-warning')).toBeUndefined();
    w.unmount();
  });

  it('keeps the higher alarm colour when the 预警 is lower', async () => {
    const w = mountMap([warning({ colour: 'blue' })]);
    w.ctx.live.colours.apply({ level: 'enterprise', code: 'E1', from: null, to: 'orange', ts: 5 });
    w.ctx.live.coloursVersion.value += 1;
    await nextTick();
    const e1 = w.find('[data-enterprise="E1"]');
    expect(e1.attributes('data-colour')).toBe('orange');
    expect(e1.attributes('data-alarm')).toBe('orange');
    expect(e1.attributes('data-warning')).toBe('blue');
    w.unmount();
  });

  it('explains the colours in English too', () => {
    const w = mountMap([], 'en');
    const text = w.find('[data-test="map-legend"]').text();
    expect(text).toContain('current alarms and open warnings');
    expect(text).toContain('Dashed ring');
    w.unmount();
  });

  it('the legend says what the colours mean and counts enterprises as shown', () => {
    const w = mountMap([warning(), warning({ id: 'w2', enterprise: 'E2', hazard: null, colour: 'yellow' })]);
    const legend = w.find('[data-test="map-legend"]');
    expect(legend.text()).toContain('当前报警');
    expect(legend.text()).toContain('未消警预警');
    expect(legend.find('[data-colour="red"] .count').text()).toBe('1');
    expect(legend.find('[data-colour="yellow"] .count').text()).toBe('1');
    expect(legend.find('[data-test="warning-ring"]').exists()).toBe(true);
    w.unmount();
  });

  it('a closed 预警 does not colour the map', () => {
    const w = mountMap([warning({ state: 'closed', closedAt: 3 })]);
    expect(w.find('[data-enterprise="E1"]').attributes('data-colour')).toBe('normal');
    w.unmount();
  });
});
