import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import GatewayTable from '../src/components/quality/GatewayTable.vue';
import { gatewayRows, type LivePresence } from '../src/components/quality/gateway-rows.js';
import type { Gateway } from '@hazardwatch/contracts';
import { createAppI18n, type Locale } from '../src/i18n/index.js';

const NOW = Date.UTC(2026, 2, 2, 8, 0, 0);

const gateway = (code: string, status: Gateway['status']): Gateway => ({
  enterprise: 'E1',
  code,
  name: `${code} 网关`,
  offlineAfterMs: 120_000,
  points: 3,
  status,
});
const stored = (online: boolean, agoMs: number, spoolDepth: number | null): Gateway['status'] => ({
  online,
  lastSeen: new Date(NOW - agoMs).toISOString(),
  spoolDepth,
});

/** The data-quality view's gateway panel over rows merged as the view merges them. */
function mountTable(
  gateways: Gateway[],
  live: Map<string, LivePresence> = new Map(),
  offline: Map<string, number> = new Map(),
  locale: Locale = 'zh-CN',
) {
  return mount(GatewayTable, {
    props: { gateways: gatewayRows(gateways, live, offline), names: new Map([['E1', '一号企业']]) },
    global: { plugins: [createAppI18n(locale)] },
  });
}
type Wrapper = ReturnType<typeof mountTable>;
const spool = (w: Wrapper, key: string) => w.find(`[data-gateway="${key}"] [data-test="spool"]`);
const online = (w: Wrapper, key: string) => w.find(`[data-gateway="${key}"]`).attributes('data-online');

describe('data quality: gateway spool backlog', () => {
  it('shows each gateway’s stored spool depth (zh-CN first), "not reported" when unknown, and the total', () => {
    const w = mountTable([
      gateway('GW01', stored(false, 60_000, 250)),
      gateway('GW02', stored(true, 0, 0)),
      gateway('GW03', null),
    ]);
    expect(w.text()).toContain('缓存积压');
    expect(spool(w, 'E1/GW01').text()).toBe('250');
    expect(spool(w, 'E1/GW01').classes()).toContain('backlog');
    expect(spool(w, 'E1/GW02').text()).toBe('0');
    expect(spool(w, 'E1/GW02').classes()).not.toContain('backlog');
    expect(spool(w, 'E1/GW03').text()).toBe('未上报');
    expect(w.find('[data-test="backlog-total"]').text()).toContain('250');
    // The stored status says GW01 is offline (since it was last seen) without any open alarm.
    expect(online(w, 'E1/GW01')).toBe('false');
    expect(w.find('[data-gateway="E1/GW01"]').text()).toContain(String(new Date(NOW - 60_000).getFullYear()));
    expect(online(w, 'E1/GW02')).toBe('true');
  });

  it('prefers a live presence event over the stored status, and that over the overview alarms', () => {
    const w = mountTable(
      [gateway('GW01', stored(false, 60_000, 250)), gateway('GW03', null), gateway('GW04', null)],
      new Map([
        ['E1/GW01', { online: true, ts: NOW, spoolDepth: 40 }],
        ['E1/GW03', { online: true, ts: NOW, spoolDepth: null }],
      ]),
      new Map([['E1/GW04', NOW - 5000]]),
    );
    expect(online(w, 'E1/GW01')).toBe('true');
    expect(spool(w, 'E1/GW01').text()).toBe('40');
    expect(spool(w, 'E1/GW03').text()).toBe('未上报');
    expect(online(w, 'E1/GW04')).toBe('false');
  });

  it('speaks English when switched', () => {
    const w = mountTable([gateway('GW03', null)], new Map(), new Map(), 'en');
    expect(w.text()).toContain('Spool backlog');
    expect(spool(w, 'E1/GW03').text()).toBe('not reported');
  });
});
