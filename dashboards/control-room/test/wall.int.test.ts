import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt, { type MqttClient } from 'mqtt';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import {
  statusTopic,
  telemetryTopic,
  type AlarmRow,
  type Page as ApiPage,
  type WarningRow,
} from '@hazardwatch/contracts';
import { waitFor } from '@hazardwatch/testkit';
import {
  ensureDashboardBuilt,
  EXAMPLE_SITE,
  launchChromium,
  startStack,
  type BrowserStack,
} from './support/browser-stack.js';

/**
 * The wall display (大屏, issue #22) in real Chromium against the real chain (PostgreSQL, a broker
 * of this file's own, ingest with the alarm engine, the API serving the built dashboard): one
 * stack and one browser for every case.
 *  - 1920×1080 (zh-CN) and 3840×2160 (English): the wall fills the screen without scrollbars, its
 *    text twice as large at 4K (never 13 px), no console header; a red 预警 left open after its
 *    alarm returned keeps the enterprise and its county red on the map and in the counts, and its
 *    name is met by no other label (a green neighbour in the park, as in the demo), at either size
 *    and after the window grows from 1080p to 4K;
 *  - a typo'd region and a region outside the account's area read "unknown region", not the map;
 *  - a simulated day: the page clock jumps ahead in steps, 12 h (CI), 24 h with HW_WALL_LONG_RUN=1
 *    or HW_WALL_LONG_RUN_DAYS days (every timer fires, every jump breaks the socket by ping timeout and the wall
 *    reconnects) with live readings, alarms raised, returned and acknowledged each step, and one
 *    loss of the network shown as such; the JS heap after a forced garbage collection must not
 *    grow by more than HEAP_GROWTH_MAX, nor DOM nodes and listeners by more than a handful.
 * With HW_UPDATE_SCREENSHOTS=1 it writes the README's screenshots (docs/screenshots/).
 */
const SHOTS =
  process.env.HW_UPDATE_SCREENSHOTS === '1'
    ? fileURLToPath(new URL('../../../docs/screenshots/', import.meta.url))
    : mkdtempSync(join(tmpdir(), 'hw-wall-'));
const PASSWORD = 'wall-test-password';
const CITY = '320600';
const E1 = '91320623MA1W000001';
const E2 = '91320623MA1W000002';
const E3 = '91320621MA1W000003';
/** A green neighbour of E1 in the park, as in the demo's site: its name ran over E1's. */
const E4 = '91320623MA1W000004';
const RED_NAME = '如东示例氯碱化工有限公司';
/**
 * Heap growth allowed over the measured day, bytes. The wall's heap is ~7 MB after a collection;
 * it still grows by ~1 MB over the first few steps (compiled code, socket.io and fetch buffers)
 * and then stays within a few hundred kB, so the first WARM_UP steps are not measured. A leak of a
 * redrawn map or a listener per reconnect shows in the DOM counters as well.
 */
const HEAP_GROWTH_MAX = 1_000_000;
/**
 * Runs of 2 days or more: heap growth allowed over the second half, bytes. A week grew 70–100 kB
 * over its last 84 h (V8 optimising more of the page, less and less each day: docs/wall.md).
 */
const LATE_GROWTH_MAX = 300_000;
/** Steps run before the first measurement. */
const WARM_UP = 4;
const HOUR_MS = 3_600_000;
const STEP_MS = 3 * HOUR_MS;
/**
 * The simulated time after the warm-up, in days of page time: HW_WALL_LONG_RUN_DAYS (a multiple
 * of 1/8, a 3 h jump: 7 runs a week, the figures in docs/wall.md), 1 with HW_WALL_LONG_RUN=1, and
 * half a day otherwise, which CI runs: 4 jumps, so one listener left per reconnect is still
 * STEPS + 1 = 5 more, past the 4 allowed.
 */
