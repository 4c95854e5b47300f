/**
 * The journal export's actor and reason cells (issue #21): the engine's own events read 系统 /
 * System and their reason in the export's language; a person's text is written as typed.
 */
import { describe, expect, it } from 'vitest';
import { SYSTEM_REASON_CODES, type JournalEntry, type SystemReason } from '@hazardwatch/contracts';
import { journalCells, wordsOf } from '../src/journal/export-columns.js';
import { systemReasonText } from '../src/journal/system-reason-words.js';

const ACTOR = 12;
const REASON = 13;

const entry = (fields: Partial<JournalEntry>): JournalEntry => ({
  id: '1',
  alarmId: 'a1',
  ts: 1_772_435_400_000,
  at: '2026-03-02T15:10:00.000+08:00',
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
  tag: 'LT-1',
  pointName: null,
  gateway: null,
  ...fields,
});

const cells = (lang: 'zh-CN' | 'en', fields: Partial<JournalEntry>) => {
  const row = journalCells(entry(fields), wordsOf(lang));
  return [row[ACTOR], row[REASON]];
};

describe('journal export: actor and reason in the reader’s language', () => {
  it.each([
    ['condition active', '报警条件成立', 'Condition active'],
    [
      'condition active: chunks not compressed on time',
      '报警条件成立：压缩未按时完成',
      'Condition active: chunks not compressed on time',
    ],
    [
      're-alarm: condition active again: expired data not dropped',
      '再次报警：报警条件再次成立（过期数据未删除）',
      'Re-alarm: condition active again (expired data not dropped)',
    ],
    ['shelve expired', '搁置到期', 'Shelve expired'],
    [
      're-alarm: still active 900000 ms after acknowledgement',
      '再次报警：确认后 15 分钟 仍处于报警',
      'Re-alarm: still active 15 min after acknowledgement',
    ],
    [
      'chattering ended: quiet for 90500 ms',
      '振荡结束：90.5 秒内无新报警',
      'Chattering ended: quiet for 90.5 s',
    ],
    ['chattering: ≥3 in 60s', '振荡报警：1 分钟内 ≥3 次', 'Chattering: ≥3 in 1 min'],
    ['suppressed by HH', '被高高报设计抑制', 'Suppressed by design (High-high)'],
    ['LL no longer in alarm', '低低报已解除', 'Low-low no longer in alarm'],
    [
      're-alarm: severity yellow → red (site model changed)',
      '再次报警：颜色 黄 → 红（站点模型变更）',
      'Re-alarm: colour Yellow → Red (site model changed)',
    ],
  ])('system %j', (reason, zh, en) => {
    expect(cells('zh-CN', { reason })).toEqual(['系统', zh]);
    expect(cells('en', { reason })).toEqual(['System', en]);
  });

  it('writes a person’s text as typed, also when it reads like an engine text, and unknown text as stored', () => {
    expect(cells('zh-CN', { actor: 'op1', from: 'UNACK', to: 'ACKED', reason: 'condition active' })).toEqual([
      'op1',
      'condition active',
    ]);
    expect(cells('zh-CN', { actor: 'op1', from: 'UNACK', to: 'ACKED', reason: '已通知，维修' })).toEqual([
      'op1',
      '已通知，维修',
    ]);
    expect(cells('zh-CN', { reason: 'something new' })).toEqual(['系统', 'something new']);
    expect(cells('en', { reason: null })).toEqual(['System', null]);
    expect(
      cells('zh-CN', {
        actor: 'op1',
        from: 'ACKED',
        to: 'NORM',
        reason: 'latched alarm reset by acknowledgement',
      }),
    ).toEqual(['op1', '锁定报警经确认复位']);
  });

  it('has a text without a left-over placeholder for every code in both languages', () => {
    const samples: Record<string, SystemReason> = {
      REALARM_SEVERITY: { code: 'REALARM_SEVERITY', from: 'blue', to: 'orange', cause: 'SITE_MODEL_CHANGED' },
      CONDITION_ACTIVE_CAUSE: { code: 'CONDITION_ACTIVE_CAUSE', cause: 'NO_SUCCESS_ON_TIME' },
      REALARM_ACTIVE_AGAIN_CAUSE: { code: 'REALARM_ACTIVE_AGAIN_CAUSE', cause: 'EFFECT_NOT_MET' },
      CHATTERING: { code: 'CHATTERING', count: 3, windowS: 60 },
      REALARM_AFTER_ACK: { code: 'REALARM_AFTER_ACK', ms: 60_000 },
      CHATTERING_ENDED: { code: 'CHATTERING_ENDED', ms: 60_000 },
      SUPPRESSED_BY: { code: 'SUPPRESSED_BY', by: 'LL' },
      SUPPRESSOR_CLEARED: { code: 'SUPPRESSOR_CLEARED', by: 'HH' },
    };
    for (const code of SYSTEM_REASON_CODES) {
      const r = samples[code] ?? ({ code } as SystemReason);
      for (const lang of ['zh-CN', 'en'] as const) {
        const w = wordsOf(lang);
        const text = systemReasonText(r, lang, w.colour, w.condition);
        expect(text, `${code} ${lang}`).not.toMatch(/[{}]|undefined/);
        expect(text.length).toBeGreaterThan(1);
      }
    }
  });
});
