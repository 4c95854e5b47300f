// The root tsconfig.test.json has no DOM lib; this test mounts components (happy-dom).
/// <reference lib="dom" />
import { flushPromises, mount } from '@vue/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { computed, ref, shallowRef } from 'vue';
import AlarmConsole from '../src/components/alarms/AlarmConsole.vue';
import type { AlarmRow, AuthorityRole } from '@hazardwatch/contracts';
import { createAppI18n } from '../src/i18n/index.js';
import { sortAlarms } from '../src/logic/alarm-sort.js';
import { ConsoleAlarmList } from '../src/state/console-alarm-list.js';
import { meOf } from './support/me.js';

const app = vi.hoisted((): { ctx: unknown } => ({ ctx: undefined }));
vi.mock('../src/app-context.js', () => ({ useApp: () => app.ctx }));

const T0 = Date.UTC(2026, 11, 6, 6, 0, 0);

function alarm(id: string, colour: AlarmRow['colour'], state: AlarmRow['state'], raisedAt: number): AlarmRow {
  return {
    id,
    condition: 'HH',
    state,
    colour,
    active: true,
    enterprise: 'E1',
    pointId: 1,
    tag: `T-${id}`,
    hazard: null,
    gateway: 'GW01',
    raisedAt,
    updatedAt: raisedAt,
    closedAt: null,
    value: 1.3,
    limit: 1.2,
    ackedAt: null,
    ackedBy: null,
    shelvedUntilMs: null,
    shelveReason: null,
    outOfServiceReason: null,
    late: false,
  };
}

/** Three open alarms, shown red first: r (UNACK), o (ACKED), y (UNACK). */
async function mountConsole(role: AuthorityRole = 'operator') {
  let rows = [
    alarm('y', 'yellow', 'UNACK', T0 + 3000),
    alarm('o', 'orange', 'ACKED', T0 + 2000),
    alarm('r', 'red', 'UNACK', T0 + 1000),
  ];
  const api = {
    activeAlarms: vi.fn(() => Promise.resolve(rows)),
    ack: vi.fn((id: string) => {
      rows = rows.map((a) =>
        a.id === id ? { ...a, state: 'ACKED' as const, updatedAt: a.updatedAt + 1 } : a,
      );
      return Promise.resolve();
    }),
    comment: vi.fn(() => Promise.resolve()),
  };
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
    reload: async (): Promise<void> => {
      const since = alarms.mark();
      alarms.loadSnapshot(await api.activeAlarms(), since);
      alarmsVersion.value += 1;
    },
  };
  await live.reload();
  app.ctx = {
    api,
    session: { user: ref({ role }), me: ref(meOf(role)) },
    site: {
      enterprises: shallowRef([]),
      hazards: shallowRef([]),
      points: shallowRef(new Map()),
      roots: shallowRef([]),
    },
    live,
    go: () => undefined,
  };
  const w = mount(AlarmConsole, {
    props: { now: T0 + 60_000 },
    global: { plugins: [createAppI18n()] },
    attachTo: document.body,
  });
  return { w, api };
}

type Wrapper = Awaited<ReturnType<typeof mountConsole>>['w'];
const press = async (key: string, target: EventTarget = document.body, init: KeyboardEventInit = {}) => {
  target.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true, ...init }));
  await flushPromises();
};
const current = (w: Wrapper): string | null => w.find('.alarm.current').attributes('data-alarm') ?? null;
const hasCurrent = (w: Wrapper): boolean => w.find('.alarm.current').exists();

let mounted: Wrapper | null = null;
afterEach(() => {
  mounted?.unmount();
  mounted = null;
});

describe('alarm console keyboard (issue #21 (b))', () => {
  it('↓/↑ move the current row in the order shown; Escape clears it', async () => {
    const { w } = await mountConsole();
    mounted = w;
    expect(hasCurrent(w)).toBe(false);
    await press('ArrowDown');
    expect(current(w)).toBe('r');
    await press('ArrowDown');
    expect(current(w)).toBe('o');
    await press('ArrowDown');
    await press('ArrowDown');
    expect(current(w)).toBe('y');
    await press('ArrowUp');
    expect(current(w)).toBe('o');
    expect(w.find('[data-test="alarm-actions"]').exists()).toBe(true);
    await press('Escape');
    expect(hasCurrent(w)).toBe(false);
    expect(w.find('[data-test="alarm-actions"]').exists()).toBe(false);
  });

  it('Enter acknowledges the current row when acknowledgement is valid for it', async () => {
    const { w, api } = await mountConsole();
    mounted = w;
    await press('ArrowDown');
    await press('Enter');
    expect(api.ack).toHaveBeenCalledWith('r');
    expect(w.find('[data-alarm="r"]').attributes('data-state')).toBe('ACKED');
    // An acknowledged alarm: nothing to acknowledge.
    await press('ArrowDown');
    expect(current(w)).toBe('o');
    await press('Enter');
    expect(api.ack).toHaveBeenCalledTimes(1);
    // No current row: Enter does nothing.
    await press('Escape');
    await press('Enter');
    expect(api.ack).toHaveBeenCalledTimes(1);
  });

  it('Enter acknowledges nothing for a role without the permission', async () => {
    const { w, api } = await mountConsole('regulator_county');
    mounted = w;
    await press('ArrowDown');
    expect(current(w)).toBe('r');
    await press('Enter');
    expect(api.ack).not.toHaveBeenCalled();
  });

  it('never fires while typing in an input or in the shelve dialog, nor with a modifier', async () => {
    const { w, api } = await mountConsole();
    mounted = w;
    await press('ArrowDown');
    const input = w.find('form.comment input').element;
    await press('Enter', input);
    await press('ArrowDown', input);
    await press('Escape', input);
    expect(current(w)).toBe('r');
    await press('Enter', document.body, { ctrlKey: true });
    expect(api.ack).not.toHaveBeenCalled();

    await w.find('[data-action="shelve"]').trigger('click');
    const dialog = w.find('[data-test="shelve-dialog"]').element;
    await press('Enter', dialog);
    await press('Escape', dialog);
    expect(api.ack).not.toHaveBeenCalled();
    expect(current(w)).toBe('r');
  });

  it('shows the shortcuts', async () => {
    const { w } = await mountConsole();
    mounted = w;
    expect(w.find('[data-test="keys-hint"]').text()).toBe('↑↓ 选择报警 · Enter 确认 · Esc 取消选择');
  });
});