const DAYS = ((): number => {
  const env = process.env.HW_WALL_LONG_RUN_DAYS;
  if (env === undefined || env === '') return process.env.HW_WALL_LONG_RUN === '1' ? 1 : 0.5;
  const days = Number(env);
  if (!(days > 0) || !Number.isInteger(days * 8))
    throw new Error(`HW_WALL_LONG_RUN_DAYS=${env}: a positive multiple of 0.125 (3 h) expected`);
  return days;
})();
/** Clock jumps measured. */
const STEPS = DAYS * 8;
/** A sample (heap after a forced collection, DOM nodes, listeners) every 6 h of page time, 12 h past a day. */
const SAMPLE_EVERY = DAYS > 1 ? 4 : 2;
/** The long run's time limit: CI's half day in 240 s, each further jump 20 s more (2-core machine). */
const LONG_RUN_TIMEOUT_MS = 240_000 + Math.max(0, STEPS - 4) * 20_000;
/**
 * With HW_WALL_HEAP_SNAPSHOTS=<dir>, the long run writes heap snapshots there before and after the
 * measured time (open them in DevTools' Memory tab, "Comparison"), to find what grows.
 */
const SNAPSHOTS = process.env.HW_WALL_HEAP_SNAPSHOTS;

/**
 * The example site (如东县, its park, two enterprises) with a second county of 南通市 (海安市, one
 * enterprise whose gateway never reports) and one quick pressure point per enterprise (no on- or
 * off-delay), so the long run can raise and return alarms in real time.
 */
function wallSite(dir: string): string {
  const site = parse(readFileSync(EXAMPLE_SITE, 'utf8')) as Record<string, Array<Record<string, unknown>>>;
  site.regions!.push({ code: '320621', name: '海安市', kind: 'county', parent: CITY });
  site.enterprises!.push({
    code: E3,
    name: '海安示例化工有限公司',
    region: '320621',
    location: { lon: 120.4652, lat: 32.5327 },
  });
  site.gateways!.push({ code: 'GW01', enterprise: E3, name: '海安化工网关' });
  // The demo's crowding: a green enterprise just west of E1, under the park's name.
  site.enterprises!.push({
    code: E4,
    name: '如东恒泰石化有限公司',
    region: 'P32062301',
    location: { lon: 121.015635, lat: 32.556412 },
  });
  const quick = (tag: string, enterprise: string, hazard?: string) => ({
    tag,
    enterprise,
    ...(hazard === undefined ? {} : { hazard }),
    gateway: 'GW01',
    name: `${tag} 管线压力`,
    kind: 'pressure',
    unit: 'MPa',
    range: { min: 0, max: 2.5 },
    limits: { h: 1.0, hh: 1.2 },
    onDelaySec: 0,
    offDelaySec: 0,
  });
  site.points!.push(quick('PT-9101', E1, 'CL-TF01'), quick('PT-9201', E2, 'HYD-U01'), quick('PT-9301', E3));
  const file = join(dir, 'wall-site.yaml');
  writeFileSync(file, stringify(site));
  return file;
}

