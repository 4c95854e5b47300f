import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { MIN_BYTES, precompressDir } from '../scripts/precompress.js';

/** The build step behind the API's pre-compressed answers (issue #21). */
describe('precompressDir', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('writes .br and .gz beside each compressible file worth it, and nothing else', async () => {
    dir = mkdtempSync(join(tmpdir(), 'hw-precompress-'));
    mkdirSync(join(dir, 'assets'));
    const script = 'export const tags = ['.concat("'PT-1101',".repeat(500), '];\n');
    const style = '.alarm[data-colour="red"]{background:#d32f2f}\n'.repeat(100);
    writeFileSync(join(dir, 'assets', 'index-abc123.js'), script);
    writeFileSync(join(dir, 'assets', 'index-abc123.css'), style);
    writeFileSync(join(dir, 'index.html'), '<!doctype html><div id="app"></div>');
    // Already compressed (an image), or a text type that does not compress: no copy that is no smaller.
    writeFileSync(join(dir, 'assets', 'marker-def456.png'), randomBytes(4096));
    writeFileSync(join(dir, 'assets', 'noise-789abc.json'), randomBytes(4096));

    const files = await precompressDir(dir);

    expect(readdirSync(join(dir, 'assets')).sort()).toEqual([
      'index-abc123.css',
      'index-abc123.css.br',
      'index-abc123.css.gz',
      'index-abc123.js',
      'index-abc123.js.br',
      'index-abc123.js.gz',
      'marker-def456.png',
      'noise-789abc.json',
    ]);
    expect(readdirSync(dir).sort()).toEqual(['assets', 'index.html']);
    const br = (f: string) => brotliDecompressSync(readFileSync(join(dir!, `${f}.br`))).toString();
    const gz = (f: string) => gunzipSync(readFileSync(join(dir!, `${f}.gz`))).toString();
    expect(br('assets/index-abc123.js')).toBe(script);
    expect(gz('assets/index-abc123.js')).toBe(script);
    expect(br('assets/index-abc123.css')).toBe(style);
    expect(gz('assets/index-abc123.css')).toBe(style);
    const js = files.find((f) => f.file === 'assets/index-abc123.js')!;
    expect(js.raw).toBe(script.length);
    expect(js.br).toBeLessThan(js.gz!);
    expect(files.map((f) => f.file)).not.toContain('index.html');
  });

  it('compresses a small file too when told to (index.html under the default threshold)', async () => {
    dir = mkdtempSync(join(tmpdir(), 'hw-precompress-'));
    const html = `<!doctype html>${'<p>重大危险源</p>'.repeat(20)}`;
    expect(Buffer.byteLength(html)).toBeLessThan(MIN_BYTES);
    writeFileSync(join(dir, 'index.html'), html);
    await precompressDir(dir, 0);
    expect(brotliDecompressSync(readFileSync(join(dir, 'index.html.br'))).toString()).toBe(html);
  });
});
