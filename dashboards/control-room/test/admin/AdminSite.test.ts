import { flushPromises, mount } from '@vue/test-utils';
import { describe, expect, it, vi } from 'vitest';
import type { SiteCheckResult } from '@hazardwatch/contracts';
import { ApiRequestError } from '../../src/api/http.js';
import EntityForm from '../../src/components/admin/EntityForm.vue';
import { formValues, issuesByField, patchOf } from '../../src/components/admin/site-fields.js';
import { createAppI18n } from '../../src/i18n/index.js';

/** LT-1101 as GET /points/:id shows it (the parts the form reads). */
const LT1101 = {
  id: 1,
  tag: 'LT-1101',
  enterprise: 'E1',
  hazard: 'CL-TF01',
  gateway: 'GW01',
  name: '液氯储罐V-1101液位',
  kind: 'level',
  unit: '%',
  range: { min: 0, max: 100 },
  limits: { ll: 10, l: 20, h: 80, hh: 85 },
  onDelayMs: 10_000,
  offDelayMs: 0,
  staleAfterMs: 300_000,
};
const checked = (over: Partial<SiteCheckResult>): SiteCheckResult => ({
  ok: true,
  errors: [],
  defects: [],
  weakens: [],
  value: null,
  ...over,
});

function mountForm(checks: SiteCheckResult[], locale: 'zh-CN' | 'en' = 'en') {
  const admin = {
    checkSite: vi.fn(() => Promise.resolve(checks.shift()!)),
    createEntity: vi.fn(() => Promise.resolve({ kind: 'applied' as const, change: null })),
    updateEntity: vi.fn(() => Promise.resolve({ kind: 'applied' as const, change: null })),
    deleteEntity: vi.fn(() => Promise.resolve({ kind: 'applied' as const, change: null })),
  };
  const w = mount(EntityForm, {
    props: { admin, entity: 'point', shown: LT1101, enterprise: 'E1', pointId: 1 },
    global: { plugins: [createAppI18n(locale)] },
  });
  return { w, admin };
}

describe('site edit form: the server’s check shown per field', () => {
  it('shows a limit out of order beside HH, translated by its rule, and writes nothing', async () => {
    const message = 'point E1/LT-1101: H 90 must be below HH 85 [LIMIT_ORDER; LL < L < H < HH, REFERENCE §6]';
    const { w, admin } = mountForm(
      [
        checked({
          ok: false,
          errors: [{ rule: 'LIMIT_ORDER', path: '/points/0/limits/hh', field: 'limits.hh', message }],
        }),
      ],
      'zh-CN',
    );
    await w.find('input[name="limits.h"]').setValue('90');
    await w.find('form').trigger('submit');
    await flushPromises();
    expect(admin.checkSite).toHaveBeenCalledWith({
      op: 'update',
      entity: 'point',
      key: { enterprise: 'E1', tag: 'LT-1101' },
      patch: { limits: { h: 90 } },
    });
    const issue = w.find('[data-issue="limits.hh"]');
    expect(issue.attributes('data-rule')).toBe('LIMIT_ORDER');
    expect(issue.text()).toContain('报警限值须满足 LL < L < H < HH');
    expect(issue.text()).toContain(message);
    expect(admin.updateEntity).not.toHaveBeenCalled();
  });

  it('asks for a reason when the edit weakens monitoring, then saves with it', async () => {
    const weakens = checked({ weakens: ['monitoring.limit.weaken'] });
    const { w, admin } = mountForm([weakens, weakens]);
    await w.find('input[name="limits.h"]').setValue('82');
    await w.find('form').trigger('submit');
    await flushPromises();
    expect(w.find('[data-issue="reason"]').text()).toContain('monitoring.limit.weaken');
    expect(admin.updateEntity).not.toHaveBeenCalled();
    await w.find('input[name="reason"]').setValue('工艺调整，经安全评审');
    await w.find('form').trigger('submit');
    await flushPromises();
    expect(admin.updateEntity).toHaveBeenCalledWith(
      { entity: 'point', key: { enterprise: 'E1', tag: 'LT-1101' }, pointId: 1 },
      { limits: { h: 82 } },
      '工艺调整，经安全评审',
    );
    expect(w.find('[data-test="entity-result"]').attributes('data-result')).toBe('applied');
  });

  it("shows the server's refusal of the write in words (a change the site moved under)", async () => {
    const { w, admin } = mountForm([checked({})]);
    admin.updateEntity.mockRejectedValueOnce(new ApiRequestError(409, 'HW_API_SITE_CONFLICT', 'changed'));
    await w.find('input[name="name"]').setValue('液位');
    await w.find('form').trigger('submit');
    await flushPromises();
    expect(w.find('[data-test="entity-error"]').text()).toContain('HW_API_SITE_CONFLICT');
  });

  it('deleting asks first', async () => {
    const { w, admin } = mountForm([]);
    await w.find('[data-action="entity-delete"]').trigger('click');
    expect(admin.deleteEntity).not.toHaveBeenCalled();
    await w.find('[data-confirm="yes"]').trigger('click');
    await flushPromises();
    expect(admin.deleteEntity).toHaveBeenCalledTimes(1);
  });
});

describe('site-fields: form text ⇄ document', () => {
  it('shows durations in seconds and patches only what changed; an emptied field is removed', () => {
    const initial = formValues('point', LT1101);
    expect(initial).toMatchObject({ 'limits.h': '80', onDelaySec: '10', tag: 'LT-1101', 'range.max': '100' });
    const values = { ...initial, 'limits.ll': '', onDelaySec: '15', tag: 'CHANGED' };
    expect(patchOf('point', { values: initial, lists: {} }, { values, lists: {} }, {})).toEqual({
      limits: { ll: null },
      onDelaySec: 15,
    });
  });

  it('puts a finding on the nearest field the form has, the rest at the top', () => {
    const at = (field: string | null) => ({ rule: 'X', path: '', field, message: '' });
    const by = issuesByField('point', [
      at('limits.h'),
      at('limits'),
      at('deadband'),
      at(null),
      at('range.min'),
    ]);
    expect([...by.keys()].sort()).toEqual(['', 'limits.h', 'range.min']);
    expect(by.get('')).toHaveLength(3);
  });
});