describe('wall display (大屏, issue #22)', () => {
  let stack: BrowserStack;
  let pub: MqttClient;
  let browser: Browser;
  const errors: string[] = [];

  beforeAll(async () => {
    const dashboardDir = await ensureDashboardBuilt();
    mkdirSync(SHOTS, { recursive: true });
    stack = await startStack({
      name: 'wall',
      broker: 'own',
      siteFile: wallSite(mkdtempSync(join(tmpdir(), 'hw-wall-site-'))),
      dashboardDir,
      users: [
        { username: 'wall-nantong', password: PASSWORD, role: 'regulator', regionCode: CITY },
        { username: 'wall-rudong', password: PASSWORD, role: 'regulator', regionCode: '320623' },
        { username: 'wall-admin', password: PASSWORD, role: 'admin' },
      ],
    });
    pub = await mqtt.connectAsync(stack.mqttUrl, {
      clientId: `hw-wall-pub-${randomBytes(3).toString('hex')}`,
    });
    browser = await launchChromium();
    // Both 如东 gateways alive; 海安's never reports (not online: never heard from).
    for (const enterprise of [E1, E2])
      await pub.publishAsync(
        statusTopic({ enterprise, gateway: 'GW01' }),
        JSON.stringify({ type: 'birth', ts: Date.now(), spoolDepth: 0 }),
        { qos: 1, retain: true },
      );
    // LT-1101 (HH 85 %, on-delay 10 s) at 90 % raises a red alarm and a red 预警 on the chlorine
    // tank farm; back at 60 % the alarm returns (no longer counted), the 预警 stays open.
    const t0 = Date.now() - 60_000;
    await publish(E1, [
      ['LT-1101', t0, 60],
      ['LT-1101', t0 + 1000, 90],
      ['LT-1101', t0 + 12_000, 90],
    ]);
    await waitFor(
      () => rest<ApiPage<WarningRow>>('/warnings?status=open'),
      (p) => p.items.some((w) => w.enterprise === E1 && w.colour === 'red'),
      'the red 预警 of 液氯储罐区',
    );
    await publish(E1, [
      ['LT-1101', t0 + 20_000, 60],
      ['LT-1101', t0 + 30_000, 60],
    ]);
    await waitFor(
      () => rest<ApiPage<AlarmRow>>(`/alarms/active?enterprise=${E1}`),
      (p) => p.items.some((a) => a.tag === 'LT-1101' && a.state === 'RTNUN'),
      'LT-1101 back to normal',
    );
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await pub?.endAsync();
    await stack?.close();
  });

  async function publish(
    enterprise: string,
    readings: ReadonlyArray<readonly [string, number, number]>,
  ): Promise<void> {
    await pub.publishAsync(
      telemetryTopic({ enterprise, gateway: 'GW01' }),
      JSON.stringify({ readings: readings.map(([tag, ts, value]) => ({ tag, ts, value })) }),
      { qos: 1 },
    );
  }

  let adminToken: string | null = null;
  /** A REST call as the administrator (set-up and the long run's acknowledgements only). */
  async function rest<T>(path: string, body?: unknown): Promise<T> {
    if (adminToken === null) {
      const login = await fetch(`${stack.origin}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'wall-admin', password: PASSWORD }),
      });
      adminToken = ((await login.json()) as { accessToken: string }).accessToken;
    }
    const res = await fetch(`${stack.origin}/api/v1${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: {
        authorization: `Bearer ${adminToken}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    expect(res.status, `${path}: ${text}`).toBeLessThan(300);
    return JSON.parse(text) as T;
  }

  /** A fresh browser context at `size` in `locale`, logged in as `username`, showing `hash`. */
  async function openWall(
    size: { width: number; height: number },
    locale: 'zh-CN' | 'en',
    hash: string,
    options: { username?: string; clock?: boolean } = {},
  ): Promise<Page> {
    const context = await browser.newContext({
      viewport: size,
      locale: locale === 'en' ? 'en-GB' : 'zh-CN',
      timezoneId: 'Asia/Shanghai',
    });
    const page = await context.newPage();
    page.on('pageerror', (e) => errors.push(e.message));
    if (locale === 'en') await page.addInitScript(() => localStorage.setItem('hw.locale', 'en'));
    if (options.clock) await page.clock.install();
    await page.goto(`${stack.origin}/${hash}`);
    await page.fill('input[name=username]', options.username ?? 'wall-nantong');
    await page.fill('input[name=password]', PASSWORD);
    await page.click('button[type=submit]');
    await page.waitForSelector('[data-test="wall"]', { timeout: 20_000 });
    return page;
  }

  /** Readings keep coming: the wall is live (connected, data within the quiet limit). */
  async function keepAlive(page: Page): Promise<void> {
    await publish(E1, [['PT-9101', Date.now(), 0.5]]);
    await page.waitForSelector('[data-test="wall"][data-health="live"]', { timeout: 20_000 });
  }

  interface Layout {
    rootPx: number;
    minTextPx: number;
    scroll: { width: number; height: number };
    overflowing: string[];
    panels: Record<string, number>;
    header: number;
  }
  const layout = (page: Page): Promise<Layout> =>
    page.evaluate(() => {
      const wall = document.querySelector<HTMLElement>('[data-test="wall"]')!;
      let minTextPx = Infinity;
      const walker = document.createTreeWalker(wall, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n !== null; n = walker.nextNode()) {
        const parent = n.parentElement;
        if ((n.textContent ?? '').trim() === '' || parent === null) continue;
        const box = parent.getBoundingClientRect();
        if (box.width === 0 || box.height === 0) continue;
        minTextPx = Math.min(minTextPx, parseFloat(getComputedStyle(parent).fontSize));
      }
      // A box whose content is cut off (the wall never scrolls: what does not fit must say "more").
      const overflowing = [...wall.querySelectorAll<HTMLElement>('.box, .bar, .tiles, .body')]
        .filter((e) => e.scrollHeight > e.clientHeight + 1 || e.scrollWidth > e.clientWidth + 1)
        .map((e) => e.className);
      const width = (sel: string): number =>
        (document.querySelector(sel)?.getBoundingClientRect().width ?? 0) / innerWidth;
      return {
        rootPx: parseFloat(getComputedStyle(wall).fontSize),
        minTextPx,
        scroll: {
          width: document.documentElement.scrollWidth - innerWidth,
          height: document.documentElement.scrollHeight - innerHeight,
        },
        overflowing,
        panels: {
          map: width('[data-test="wall-map"]'),
          areas: width('[data-test="wall-areas"]'),
          warnings: width('[data-test="wall-warnings"]'),
          alarms: width('[data-test="wall-alarms"]'),
          body: width('.body'),
        },
        header: document.querySelectorAll('header.header, [data-nav]').length,
      };
    });

  /** What the wall says about 如东示例氯碱 (red 预警 open, alarm returned) and the counts. */
  async function redKeptRed(page: Page): Promise<void> {
    const marker = page.locator(`[data-test="wall-map"] [data-enterprise="${E1}"]`);
    await expect.poll(() => marker.getAttribute('data-colour'), { timeout: 10_000 }).toBe('red');
    await expect(marker.getAttribute('data-warning')).resolves.toBe('red');
    await expect(page.locator('[data-area="320623"]').getAttribute('data-colour')).resolves.toBe('red');
    await expect(page.locator('[data-area="320621"]').getAttribute('data-colour')).resolves.toBe('normal');
    await expect(
      page.locator('[data-test="wall-counts"] [data-colour="red"] .n').textContent(),
    ).resolves.toBe('1');
    const warning = page.locator('[data-test="wall-warnings"] [data-colour="red"]').first();
    await expect(warning.locator('[data-test="warning-age"]').textContent()).resolves.toMatch(/\d/);
  }

  /**
   * The red enterprise's name on the map: shown, inside the map, and its box meets no other shown
   * label's (enterprise names, and region names measured by their text) — what a duty officer
   * across the room must read. Fails with the labels it meets.
   */
  async function redLabelClear(page: Page): Promise<void> {
    const read = () =>
      page.evaluate((name) => {
        const map = document.querySelector('[data-test="wall-map"]')!;
        const shown = (e: Element): boolean => {
          const st = getComputedStyle(e);
          return st.visibility !== 'hidden' && st.display !== 'none' && Number(st.opacity) > 0;
        };
        const labels = [...map.querySelectorAll('.wall-label')]
          .filter(shown)
          .map((e) => ({ text: e.textContent ?? '', box: e.getBoundingClientRect() }));
        const regions = [...map.querySelectorAll('.hw-region-label')].filter(shown).map((e) => {
          const r = document.createRange();
          r.selectNodeContents(e);
          return { text: `region ${e.textContent ?? ''}`, box: r.getBoundingClientRect() };
        });
        const red = labels.find((l) => l.text === name);
        if (red === undefined) return { found: false, inside: false, hits: [] as string[] };
        const meets = (a: DOMRect, b: DOMRect): boolean =>
          a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
        const m = map.getBoundingClientRect();
        const b = red.box;
        return {
          found: true,
          inside: b.left >= m.left && b.top >= m.top && b.right <= m.right && b.bottom <= m.bottom,
          hits: [...labels, ...regions].filter((l) => l !== red && meets(red.box, l.box)).map((l) => l.text),
        };
      }, RED_NAME);
    // The layout follows a refit (a resize): polled until settled.
    await expect.poll(read, { timeout: 10_000 }).toEqual({ found: true, inside: true, hits: [] });
  }

  /**
   * Region names shown on the map that meet another shown one (their text boxes) or a coloured
   * enterprise's marker, as pairs; and at least one shown.
   */
  async function regionNamesClear(page: Page): Promise<void> {
    const read = () =>
      page.evaluate(() => {
        const map = document.querySelector('[data-test="wall-map"]')!;
        const regions = [...map.querySelectorAll('.hw-region-label')]
          .filter((e) => {
            const st = getComputedStyle(e);
            return st.visibility !== 'hidden' && st.display !== 'none' && Number(st.opacity) > 0;
          })
          .map((e) => {
            const r = document.createRange();
            r.selectNodeContents(e);
            return { text: e.textContent ?? '', box: r.getBoundingClientRect() };
          });
        const meets = (a: DOMRect, b: DOMRect): boolean =>
          a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
        // Coloured enterprises' markers (the circle; the ring reaches a little further).
        const markers = [...map.querySelectorAll('[data-enterprise]')]
          .filter((e) => (e.getAttribute('data-colour') ?? 'normal') !== 'normal')
          .map((e) => ({
            text: `marker ${e.getAttribute('data-enterprise')}`,
            box: e.getBoundingClientRect(),
          }));
        return {
          shown: regions.length,
          meeting: regions.flatMap((a, i) =>
            [...regions.slice(i + 1), ...markers].flatMap((b) =>
              meets(a.box, b.box) ? [`${a.text} / ${b.text}`] : [],
            ),
          ),
        };
      });
    await expect.poll(async () => (await read()).meeting, { timeout: 10_000 }).toEqual([]);
    expect((await read()).shown).toBeGreaterThan(0);
  }

  const sizes = {
    hd: { width: 1920, height: 1080 },
    uhd: { width: 3840, height: 2160 },
  };
  const measured: Partial<Record<keyof typeof sizes, Layout>> = {};

  it('1920×1080, zh-CN: fills the screen, no header, a red 预警 keeps its enterprise red', async () => {
    const page = await openWall(sizes.hd, 'zh-CN', `#/wall/${CITY}`);
    try {
      await keepAlive(page);
      await redKeptRed(page);
      await expect(page.locator('[data-test="wall-region"]').textContent()).resolves.toBe('南通市');
      const step = page.locator('[data-test="wall-warnings"] [data-colour="red"] .step').first();
      await expect(step.textContent()).resolves.toBe('待签收');
      await expect(page.locator('[data-test="wall-online"]').textContent()).resolves.toContain('从未上报 1');
      await page.locator('[data-test="wall-alarms"] [data-alarm]').first().waitFor();
      const l = await layout(page);
      measured.hd = l;
      expect(l.header, 'the console header on the wall').toBe(0);
      expect(l.scroll).toEqual({ width: 0, height: 0 });
      expect(l.overflowing).toEqual([]);
      expect(l.rootPx).toBeGreaterThan(17);
      expect(l.minTextPx).toBeGreaterThanOrEqual(14);
      expect(l.panels.body).toBeGreaterThan(0.99);
      await redLabelClear(page);
      await regionNamesClear(page);
      await keepAlive(page);
      await page.screenshot({ path: join(SHOTS, 'wall-zh-CN-1920x1080.png') });
      // The wall's window grows to 4K (a second screen): the labels are laid out again.
      await page.setViewportSize(sizes.uhd);
      await redLabelClear(page);
    } finally {
      await page.context().close();
    }
  }, 90_000);

  it('3840×2160, English: the same picture at twice the size', async () => {
    const page = await openWall(sizes.uhd, 'en', `#/wall/${CITY}`);
    try {
      await keepAlive(page);
      await redKeptRed(page);
      const step = page.locator('[data-test="wall-warnings"] [data-colour="red"] .step').first();
      await expect(step.textContent()).resolves.toBe('Pushed');
      const l = await layout(page);
      expect(l.header).toBe(0);
      expect(l.scroll).toEqual({ width: 0, height: 0 });
      expect(l.overflowing).toEqual([]);
      // Text twice the 1080p size (issue #22: it stayed 13 px at 4K).
      expect(l.minTextPx).toBeGreaterThanOrEqual(28);
      expect(l.rootPx).toBeGreaterThan(34);
      if (measured.hd) {
        expect(l.rootPx / measured.hd.rootPx).toBeCloseTo(2, 1);
        // The same share of the screen per panel (the alarm table used 966 of 3840 px).
        for (const [k, v] of Object.entries(l.panels)) expect(v, k).toBeCloseTo(measured.hd.panels[k]!, 2);
      }
      expect(l.panels.alarms).toBeGreaterThan(0.28);
      await redLabelClear(page);
      await regionNamesClear(page);
      await keepAlive(page);
      await page.screenshot({ path: join(SHOTS, 'wall-en-3840x2160.png') });
    } finally {
      await page.context().close();
    }
  }, 90_000);

  it('the county wall (the park close up, as the demo at 如东县): the red name met by no other', async () => {
    const page = await openWall(sizes.hd, 'zh-CN', '#/wall', { username: 'wall-rudong' });
    try {
      await expect(page.locator('[data-test="wall-region"]').textContent()).resolves.toBe('如东县');
      const marker = page.locator(`[data-test="wall-map"] [data-enterprise="${E1}"]`);
      await expect.poll(() => marker.getAttribute('data-colour'), { timeout: 10_000 }).toBe('red');
      await redLabelClear(page);
      await page.setViewportSize(sizes.uhd);
      await redLabelClear(page);
    } finally {
      await page.context().close();
    }
  }, 60_000);

  it('a typo or a region outside the account reads "unknown region", never the map', async () => {
    const page = await openWall(sizes.hd, 'zh-CN', '#/wall/32O623', { username: 'wall-rudong' });
    try {
      const unknown = page.locator('[data-test="wall-unknown"]');
      await expect(unknown.locator('h1').textContent()).resolves.toBe('未知区域：32O623');
      await expect(unknown.locator('a[href="#/wall/320623"]').count()).resolves.toBe(1);
      // 南通市 exists, but a 如东县 regulator's area is 如东县: denied as unknown, nothing shown.
      await page.evaluate(() => (location.hash = '#/wall/320600'));
      await expect(unknown.locator('h1').textContent()).resolves.toBe('未知区域：320600');
      await expect(page.locator('[data-test="map"], [data-test="wall-map"]').count()).resolves.toBe(0);
      // The county regulator's own wall.
      await page.evaluate(() => (location.hash = '#/wall/320623'));
      await expect(page.locator('[data-test="wall-region"]').textContent()).resolves.toBe('如东县');
    } finally {
      await page.context().close();
    }
  }, 60_000);

  it(
    'a simulated day with reconnects and a lost network: shown as lost, no heap growth',
    { timeout: LONG_RUN_TIMEOUT_MS },
    async () => {
      const page = await openWall(sizes.hd, 'zh-CN', `#/wall/${CITY}`, { clock: true });
      const cdp = await page.context().newCDPSession(page);
      const usage = async () => {
        await cdp.send('HeapProfiler.collectGarbage');
        await cdp.send('HeapProfiler.collectGarbage');
        const heap = await cdp.send('Runtime.getHeapUsage');
        const dom = await cdp.send('Memory.getDOMCounters');
        return { heap: heap.usedSize, nodes: dom.nodes, listeners: dom.jsEventListeners };
      };
      /**
       * One line per sample (hours of page time since the measure began), and a heap snapshot with
       * HW_WALL_HEAP_SNAPSHOTS. (The page's `performance` is the fake clock's, so its timeline is
       * not readable from the page; the snapshots show its entries.)
       */
      const sample = async (label: string): Promise<Awaited<ReturnType<typeof usage>>> => {
        const u = await usage();
        process.stdout.write(
          `wall long run ${label}: heap ${u.heap} bytes, DOM nodes ${u.nodes}, listeners ${u.listeners}\n`,
        );
        await snapshot(label.replace(/\W+/g, '-'));
        return u;
      };
      const snapshot = async (name: string): Promise<void> => {
        if (SNAPSHOTS === undefined) return;
        const chunks: string[] = [];
        const onChunk = (e: { chunk: string }): void => void chunks.push(e.chunk);
        cdp.on('HeapProfiler.addHeapSnapshotChunk', onChunk);
        await cdp.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
        cdp.off('HeapProfiler.addHeapSnapshotChunk', onChunk);
        mkdirSync(SNAPSHOTS, { recursive: true });
        writeFileSync(join(SNAPSHOTS, `wall-${name}.heapsnapshot`), chunks.join(''));
      };
      let readings = 0;
      /** Acknowledged alarms: an acknowledgement closes the alarm a moment later (the ingest owns it). */
      const acked = new Set<string>();
      /** One step: the clock jumps (the socket's ping times out: a forced reconnect), then a burst. */
      const step = async (i: number): Promise<void> => {
        await page.clock.fastForward(STEP_MS);
        await page.waitForSelector('[data-test="wall-conn"][data-state="quiet"], [data-health="live"]', {
          timeout: 20_000,
        });
        const now = Date.now();
        for (const [enterprise, tag] of [
          [E1, 'PT-9101'],
          [E2, 'PT-9201'],
          [E3, 'PT-9301'],
        ] as const) {
          // Up past H (and HH every other step), back to normal, then values: alarm events and frames.
          const high = i % 2 === 0 ? 1.3 : 1.1;
          const rows: Array<readonly [string, number, number]> = [
            [tag, now - 900, high],
            [tag, now - 800, 0.6],
          ];
          for (let k = 0; k < 20; k++) rows.push([tag, now - 700 + k * 30, 0.5 + (k % 5) * 0.01]);
          await publish(enterprise, rows);
          readings += rows.length;
        }
        // Returned alarms acknowledged: they close, and the next step raises new ones.
        const returned = (p: ApiPage<AlarmRow>): AlarmRow[] =>
          p.items.filter(
            (a) => a.tag?.startsWith('PT-9') === true && a.state === 'RTNUN' && !acked.has(a.id),
          );
        const open = await waitFor(
          () => rest<ApiPage<AlarmRow>>('/alarms/active'),
          (p) => returned(p).length > 0,
          'returned PT-9 alarms',
        );
        for (const a of returned(open)) {
          const res = await fetch(`${stack.origin}/api/v1/alarms/${encodeURIComponent(a.id)}/ack`, {
            method: 'POST',
            headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
            body: '{}',
          });
          // The list is the database's; the engine may have moved the alarm on meanwhile (404).
          expect([200, 404], await res.text()).toContain(res.status);
          acked.add(a.id);
        }
        await keepAlive(page);
      };
      try {
        await keepAlive(page);
        // Warm-up: the lazily made parts (chunks, the map, caches) exist before the first measure.
        for (let i = 0; i < WARM_UP; i++) await step(i);
        const [readingsBefore, ackedBefore] = [readings, acked.size];
        const before = await sample('0 h');
        const samples = [before.heap];
        for (let i = WARM_UP; i < WARM_UP + STEPS; i++) {
          await step(i);
          if ((i - WARM_UP + 1) % SAMPLE_EVERY === 0) {
            samples.push((await sample(`${((i - WARM_UP + 1) * STEP_MS) / HOUR_MS} h`)).heap);
          }
        }

        // The network goes away: the wall says so, dimmed, with the age of its data.
        await page.context().setOffline(true);
        await page.clock.fastForward(60_000);
        const banner = page.locator('[data-test="wall-banner"][data-health="lost"]');
        await banner.waitFor({ timeout: 20_000 });
        await expect(banner.textContent()).resolves.toContain('连接已中断');
        await page.screenshot({ path: join(SHOTS, 'wall-lost-zh-CN-1920x1080.png') });
        await page.context().setOffline(false);
        // Back online: socket.io's next retry (backoff up to 10 s, page time) reconnects.
        await waitFor(
          async () => {
            const state = await page.locator('[data-test="wall-conn"]').getAttribute('data-state');
            if (state === 'lost' || state === 'connecting') await page.clock.fastForward(11_000);
            await publish(E1, [['PT-9101', Date.now(), 0.5]]);
            await new Promise((r) => setTimeout(r, 500));
            return page.locator('[data-test="wall"][data-health="live"]').count();
          },
          (n) => n === 1,
          'the wall live again',
        );

        const after = await sample('after the network loss');
        const simulatedHours = (STEPS * STEP_MS) / HOUR_MS;
        // The figure the README quotes.
        process.stdout.write(
          `wall long run: ${simulatedHours.toFixed(1)} h simulated, ${readings - readingsBefore} readings, ${acked.size - ackedBefore} alarms ` +
            `acknowledged, ${STEPS + 1} reconnects measured; heap ${samples.join(' -> ')} -> ${after.heap} bytes ` +
            `(${after.heap - before.heap}), DOM nodes ${before.nodes} -> ${after.nodes}, ` +
            `listeners ${before.listeners} -> ${after.listeners}\n`,
        );
        expect(after.heap - before.heap).toBeLessThan(HEAP_GROWTH_MAX);
        // A long run levels off: its second half grows by little (the last sample is before the
        // network loss, whose reconnect is measured above).
        if (DAYS >= 2)
          expect(samples.at(-1)! - samples[Math.floor((samples.length - 1) / 2)]!).toBeLessThan(
            LATE_GROWTH_MAX,
          );
        expect(after.nodes - before.nodes).toBeLessThan(100);
        // One listener left behind per reconnect would be STEPS + 1 more.
        expect(after.listeners - before.listeners).toBeLessThanOrEqual(4);
        expect(errors).toEqual([]);
      } finally {
        await page.context().close();
      }
    },
  );
});
