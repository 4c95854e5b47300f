import { flushPromises, mount } from '@vue/test-utils';
import { describe, expect, it, vi } from 'vitest';
import { ref } from 'vue';
import {
  GAS_DETECTOR_KINDS,
  POINT_KINDS,
  type AuthorityRole,
  type Point,
  type PointKind,
} from '@hazardwatch/contracts';
import type { PointWriteOutcome } from '../src/api/endpoints.js';
import { ApiRequestError } from '../src/api/http.js';
import PointDisable from '../src/components/detail/PointDisable.vue';
import PlanCanvas from '../src/components/plan/PlanCanvas.vue';
import { createAppI18n } from '../src/i18n/index.js';
import { meOf } from './support/me.js';

const app = vi.hoisted((): { ctx: unknown } => ({ ctx: undefined }));
vi.mock('../src/app-context.js', () => ({ useApp: () => app.ctx }));

const point = (kind: PointKind, inService = true, outOfServiceChange: string | null = null) =>
  ({
    id: 5,
    tag: 'AT-1101',
    enterprise: 'E1',
    kind,
    enabled: inService,
    inService,
    outOfServiceChange,
  }) as unknown as Point;

function mountDisable(
  role: AuthorityRole,
  p: Point,
  outcome: PointWriteOutcome | Error,
  pending: Array<{ pointId: number; kinds: string[] }> = [],
) {
  const disablePoint = vi.fn((): Promise<PointWriteOutcome> =>
    outcome instanceof Error ? Promise.reject(outcome) : Promise.resolve(outcome),
  );
  const changes = vi.fn(() =>
    Promise.resolve({ items: pending, total: pending.length, limit: 100, offset: 0 }),
  );
  const change = vi.fn(() =>
    Promise.resolve({
      id: '9',
      requestedBy: 'anquan',
      requestedAt: Date.UTC(2026, 11, 6, 6),
      reason: '探头送检',
      decidedBy: 'rudong',
      decidedAt: Date.UTC(2026, 11, 6, 7),
    }),
  );
  app.ctx = { api: { disablePoint, changes, change }, session: { me: ref(meOf(role)) } };
  const w = mount(PointDisable, { props: { point: p }, global: { plugins: [createAppI18n()] } });
  return { w, disablePoint };
}

describe('停用: a point taken out of use, with a reason', () => {
  it("submits a gas detector's 停用 for the regulator's approval (202) and says so", async () => {
    const { w, disablePoint } = mountDisable('safety_manager', point('toxic_gas'), {
      kind: 'pending',
      change: {} as never,
    });
    const open = w.find('[data-action="disable"]');
    expect(open.attributes('data-verdict')).toBe('approval');
    expect(open.text()).toBe('停用（提交审批）');
    await open.trigger('click');
    expect(w.find('[data-action="disable-submit"]').attributes('disabled')).toBeDefined();
    await w.find('[data-test="disable-reason"]').setValue('探头送检');
    expect(w.find('[data-action="disable-submit"]').text()).toBe('提交审批');
    await w.find('form').trigger('submit');
    await flushPromises();
    expect(disablePoint).toHaveBeenCalledWith(5, '探头送检');
    expect(w.find('[data-test="disable-result"]').text()).toBe('已提交，等待监管部门审批');
    expect(w.emitted('applied')).toBeUndefined();
    expect(w.find('[data-action="disable"]').exists()).toBe(false);
  });

  it('submits the gas detector change for exactly the contracts’ gas detector kinds', () => {
    for (const kind of POINT_KINDS) {
      const { w } = mountDisable('safety_manager', point(kind), { kind: 'applied', change: null });
      const gas = (GAS_DETECTOR_KINDS as readonly PointKind[]).includes(kind);
      expect([kind, w.find('[data-action="disable"]').attributes('data-verdict')]).toEqual([
        kind,
        gas ? 'approval' : 'allow',
      ]);
      w.unmount();
    }
  });

  it('applies a 停用 the table allows at once (200) and says it is in force', async () => {
    const { w } = mountDisable('safety_manager', point('temperature'), { kind: 'applied', change: null });
    expect(w.find('[data-action="disable"]').text()).toBe('停用');
    await w.find('[data-action="disable"]').trigger('click');
    await w.find('[data-test="disable-reason"]').setValue('仪表拆除检修');
    await w.find('form').trigger('submit');
    await flushPromises();
    expect(w.find('[data-test="disable-result"]').attributes('data-result')).toBe('applied');
    expect(w.emitted('applied')).toHaveLength(1);
  });

  it('shows the refusal translated', async () => {
    const { w } = mountDisable(
      'safety_manager',
      point('temperature'),
      new ApiRequestError(400, 'HW_API_CHANGE_REASON_REQUIRED', 'this change weakens monitoring'),
    );
    await w.find('[data-action="disable"]').trigger('click');
    await w.find('[data-test="disable-reason"]').setValue('x');
    await w.find('form').trigger('submit');
    await flushPromises();
    expect(w.find('[data-test="disable-error"]').text()).toContain('该变更会削弱监测，须填写理由');
  });

  it('is not offered to an operator, a regulator, or for a point already out of use', () => {
    for (const [role, p] of [
      ['operator', point('toxic_gas')],
      ['regulator_county', point('toxic_gas')],
      ['safety_manager', point('toxic_gas', false)],
    ] as const) {
      const { w } = mountDisable(role, p, { kind: 'applied', change: null });
      expect(w.find('[data-action="disable"]').exists(), role).toBe(false);
    }
  });
});

