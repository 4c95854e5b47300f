import { flushPromises, mount } from '@vue/test-utils';
import { describe, expect, it, vi } from 'vitest';
import { shallowRef } from 'vue';
import WarningPanel from '../src/components/alarms/WarningPanel.vue';
import type { WarningRow, WarningState } from '@hazardwatch/contracts';
import { createAppI18n } from '../src/i18n/index.js';

// The panel takes its context from useApp(), mocked by path (see AlarmConsole.test.ts).
const app = vi.hoisted((): { ctx: unknown } => ({ ctx: undefined }));
vi.mock('../src/app-context.js', () => ({ useApp: () => app.ctx }));

const T0 = Date.UTC(2026, 11, 6, 6, 0, 0);

/** A server holding one 预警 that moves through sign → feedback → close as the API does. */
function mountPanel(initial: WarningState) {
  let current: WarningRow = {
    id: 'w1',
    enterprise: 'E1',
    hazard: null,
    colour: 'orange',
    state: initial,
    level: null,
    openedAt: T0,
    updatedAt: T0,
    closedAt: null,
  };
  const to = (state: WarningState) => (): Promise<void> => {
    current = { ...current, state };
    return Promise.resolve();
  };
  const api = {
    warnings: vi.fn(() => Promise.resolve([current])),
    signWarning: vi.fn(to('signed')),
    feedbackWarning: vi.fn(to('feedback')),
    closeWarning: vi.fn(to('closed')),
  };
  app.ctx = { api, live: { warnings: shallowRef([current]) }, site: { hazards: shallowRef([]) } };
  const w = mount(WarningPanel, {
    props: { enterpriseName: (c: string | null) => c ?? '—', canWrite: true },
    global: { plugins: [createAppI18n()] },
  });
  return { w, api };
}

type Wrapper = ReturnType<typeof mountPanel>['w'];
const row = (w: Wrapper) => w.find('[data-warning="w1"]');
const feedbackInput = (w: Wrapper) => row(w).find('[data-test="feedback-text"]');
const closeInput = (w: Wrapper) => row(w).find('[data-test="close-reason"]');
const closeButton = (w: Wrapper) => row(w).find('[data-test="close"]');
/** An input's current value (tsconfig.test.json has no DOM library). */
const valueOf = (input: ReturnType<Wrapper['find']>): string =>
  (input.element as unknown as { value: string }).value;

describe('预警 handling: feedback and 消警 each have their own text', () => {
  it('clears the feedback after it is sent and closes only with a reason of its own', async () => {
    const { w, api } = mountPanel('signed');
    // While signed, both steps are open: their inputs are separate.
    await feedbackInput(w).setValue('已关闭进料阀，液位回落');
    expect(valueOf(closeInput(w))).toBe('');
    expect(closeButton(w).attributes('disabled')).toBeDefined();

    await row(w).find('[data-test="feedback"]').trigger('click');
    await flushPromises();
    expect(api.feedbackWarning).toHaveBeenCalledWith('w1', '已关闭进料阀，液位回落');
    expect(row(w).text()).toContain('处置反馈');

    // 核查 → 消警: the close reason starts empty, and the close waits for one.
    expect(valueOf(closeInput(w))).toBe('');
    expect(closeButton(w).attributes('disabled')).toBeDefined();
    await closeButton(w).trigger('click');
    expect(api.closeWarning).not.toHaveBeenCalled();

    await closeInput(w).setValue('  现场核查正常  ');
    expect(closeButton(w).attributes('disabled')).toBeUndefined();
    await closeButton(w).trigger('click');
    await flushPromises();
    expect(api.closeWarning).toHaveBeenCalledWith('w1', '现场核查正常');
  });

  it('never sends the feedback text as the close reason of a signed 预警', async () => {
    const { w, api } = mountPanel('signed');
    await feedbackInput(w).setValue('处置中');
    await closeButton(w).trigger('click');
    await flushPromises();
    expect(api.closeWarning).not.toHaveBeenCalled();
    await closeInput(w).setValue('误报');
    await closeButton(w).trigger('click');
    await flushPromises();
    expect(api.closeWarning).toHaveBeenCalledWith('w1', '误报');
  });

  it('keeps the typed text when the action fails, and clears a step only after it succeeds', async () => {
    const { w, api } = mountPanel('feedback');
    api.closeWarning.mockRejectedValueOnce(new Error('network'));
    await closeInput(w).setValue('核查完毕');
    await closeButton(w).trigger('click');
    await flushPromises();
    expect(w.find('[role="alert"]').exists()).toBe(true);
    expect(valueOf(closeInput(w))).toBe('核查完毕');
  });
});
