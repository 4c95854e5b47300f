import { flushPromises, mount } from '@vue/test-utils';
import { describe, expect, it, vi } from 'vitest';
import type { SiteCheckIssue, SiteCheckResult } from '@hazardwatch/contracts';
import EntityForm from '../../src/components/admin/EntityForm.vue';
import { createAppI18n } from '../../src/i18n/index.js';

/** CL-TF01 as GET shows it (the parts the form reads). */
const CL_TF01 = {
  code: 'CL-TF01',
  enterprise: 'E1',
  name: '液氯储罐区',
  type: 'tank_farm',
  declaredLevel: 1,
  responsible: {
    principal: { name: '王建国', phone: '13800000001' },
    technical: { name: '李志强', phone: '13800000002' },
    operational: { name: '张海涛', phone: '13800000003' },
  },
  location: { lon: 121.0218, lat: 32.5566 },
  floorPlan: null,
  exposedPopulation: 60,
  inventory: [{ substance: '液氯', cas: '7782-50-5', category: null, designMaxTonnes: 100 }],
};
const KEY = { enterprise: 'E1', code: 'CL-TF01' };
const checked = (over: Partial<SiteCheckResult>): SiteCheckResult => ({
  ok: true,
  errors: [],
  defects: [],
  weakens: [],
  value: null,
  ...over,
});
const finding = (rule: string, field: string | null, message = `${rule} at ${field}`): SiteCheckIssue => ({
  rule,
  path: `/hazards/0/${(field ?? '').replace(/\./g, '/')}`,
  field,
  message,
});

function mountHazard(checks: SiteCheckResult[], locale: 'zh-CN' | 'en' = 'en') {
  const admin = {
    checkSite: vi.fn(() => Promise.resolve(checks.shift()!)),
    createEntity: vi.fn(() => Promise.resolve({ kind: 'applied' as const, change: null })),
    updateEntity: vi.fn(() => Promise.resolve({ kind: 'applied' as const, change: null })),
    deleteEntity: vi.fn(() => Promise.resolve({ kind: 'applied' as const, change: null })),
  };
  const w = mount(EntityForm, {
    props: { admin, entity: 'hazard', shown: CL_TF01, enterprise: 'E1' },
    global: { plugins: [createAppI18n(locale)] },
  });
  return { w, admin };
}
const submit = async (w: ReturnType<typeof mountHazard>['w']) => {
  await w.find('form').trigger('submit');
  await flushPromises();
};

