// The root tsconfig.test.json has no DOM lib; this test mounts components (happy-dom).
/// <reference lib="dom" />
import { mount } from '@vue/test-utils';
import { describe, expect, it, vi } from 'vitest';
import ConnectionBadge from '../src/components/shell/ConnectionBadge.vue';
import { createAppI18n } from '../src/i18n/index.js';

// The badge reads a constant of the live store, which loads the socket client; its
// `@hazardwatch/contracts/live-frame` subpath does not resolve under the test aliases.
vi.mock('../src/live/live-client.js', () => ({ LiveClient: class {} }));

function badge(props: { state: 'live' | 'offline'; degraded?: boolean }, locale?: 'en') {
  return mount(ConnectionBadge, {
    props: { lastDataAt: 1000, now: 2000, ...props },
    global: { plugins: [createAppI18n(locale)] },
  });
}

describe('ConnectionBadge: live push interrupted on the server', () => {
  it('is never shown live while the server cannot push: the disconnected style, saying the data refreshes every 10 s', () => {
    const w = badge({ state: 'live', degraded: true });
    const conn = w.find('.conn');
    expect(conn.attributes('data-state')).toBe('degraded');
    expect(conn.attributes('role')).toBe('alert');
    expect(conn.text()).toContain('实时推送中断，数据每 10 秒刷新');
    expect(badge({ state: 'live', degraded: true }, 'en').text()).toContain(
      'Live updates interrupted — refreshing every 10 s',
    );
  });

  it('live again without it; a dropped connection is still shown as disconnected', () => {
    expect(badge({ state: 'live', degraded: false }).find('.conn').attributes('data-state')).toBe('live');
    expect(badge({ state: 'offline', degraded: true }).find('.conn').attributes('data-state')).toBe(
      'offline',
    );
  });
});