describe('停用 already waiting for the regulator', () => {
  it('says so after a reload, and does not offer it twice', async () => {
    const { w } = mountDisable('safety_manager', point('toxic_gas'), { kind: 'applied', change: null }, [
      { pointId: 5, kinds: ['monitoring.gas-detector.disable'] },
    ]);
    await flushPromises();
    expect(w.find('[data-test="disable-result"]').text()).toBe('已提交，等待监管部门审批');
    expect(w.find('[data-action="disable"]').exists()).toBe(false);
  });

  it("ignores another point's pending change", async () => {
    const { w } = mountDisable('safety_manager', point('toxic_gas'), { kind: 'applied', change: null }, [
      { pointId: 6, kinds: ['monitoring.gas-detector.disable'] },
    ]);
    await flushPromises();
    expect(w.find('[data-action="disable"]').exists()).toBe(true);
  });
});

describe('停用 in force', () => {
  it('names who asked, why and who approved, from the change record', async () => {
    const { w } = mountDisable('regulator_county', point('toxic_gas', false, '9'), {
      kind: 'applied',
      change: null,
    });
    await flushPromises();
    expect(w.find('[data-test="out-of-service-record"]').text()).toMatch(
      /anquan 于 2026-12-06 14:00:00 申请停用，原因：探头送检\s*· rudong 于 2026-12-06 15:00:00 批准/,
    );
  });
});

describe('停用 on the floor plan', () => {
  it('draws an out-of-service point grey, hatched and struck — not in a colour', () => {
    const placed = (id: number, inService: boolean) => ({
      point: { id, tag: `P${id}`, unit: '%', enabled: inService, inService } as unknown as Point,
      x: 100 * id,
      y: 100,
    });
    const w = mount(PlanCanvas, {
      props: {
        image: null,
        base: { width: 800, height: 600 },
        placed: [placed(1, true), placed(2, false)],
        placedHazards: [],
        hazardNames: new Map(),
        colourOf: () => 'red',
        hazardColour: () => null,
        valueOf: () => 1,
        editable: false,
        incoming: null,
      },
    });
    expect(w.find('[data-point="P1"]').attributes('data-colour')).toBe('red');
    const oos = w.find('[data-point="P2"]');
    expect(oos.attributes('data-colour')).toBe('out-of-service');
    expect(oos.find('circle').attributes('fill')).toBe('url(#hw-oos)');
    expect(oos.find('line').exists()).toBe(true);
  });
});
