import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import AlarmTable from '../src/components/alarms/AlarmTable.vue';
import { createAppI18n } from '../src/i18n/index.js';
import { COLOUR_HEX } from '../src/logic/colour.js';
import type { OpenAlarm } from '../src/state/console-alarm-list.js';

function alarm(
  id: string,
  colour: OpenAlarm['colour'],
  raisedAt: number,
  state: OpenAlarm['state'] = 'UNACK',
): OpenAlarm {
  return {
    id,
    colour,
    raisedAt,
    state,
    condition: 'HH',
    active: state !== 'RTNUN',
    enterprise: 'E1',
    pointId: 1,
    tag: `T-${id}`,
    hazard: null,
    gateway: 'GW01',
    updatedAt: raisedAt,
    closedAt: null,
    value: 1.23,
    limit: 1.2,
    ackedAt: null,
    ackedBy: null,
    shelvedUntilMs: null,
    shelveReason: null,
    outOfServiceReason: null,
    late: false,
    lastEventId: null,
  };
}

const mountTable = (alarms: OpenAlarm[], now = 100_000) =>
  mount(AlarmTable, { props: { alarms, now }, global: { plugins: [createAppI18n()] } });

describe('AlarmTable (alarm console list)', () => {
  it('orders by colour, then newest first', () => {
    const w = mountTable([
      alarm('y', 'yellow', 90_000),
      alarm('r-old', 'red', 10_000, 'ACKED'),
      alarm('b', 'blue', 99_000),
      alarm('o', 'orange', 50_000),
      alarm('r-new', 'red', 60_000),
    ]);
    expect(w.findAll('.alarm').map((r) => r.attributes('data-alarm'))).toEqual([
      'r-new',
      'r-old',
      'o',
      'y',
      'b',
    ]);
  });

  it('renders the ISA-18.2 state: UNACK blinking, ACKED steady, RTNUN hollow; ack only where due', () => {
    const w = mountTable([
      alarm('u', 'red', 3),
      alarm('a', 'red', 2, 'ACKED'),
      alarm('rt', 'red', 1, 'RTNUN'),
    ]);
    const row = (id: string) => w.find(`[data-alarm="${id}"]`);
    expect(row('u').classes()).toContain('state-UNACK');
    expect(row('u').find('[data-test="state"]').text()).toBe('未确认');
    expect(row('a').classes()).toContain('state-ACKED');
    expect(row('a').find('[data-test="state"]').text()).toBe('已确认');
    expect(row('rt').classes()).toContain('state-RTNUN');
    expect(row('rt').find('[data-test="state"]').text()).toBe('已恢复未确认');
    expect(row('u').find('[data-test="ack"]').exists()).toBe(true);
    expect(row('a').find('[data-test="ack"]').exists()).toBe(false);
    expect(row('rt').find('[data-test="ack"]').exists()).toBe(true);
  });

  it('shows value, limit and how long the alarm has stood', () => {
    const w = mountTable([alarm('x', 'orange', 100_000 - 125_000)], 100_000);
    const text = w.find('[data-alarm="x"]').text();
    expect(text).toContain('1.23');
    expect(text).toContain('1.2');
    expect(text).toContain('02:05');
  });

  it('emits ack with the alarm id', async () => {
    const w = mountTable([alarm('x', 'red', 1)]);
    await w.find('[data-test="ack"]').trigger('click');
    expect(w.emitted('ack')).toEqual([['x']]);
    expect(w.emitted('open')).toBeUndefined();
  });

  it('renders a bounded window of rows for 2,000 alarms', () => {
    const many = Array.from({ length: 2000 }, (_, i) =>
      alarm(`a${i}`, (['red', 'orange', 'yellow', 'blue'] as const)[i % 4]!, i),
    );
    const w = mountTable(many);
    const rows = w.findAll('.alarm');
    expect(rows.length).toBeGreaterThan(10);
    expect(rows.length).toBeLessThan(60);
    expect(rows[0]!.attributes('data-alarm')).toBe('a1996');
  });
});

