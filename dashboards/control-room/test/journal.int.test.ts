import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import mqtt, { type MqttClient } from 'mqtt';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { telemetryTopic, type AlarmPage, type JournalPage } from '@hazardwatch/contracts';
import { waitFor } from '@hazardwatch/testkit';
import {
  ensureDashboardBuilt,
  launchChromium,
  startStack,
  type BrowserStack,
} from './support/browser-stack.js';

const ENTERPRISE = '91320623MA1W000001';

/** One part of a ZIP (an .xlsx) read with node's zlib, by its local header (sizes are in it). */
function zipPart(buf: Buffer, wanted: string): string | undefined {
  for (let p = 0; buf.readUInt32LE(p) === 0x04034b50;) {
    const size = buf.readUInt32LE(p + 18);
    const nameLen = buf.readUInt16LE(p + 26);
    const start = p + 30 + nameLen + buf.readUInt16LE(p + 28);
    const data = buf.subarray(start, start + size);
    if (buf.subarray(p + 30, p + 30 + nameLen).toString('utf8') === wanted)
      return (buf.readUInt16LE(p + 8) === 8 ? inflateRawSync(data) : data).toString('utf8');
    p = start + size;
  }
  return undefined;
}
const PASSWORD = 'journal-test-password';
/** Screenshots of this run (looked at by hand). */
/** The README's screenshots are rewritten only when asked (HW_UPDATE_SCREENSHOTS=1), as console-truth does. */
const SHOTS =
  process.env.HW_UPDATE_SCREENSHOTS === '1'
    ? fileURLToPath(new URL('../../../docs/screenshots/', import.meta.url))
    : mkdtempSync(join(tmpdir(), 'hw-journal-shots-'));

/**
 * The alarm journal in the browser (issue #21), zh-CN, against the real chain (PostgreSQL, a broker
 * of this file's own, ingest with the alarm engine, the API serving the built dashboard): two
 * alarms of different colours are raised by readings; the journal filtered to red lists only the
 * red one's events and its CSV export downloads exactly those; the console filtered by text shows
 * one alarm and its Excel export downloads a workbook. One stack and one browser for the file.
 */
