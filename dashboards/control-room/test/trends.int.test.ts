import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { telemetryTopic, type HistoryList } from '@hazardwatch/contracts';
import { waitFor } from '@hazardwatch/testkit';
import {
  ensureDashboardBuilt,
  launchChromium,
  startStack,
  type BrowserStack,
} from './support/browser-stack.js';

const ENTERPRISE = '91320623MA1W000001';
const PASSWORD = 'trends-test-password';
const USER = 'qushi';
/** Screenshots of this run (looked at by hand). */
/** The README's screenshots are rewritten only when asked (HW_UPDATE_SCREENSHOTS=1), as console-truth does. */
const SHOTS =
  process.env.HW_UPDATE_SCREENSHOTS === '1'
    ? fileURLToPath(new URL('../../../docs/screenshots/', import.meta.url))
    : mkdtempSync(join(tmpdir(), 'hw-trends-shots-'));

/**
 * Trends in the browser (issue #21), zh-CN, against the real chain (PostgreSQL, a broker of this
 * file's own, ingest, the API serving the built dashboard): two points of different units (LT-1101
 * in %, PT-1101 in MPa) chosen by search, the 1-hour preset, a chart with two y-axes, the hash
 * that reopens the same trend, and the CSV export downloaded with the readings shown. One stack
 * and one browser for the file (CI budget); the drawing rules have their own fast tests
 * (trends.test.ts).
 */
describe('control room: trends in the browser', () => {
  let stack: BrowserStack;
  let pub: MqttClient;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];
  const t0 = Date.now() - 20 * 60_000;

  beforeAll(async () => {
    const dashboardDir = await ensureDashboardBuilt();
    stack = await startStack({
      name: 'trends',
      broker: 'own',
      enterprises: ENTERPRISE,
      dashboardDir,
      users: [{ username: USER, password: PASSWORD, role: 'operator', enterpriseCode: ENTERPRISE }],
    });
    pub = await mqtt.connectAsync(stack.mqttUrl, {
      clientId: `hw-trends-pub-${randomBytes(3).toString('hex')}`,
    });
    // Ten minutes of readings, one every 10 s, inside every limit (no alarm to distract).
    const readings = Array.from({ length: 60 }, (_, i) => [
      { tag: 'LT-1101', ts: t0 + i * 10_000, value: 40 + (i % 5) },
      { tag: 'PT-1101', ts: t0 + i * 10_000, value: 0.3 + (i % 3) / 100 },
    ]).flat();
    await pub.publishAsync(
      telemetryTopic({ enterprise: ENTERPRISE, gateway: 'GW01' }),
      JSON.stringify({ readings }),
      { qos: 1 },
    );
    browser = await launchChromium();
    const context = await browser.newContext({
      viewport: { width: 1366, height: 768 },
      locale: 'zh-CN',
      timezoneId: 'Asia/Shanghai',
      acceptDownloads: true,
    });
    page = await context.newPage();
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('response', (r) => {
      if (r.status() >= 400) errors.push(`${r.status()} ${r.url()}`);
    });
  });

  afterAll(async () => {
    await browser?.close();
    await pub?.endAsync();
    await stack?.close();
  });

  it('overlays two points of different units on two axes, reopens from the hash, exports the CSV', async () => {
    // The readings are stored before the browser asks (REST, set-up only).
    const login = await fetch(`${stack.origin}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: USER, password: PASSWORD }),
    });
    const { accessToken } = (await login.json()) as { accessToken: string };
    const ids = await waitFor(
      async () => {
        const res = await fetch(`${stack.origin}/api/v1/points?enterprise=${ENTERPRISE}&limit=1000`, {
          headers: { authorization: `Bearer ${accessToken}` },
        });
        const list = (await res.json()) as { items: Array<{ id: number; tag: string }> };
        const lt = list.items.find((p) => p.tag === 'LT-1101')!.id;
        const pt = list.items.find((p) => p.tag === 'PT-1101')!.id;
        const history = await fetch(
          `${stack.origin}/api/v1/history?points=${lt},${pt}&from=${t0}&to=${Date.now()}&maxPoints=4000`,
          { headers: { authorization: `Bearer ${accessToken}` } },
        );
        return { lt, pt, items: ((await history.json()) as HistoryList).items };
      },
      (r) => r.items.every((s) => s.buckets.length === 60),
      'the readings stored',
    );

    await page.goto(`${stack.origin}/`);
    await page.fill('input[name=username]', USER);
    await page.fill('input[name=password]', PASSWORD);
    await page.click('button[type=submit]');
    await page.waitForSelector('[data-state="live"]', { timeout: 15_000 });
    // The header's 趋势 tab (tier 1: in the row at 1366 px, not in the 更多 menu).
    await page.click('[data-nav="trends"]');
    await page.locator('[data-test="point-search"]').waitFor({ timeout: 15_000 });

    for (const [tag, id] of [
      ['LT-1101', ids.lt],
      ['PT-1101', ids.pt],
    ] as const) {
      await page.fill('[data-test="point-search"]', tag);
      await page.click(`[data-add="${id}"]`);
      await page.locator(`[data-test="trends-legend"] [data-point="${id}"]`).waitFor({ timeout: 10_000 });
    }
    await page.click('[data-preset="1h"]');
    await page.waitForFunction(() => location.hash.includes('range=1h'));
    const chart = page.locator('[data-test="trends-chart"][data-axes="2"]');
    await chart.waitFor({ timeout: 15_000 });
    await expect(
      page.locator('[data-test="trends-legend"] [data-test="unit"]').allTextContents(),
    ).resolves.toEqual(['%', 'MPa']);
    await expect(page.locator('[data-test="trends-resolution"]').textContent()).resolves.toContain('原始');
    expect(await page.evaluate(() => location.hash)).toBe(`#/trends/points=${ids.lt},${ids.pt}&range=1h`);

    await page.screenshot({ path: join(SHOTS, 'trends-two-units.png') });
    await page.hover(`[data-test="trends-legend"] [data-point="${ids.pt}"]`);
    await page.screenshot({ path: join(SHOTS, 'trends-hover-limits.png') });

    // The hash is the view: a reload (a bookmark, a shared link) shows the same trend.
    await page.reload();
    await page.locator('[data-test="trends-chart"][data-axes="2"]').waitFor({ timeout: 15_000 });

    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: 15_000 }),
      page.click('[data-test="export-csv"]'),
    ]);
    expect(download.suggestedFilename()).toMatch(/^趋势_\d{8}-\d{4}_\d{8}-\d{4}\.csv$/);
    const csv = readFileSync(await download.path(), 'utf8');
    const lines = csv
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(lines[0]).toBe('时间,企业,重大危险源,位号,名称,单位,分辨率,值,最小值,最大值,平均值,样本数');
    // Sixty readings of each point, raw, as the chart shows them.
    expect(lines.filter((l) => l.includes(',LT-1101,') && l.includes(',raw,'))).toHaveLength(60);
    expect(lines.filter((l) => l.includes(',PT-1101,') && l.includes(',MPa,raw,'))).toHaveLength(60);
    expect(errors).toEqual([]);
  });
});