describe('AlarmTable: late alarms', () => {
  it('marks a late alarm (replayed readings) and keeps it acknowledgeable', () => {
    const w = mountTable([
      { ...alarm('late', 'red', 5000, 'RTNUN'), late: true },
      alarm('live', 'red', 6000),
    ]);
    const late = w.find('[data-alarm="late"]');
    expect(late.find('[data-test="late"]').text()).toBe('补报');
    expect(
      late.find('[data-test="ack"]').exists() ||
        late.find('input[type="checkbox"]').attributes('disabled') === undefined,
    ).toBe(true);
    expect(w.find('[data-alarm="live"] [data-test="late"]').exists()).toBe(false);
  });
});

describe('AlarmTable: returned-unacknowledged alarms keep their priority colour', () => {
  const colours = ['red', 'orange', 'yellow', 'blue'] as const;
  const chip = (w: ReturnType<typeof mountTable>, id: string) => w.find(`[data-alarm="${id}"] .chip`);

  // ISA-18.2 / ISA-101: the state is shown by style (hollow, slow blink), the priority by colour.
  it.each(colours)(
    'an RTNUN %s chip is outlined in its priority colour, unlike the filled active chip',
    (colour) => {
      const w = mountTable([alarm('rt', colour, 1, 'RTNUN'), alarm('u', colour, 2)]);
      const rt = chip(w, 'rt');
      expect(rt.classes()).toContain('chip-hollow');
      expect(rt.classes()).toContain(`chip-hollow-${colour}`);
      expect(rt.attributes('style')).toContain(`--chip-colour: ${COLOUR_HEX[colour]}`);
      const active = chip(w, 'u');
      expect(active.classes()).toContain(`chip-${colour}`);
      expect(active.classes()).not.toContain('chip-hollow');
    },
  );

  it('gives the four RTNUN chips four different colours', () => {
    const w = mountTable(colours.map((c) => alarm(c, c, 1, 'RTNUN')));
    const styles = new Set(colours.map((c) => chip(w, c).attributes('style')));
    expect(styles.size).toBe(4);
  });
});

describe('AlarmTable: readable rows', () => {
  const points = new Map([[1, { name: '1号液氯储罐液位', unit: 'm' }]]);
  const hazardName = (e: string | null, h: string) => (e === 'E1' && h === 'H1' ? '液氯储罐区' : h);
  const longName = '某某市某某化工新材料科技股份有限公司第二生产基地';
  const mountReadable = (alarms: OpenAlarm[]) =>
    mount(AlarmTable, {
      props: { alarms, now: Date.now(), points, hazardName, enterpriseName: () => longName },
      global: { plugins: [createAppI18n()] },
    });

  it('shows the point name and hazard, value and limit with the unit, and the date of the raise', () => {
    const raisedAt = new Date(2026, 11, 6, 14, 5, 9).getTime();
    const w = mountReadable([{ ...alarm('x', 'red', raisedAt), hazard: 'H1' }]);
    const row = w.find('[data-alarm="x"]');
    expect(row.find('[data-test="point"]').text()).toBe('T-x 1号液氯储罐液位');
    expect(row.find('[data-test="hazard"]').text()).toBe('液氯储罐区');
    expect(row.find('[data-test="value"]').text()).toBe('1.23 m');
    expect(row.find('[data-test="limit"]').text()).toBe('1.2 m');
    expect(row.find('[data-test="time"]').text()).toBe('12-06 14:05:09');
    expect(row.find('[data-test="time"]').attributes('title')).toBe('2026-12-06 14:05:09');
    expect(w.find('.head').text()).toContain('重大危险源');
  });

  it('gives long names in full in their tooltip', () => {
    const w = mountReadable([{ ...alarm('x', 'red', 1), hazard: 'H1' }]);
    const row = w.find('[data-alarm="x"]');
    expect(row.find('[data-test="enterprise"]').attributes('title')).toBe(longName);
    expect(row.find('[data-test="point"]').attributes('title')).toBe('T-x 1号液氯储罐液位');
    expect(row.find('[data-test="hazard"]').attributes('title')).toBe('液氯储罐区');
  });

  it('gives a staleness limit as a duration without the unit, and no hazard as —', () => {
    const w = mountReadable([
      { ...alarm('s', 'yellow', 1), condition: 'STALE', limit: 300_000, value: null },
    ]);
    const row = w.find('[data-alarm="s"]');
    expect(row.find('[data-test="limit"]').text()).toBe('05:00');
    expect(row.find('[data-test="value"]').text()).toBe('—');
    expect(row.find('[data-test="hazard"]').text()).toBe('—');
  });

  it('gives a stale platform job’s value (how far past due) and limit as durations (issue #20)', () => {
    // Compression left a chunk 2 days past due, against 2 × its 12 h interval: it read 172800000 / 86400000.
    const w = mountReadable([
      {
        ...alarm('j', 'blue', 1),
        condition: 'JOB_STALE',
        enterprise: null,
        pointId: null,
        gateway: null,
        tag: 'timescaledb/compression:readings',
        value: 172_800_000,
        limit: 86_400_000,
      },
    ]);
    const row = w.find('[data-alarm="j"]');
    expect(row.find('[data-test="value"]').text()).toBe('2d 00:00:00');
    expect(row.find('[data-test="limit"]').text()).toBe('1d 00:00:00');
  });
});

