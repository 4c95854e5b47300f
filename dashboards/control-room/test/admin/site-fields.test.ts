import { describe, expect, it } from 'vitest';
import { SITE_ENTITIES } from '@hazardwatch/contracts';
import {
  createValue,
  emptyRow,
  FIELDS,
  findingPlaces,
  formValues,
  issuesByField,
  LISTS,
  listValues,
  patchOf,
  type FormState,
} from '../../src/components/admin/site-fields.js';
import { en } from '../../src/i18n/en.js';
import { zhCN } from '../../src/i18n/zh-CN.js';

/** CL-TF01 as GET /enterprises/:e/hazards/:h shows it (the normal form: nulls, assessment, counts). */
const CL_TF01 = {
  code: 'CL-TF01',
  enterprise: 'E1',
  name: '液氯储罐区',
  type: 'tank_farm',
  declaredLevel: 1,
  computedLevel: 1,
  responsible: {
    principal: { name: '王建国', phone: '13800000001' },
    technical: { name: '李志强', phone: '13800000002' },
    operational: { name: '张海涛', phone: '13800000003', userId: 'zhanghaitao' },
  },
  location: { lon: 121.0218, lat: 32.5566 },
  floorPlan: { plan: 'cl-tank-farm', x: 420, y: 310 },
  exposedPopulation: 60,
  inventory: [{ substance: '液氯', cas: '7782-50-5', category: null, designMaxTonnes: 100 }],
  points: 4,
};

/** A toxic-gas point as GET /points/:id shows it: deadbands resolved, windows in ms, gas with nulls. */
const AT2301 = {
  tag: 'AT-2301',
  enterprise: 'E1',
  gateway: 'GW01',
  hazard: 'CL-TF01',
  name: '氯气',
  kind: 'toxic_gas',
  unit: 'ppm',
  deviceCode: null,
  range: { min: 0, max: 10 },
  limits: { ll: null, l: null, h: 1, hh: 2 },
  deadband: { ll: 0, l: 0, h: 0.1, hh: 0.1 },
  onDelayMs: 5000,
  rateOfChange: [{ direction: 'rising', slopePerMin: 0.5, windowMs: 60_000 }],
  gas: { substance: '氯气', basis: 'OEL', oel: 1, idlh: null },
  interlocks: { ll: null, l: null, h: null, hh: '联锁关闭液氯进料阀' },
  hhIndependent: false,
};

const state = (entity: 'hazard' | 'point', shown: Record<string, unknown>): FormState => ({
  values: formValues(entity, shown),
  lists: listValues(entity, shown),
});
const copy = (s: FormState): FormState => structuredClone(s);

describe('site-fields: the structured fields ⇄ entity and patch', () => {
  it('reads the 包保责任人 into three rows of person fields and the inventory into rows', () => {
    const form = state('hazard', CL_TF01);
    expect(form.values).toMatchObject({
      'responsible.principal.name': '王建国',
      'responsible.technical.phone': '13800000002',
      'responsible.operational.userId': 'zhanghaitao',
      'responsible.principal.email': '',
      'floorPlan.x': '420',
      declaredLevel: '1',
    });
    expect(form.lists).toEqual({
      inventory: [{ substance: '液氯', cas: '7782-50-5', category: '', designMaxTonnes: '100' }],
    });
  });

  it('patches one person field as a nested merge patch; an emptied e-mail is removed', () => {
    const before = state('hazard', CL_TF01);
    const now = copy(before);
    now.values['responsible.principal.phone'] = '13912345678';
    now.values['responsible.operational.userId'] = '';
    expect(patchOf('hazard', before, now, {})).toEqual({
      responsible: { principal: { phone: '13912345678' }, operational: { userId: null } },
    });
  });

  it('sends the whole inventory when a cell changes or a row is added, nothing when untouched', () => {
    const before = state('hazard', CL_TF01);
    expect(patchOf('hazard', before, copy(before), {})).toEqual({});
    const now = copy(before);
    now.lists['inventory']![0]!['designMaxTonnes'] = '80';
    now.lists['inventory']!.push({ substance: '氢', cas: '', category: '', designMaxTonnes: '1' });
    expect(patchOf('hazard', before, now, {})).toEqual({
      inventory: [
        { substance: '液氯', cas: '7782-50-5', designMaxTonnes: 80 },
        { substance: '氢', designMaxTonnes: 1 },
      ],
    });
  });

  it('a removed row replaces the list as a whole; all removed sends null (the check says it is required)', () => {
    const two = {
      ...CL_TF01,
      inventory: [...CL_TF01.inventory, { ...CL_TF01.inventory[0]!, substance: '氯' }],
    };
    const before = state('hazard', two);
    const now = copy(before);
    now.lists['inventory']!.splice(0, 1);
    expect(patchOf('hazard', before, now, {})).toEqual({
      inventory: [{ substance: '氯', cas: '7782-50-5', designMaxTonnes: 100 }],
    });
    now.lists['inventory'] = [];
    expect(patchOf('hazard', before, now, {})).toEqual({ inventory: null });
  });

  it('an added row left blank is no change', () => {
    const before = state('hazard', CL_TF01);
    const now = copy(before);
    now.lists['inventory']!.push(emptyRow(LISTS.hazard[0]!));
    expect(patchOf('hazard', before, now, {})).toEqual({});
  });

  it('a point: deadbands from the resolved ones, windows in seconds, booleans and selects as values', () => {
    const before = state('point', AT2301);
    expect(before.values).toMatchObject({
      'deadbands.h': '0.1',
      'interlocks.hh': '联锁关闭液氯进料阀',
      'gas.basis': 'OEL',
      'gas.idlh': '',
      hhIndependent: 'false',
      deviceCode: '',
      onDelaySec: '5',
    });
    expect(before.lists['rateOfChange']).toEqual([
      { direction: 'rising', slopePerMin: '0.5', windowSec: '60' },
    ]);
    const now = copy(before);
    now.values['deadbands.h'] = '0.2';
    now.values['hhIndependent'] = 'true';
    now.values['gas.idlh'] = '10';
    now.values['interlocks.hh'] = '';
    now.lists['rateOfChange']![0]!['windowSec'] = '120';
    expect(patchOf('point', before, now, {})).toEqual({
      deadbands: { h: 0.2 },
      hhIndependent: true,
      gas: { idlh: 10 },
      interlocks: { hh: null },
      rateOfChange: [{ direction: 'rising', slopePerMin: 0.5, windowSec: 120 }],
    });
  });

  it('a create takes the filled fields and lists, the enterprise, and a text where a number was wanted as typed', () => {
    const form: FormState = {
      values: {
        ...formValues('hazard', null),
        code: 'NEW',
        'responsible.principal.name': '周',
        'responsible.principal.phone': '138',
        exposedPopulation: 'many',
      },
      lists: { inventory: [{ substance: '液氨', cas: '7664-41-7', category: '', designMaxTonnes: '20' }] },
    };
    expect(createValue('hazard', form, { futureField: 1 }, 'E1')).toEqual({
      futureField: 1,
      code: 'NEW',
      enterprise: 'E1',
      responsible: { principal: { name: '周', phone: '138' } },
      exposedPopulation: 'many',
      inventory: [{ substance: '液氨', cas: '7664-41-7', designMaxTonnes: 20 }],
    });
  });

  it('an enterprise’s vetoes are a list of plain texts', () => {
    const shown = {
      code: 'E1',
      risk: { scale: 'enterprise-risk-2018', score: 80, vetoes: ['a'], colour: 'yellow' },
    };
    const before = { values: formValues('enterprise', shown), lists: listValues('enterprise', shown) };
    expect(before.lists).toEqual({ 'risk.vetoes': [{ '': 'a' }] });
    const now = copy(before);
    now.lists['risk.vetoes']!.push({ '': 'b' });
    expect(patchOf('enterprise', before, now, {})).toEqual({ risk: { vetoes: ['a', 'b'] } });
  });
});

