import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApi, type TestApi } from './support/api-fixture.js';

/** A bundle big enough to be worth compressing, as vite's build leaves it with its .br and .gz. */
const SCRIPT = `export const points = [${Array.from({ length: 400 }, (_, i) => `{id:${i},tag:'PT-${1000 + i}'}`).join(',')}];\n`;
const STYLE = `.alarm{color:red}\n`.repeat(200);
const INDEX = `<!doctype html><title>HazardWatch 控制室</title>${'<!-- shell -->'.repeat(100)}`;

/**
 * Issue #21: the dashboard's files are served pre-compressed. The build writes `x.br` and `x.gz`
 * beside each compressible file (dashboards/control-room/scripts/precompress.mjs); the API picks
 * by Accept-Encoding, says so in Content-Encoding and Vary, keeps the original's type, and falls
 * back to the next encoding, then to the file itself, when a sibling is missing.
 */
describe('dashboard files served pre-compressed', () => {
  let api: TestApi;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hw-dashboard-'));
    mkdirSync(join(dir, 'assets'));
    const write = (file: string, body: string, siblings: readonly ('br' | 'gz')[]) => {
      writeFileSync(join(dir, file), body);
      if (siblings.includes('br')) writeFileSync(join(dir, `${file}.br`), brotliCompressSync(body));
      if (siblings.includes('gz')) writeFileSync(join(dir, `${file}.gz`), gzipSync(body));
    };
    write('index.html', INDEX, ['br', 'gz']);
    write('assets/index-abc123.js', SCRIPT, ['br', 'gz']);
    write('assets/only-gz-def456.css', STYLE, ['gz']);
    write('assets/plain-789abc.js', SCRIPT, []);
    // A CORS origin configured: the CORS plugin says `Vary: Origin` too, which must not replace ours.
    api = await buildTestApi({
      deps: { dashboardDir: dir },
      config: { corsOrigins: ['https://screen.example.gov.cn'] },
    });
  });
  afterAll(async () => {
    await api.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const get = (url: string, acceptEncoding?: string) =>
    api.app.inject({
      method: 'GET',
      url,
      headers: acceptEncoding === undefined ? {} : { 'accept-encoding': acceptEncoding },
    });

  it('answers brotli when the browser accepts it, with the script type, Vary and immutable caching', async () => {
    const res = await get('/assets/index-abc123.js', 'gzip, deflate, br, zstd');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-encoding']).toBe('br');
    expect(res.headers['content-type']).toMatch(/^(text|application)\/javascript/);
    expect(res.headers['vary']).toMatch(/accept-encoding/i);
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(Number(res.headers['content-length'])).toBe(res.rawPayload.length);
    expect(res.rawPayload.length).toBeLessThan(SCRIPT.length / 2);
    expect(brotliDecompressSync(res.rawPayload).toString()).toBe(SCRIPT);
  });

  it('answers gzip when only gzip is accepted (or brotli is refused with q=0)', async () => {
    for (const accept of ['gzip', 'br;q=0, gzip']) {
      const res = await get('/assets/index-abc123.js', accept);
      expect(res.headers['content-encoding'], accept).toBe('gzip');
      expect(res.headers['content-type']).toMatch(/^(text|application)\/javascript/);
      expect(res.headers['vary']).toMatch(/accept-encoding/i);
      expect(gunzipSync(res.rawPayload).toString()).toBe(SCRIPT);
    }
  });

  it('answers the file itself when no encoding is accepted, still saying the answer varies', async () => {
    for (const accept of [undefined, 'identity']) {
      const res = await get('/assets/index-abc123.js', accept);
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-encoding'], String(accept)).toBeUndefined();
      expect(res.headers['vary']).toMatch(/accept-encoding/i);
      expect(res.headers['cache-control']).toContain('immutable');
      expect(res.body).toBe(SCRIPT);
    }
  });

  it('falls back to gzip when the .br is missing, and to the file when both are', async () => {
    const css = await get('/assets/only-gz-def456.css', 'br, gzip');
    expect(css.headers['content-encoding']).toBe('gzip');
    expect(css.headers['content-type']).toMatch(/^text\/css/);
    expect(gunzipSync(css.rawPayload).toString()).toBe(STYLE);
    const plain = await get('/assets/plain-789abc.js', 'br, gzip');
    expect(plain.statusCode).toBe(200);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body).toBe(SCRIPT);
  });

  it('serves the app shell compressed too, as HTML and never cached long', async () => {
    const res = await get('/', 'br, gzip');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-encoding']).toBe('br');
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.headers['vary']).toMatch(/accept-encoding/i);
    expect(brotliDecompressSync(res.rawPayload).toString()).toBe(INDEX);
    // A client route lives behind the hash: the browser asks for `/` with a query at most.
    const routed = await get('/?lang=en', 'gzip');
    expect(routed.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(routed.rawPayload).toString()).toBe(INDEX);
  });

  it('keeps Accept-Encoding in Vary beside the CORS plugin Origin', async () => {
    const res = await api.app.inject({
      method: 'GET',
      url: '/assets/index-abc123.js',
      headers: { 'accept-encoding': 'br', origin: 'https://screen.example.gov.cn' },
    });
    expect(res.headers['content-encoding']).toBe('br');
    const vary = String(res.headers['vary']).toLowerCase();
    expect(vary).toContain('accept-encoding');
    expect(vary).toContain('origin');
  });

  it('a missing bundle is a 404 that no cache keeps for a year', async () => {
    const res = await get('/assets/index-gone000.js', 'br, gzip');
    expect(res.statusCode).toBe(404);
    expect(res.headers['cache-control'] ?? '').not.toContain('immutable');
  });
});
