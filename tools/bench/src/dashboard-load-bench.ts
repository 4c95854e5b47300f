import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type CDPSession } from 'playwright-core';
import type { Logger } from 'pino';
import { LiveValueTap } from '@hazardwatch/ingest';
import { generateSite } from '@hazardwatch/simulators';
import { ensureUsers, startApiBeside, startIngestService, type RuntimeConfig } from 'hazardwatch';
import { prepareBenchSystem } from './bench-system.js';
import { measureDashboardAssets, type DashboardAssetSizes } from './dashboard-assets.js';

/** The browser the dashboard's own browser tests use (dashboards/control-room/test/e2e.int.test.ts). */
export const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const USER = 'bench-dashboard';
const PASSWORD = 'bench-dashboard-password';
/** A coloured enterprise on the map: the map view is up and drawn (the e2e test waits for it too). */
const MAP_READY = 'path.hw-enterprise[data-colour]';
const LOGIN_READY = 'input[name=password]';

export interface DashboardLoadBenchOptions {
  /** The dashboard build the API serves (vite's dist/). */
  readonly dist: string;
  /** Cold loads, each in a fresh browser context (empty cache). */
  readonly runs: number;
  /**
   * Emulated network (Chromium's DevTools throttling), kbit/s down and up; 0 = none (loopback).
   * Round trip in ms added to every request. @default 0, 0
   */
  readonly downKbps: number;
  readonly rttMs: number;
  readonly adminDatabaseUrl: string;
  readonly mqttUrl: string;
  readonly base: RuntimeConfig;
  readonly logger: Logger;
  /** @default CHROMIUM */
  readonly executablePath?: string;
}

/** One cold load: times in ms from navigation start, bytes as transferred (headers included). */
export interface DashboardLoadRun {
  readonly domContentLoadedMs: number;
  readonly loadMs: number;
  /** The login form's password field is in the DOM. */
  readonly loginVisibleMs: number;
  /** Everything received until the login screen is up and the load event has fired. */
  readonly loginTransferredBytes: number;
  /** From the login form's submit to the first coloured enterprise on the map. */
  readonly mapAfterLoginMs: number;
  /** Everything received after the submit until the map is drawn (API answers, lazy chunks). */
  readonly mapTransferredBytes: number;
  /** Of which the dashboard's own files (/assets/…). */
  readonly mapAssetBytes: number;
}

export interface DashboardLoadResult {
  readonly bench: 'dashboard-load';
  readonly runs: number;
  readonly network: { readonly downKbps: number; readonly rttMs: number };
  /** Content-Encoding the server answered each dashboard file with, as Chromium asked (first run). */
  readonly encodings: Readonly<Record<string, string>>;
  readonly assets: DashboardAssetSizes;
  readonly median: DashboardLoadRun;
  readonly each: readonly DashboardLoadRun[];
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : Math.round(((s[mid - 1]! + s[mid]!) / 2) * 10) / 10;
}

/**
 * Page-side marks, as text (this package compiles without the DOM library): when the login field
 * appears, when the form is submitted, when the map has its first coloured enterprise.
 */
const MARKS = `(() => {
  const marks = (window.__hwMarks = {});
  document.addEventListener('submit', () => { marks.submit ??= performance.now(); }, true);
  new MutationObserver(() => {
    if (marks.login === undefined && document.querySelector(${JSON.stringify(LOGIN_READY)})) marks.login = performance.now();
    if (marks.map === undefined && document.querySelector(${JSON.stringify(MAP_READY)})) marks.map = performance.now();
  }).observe(document, { childList: true, subtree: true, attributes: true });
})();`;

interface Marks {
  readonly login: number;
  readonly submit: number;
  readonly map: number;
  readonly domContentLoaded: number;
  readonly load: number;
}

/** Bytes received per phase, from the DevTools protocol (encoded: what crossed the wire). */
class Transfer {
  phase: 'login' | 'map' = 'login';
  readonly bytes = { login: 0, map: 0, mapAssets: 0 };
  readonly encodings = new Map<string, string>();
  private readonly urls = new Map<string, string>();
  private readonly started = new Map<string, number>();

  /** `log` at debug level gets each request's path, phase, start and end (s, monotonic) and bytes. */
  constructor(cdp: CDPSession, log: Logger) {
    cdp.on('Network.requestWillBeSent', (e) => this.started.set(e.requestId, e.timestamp));
    cdp.on('Network.responseReceived', (e) => {
      this.urls.set(e.requestId, e.response.url);
      const path = new URL(e.response.url).pathname;
      if (path === '/' || path.startsWith('/assets/')) {
        const headers = Object.fromEntries(
          Object.entries(e.response.headers).map(([k, v]) => [k.toLowerCase(), v]),
        );
        this.encodings.set(path, String(headers['content-encoding'] ?? 'identity'));
      }
    });
    cdp.on('Network.loadingFinished', (e) => {
      this.bytes[this.phase] += e.encodedDataLength;
      const url = this.urls.get(e.requestId);
      log.debug(
        {
          path: url && new URL(url).pathname,
          phase: this.phase,
          start: this.started.get(e.requestId),
          end: e.timestamp,
          bytes: e.encodedDataLength,
        },
        'request finished',
      );
      if (this.phase === 'map' && url && new URL(url).pathname.startsWith('/assets/'))
        this.bytes.mapAssets += e.encodedDataLength;
    });
  }
}

