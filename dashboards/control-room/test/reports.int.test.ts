import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inflateSync } from 'node:zlib';
import mqtt, { type MqttClient } from 'mqtt';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { telemetryTopic, type AlarmPage } from '@hazardwatch/contracts';
import { readXlsx, waitFor } from '@hazardwatch/testkit';
import {
  ensureDashboardBuilt,
  launchChromium,
  startStack,
  type BrowserStack,
} from './support/browser-stack.js';

const ENTERPRISE = '91320623MA1W000001';
const COUNTY = '320623';
const PASSWORD = 'reports-test-password';

/** The README's screenshot is written only when asked (HW_UPDATE_SCREENSHOTS=1), as console-truth does. */
const SHOTS =
  process.env.HW_UPDATE_SCREENSHOTS === '1'
    ? fileURLToPath(new URL('../../../docs/screenshots/', import.meta.url))
    : mkdtempSync(join(tmpdir(), 'hw-reports-shots-'));

/** Today in China time, `YYYY-MM-DD`. */
const chinaToday = (): string => new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);

/**
 * Every code point a PDF's fonts map glyphs to (their ToUnicode CMaps, in the Flate streams Chromium
 * writes): a character drawn with a real font is in it — Chinese text rendered, not tofu. A glyph
 * shared with a Kangxi radical may be mapped to the radical (日 → U+2F47 ⽇); NFKC folds it back.
 */
function pdfCodePoints(pdf: Buffer): Set<number> {
  const found = new Set<number>();
  const out = {
    add: (cp: number): void => {
      found.add(cp);
      found.add(String.fromCodePoint(cp).normalize('NFKC').codePointAt(0)!);
    },
  };
  const text = pdf.toString('latin1');
  const streams = /stream\r?\n/g;
  for (let m = streams.exec(text); m !== null; m = streams.exec(text)) {
    const start = m.index + m[0].length;
    const end = text.indexOf('endstream', start);
    if (end < 0) break;
    let body: string;
    try {
      body = inflateSync(pdf.subarray(start, end)).toString('latin1');
    } catch {
      continue;
    }
    if (!body.includes('begincmap')) continue;
    for (const block of body.matchAll(/beginbfchar([\s\S]*?)endbfchar/g))
      for (const [, hex] of block[1]!.matchAll(/<[0-9A-Fa-f]+>\s*<([0-9A-Fa-f]{4,})>/g))
        out.add(parseInt(hex!.slice(0, 4), 16));
    for (const block of body.matchAll(/beginbfrange([\s\S]*?)endbfrange/g))
      for (const [, lo, hi, dst] of block[1]!.matchAll(
        /<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]{4,})>/g,
      ))
        for (let i = 0; i <= parseInt(hi!, 16) - parseInt(lo!, 16); i++)
          out.add(parseInt(dst!.slice(0, 4), 16) + i);
  }
  return found;
}

/**
 * 日报 in the browser (issue #21), zh-CN, against the real chain (PostgreSQL, a broker of this
 * file's own, ingest with the alarm engine, the API serving the built dashboard). One stack and one
 * browser for every case (CI budget); the figures themselves are checked in the API's int test and
 * the view's component test.
 */
