import { flushPromises, mount } from '@vue/test-utils';
import { describe, expect, it, vi } from 'vitest';
import { ref } from 'vue';
import type { AuthorityRole } from '@hazardwatch/contracts';
import AdminView from '../../src/components/admin/AdminView.vue';
import ConfirmButton from '../../src/components/admin/ConfirmButton.vue';
import { adminSections } from '../../src/components/admin/admin-sections.js';
import { createAppI18n } from '../../src/i18n/index.js';
import { adminMe } from './admin-me.js';

const app = vi.hoisted((): { ctx: unknown } => ({ ctx: undefined }));
vi.mock('../../src/app-context.js', () => ({ useApp: () => app.ctx }));

describe('admin area: sections by the caller’s verdicts', () => {
  it.each<[AuthorityRole, string[]]>([
    ['admin', ['users', 'site', 'credentials', 'audit', 'outOfService']],
    ['safety_manager', ['site', 'credentials', 'outOfService']],
    ['regulator_county', ['audit']],
    ['operator', []],
    ['viewer', []],
  ])('%s sees %j', (role, sections) => {
    expect(adminSections(adminMe(role))).toEqual(sections);
  });

  it('nobody loaded yet sees nothing', () => {
    expect(adminSections(null)).toEqual([]);
  });

  function mountView(role: AuthorityRole, section: string | null) {
    const http = {
      get: vi.fn(() => Promise.resolve({ items: [], total: 0, limit: 50, offset: 0 })),
      post: vi.fn(),
      request: vi.fn(),
    };
    app.ctx = {
      api: { http, enterprises: vi.fn(() => Promise.resolve([])), regions: vi.fn(() => Promise.resolve([])) },
      session: { me: ref(adminMe(role)) },
    };
    return mount(AdminView, { props: { section }, global: { plugins: [createAppI18n('en')] } });
  }

  it('a section the caller may not use falls back to the first one they may', async () => {
    const w = mountView('regulator_county', 'users');
    await flushPromises();
    expect(w.findAll('[data-admin-section]').map((a) => a.attributes('data-admin-section'))).toEqual([
      'audit',
    ]);
    expect(w.find('[data-test="admin-users"]').exists()).toBe(false);
    expect(w.find('[data-test="admin-audit"]').exists()).toBe(true);
  });

  it('an operator gets no section at all', () => {
    const w = mountView('operator', 'users');
    expect(w.find('[data-test="admin-none"]').text()).toBe('Your role has no administration functions');
  });
});

describe('ConfirmButton: a destructive action asks first', () => {
  it('emits only after "confirm"; "cancel" does nothing', async () => {
    const w = mount(ConfirmButton, {
      props: { label: 'Revoke', question: 'Revoke GW01?', action: 'x' },
      global: { plugins: [createAppI18n('en')] },
    });
    await w.find('[data-action="x"]').trigger('click');
    expect(w.find('[data-test="confirm"]').text()).toContain('Revoke GW01?');
    expect(w.emitted('confirm')).toBeUndefined();
    await w.find('[data-confirm="no"]').trigger('click');
    expect(w.find('[data-test="confirm"]').exists()).toBe(false);
    expect(w.emitted('confirm')).toBeUndefined();
    await w.find('[data-action="x"]').trigger('click');
    await w.find('[data-confirm="yes"]').trigger('click');
    expect(w.emitted('confirm')).toHaveLength(1);
  });
});