async function coldLoad(
  browser: Browser,
  origin: string,
  options: DashboardLoadBenchOptions,
  log: Logger,
): Promise<{ run: DashboardLoadRun; encodings: Map<string, string> }> {
  const context = await browser.newContext({ viewport: { width: 1600, height: 900 } });
  try {
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    if (options.downKbps > 0 || options.rttMs > 0) {
      const bytesPerSec = options.downKbps > 0 ? (options.downKbps * 1000) / 8 : -1;
      await cdp.send('Network.emulateNetworkConditions', {
        offline: false,
        latency: options.rttMs,
        downloadThroughput: bytesPerSec,
        uploadThroughput: bytesPerSec,
      });
    }
    const transfer = new Transfer(cdp, log);
    await page.addInitScript({ content: MARKS });
    await page.goto(`${origin}/`, { waitUntil: 'load' });
    await page.waitForSelector(LOGIN_READY);
    const loginBytes = transfer.bytes.login;
    transfer.phase = 'map';
    await page.fill('input[name=username]', USER);
    await page.fill(LOGIN_READY, PASSWORD);
    await page.click('button[type=submit]');
    await page.waitForSelector(MAP_READY, { timeout: 60_000 });
    const marks = await page.evaluate<Marks>(`(() => {
      const nav = performance.getEntriesByType('navigation')[0];
      return { ...window.__hwMarks, domContentLoaded: nav.domContentLoadedEventEnd, load: nav.loadEventEnd };
    })()`);
    const ms = (x: number): number => Math.round(x * 10) / 10;
    return {
      run: {
        domContentLoadedMs: ms(marks.domContentLoaded),
        loadMs: ms(marks.load),
        loginVisibleMs: ms(marks.login),
        loginTransferredBytes: loginBytes,
        mapAfterLoginMs: ms(marks.map - marks.submit),
        mapTransferredBytes: transfer.bytes.map,
        mapAssetBytes: transfer.bytes.mapAssets,
      },
      encodings: transfer.encodings,
    };
  } finally {
    await context.close();
  }
}

/**
 * First load of the control-room dashboard (issue #21): the real API (with the ingest beside it,
 * a small generated site, a scratch database) serves the build in `dist`; headless Chromium loads
 * it cold `runs` times and logs in as a province regulator. Reports the build's sizes per file
 * (raw, gzip, brotli), what crossed the wire until the login screen and until the map, and the
 * times, as medians. Loopback by default; `downKbps`/`rttMs` emulate a slower network.
 */
export async function runDashboardLoadBench(
  options: DashboardLoadBenchOptions,
): Promise<DashboardLoadResult> {
  const log = options.logger.child({ component: 'bench-dashboard-load' });
  if (!existsSync(join(options.dist, 'index.html')))
    throw new Error(`no dashboard build in ${options.dist} (npm run build -w dashboards/control-room)`);
  const assets = await measureDashboardAssets(options.dist);
  const site = generateSite({ cities: 2, enterprises: 6, points: 120, seed: 21 });
  const province = (site['regions'] as Array<{ code: string }>)[0]!.code;
  const system = await prepareBenchSystem({
    name: 'dashboard',
    adminDatabaseUrl: options.adminDatabaseUrl,
    mqttUrl: options.mqttUrl,
    base: options.base,
    site,
    api: true,
    logger: log,
    ingest: {},
  });
  const config: RuntimeConfig = {
    ...system.config,
    api: { ...system.config.api, dashboardDir: options.dist },
  };
  let service: Awaited<ReturnType<typeof startIngestService>> | undefined;
  let api: Awaited<ReturnType<typeof startApiBeside>> | undefined;
  let browser: Browser | undefined;
  try {
    // Live push attached as in `hazardwatch serve`: the dashboard connects its socket after login.
    const tap = new LiveValueTap();
    service = await startIngestService(config, options.logger, { observers: [tap] });
    api = await startApiBeside(service, config, options.logger, 0, tap);
    await ensureUsers(service, [
      { username: USER, password: PASSWORD, role: 'regulator', regionCode: province },
    ]);
    browser = await chromium.launch({
      executablePath: options.executablePath ?? CHROMIUM,
      args: CHROMIUM_ARGS,
    });
    const origin = `http://127.0.0.1:${api.port}`;
    const each: DashboardLoadRun[] = [];
    let encodings = new Map<string, string>();
    for (let i = 0; i < options.runs; i++) {
      const result = await coldLoad(browser, origin, options, log);
      if (i === 0) encodings = result.encodings;
      each.push(result.run);
      log.info({ run: i + 1, ...result.run }, 'cold load');
    }
    const keys = Object.keys(each[0]!) as (keyof DashboardLoadRun)[];
    return {
      bench: 'dashboard-load',
      runs: options.runs,
      network: { downKbps: options.downKbps, rttMs: options.rttMs },
      encodings: Object.fromEntries([...encodings].sort()),
      assets,
      median: Object.fromEntries(
        keys.map((k) => [k, median(each.map((r) => r[k]))]),
      ) as unknown as DashboardLoadRun,
      each,
    };
  } finally {
    await browser?.close();
    await api?.close();
    await service?.close();
    await system.release();
  }
}
