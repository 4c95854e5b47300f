import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import GatewayTable from '../src/components/quality/GatewayTable.vue';
import { gatewayRows, type LivePresence } from '../src/components/quality/gateway-rows.js';
import type { Gateway } from '@hazardwatch/contracts';
import { createAppI18n, type Locale } from '../src/i18n/index.js';
import { formatDateTime } from '../src/logic/format.js';

const NOW = Date.UTC(2026, 2, 2, 8, 0, 0);

const gateway = (code: string, status: Gateway['status']): Gateway => ({
  enterprise: 'E1',
  code,
  name: `${code} 网关`,
  offlineAfterMs: 120_000,
  points: 3,
  status,
});
const stored = (
  online: boolean,
  agoMs: number,
  spoolDepth: number | null,
  sinceAgoMs: number | null = null,
): Gateway['status'] => ({
  online,
  lastSeen: new Date(NOW - agoMs).toISOString(),
  spoolDepth,
  since: sinceAgoMs === null ? null : new Date(NOW - sinceAgoMs).toISOString(),
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

describe('data quality: since when a gateway is in its state (issue #21: "Since" was always —)', () => {
  const since = (w: Wrapper, key: string) => w.find(`[data-gateway="${key}"] [data-test="since"]`).text();
  const HOUR = 3_600_000;

  it('an online gateway shows since when it is online, from the stored status', () => {
    const w = mountTable([gateway('GW01', stored(true, 5000, 0, 2 * HOUR))]);
    expect(online(w, 'E1/GW01')).toBe('true');
    expect(since(w, 'E1/GW01')).toBe(formatDateTime(NOW - 2 * HOUR));
  });

  it('a live presence of the same state keeps the older stored since; a change takes its own', () => {
    const w = mountTable(
      [gateway('GW01', stored(true, 5000, 0, 2 * HOUR)), gateway('GW02', stored(true, 5000, 0, 2 * HOUR))],
      new Map([
        // The ingest restarted an hour ago: it knows the gateway online since then only.
        ['E1/GW01', { online: true, ts: NOW - 1000, spoolDepth: 3, since: NOW - HOUR }],
        ['E1/GW02', { online: false, ts: NOW - 60_000, spoolDepth: 3, since: NOW - 60_000 }],
      ]),
    );
    expect(since(w, 'E1/GW01')).toBe(formatDateTime(NOW - 2 * HOUR));
    expect(online(w, 'E1/GW02')).toBe('false');
    expect(since(w, 'E1/GW02')).toBe(formatDateTime(NOW - 60_000));
  });

  it('a spool-depth update of an older server (no since) does not move since', () => {
    const w = mountTable(
      [gateway('GW01', stored(true, 5000, 0, 2 * HOUR))],
      new Map([['E1/GW01', { online: true, ts: NOW - 1000, spoolDepth: 3 }]]),
    );
    expect(since(w, 'E1/GW01')).toBe(formatDateTime(NOW - 2 * HOUR));
  });

  it('an open GATEWAY_OFFLINE alarm newer than the last presence shows the gateway offline since the alarm', () => {
    // Heartbeats stopped without a death (a network cut the broker has not noticed): the stored
    // state still says online, the alarm engine has raised GATEWAY_OFFLINE.
    const w = mountTable(
      [gateway('GW01', stored(true, 10 * 60_000, 0, 2 * HOUR))],
      new Map(),
      new Map([['E1/GW01', NOW - 5 * 60_000]]),
    );
    expect(online(w, 'E1/GW01')).toBe('false');
    expect(since(w, 'E1/GW01')).toBe(formatDateTime(NOW - 5 * 60_000));
  });

  it('a gateway never heard from is neither online nor offline: 从未上报, since —', () => {
    const w = mountTable([gateway('GW03', null)]);
    expect(since(w, 'E1/GW03')).toBe('—');
    expect(online(w, 'E1/GW03')).toBe('unknown');
    expect(w.find('[data-gateway="E1/GW03"] .chip').text()).toBe('从未上报');
    const en = mountTable([gateway('GW03', null)], new Map(), new Map(), 'en');
    expect(en.find('[data-gateway="E1/GW03"] .chip').text()).toBe('Never heard from');
  });
});
