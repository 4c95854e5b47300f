import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { initialFiles, measureDashboardAssets } from '../src/dashboard-assets.js';

const INDEX = `<!doctype html><html><head>
<script type="module" crossorigin src="/assets/index-abc.js"></script>
<link rel="modulepreload" crossorigin href="/assets/vendor-def.js">
<link rel="stylesheet" crossorigin href="/assets/index-abc.css">
<link rel="icon" href="data:," />
</head><body><div id="app"></div></body></html>`;

describe('dashboard-load bench: build sizes', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('the initial set is what index.html loads before anything runs', () => {
    expect(initialFiles(INDEX)).toEqual([
      'assets/index-abc.js',
      'assets/vendor-def.js',
      'assets/index-abc.css',
    ]);
  });

  it('measures each built file once (not its .br/.gz) and sums the initial set apart from the lazy chunks', async () => {
    dir = mkdtempSync(join(tmpdir(), 'hw-bench-assets-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), INDEX);
    for (const f of ['index-abc.js', 'vendor-def.js', 'index-abc.css', 'echarts-123.js'])
      writeFileSync(join(dir, 'assets', f), `/* ${f} */ ${'const x = 1;'.repeat(300)}`);
    writeFileSync(join(dir, 'assets', 'echarts-123.js.br'), 'compressed');
    writeFileSync(join(dir, 'assets', 'echarts-123.js.gz'), 'compressed');
    const sizes = await measureDashboardAssets(dir);
    expect(sizes.files.map((f) => f.file)).toEqual([
      'index.html',
      'assets/echarts-123.js',
      'assets/index-abc.css',
      'assets/index-abc.js',
      'assets/vendor-def.js',
    ]);
    const one = sizes.files[1]!;
    expect(one.brotli).toBeLessThan(one.gzip);
    expect(one.gzip).toBeLessThan(one.raw);
    expect(sizes.initial.files).toBe(4);
    expect(sizes.all.files).toBe(4);
    expect(sizes.all.raw - sizes.initial.raw).toBe(one.raw - INDEX.length);
  });
});
