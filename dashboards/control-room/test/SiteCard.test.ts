// The root tsconfig.test.json has no DOM lib; this test mounts components (happy-dom).
/// <reference lib="dom" />
import { mount } from '@vue/test-utils';
import { computed, ref, shallowRef } from 'vue';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { APP, type AppContext } from '../src/app-context.js';
import type { Enterprise, Hazard, RegionNode } from '@hazardwatch/contracts';
import MapView from '../src/components/map/MapView.vue';
import SiteCard from '../src/components/map/SiteCard.vue';
import { createAppI18n } from '../src/i18n/index.js';
import { ColourBook } from '../src/state/colour-book.js';

const root: RegionNode = { code: 'R1', name: '如东县', kind: 'county', parent: null, children: [] };
const enterprise: Enterprise = {
  code: 'E1',
  name: '江苏某氯碱化工有限公司',
  region: 'R1',
  location: { lon: 120.8, lat: 32.3 },
  risk: { scale: 'enterprise-risk-2018', score: 72, vetoes: [], colour: 'orange' },
  hazards: 2,
  gateways: 1,
  points: 9,
};
const person = (name: string, phone: string) => ({ name, phone });
const hazard = (over: Partial<Hazard> = {}): Hazard => ({
  code: 'CL-TF01',
  enterprise: 'E1',
  name: '液氯储罐区',
  type: 'tank_farm',
  declaredLevel: 1,
  computedLevel: 1,
  levelMismatch: false,
  assessment: {
    standard: 'GB18218-2018',
    s: 40,
    isMajorHazard: true,
    exposedPopulation: 120,
    alpha: 2,
    r: 320,
    level: 1,
    terms: [],
  },
  responsible: {
    principal: person('张建国', '13800000001'),
    technical: person('李工', '13800000002'),
    operational: person('王班长', '0513-84000000'),
  },
  location: { lon: 120.81, lat: 32.31 },
  floorPlan: null,
  exposedPopulation: 120,
  inventory: [],
  points: 6,
  ...over,
});
const second = hazard({
  code: 'HYD-U01',
  name: '加氢装置',
  declaredLevel: 3,
  computedLevel: 2,
  levelMismatch: true,
  assessment: null,
  exposedPopulation: 0,
  location: { lon: 120.82, lat: 32.32 },
});

function mountMap() {
  const colours = new ColourBook();
  const go = vi.fn();
  const ctx = {
    site: {
      roots: shallowRef([root]),
      regionDetails: shallowRef(new Map()),
      enterprises: shallowRef([enterprise]),
      hazards: shallowRef([hazard(), second]),
      points: shallowRef(new Map()),
      overviews: shallowRef(new Map()),
    },
    live: { colours, coloursVersion: ref(1), warnings: shallowRef([]), sortedAlarms: computed(() => []) },
    go,
  } as unknown as AppContext;
  const w = mount(MapView, {
    props: { region: null },
    attachTo: document.body,
    global: { plugins: [createAppI18n()], provide: { [APP as symbol]: ctx } },
  });
  return { w, go };
}

let unmount: (() => void) | null = null;
afterEach(() => {
  unmount?.();
  unmount = null;
});

describe('the map opens an enterprise’s and a hazard’s facts (issue #21 (d))', () => {
  it('an enterprise from the list: its hazards with GB 18218 level, R value, exposed population and 包保责任人', async () => {
    const { w, go } = mountMap();
    unmount = () => w.unmount();
    expect(w.find('[data-test="site-card"]').exists()).toBe(false);
    await w.find('[data-enterprise-row="E1"]').trigger('click');
    const card = w.find('[data-test="site-card"]');
    expect(card.text()).toContain('江苏某氯碱化工有限公司');
    expect(card.find('[data-test="risk-grade"]').text()).toContain('72');
    const first = card.find('[data-hazard-card="E1/CL-TF01"]');
    expect(first.find('[data-test="hazard-level"]').text()).toBe('重大危险源等级一级');
    expect(first.find('[data-test="r-value"]').text()).toBe('R值320（α = 2）');
    expect(first.find('[data-test="exposed"]').text()).toBe('暴露人员120 人');
    const people = first.findAll('[data-test="responsible"] li').map((li) => li.text());
    expect(people).toEqual([
      '主要负责人张建国13800000001',
      '技术负责人李工13800000002',
      '操作负责人王班长0513-84000000',
    ]);
    expect(first.find('a[href="tel:13800000001"]').exists()).toBe(true);
    // The other hazard: the declared level, the computed one that disagrees, and no assessment.
    const other = card.find('[data-hazard-card="E1/HYD-U01"]');
    expect(other.find('[data-test="hazard-level"]').text()).toBe(
      '重大危险源等级三级（核算为二级，与申报不一致）',
    );
    expect(other.find('[data-test="r-value"]').text()).toBe('R值未核算');
    // The risk map is one click further, no longer the first click.
    expect(go).not.toHaveBeenCalled();
    await card.find('[data-test="open-plan"]').trigger('click');
    expect(go).toHaveBeenCalledWith('#/plan/E1');
    await card.find('[data-test="close-card"]').trigger('click');
    expect(w.find('[data-test="site-card"]').exists()).toBe(false);
  });

  it('a hazard from its map marker: that hazard only, with its enterprise and its own risk map', async () => {
    const { w, go } = mountMap();
    unmount = () => w.unmount();
    const marker = document.querySelector('[data-hazard="E1/HYD-U01"]');
    expect(marker).not.toBeNull();
    marker!.dispatchEvent(new MouseEvent('click', { bubbles: true }));
    await w.vm.$nextTick();
    const card = w.find('[data-test="site-card"]');
    expect(card.findAll('[data-hazard-card]').map((h) => h.attributes('data-hazard-card'))).toEqual([
      'E1/HYD-U01',
    ]);
    expect(card.text()).toContain('江苏某氯碱化工有限公司');
    await card.find('[data-test="open-plan"]').trigger('click');
    expect(go).toHaveBeenCalledWith('#/plan/E1/HYD-U01');
  });

  it('speaks English too', () => {
    const w = mount(SiteCard, {
      props: { enterprise, hazards: [hazard()], focus: null },
      global: { plugins: [createAppI18n('en')] },
    });
    const h = w.find('[data-hazard-card="E1/CL-TF01"]');
    expect(w.text()).toContain('2 major hazards · 9 points');
    const one = mount(SiteCard, {
      props: { enterprise: { ...enterprise, hazards: 1, points: 1 }, hazards: [], focus: null },
      global: { plugins: [createAppI18n('en')] },
    });
    expect(one.text()).toContain('1 major hazard · 1 point');
    expect(h.find('[data-test="hazard-level"]').text()).toBe('Major hazard levelLevel 1');
    expect(h.find('[data-test="exposed"]').text()).toBe('Exposed population120 people');
    expect(h.findAll('[data-test="responsible"] .role').map((r) => r.text())).toEqual([
      'Principal',
      'Technical',
      'Operational',
    ]);
  });
});
