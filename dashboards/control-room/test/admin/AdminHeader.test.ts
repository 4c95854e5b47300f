// The root tsconfig.test.json has no DOM lib; this test mounts components (happy-dom).
/// <reference lib="dom" />
import { mount } from '@vue/test-utils';
import { computed, ref } from 'vue';
import { describe, expect, it, vi } from 'vitest';
import type { AuthorityRole } from '@hazardwatch/contracts';
import { APP, type AppContext } from '../../src/app-context.js';
import AppHeader from '../../src/components/shell/AppHeader.vue';
import { createAppI18n } from '../../src/i18n/index.js';
import { adminMe } from './admin-me.js';

// The connection badge loads the socket client, whose contracts subpath the test aliases lack.
vi.mock('../../src/live/live-client.js', () => ({ LiveClient: class {} }));

function mountHeader(role: AuthorityRole) {
  const ctx = {
    live: {
      sortedAlarms: computed(() => []),
      connection: ref('live'),
      lastDataAt: ref(1),
      connectionDetail: ref(null),
      pushDegradedSince: ref(null),
      muted: ref(false),
      setMuted: () => undefined,
      horn: ref({ status: 'quiet', colour: null, count: 0 }),
      hornAuditFailed: ref(false),
      silenceHorn: () => Promise.resolve(),
      pendingChanges: ref(0),
    },
    session: { user: ref({ username: role }), me: ref(adminMe(role)) },
    site: { enterprises: ref([{ code: 'E1' }]) },
  } as unknown as AppContext;
  return mount(AppHeader, {
    props: { route: { view: 'admin', section: null } as never, now: 2 },
    global: { plugins: [createAppI18n()], provide: { [APP as symbol]: ctx } },
  });
}

/** Where the header offers the admin area: its tab in the row, or its entry in the More menu. */
const adminLinks = (w: ReturnType<typeof mountHeader>) =>
  w.findAll('[data-nav="admin"], [data-more="admin"]');

describe('the header offers the admin area only to those with a section in it (issue #22)', () => {
  it.each<AuthorityRole>(['admin', 'safety_manager', 'regulator_county'])(
    '%s: 系统管理 → #/admin',
    (role) => {
      const links = adminLinks(mountHeader(role));
      expect(links.length).toBeGreaterThan(0);
      for (const a of links) {
        expect(a.attributes('href')).toBe('#/admin');
        expect(a.text()).toBe('系统管理');
      }
    },
  );

  it.each<AuthorityRole>(['operator', 'viewer'])('%s: no admin tab', (role) => {
    expect(adminLinks(mountHeader(role))).toHaveLength(0);
  });
});
