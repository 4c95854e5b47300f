import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import HornControl from '../src/components/alarms/HornControl.vue';
import { createAppI18n } from '../src/i18n/index.js';
import type { HornState } from '../src/logic/horn.js';

const mountHorn = (state: HornState, muted = false, auditFailed = false, locale: 'zh-CN' | 'en' = 'zh-CN') =>
  mount(HornControl, {
    props: { state, muted, auditFailed },
    global: { plugins: [createAppI18n(locale)] },
  });

describe('HornControl (issue #21)', () => {
  it('while sounding: says how many alarms and offers 消音, which emits silence', async () => {
    const w = mountHorn({ status: 'sounding', colour: 'red', count: 2 });
    const horn = w.find('[data-test="horn"]');
    expect(horn.attributes('data-horn')).toBe('sounding');
    expect(horn.attributes('data-colour')).toBe('red');
    expect(horn.text()).toContain('报警鸣响：2 条红/橙报警未确认');
    await w.find('[data-test="horn-silence"]').trigger('click');
    expect(w.emitted('silence')).toHaveLength(1);
  });

  it('silenced: no silence button, says a new alarm sounds again', () => {
    const w = mountHorn({ status: 'silenced', colour: 'orange', count: 1 });
    expect(w.find('[data-test="horn"]').attributes('data-horn')).toBe('silenced');
    expect(w.find('[data-test="horn-silence"]').exists()).toBe(false);
    expect(w.text()).toContain('已消音（1 条未确认）');
  });

  it('a muted console says it makes no sound — a mute is not a silence', () => {
    const w = mountHorn({ status: 'sounding', colour: 'red', count: 1 }, true);
    expect(w.find('[data-test="horn-muted"]').text()).toBe('本机已静音：报警不发声');
    expect(
      mountHorn({ status: 'quiet', colour: null, count: 0 }, true).find('[data-test="horn-muted"]').exists(),
    ).toBe(false);
  });

  it('counts in English with the right number', () => {
    const one = mountHorn({ status: 'sounding', colour: 'orange', count: 1 }, false, false, 'en');
    expect(one.find('.label').text()).toBe('Horn: 1 red/orange alarm unacknowledged');
    const two = mountHorn({ status: 'sounding', colour: 'red', count: 2 }, false, false, 'en');
    expect(two.find('.label').text()).toBe('Horn: 2 red/orange alarms unacknowledged');
  });

  it('shows a silence the audit log did not get, in English too', () => {
    const w = mountHorn({ status: 'silenced', colour: 'red', count: 1 }, false, true, 'en');
    expect(w.find('[data-test="horn-audit-failed"]').text()).toBe('The silence could not be audited');
    expect(w.text()).toContain('Silenced (1 unacknowledged)');
  });
});