describe('control room: duty reports in the browser', () => {
  let stack: BrowserStack;
  let pub: MqttClient;
  let browser: Browser;
  let regulator: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    const dashboardDir = await ensureDashboardBuilt();
    stack = await startStack({
      name: 'reports',
      broker: 'own',
      enterprises: ENTERPRISE,
      dashboardDir,
      users: [
        { username: 'zhiban', password: PASSWORD, role: 'regulator', regionCode: COUNTY },
        { username: 'caozuo', password: PASSWORD, role: 'operator', enterpriseCode: ENTERPRISE },
      ],
    });
    pub = await mqtt.connectAsync(stack.mqttUrl, {
      clientId: `hw-reports-pub-${randomBytes(3).toString('hex')}`,
    });
    browser = await launchChromium();
    // LT-1101 (HH 85 %, on-delay 10 s) at 90 %: a red alarm of the chlorine tank farm, today.
    const t0 = Date.now() - 60_000;
    for (const [ts, value] of [
      [t0, 60],
      [t0 + 1000, 90],
      [t0 + 12_000, 90],
    ] as const)
      await pub.publishAsync(
        telemetryTopic({ enterprise: ENTERPRISE, gateway: 'GW01' }),
        JSON.stringify({ readings: [{ tag: 'LT-1101', ts, value }] }),
        { qos: 1 },
      );
    await waitFor(
      () => rest<AlarmPage>('zhiban', `/alarms/active?enterprise=${ENTERPRISE}`),
      (p) => p.items.some((a) => a.tag === 'LT-1101'),
      'the LT-1101 alarm',
    );
    regulator = await session('zhiban');
  });

  afterAll(async () => {
    await browser?.close();
    await pub?.endAsync();
    await stack?.close();
  });

  const token = async (username: string): Promise<string> => {
    const login = await fetch(`${stack.origin}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password: PASSWORD }),
    });
    return ((await login.json()) as { accessToken: string }).accessToken;
  };
  const rest = async <T>(username: string, path: string): Promise<T> => {
    const res = await fetch(`${stack.origin}/api/v1${path}`, {
      headers: { authorization: `Bearer ${await token(username)}` },
    });
    expect(res.status, path).toBe(200);
    return (await res.json()) as T;
  };
  const session = async (username: string): Promise<Page> => {
    const context = await browser.newContext({
      viewport: { width: 1920, height: 1080 },
      locale: 'zh-CN',
      timezoneId: 'Asia/Shanghai',
      acceptDownloads: true,
    });
    const page = await context.newPage();
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('response', (r) => {
      if (r.status() >= 400) errors.push(`${r.status()} ${r.url()}`);
    });
    await page.goto(`${stack.origin}/`);
    await page.fill('input[name=username]', username);
    await page.fill('input[name=password]', PASSWORD);
    await page.click('button[type=submit]');
    await page.waitForSelector('[data-state="live"]', { timeout: 15_000 });
    return page;
  };

  it('a county regulator opens 报表, generates today’s report and sees the alarm of today', async () => {
    const page = regulator;
    // Below 2000 px 报表 is in the header's 更多 menu.
    await page.click('[data-nav="more"] summary');
    await page.click('[data-more="reports"]');
    // Yesterday's report first (the morning report): nothing happened on a new stack.
    await page.locator('[data-test="report"] h1').waitFor({ timeout: 10_000 });
    expect(await page.locator('[data-test="report"] h1').textContent()).toContain('日报 · 如东县（320623）');
    expect(await page.locator('[data-figure="alarms"]').textContent()).toBe('0');
    // The scopes offered are the county's: itself, its park, its enterprises — no other county.
    const scopes = await page
      .locator('[data-test="report-scope"] option')
      .evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
    expect(scopes[0]).toBe(`region:${COUNTY}`);
    expect(scopes).toContain(`enterprise:${ENTERPRISE}`);
    expect(scopes.every((s) => s !== 'region:320600')).toBe(true);

    await page.fill('[data-test="report-date"]', chinaToday());
    await page.click('[data-action="show"]');
    await page.locator('[data-test="partial"]').waitFor({ timeout: 10_000 });
    expect(Number(await page.locator('[data-figure="alarms"]').textContent())).toBeGreaterThanOrEqual(1);
    expect(await page.locator('[data-test="top-sources"]').textContent()).toContain('LT-1101');
    expect(await page.locator('[data-test="online"]').textContent()).toContain('GW01');
    expect(await page.title()).toBe(`日报_${COUNTY}_${chinaToday()}`);
    await page.screenshot({ path: join(SHOTS, 'reports-day-zh-CN.png'), fullPage: true });
  });

  it('prints as A4 PDF without the navigation, with the report’s Chinese text', async () => {
    const page = regulator;
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('header.header').isVisible()).toBe(false);
    expect(await page.locator('form.toolbar').isVisible()).toBe(false);
    expect(await page.locator('[data-test="report"] h1').isVisible()).toBe(true);
    const pdf = await page.pdf({ format: 'A4', printBackground: true });
    await page.emulateMedia({ media: 'screen' });
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const pages = pdf.toString('latin1').match(/\/Type\s*\/Page(?!s)/g) ?? [];
    expect(pages.length).toBeGreaterThanOrEqual(1);
    // Drawn with a CJK font: the glyphs of the head and the figures map back to their characters.
    expect(pdf.toString('latin1')).toMatch(/CJK/);
    const drawn = pdfCodePoints(pdf);
    for (const text of ['如东县', '日报', '报警总数', '联网在线率', '预警处置'])
      for (const ch of text) expect(drawn.has(ch.codePointAt(0)!), `${text}: ${ch}`).toBe(true);
    // Every page carries the report's scope and period at its top (the running head), not only
    // the first: the last page printed alone draws the head's words, which its tables do not have.
    expect(pages.length, 'the day report spans more than one A4 page').toBeGreaterThanOrEqual(2);
    await page.emulateMedia({ media: 'print' });
    const last = await page.pdf({ format: 'A4', printBackground: true, pageRanges: String(pages.length) });
    await page.emulateMedia({ media: 'screen' });
    const onLast = pdfCodePoints(last);
    for (const ch of '如东县日报') expect(onLast.has(ch.codePointAt(0)!), `last page: ${ch}`).toBe(true);
  });

  it('downloads the same report as an Excel workbook', async () => {
    const page = regulator;
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-action="xlsx"]')]);
    expect(download.suggestedFilename()).toBe(`日报_${COUNTY}_${chinaToday()}.xlsx`);
    const path = await download.path();
    const book = readXlsx(readFileSync(path));
    expect(book.map((s) => s.name)).toEqual(['概要', '报警按颜色', '报警排名', '预警', '在线率', '停用点位']);
    expect(Number(book[0]!.rows.find((r) => r[0] === '报警总数')?.[1])).toBeGreaterThanOrEqual(1);
  });

  it('an operator gets its own enterprise only; the county report is refused', async () => {
    const page = await session('caozuo');
    await page.goto(`${stack.origin}/#/reports`);
    await page.locator('[data-test="report"] h1').waitFor({ timeout: 10_000 });
    const scopes = await page
      .locator('[data-test="report-scope"] option')
      .evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
    expect(scopes).toEqual([`enterprise:${ENTERPRISE}`]);
    const res = await fetch(`${stack.origin}/api/v1/reports?scope=region:${COUNTY}&period=day`, {
      headers: { authorization: `Bearer ${await token('caozuo')}` },
    });
    expect(res.status).toBe(403);
    await page.context().close();
    expect(errors).toEqual([]);
  });
});
