import { flushPromises, mount } from '@vue/test-utils';
import { describe, expect, it, vi } from 'vitest';
import { ref, shallowRef } from 'vue';
import type { AuthorityRole, MonitoringChange, MonitoringChangeStatus } from '@hazardwatch/contracts';
import { ApiRequestError } from '../src/api/http.js';
import ChangesView from '../src/components/changes/ChangesView.vue';
import { createAppI18n } from '../src/i18n/index.js';
import { meOf } from './support/me.js';

const app = vi.hoisted((): { ctx: unknown } => ({ ctx: undefined }));
vi.mock('../src/app-context.js', () => ({ useApp: () => app.ctx }));

const T0 = Date.UTC(2026, 11, 6, 6, 0, 0);

function change(id: string, status: MonitoringChangeStatus, requestedAt: number): MonitoringChange {
  return {
    id,
    enterprise: 'E1',
    region: '320623',
    targetType: 'point',
    targetId: 'E1/AT-1101',
    pointId: 5,
    kinds: ['monitoring.gas-detector.disable'],
    lines: [{ kind: 'monitoring.gas-detector.disable', field: 'enabled', before: true, after: false }],
    before: null,
    after: null,
    reason: '探头送检，备用探头已装',
    requestedBy: 'sm1',
    requestedRole: 'safety_manager',
    requestedAt,
    status,
    decidedBy: status === 'denied' ? 'rudong' : null,
    decidedAt: status === 'denied' ? requestedAt + 1000 : null,
    decisionNote: status === 'denied' ? '无备用探头' : null,
    siteVersion: null,
  };
}

function mountChanges(role: AuthorityRole, username = 'rudong') {
  let items = [change('1', 'denied', T0 + 5000), change('2', 'pending', T0)];
  const decided = (status: MonitoringChangeStatus) => (id: string, note?: string) => {
    items = items.map((c) =>
      c.id === id
        ? { ...c, status, decidedBy: username, decidedAt: T0 + 9000, decisionNote: note ?? null }
        : c,
    );
    return Promise.resolve(items.find((c) => c.id === id)!);
  };
  const api = {
    changes: vi.fn(() => Promise.resolve({ items, total: items.length, limit: 100, offset: 0 })),
    approveChange: vi.fn(decided('approved')),
    denyChange: vi.fn(decided('denied')),
    withdrawChange: vi.fn(decided('withdrawn')),
    point: vi.fn(() =>
      Promise.resolve({ id: 5, tag: 'AT-1101', name: '氯气检测', enabled: false, inService: false }),
    ),
  };
  const replacePoint = vi.fn();
  const refreshPendingChanges = vi.fn(() => Promise.resolve());
  app.ctx = {
    api,
    session: { user: ref({ username }), me: ref(meOf(role, username)) },
    live: { changesVersion: ref(0), refreshPendingChanges },
    site: {
      enterprises: shallowRef([{ code: 'E1', name: '如东化工' }]),
      points: shallowRef(new Map([[5, { id: 5, tag: 'AT-1101', name: '氯气检测', enabled: true }]])),
      replacePoint,
    },
  };
  const w = mount(ChangesView, { props: { now: T0 }, global: { plugins: [createAppI18n()] } });
  return { w, api, replacePoint, refreshPendingChanges };
}

type Wrapper = ReturnType<typeof mountChanges>['w'];
const card = (w: Wrapper, id: string) => w.find(`[data-change="${id}"]`);
const offered = (w: Wrapper, id: string) =>
  card(w, id)
    .findAll('[data-action]')
    .map((b) => b.attributes('data-action'));

describe('monitoring changes view', () => {
  it('shows who, when, what, why, status and decision, pending first', async () => {
    const { w } = mountChanges('regulator_county');
    await w.find('[data-show="all"]').trigger('click');
    await flushPromises();
    expect(w.findAll('[data-change]').map((c) => c.attributes('data-change'))).toEqual(['2', '1']);
    const pending = card(w, '2').text();
    expect(pending).toContain('待审批');
    expect(pending).toContain('气体检测器停用');
    expect(pending).toContain('测点: AT-1101 氯气检测');
    expect(pending).toContain('sm1（安全管理人员）于 2026-12-06 14:00:00 申请');
    expect(pending).toContain('探头送检，备用探头已装');
    expect(card(w, '2').find('[data-test="change-line"]').text()).toMatch(/enabled\s*投用\s*→\s*停用/);
    expect(card(w, '1').find('[data-test="change-decision"]').text()).toBe(
      'rudong 于 2026-12-06 14:00:06 已驳回：无备用探头',
    );
  });

  it('lets a regulator with change.decide approve or deny (with a note) a pending change only', async () => {
    const { w, api, replacePoint, refreshPendingChanges } = mountChanges('regulator_county');
    await w.find('[data-show="all"]').trigger('click');
    await flushPromises();
    expect(offered(w, '2')).toEqual(['approve', 'deny']);
    expect(offered(w, '1')).toEqual([]);
    expect(card(w, '2').find('[data-action="deny"]').attributes('disabled')).toBeDefined();
    await card(w, '2').find('[data-action="approve"]').trigger('click');
    await flushPromises();
    expect(api.approveChange).toHaveBeenCalledWith('2', undefined);
    // The approved 停用 is in force: the point is read again for every view, the badge recounted.
    expect(replacePoint).toHaveBeenCalledWith(expect.objectContaining({ id: 5, inService: false }));
    expect(refreshPendingChanges).toHaveBeenCalled();
    expect(card(w, '2').attributes('data-status')).toBe('approved');
  });

  it('denies with the note typed', async () => {
    const { w, api } = mountChanges('regulator_city');
    await flushPromises();
    await card(w, '2').find('[data-test="decision-note"]').setValue('请先安装备用探头');
    await card(w, '2').find('[data-action="deny"]').trigger('click');
    await flushPromises();
    expect(api.denyChange).toHaveBeenCalledWith('2', '请先安装备用探头');
  });

  it('offers the safety manager no decision, and 撤回 of an own pending change', async () => {
    const { w, api } = mountChanges('safety_manager', 'sm1');
    await flushPromises();
    expect(offered(w, '2')).toEqual(['withdraw']);
    await card(w, '2').find('[data-action="withdraw"]').trigger('click');
    await flushPromises();
    expect(api.withdrawChange).toHaveBeenCalledWith('2');
  });

  it('offers an operator who did not ask nothing, and shows a refusal translated', async () => {
    const { w, api } = mountChanges('operator', 'op1');
    await flushPromises();
    expect(offered(w, '2')).toEqual([]);
    api.changes.mockRejectedValueOnce(new ApiRequestError(403, 'HW_API_FORBIDDEN', 'operator may not'));
    await w.find('[data-show="all"]').trigger('click');
    await flushPromises();
    expect(w.find('[data-test="changes-error"]').text()).toContain('无此操作权限');
  });
});