describe('control room: alarm journal and exports in the browser', () => {
  let stack: BrowserStack;
  let pub: MqttClient;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    const dashboardDir = await ensureDashboardBuilt();
    stack = await startStack({
      name: 'journal',
      broker: 'own',
      enterprises: ENTERPRISE,
      dashboardDir,
      users: [{ username: 'zhiban', password: PASSWORD, role: 'operator', enterpriseCode: ENTERPRISE }],
    });
    pub = await mqtt.connectAsync(stack.mqttUrl, {
      clientId: `hw-journal-pub-${randomBytes(3).toString('hex')}`,
    });
    browser = await launchChromium();
    const context = await browser.newContext({
      viewport: { width: 1920, height: 1080 },
      locale: 'zh-CN',
      timezoneId: 'Asia/Shanghai',
      acceptDownloads: true,
    });
    page = await context.newPage();
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('response', (r) => {
      if (r.status() >= 400) errors.push(`${r.status()} ${r.url()}`);
    });
    // A build of the dashboard first when its sources changed: minutes on a busy 2-core machine.
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await pub?.endAsync();
    await stack?.close();
  });

  const rest = async <T>(path: string): Promise<T> => {
    const login = await fetch(`${stack.origin}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'zhiban', password: PASSWORD }),
    });
    const { accessToken } = (await login.json()) as { accessToken: string };
    const res = await fetch(`${stack.origin}/api/v1${path}`, {
      headers: { authorization: `Bearer ${accessToken}` },
    });
    expect(res.status, path).toBe(200);
    return (await res.json()) as T;
  };
  /** Clicks an export button and answers the downloaded file's name and bytes. */
  const download = async (selector: string): Promise<{ name: string; bytes: Buffer }> => {
    const [file] = await Promise.all([page.waitForEvent('download'), page.click(selector)]);
    const path = await file.path();
    return { name: file.suggestedFilename(), bytes: readFileSync(path) };
  };

  it('filters the journal to red and exports it as CSV; filters the console by text and exports it as Excel', async () => {
    // LT-1101 (HH 85 %, on-delay 10 s) at 90 %: red. PT-1101 (H 1.0 MPa) at 1.1: a lower colour.
    const t0 = Date.now() - 60_000;
    for (const [ts, level, pressure] of [
      [t0, 60, 0.5],
      [t0 + 1000, 90, 1.1],
      [t0 + 12_000, 90, 1.1],
    ] as const)
      await pub.publishAsync(
        telemetryTopic({ enterprise: ENTERPRISE, gateway: 'GW01' }),
        JSON.stringify({
          readings: [
            { tag: 'LT-1101', ts, value: level },
            { tag: 'PT-1101', ts, value: pressure },
          ],
        }),
        { qos: 1 },
      );
    const open = await waitFor(
      () => rest<AlarmPage>('/alarms/active'),
      (p) => ['LT-1101', 'PT-1101'].every((tag) => p.items.some((a) => a.tag === tag)),
      'the LT-1101 and PT-1101 alarms',
    );
    const red = open.items.find((a) => a.tag === 'LT-1101')!;
    const other = open.items.find((a) => a.tag === 'PT-1101')!;
    expect(red.colour).toBe('red');
    expect(other.colour).not.toBe('red');

    await page.goto(`${stack.origin}/`);
    await page.fill('input[name=username]', 'zhiban');
    await page.fill('input[name=password]', PASSWORD);
    await page.click('button[type=submit]');
    await page.waitForSelector('[data-state="live"]', { timeout: 15_000 });

    // The journal: both alarms' events at first, then only the red one's.
    // By its address: where the header puts the tab (row or More menu) is the header's test.
    await page.evaluate(`location.hash = '#/journal'`);
    await page.locator(`[data-alarm="${other.id}"]`).first().waitFor({ timeout: 10_000 });
    await page.check('[data-filter-colour="red"]');
    await page.click('[data-test="journal-search"]');
    await waitFor(
      () => page.locator(`[data-alarm="${other.id}"]`).count(),
      (n) => n === 0,
      'the journal filtered to red',
    );
    const rows = await page.locator('[data-event]').count();
    expect(rows).toBeGreaterThan(0);
    await expect(page.locator(`[data-alarm="${red.id}"]`).count()).resolves.toBe(rows);
    await expect(
      page.locator(`[data-alarm="${red.id}"] [data-test="value"]`).first().textContent(),
    ).resolves.toBe('90 %');

    await page.screenshot({ path: join(SHOTS, 'journal-red.png') });
    const csv = await download('[data-export="csv"]');
    expect(csv.name).toMatch(/^报警日志_\d{8}-\d{4}_\d{8}-\d{4}\.csv$/);
    const text = csv.bytes.toString('utf8');
    expect(text.startsWith('\uFEFF时间,颜色,企业,重大危险源,位号')).toBe(true);
    const lines = text.trimEnd().split('\r\n');
    expect(lines).toHaveLength(rows + 1);
    expect(
      lines.slice(1).every((l) => l.includes(',红,') && l.includes('LT-1101') && l.endsWith(red.id)),
    ).toBe(true);
    expect(text).not.toContain('PT-1101');
    // The journal the file was made from says the same.
    const journal = await rest<JournalPage>(
      `/alarm-journal?from=${t0 - 60_000}&to=${Date.now() + 60_000}&colour=red`,
    );
    expect(journal.total).toBe(rows);

    // The console: the text filter leaves the pressure alarm; its Excel export is that list.
    await page.click('[data-nav="alarms"]');
    await page.fill('[data-filter="text"]', 'PT-1101');
    await waitFor(
      () => page.locator('[data-alarm]').count(),
      (n) => n === 1,
      'the console filtered to PT-1101',
    );
    await expect(page.locator(`[data-alarm="${other.id}"]`).count()).resolves.toBe(1);
    await page.screenshot({ path: join(SHOTS, 'console-filtered.png') });
    const xlsx = await download('[data-export="xlsx"]');
    expect(xlsx.name).toMatch(/^当前报警_\d{8}-\d{4}\.xlsx$/);
    const sheet = zipPart(xlsx.bytes, 'xl/worksheets/sheet1.xml')!;
    expect(sheet).toContain('<t>报警时间</t>');
    expect(sheet).toContain(`<t>${other.id}</t>`);
    expect(sheet).not.toContain(red.id);
    expect(errors).toEqual([]);
  });
});
