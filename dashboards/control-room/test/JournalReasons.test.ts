/**
 * The journal row's actor and reason (issue #21): the engine's own events read 系统 / System and
 * their reason in the reader's language; a person's text is shown exactly as typed.
 */
import { flushPromises, mount } from '@vue/test-utils';
import { describe, expect, it, vi } from 'vitest';
import { shallowRef } from 'vue';
import type { JournalEntry } from '@hazardwatch/contracts';
import JournalView from '../src/components/journal/JournalView.vue';
import { createAppI18n } from '../src/i18n/index.js';

const app = vi.hoisted((): { ctx: unknown } => ({ ctx: undefined }));
vi.mock('../src/app-context.js', () => ({ useApp: () => app.ctx }));

const NOW = Date.UTC(2026, 11, 6, 6, 0, 0);

const event = (id: string, fields: Partial<JournalEntry>): JournalEntry => ({
  id,
  alarmId: 'a1',
  ts: NOW - 3_600_000,
  at: '2026-12-06T13:00:00.000+08:00',
  from: 'NORM',
  to: 'UNACK',
  condition: 'H',
  colour: 'yellow',
  actor: 'system',
  reason: null,
  value: 81,
  limit: 80,
  unit: '%',
  late: false,
  enterprise: 'E1',
  enterpriseName: null,
  hazard: null,
  hazardName: null,
  pointId: 1,
  tag: 'LT-1101',
  pointName: null,
  gateway: null,
  ...fields,
});

const EVENTS: JournalEntry[] = [
  event('1', { reason: 'condition active' }),
  event('2', { from: 'UNACK', to: 'ACKED', actor: 'zhang', reason: 'condition active' }),
  event('3', {
    from: 'ACKED',
    to: 'UNACK',
    reason: 're-alarm: still active 900000 ms after acknowledgement',
  }),
  event('4', { from: 'UNACK', to: 'DSUPR', reason: 'suppressed by HH' }),
  event('5', { from: 'UNACK', to: 'SHLVD', actor: 'zhang', reason: '检修中，已通知  维修' }),
  event('6', { from: 'SHLVD', to: 'UNACK', reason: 'shelve expired' }),
  event('7', { from: 'ACKED', to: 'NORM', actor: 'zhang', reason: 'latched alarm reset by acknowledgement' }),
  event('8', { reason: 'a text the engine never wrote' }),
  event('9', { from: 'UNACK', to: 'RTNUN', reason: null }),
  // A platform alarm's raise names its cause (issue #20).
  event('10', {
    condition: 'JOB_STALE',
    reason: 'condition active: chunks not compressed on time',
    pointId: null,
    tag: null,
  }),
];

async function rows(locale: 'zh-CN' | 'en'): Promise<string[][]> {
  app.ctx = {
    api: {
      http: {
        get: vi.fn(() => Promise.resolve({ items: EVENTS, total: EVENTS.length, limit: 100, offset: 0 })),
      },
    },
    site: {
      roots: shallowRef([]),
      enterprises: shallowRef([]),
      hazards: shallowRef([]),
      points: shallowRef(new Map()),
    },
  };
  const w = mount(JournalView, { props: { now: NOW }, global: { plugins: [createAppI18n(locale)] } });
  await flushPromises();
  return EVENTS.map((e) => {
    const row = w.find(`[data-event="${e.id}"]`);
    // The raw cell text: a person's spacing is kept.
    return [
      row.find('[data-test="actor"]').element.textContent ?? '',
      row.find('[data-test="reason"]').element.textContent ?? '',
    ];
  });
}

describe('journal row: actor and reason in the reader’s language (issue #21)', () => {
  it('reads the engine’s events in Chinese, and a person’s text as typed', async () => {
    expect(await rows('zh-CN')).toEqual([
      ['系统', '报警条件成立'],
      ['zhang', 'condition active'],
      ['系统', '再次报警：确认后 15 分钟 仍处于报警'],
      ['系统', '被高高报设计抑制'],
      ['zhang', '检修中，已通知  维修'],
      ['系统', '搁置到期'],
      ['zhang', '锁定报警经确认复位'],
      ['系统', 'a text the engine never wrote'],
      ['系统', ''],
      ['系统', '报警条件成立：压缩未按时完成'],
    ]);
  });

  it('reads them in English', async () => {
    expect(await rows('en')).toEqual([
      ['System', 'Condition active'],
      ['zhang', 'condition active'],
      ['System', 'Re-alarm: still active 15 min after acknowledgement'],
      ['System', 'Suppressed by design (High-high)'],
      ['zhang', '检修中，已通知  维修'],
      ['System', 'Shelve expired'],
      ['zhang', 'Latched alarm reset by acknowledgement'],
      ['System', 'a text the engine never wrote'],
      ['System', ''],
      ['System', 'Condition active: chunks not compressed on time'],
    ]);
  });
});