describe('AlarmTable: suppressed by design (ISA-18.2 DSUPR, issue #19 item 8)', () => {
  // While HH is active its H is DSUPR: shown muted as suppressed, never as returned-unacked.
  const rows = () => [
    { ...alarm('h', 'orange', 1, 'DSUPR'), condition: 'H' as const, active: true, value: 88, limit: 80 },
    alarm('hh', 'red', 2),
  ];

  it('shows 设计抑制 / Suppressed by design, styled as suppressed and not as RTNUN', () => {
    for (const [locale, text] of [
      ['zh-CN', '设计抑制'],
      ['en', 'Suppressed by design'],
    ] as const) {
      const w = mount(AlarmTable, {
        props: { alarms: rows(), now: 100_000 },
        global: { plugins: [createAppI18n(locale)] },
      });
      const row = w.find('[data-alarm="h"]');
      expect(row.find('[data-test="state"]').text()).toBe(text);
      expect(row.classes()).toContain('state-DSUPR');
      expect(row.classes()).not.toContain('state-RTNUN');
      const chip = row.find('.chip');
      expect(chip.classes()).toContain('chip-suppressed');
      expect(chip.classes()).not.toContain('chip-hollow');
      expect(row.find('[data-test="state"]').attributes('title')).toBeTruthy();
    }
  });

  it('offers no acknowledgement for it: the acknowledgement requirement returns with the alarm', () => {
    const w = mountTable(rows());
    const row = w.find('[data-alarm="h"]');
    expect(row.find('[data-test="ack"]').exists()).toBe(false);
    expect(row.find('input[type="checkbox"]').attributes('disabled')).toBeDefined();
    expect(w.find('[data-alarm="hh"] [data-test="ack"]').exists()).toBe(true);
  });
});

describe('AlarmTable keeps the current row in view (issue #21 keyboard)', () => {
  it('scrolls down to a current row below the window and back up to one above it', async () => {
    // 100 red alarms, newest first: a-99 is row 0, a-0 row 99 (28 px rows, 600 px assumed viewport).
    const alarms = Array.from({ length: 100 }, (_, i) => alarm(`a-${i}`, 'red', i));
    const w = mountTable(alarms);
    const scroller = w.find('[data-test="alarm-scroller"]').element as unknown as { scrollTop: number };
    // The root type check sees components through the shim (no props typed).
    const setCurrent = (id: string) => w.setProps({ current: id } as never);
    await setCurrent('a-49');
    // Row 50 ends at 51 × 28 = 1428 px: scrolled so it is the last row in view.
    expect(scroller.scrollTop).toBe(1428 - 600);
    expect(w.find('[data-alarm="a-49"]').exists()).toBe(true);
    await setCurrent('a-97');
    expect(scroller.scrollTop).toBe(2 * 28);
    expect(w.find('[data-alarm="a-97"]').exists()).toBe(true);
  });
});