describe('site-fields: finding paths → fields and rows', () => {
  const at = (field: string | null) => ({ rule: 'X', path: '', field, message: '' });

  it('puts a cell finding on its cell, a row finding on its row, a list finding on the list', () => {
    const lists = { inventory: [emptyRow(LISTS.hazard[0]!), emptyRow(LISTS.hazard[0]!)] };
    const by = issuesByField(
      'hazard',
      [
        at('inventory.1.cas'),
        at('inventory.0'),
        at('inventory'),
        at('inventory.5.cas'),
        at('responsible.principal.phone'),
        at('responsible.technical'),
        at('responsible'),
        at(null),
        at(''),
      ],
      lists,
    );
    expect(by.get('inventory.1.cas')).toHaveLength(1);
    expect(by.get('inventory.0')).toHaveLength(1);
    // A row the form no longer has (removed since the check): on the list, not dropped.
    expect(by.get('inventory')).toHaveLength(2);
    expect(by.get('responsible.principal.phone')).toHaveLength(1);
    expect(by.get('responsible.technical')).toHaveLength(1);
    expect(by.get('responsible')).toHaveLength(1);
    expect(by.get('')).toHaveLength(2);
    expect([...by.values()].flat()).toHaveLength(9);
  });

  it('every field, list and column of every entity has a label, and every option words, in both locales', () => {
    const has = (messages: unknown, key: string): boolean =>
      typeof key
        .split('.')
        .reduce<unknown>((n, k) => (n as Record<string, unknown> | undefined)?.[k], messages) === 'string';
    const missing: string[] = [];
    for (const entity of SITE_ENTITIES) {
      const keys = [
        ...FIELDS[entity]
          .filter((f) => !f.path.startsWith('responsible.'))
          .map((f) => `admin.fields.${f.path.replace(/\./g, '_')}`),
        ...LISTS[entity].flatMap((l) => [
          `admin.fields.${l.path.replace(/\./g, '_')}`,
          ...l.columns.filter((c) => c.path !== '').map((c) => `admin.fields.${l.path}_${c.path}`),
        ]),
        ...[...FIELDS[entity], ...LISTS[entity].flatMap((l) => l.columns)].flatMap((f) => [
          ...(f.options ?? []).map((o) => `admin.options.${o}`),
          ...(f.unit !== undefined && f.unit !== 'point' ? [`admin.units.${f.unit}`] : []),
        ]),
      ];
      for (const [name, messages] of [
        ['zh-CN', zhCN],
        ['en', en],
      ] as const)
        missing.push(...keys.filter((k) => !has(messages, k)).map((k) => `${name} ${k}`));
    }
    expect(missing).toEqual([]);
    expect(findingPlaces('hazard', {}).has('responsible.operational.phone')).toBe(true);
  });
});
