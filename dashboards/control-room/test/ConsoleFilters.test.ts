// The root tsconfig.test.json has no DOM lib; this test mounts components (happy-dom).
/// <reference lib="dom" />
import { flushPromises, mount } from '@vue/test-utils';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { computed, ref, shallowRef } from 'vue';
import type { AlarmRow } from '@hazardwatch/contracts';
import AlarmConsole from '../src/components/alarms/AlarmConsole.vue';
import { createAppI18n } from '../src/i18n/index.js';
import { sortAlarms } from '../src/logic/alarm-sort.js';
import { ConsoleAlarmList } from '../src/state/console-alarm-list.js';
import { meOf } from './support/me.js';

const app = vi.hoisted((): { ctx: unknown } => ({ ctx: undefined }));
vi.mock('../src/app-context.js', () => ({ useApp: () => app.ctx }));

const T0 = Date.UTC(2026, 11, 6, 6, 0, 0);

function alarm(id: string, over: Partial<AlarmRow>): AlarmRow {
  return {
    id,
    condition: 'HH',
    state: 'UNACK',
    colour: 'red',
    active: true,
    enterprise: 'E1',
    pointId: 1,
    tag: 'LT-1101',
    hazard: 'CL-TF01',
    gateway: 'GW01',
    raisedAt: T0,
    updatedAt: T0,
    closedAt: null,
    value: 90,
    limit: 85,
    ackedAt: null,
    ackedBy: null,
    shelvedUntilMs: null,
    shelveReason: null,
    outOfServiceReason: null,
    late: false,
    ...over,
  };
}

/**
 * Issue #21: the live console gets the journal's filters (applied to its live list) and exports
 * what it shows. A county regulator's console: E1 in park P32062301, E3 in county 320682.
 */
const ROWS = [
  alarm('e1-hh', {}),
  alarm('e1-gw', { condition: 'GATEWAY_OFFLINE', colour: 'blue', pointId: null, tag: null, hazard: null }),
  alarm('e1-shelved', { state: 'SHLVD', colour: 'yellow', tag: 'PT-1101', pointId: 2 }),
  alarm('e3-h', {
    enterprise: 'E3',
    condition: 'H',
    colour: 'orange',
    tag: 'TT-3101',
    pointId: 9,
    hazard: 'HYD-U02',
  }),
];

async function mountConsole() {
  const calls: Array<{ path: string; query: Record<string, unknown> }> = [];
  const alarms = new ConsoleAlarmList();
  const alarmsVersion = ref(0);
  const live = {
    alarms,
    alarmsVersion,
    sortedAlarms: computed(() => {
      void alarmsVersion.value;
      return sortAlarms(alarms.all());
    }),
    warnings: shallowRef([]),
    reload: () => Promise.resolve(),
  };
  alarms.loadSnapshot(ROWS, alarms.mark());
  alarmsVersion.value += 1;
  app.ctx = {
    api: {
      http: {
        get: vi.fn((path: string, query: Record<string, unknown>) => {
          calls.push({ path, query });
          return Promise.resolve(new Blob(['x']));
        }),
      },
    },
    session: { user: ref({ role: 'regulator_city' }), me: ref(meOf('regulator_city')) },
    site: {
      roots: shallowRef([
        {
          code: '320600',
          name: '南通市',
          children: [
            {
              code: '320623',
              name: '如东县',
              children: [{ code: 'P32062301', name: '化工园区', children: [] }],
            },
            { code: '320682', name: '如皋市', children: [] },
          ],
        },
      ]),
      enterprises: shallowRef([
        { code: 'E1', name: '如东示例氯碱化工有限公司', region: 'P32062301' },
        { code: 'E3', name: '如皋示例化工有限公司', region: '320682' },
      ]),
      hazards: shallowRef([
        { enterprise: 'E1', code: 'CL-TF01', name: '液氯储罐区' },
        { enterprise: 'E3', code: 'HYD-U02', name: '加氢装置' },
      ]),
      points: shallowRef(
        new Map([
          [1, { name: '液氯储罐V-1101液位', unit: '%' }],
          [2, { name: '液氯储罐V-1101压力', unit: 'MPa' }],
          [9, { name: '反应釜温度', unit: '°C' }],
        ]),
      ),
    },
    live,
    go: () => undefined,
  };
  const w = mount(AlarmConsole, {
    props: { now: T0 + 60_000 },
    global: { plugins: [createAppI18n('zh-CN')] },
  });
  await flushPromises();
  return { w, calls };
}