describe('site form: a hazard’s 包保责任人 and inventory as fields', () => {
  it('shows the three responsible persons as rows, role fixed, in the reader’s language', () => {
    const { w } = mountHazard([], 'zh-CN');
    const rows = w.findAll('[data-group="responsible"] tbody tr');
    expect(rows.map((r) => r.attributes('data-person'))).toEqual(['principal', 'technical', 'operational']);
    expect(rows[0]!.text()).toContain('主要负责人');
    expect(w.find<HTMLInputElement>('input[name="responsible.technical.phone"]').element.value).toBe(
      '13800000002',
    );
    expect(w.find('[data-list="inventory"]').text()).toContain('CAS 号');
    // The quantity's unit is said: tonnes.
    expect(w.find('[data-list="inventory"]').text()).toContain('吨');
    expect(w.find('select[name="type"] option[value="tank_farm"]').text()).toBe('储罐区');
    // Cells of the tables are named by row and column for a screen reader.
    expect(w.find('input[name="responsible.technical.phone"]').attributes('aria-label')).toBe(
      '技术负责人 电话',
    );
    expect(w.find('input[name="inventory.0.cas"]').attributes('aria-label')).toBe('CAS 号 1');
  });

  it('a bad phone and a bad CAS come back beside their cell; nothing is written; fixed, it saves', async () => {
    const { w, admin } = mountHazard([
      checked({
        ok: false,
        errors: [
          finding('SCHEMA_INVALID_VALUE', 'responsible.principal.phone'),
          finding('SCHEMA_INVALID_VALUE', 'inventory.1.cas'),
        ],
      }),
      checked({}),
    ]);
    await w.find('input[name="responsible.principal.phone"]').setValue('1380000');
    await w.find('[data-list="inventory"] [data-action="row-add"]').trigger('click');
    await w.find('input[name="inventory.1.substance"]').setValue('液氨');
    await w.find('input[name="inventory.1.cas"]').setValue('7664-41');
    await w.find('input[name="inventory.1.designMaxTonnes"]').setValue('20');
    await submit(w);
    expect(admin.checkSite).toHaveBeenCalledWith({
      op: 'update',
      entity: 'hazard',
      key: KEY,
      patch: {
        responsible: { principal: { phone: '1380000' } },
        inventory: [
          { substance: '液氯', cas: '7782-50-5', designMaxTonnes: 100 },
          { substance: '液氨', cas: '7664-41', designMaxTonnes: 20 },
        ],
      },
    });
    const phone = w.find('[data-issue="responsible.principal.phone"]');
    expect(phone.text()).toContain('Invalid value');
    expect(phone.element.closest('tr')?.getAttribute('data-person')).toBe('principal');
    expect(w.find('[data-issue="inventory.1.cas"]').element.closest('tr')?.getAttribute('data-row')).toBe(
      '1',
    );
    expect(w.find('input[name="inventory.1.cas"]').attributes('aria-invalid')).toBe('true');
    expect(admin.updateEntity).not.toHaveBeenCalled();

    // Removing a row renumbers the rows after it: findings on it and after go, those before stay.
    await w.find('[data-list="inventory"] [data-action="row-add"]').trigger('click');
    await w.findAll('[data-list="inventory"] [data-action="row-remove"]')[2]!.trigger('click');
    expect(w.find('[data-issue="inventory.1.cas"]').exists()).toBe(true);
    expect(w.findAll('[data-list="inventory"] [data-row]')).toHaveLength(2);

    await w.find('input[name="responsible.principal.phone"]').setValue('13800000009');
    await w.find('input[name="inventory.1.cas"]').setValue('7664-41-7');
    await submit(w);
    expect(admin.updateEntity).toHaveBeenCalledWith(
      { entity: 'hazard', key: KEY },
      {
        responsible: { principal: { phone: '13800000009' } },
        inventory: [
          { substance: '液氯', cas: '7782-50-5', designMaxTonnes: 100 },
          { substance: '液氨', cas: '7664-41-7', designMaxTonnes: 20 },
        ],
      },
      undefined,
    );
    expect(w.findAll('[data-issue]')).toHaveLength(0);
  });

  it('removing a row sends the list as a whole', async () => {
    const { w, admin } = mountHazard([checked({})]);
    await w.find('[data-list="inventory"] [data-action="row-add"]').trigger('click');
    await w.find('input[name="inventory.1.substance"]').setValue('氢');
    await w.find('input[name="inventory.1.designMaxTonnes"]').setValue('1');
    await w.findAll('[data-list="inventory"] [data-action="row-remove"]')[0]!.trigger('click');
    await submit(w);
    expect(admin.checkSite).toHaveBeenCalledWith(
      expect.objectContaining({ patch: { inventory: [{ substance: '氢', designMaxTonnes: 1 }] } }),
    );
  });

  it('removing a row drops the findings on it and after it (renumbered), keeps the rest', async () => {
    const { w } = mountHazard([
      checked({
        ok: false,
        errors: [
          finding('SCHEMA_INVALID_VALUE', 'inventory.0.cas'),
          finding('SCHEMA_INVALID_VALUE', 'responsible.principal.phone'),
        ],
      }),
    ]);
    await w.find('input[name="inventory.0.cas"]').setValue('7782');
    await submit(w);
    expect(w.find('[data-issue="inventory.0.cas"]').exists()).toBe(true);
    await w.find('[data-list="inventory"] [data-action="row-remove"]').trigger('click');
    expect(w.find('[data-issue="inventory.0.cas"]').exists()).toBe(false);
    expect(w.find('[data-issue="responsible.principal.phone"]').exists()).toBe(true);
  });

  it('warnings are shown beside their field, apart from errors, and do not block saving', async () => {
    const elsewhere = finding('POINT_NO_LIMITS', null, 'point E1/TT-9: no limits');
    const { w, admin } = mountHazard([
      checked({
        defects: [finding('HAZARD_QUANTITY_IMPLAUSIBLE', 'inventory.0.designMaxTonnes'), elsewhere],
      }),
    ]);
    await w.find('input[name="inventory.0.designMaxTonnes"]').setValue('2000000');
    await submit(w);
    expect(admin.updateEntity).toHaveBeenCalledTimes(1);
    expect(w.find('[data-test="entity-result"]').attributes('data-result')).toBe('applied');
    const warning = w.find('[data-warning="inventory.0.designMaxTonnes"]');
    expect(warning.attributes('data-rule')).toBe('HAZARD_QUANTITY_IMPLAUSIBLE');
    expect(warning.text()).toContain('kg typed as t?');
    expect(warning.classes()).toContain('warning');
    expect(w.findAll('[data-issue]')).toHaveLength(0);
    // About another entity: listed, folded, never dropped.
    const other = w.find('[data-test="other-warnings"]');
    expect(other.text()).toContain('elsewhere in the site: 1');
    expect(other.text()).toContain('point E1/TT-9: no limits');
  });

  it('an error about another entity, or one with no field, is listed at the top and blocks', async () => {
    const { w, admin } = mountHazard([
      checked({
        ok: false,
        errors: [finding('POINT_HAZARD_UNKNOWN', null, 'point E1/LT-1101: hazard gone')],
      }),
    ]);
    await w.find('input[name="name"]').setValue('液氯罐区');
    await submit(w);
    expect(w.find('[data-field-issues] [data-issue=""]').text()).toContain('point E1/LT-1101: hazard gone');
    expect(admin.updateEntity).not.toHaveBeenCalled();
  });

  it('a point shows its gas basis, interlocks and units in its own unit', () => {
    const w = mount(EntityForm, {
      props: {
        admin: mountHazard([]).admin,
        entity: 'point',
        shown: {
          tag: 'AT-1',
          unit: 'ppm',
          kind: 'toxic_gas',
          gas: { substance: '氯气', basis: 'OEL', oel: 1, idlh: null },
          rateOfChange: [{ direction: 'rising', slopePerMin: 0.5, windowMs: 60_000 }],
        },
        enterprise: 'E1',
        pointId: 7,
      },
      global: { plugins: [createAppI18n('en')] },
    });
    expect(w.find<HTMLSelectElement>('select[name="gas.basis"]').element.value).toBe('OEL');
    expect(w.find('[data-group="gas"]').text()).toContain('(ppm)');
    expect(w.find('[data-list="rateOfChange"]').text()).toContain('ppm/min');
    expect(w.find<HTMLInputElement>('input[name="rateOfChange.0.windowSec"]').element.value).toBe('60');
    expect(w.find('[data-group="interlocks"]').exists()).toBe(true);
  });
});
