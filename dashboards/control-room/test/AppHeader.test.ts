// The root tsconfig.test.json has no DOM lib; this test mounts components (happy-dom).
/// <reference lib="dom" />
import { mount } from '@vue/test-utils';
import { computed, ref } from 'vue';
import { describe, expect, it, vi } from 'vitest';
import { APP, type AppContext } from '../src/app-context.js';
import AppHeader from '../src/components/shell/AppHeader.vue';
import { createAppI18n } from '../src/i18n/index.js';
import type { OpenAlarm } from '../src/state/console-alarm-list.js';
import type { Me } from '@hazardwatch/contracts';
import { meOf } from './support/me.js';

// The header's connection badge reads a constant of the live store, which loads the socket client;
// its `@hazardwatch/contracts/live-frame` subpath does not resolve under the test aliases.
vi.mock('../src/live/live-client.js', () => ({ LiveClient: class {} }));

function alarm(id: string, colour: OpenAlarm['colour'], state: OpenAlarm['state']): OpenAlarm {
  return {
    id,
    colour,
    raisedAt: 1,
    state,
    condition: 'HH',
    active: state !== 'RTNUN',
    enterprise: 'E1',
    pointId: 1,
    tag: `T-${id}`,
    hazard: null,
    gateway: 'GW01',
    updatedAt: 1,
    closedAt: null,
    value: 1,
    limit: 1,
    ackedAt: null,
    ackedBy: null,
    shelvedUntilMs: state === 'SHLVD' ? 10_000 : null,
    shelveReason: state === 'SHLVD' ? '检修' : null,
    late: false,
    outOfServiceReason: state === 'OOSRV' ? '停用' : null,
    lastEventId: null,
  };
}

function mountHeader(
  alarms: OpenAlarm[],
  me: Me | null = null,
  pendingChanges = 0,
  user: Record<string, unknown> = { username: 'op' },
  route: Record<string, unknown> = { view: 'map', region: null },
) {
  const ctx = {
    live: {
      sortedAlarms: computed(() => alarms),
      connection: ref('live'),
      lastDataAt: ref(1),
      connectionDetail: ref(null),
      pushDegradedSince: ref(null),
      muted: ref(false),
      setMuted: () => undefined,
      horn: ref({ status: 'quiet', colour: null, count: 0 }),
      hornAuditFailed: ref(false),
      silenceHorn: () => Promise.resolve(),
      pendingChanges: ref(pendingChanges),
    },
    session: { user: ref(user), me: ref(me) },
    site: { enterprises: ref([{ code: 'E1' }, { code: 'E2' }]) },
  } as unknown as AppContext;
  return mount(AppHeader, {
    props: { route: route as never, now: 2 },
    global: { plugins: [createAppI18n()], provide: { [APP as symbol]: ctx } },
  });
}

describe('AppHeader colour counts (issue #21: counts include shelved alarms)', () => {
  it('counts only alarms that need attention: not shelved, suppressed or out of service', () => {
    const w = mountHeader([
      alarm('u', 'red', 'UNACK'),
      alarm('a', 'red', 'ACKED'),
      alarm('rt', 'orange', 'RTNUN'),
      alarm('s1', 'red', 'SHLVD'),
      alarm('s2', 'yellow', 'SHLVD'),
      alarm('d', 'red', 'DSUPR'),
      alarm('o', 'blue', 'OOSRV'),
    ]);
    const counts = w.find('[data-test="header-counts"]');
    const count = (c: string) => counts.find(`[data-colour="${c}"] .count`).text();
    expect([count('red'), count('orange'), count('yellow'), count('blue')]).toEqual(['2', '1', '0', '0']);
  });

  it('says what is counted in its title', () => {
    const w = mountHeader([]);
    const title = w.find('[data-test="header-counts"]').attributes('title') ?? '';
    expect(title).toContain('不含搁置');
    expect(title).toContain('停用');
  });
});

describe('AppHeader: pending monitoring changes (issue #19)', () => {
  it('shows a regulator the count of changes waiting for approval on the 变更审批 tab', () => {
    const w = mountHeader([], meOf('regulator_county'), 2);
    expect(w.find('[data-nav="changes"]').text()).toContain('变更审批');
    expect(w.find('[data-test="pending-changes"]').text()).toBe('2');
  });

  it('shows no badge to those who do not decide changes, nor when none waits', () => {
    expect(mountHeader([], meOf('safety_manager'), 2).find('[data-test="pending-changes"]').exists()).toBe(
      false,
    );
    expect(mountHeader([], meOf('regulator_city'), 0).find('[data-test="pending-changes"]').exists()).toBe(
      false,
    );
  });
});

describe('AppHeader: the floor-plan view has a nav entry (issue #21)', () => {
  it('an operator goes to their enterprise’s 风险四色图', () => {
    const w = mountHeader([], null, 0, { username: 'op', role: 'operator', enterpriseCode: 'E2' });
    const plan = w.find('[data-nav="plan"]');
    expect(plan.text()).toBe('风险四色图');
    expect(plan.attributes('href')).toBe('#/plan/E2');
  });

  it('a regulator goes to the first enterprise in scope; on a plan the entry is the current one', () => {
    expect(mountHeader([]).find('[data-nav="plan"]').attributes('href')).toBe('#/plan/E1');
    const onPlan = mountHeader(
      [],
      null,
      0,
      { username: 'r' },
      { view: 'plan', enterprise: 'E2', hazard: 'H1' },
    );
    expect(onPlan.find('[data-nav="plan"]').classes()).toContain('active');
    expect(onPlan.find('[data-nav="plan"]').attributes('href')).toBe('#/plan/E2');
  });
});

describe('AppHeader: the More menu keeps the header one row (issue #21)', () => {
  it('lists every tier-2 view, carries the pending-changes badge and is active on one of them', () => {
    const w = mountHeader([], meOf('regulator_county'), 3, { username: 'r' }, { view: 'journal' });
    const more = w.find('[data-nav="more"]');
    expect(more.find('summary').text()).toContain('更多');
    expect(more.findAll('[data-more]').map((a) => a.attributes('data-more'))).toEqual([
      'changes',
      'journal',
      'quality',
      'kpi',
    ]);
    expect(more.find('[data-test="more-badge"]').text()).toBe('3');
    expect(more.find('summary').classes()).toContain('active');
    // Tier-1 tabs are only in the row; the tier-2 ones also (shown from 2000 px by CSS).
    expect(w.find('[data-nav="alarms"]').classes()).not.toContain('tier-2');
    expect(w.find('[data-nav="journal"]').classes()).toContain('tier-2');
  });

  it('closes when a view is chosen from it', async () => {
    const w = mountHeader([], meOf('regulator_county'), 0);
    const details = w.find('[data-nav="more"]').element as HTMLDetailsElement;
    details.open = true;
    await w.find('[data-more="quality"]').trigger('click');
    expect(details.open).toBe(false);
    expect(w.find('[data-test="more-badge"]').exists()).toBe(false);
  });
});