type Wrapper = Awaited<ReturnType<typeof mountConsole>>['w'];
const shown = (w: Wrapper) => w.findAll('[data-alarm]').map((r) => r.attributes('data-alarm'));

describe('alarm console filters and export', () => {
  const saved: string[] = [];
  beforeEach(() => {
    saved.length = 0;
    URL.createObjectURL = vi.fn(() => 'blob:console');
    URL.revokeObjectURL = vi.fn();
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      saved.push(this.download);
    });
  });
  afterEach(() => vi.restoreAllMocks());

  it('filters the live list by colour, condition, region, enterprise, hazard and text', async () => {
    const { w } = await mountConsole();
    expect(shown(w)).toEqual(['e1-hh', 'e3-h', 'e1-gw']);
    expect(w.find('[data-test="console-shown"]').text()).toBe('显示 3 / 4 条');

    await w.find('[data-filter-colour="blue"]').setValue(true);
    expect(shown(w)).toEqual(['e1-gw']);
    await w.find('[data-filter-colour="orange"]').setValue(true);
    expect(shown(w)).toEqual(['e3-h', 'e1-gw']);
    await w.find('[data-test="clear-filters"]').trigger('click');

    await w.find('[data-filter="condition"]').setValue('H');
    expect(shown(w)).toEqual(['e3-h']);
    await w.find('[data-filter="condition"]').setValue('');

    await w.find('[data-filter="region"]').setValue('320623');
    expect(shown(w)).toEqual(['e1-hh', 'e1-gw']);
    // The enterprises offered are the region's.
    expect(w.findAll('[data-filter="enterprise"] option').map((o) => o.text())).toEqual([
      '全部企业',
      '如东示例氯碱化工有限公司',
    ]);
    await w.find('[data-filter="region"]').setValue('');
    await w.find('[data-filter="enterprise"]').setValue('E3');
    await w.find('[data-filter="hazard"]').setValue('HYD-U02');
    expect(shown(w)).toEqual(['e3-h']);
    await w.find('[data-test="clear-filters"]').trigger('click');

    // A point's name, an enterprise's name, a hazard's name.
    await w.find('[data-filter="text"]').setValue('液位');
    expect(shown(w)).toEqual(['e1-hh']);
    await w.find('[data-filter="text"]').setValue('如皋');
    expect(shown(w)).toEqual(['e3-h']);
    await w.find('[data-filter="text"]').setValue('液氯储罐区');
    expect(shown(w)).toEqual(['e1-hh']);
    expect(w.find('[data-test="console-shown"]').text()).toBe('显示 1 / 4 条');
  });

  it('shelved alarms stay hidden unless asked for, under the filter too', async () => {
    const { w } = await mountConsole();
    await w.find('[data-filter-colour="yellow"]').setValue(true);
    expect(shown(w)).toEqual([]);
    await w.find('[data-test="show-shelved"]').setValue(true);
    expect(shown(w)).toEqual(['e1-shelved']);
  });

  it('exports what it shows: the filters, the states on screen, the language', async () => {
    const { w, calls } = await mountConsole();
    await w.find('[data-filter-colour="red"]').setValue(true);
    await w.find('[data-filter="text"]').setValue('LT-1101');
    await w.find('[data-export="csv"]').trigger('click');
    await flushPromises();
    expect(calls).toEqual([
      {
        path: '/alarms/active/export',
        query: {
          colour: ['red'],
          q: 'LT-1101',
          // Shelved, suppressed and out-of-service alarms are not on screen: not in the file.
          state: ['UNACK', 'ACKED', 'RTNUN'],
          format: 'csv',
          lang: 'zh-CN',
        },
      },
    ]);
    expect(saved).toEqual(['当前报警_20261206-1401.csv']);
    await w.find('[data-test="show-shelved"]').setValue(true);
    await w.find('[data-filter="state"]').setValue('SHLVD');
    await w.find('[data-export="xlsx"]').trigger('click');
    await flushPromises();
    expect(calls.at(-1)!.query).toMatchObject({ state: ['SHLVD'], format: 'xlsx' });
  });
});
