import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';

const brotli = promisify(brotliCompress);
const gz = promisify(gzip);

/** One file of the dashboard build, in bytes: as built, and compressed at the highest levels. */
export interface AssetSize {
  /** Path under dist/ (`assets/index-abc123.js`). */
  readonly file: string;
  readonly raw: number;
  readonly gzip: number;
  readonly brotli: number;
}

/** Sums of raw/gzip/brotli bytes over a set of files. */
export interface SizeTotals {
  readonly files: number;
  readonly raw: number;
  readonly gzip: number;
  readonly brotli: number;
}

export interface DashboardAssetSizes {
  /** index.html and every file under assets/ (not the .br/.gz written beside them). */
  readonly files: readonly AssetSize[];
  /** What the login screen needs: index.html and the scripts and styles it references. */
  readonly initial: SizeTotals;
  /** Every script and style of the build. */
  readonly all: SizeTotals;
}

/** Pre-compressed siblings (the build's own .br/.gz), never measured as files of their own. */
const COMPRESSED = /\.(br|gz)$/;

async function sizeOf(dist: string, file: string): Promise<AssetSize> {
  const body = await readFile(join(dist, file));
  const [g, b] = await Promise.all([
    gz(body, { level: 9 }),
    brotli(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }),
  ]);
  return { file, raw: body.length, gzip: g.length, brotli: b.length };
}

function total(sizes: readonly AssetSize[]): SizeTotals {
  return sizes.reduce(
    (t, s) => ({
      files: t.files + 1,
      raw: t.raw + s.raw,
      gzip: t.gzip + s.gzip,
      brotli: t.brotli + s.brotli,
    }),
    { files: 0, raw: 0, gzip: 0, brotli: 0 },
  );
}

/** The files index.html loads before anything runs: its scripts, module preloads and styles. */
export function initialFiles(indexHtml: string): string[] {
  const refs = [...indexHtml.matchAll(/<(?:script|link)\b[^>]*\b(?:src|href)="\/?([^"]+)"/g)].map(
    (m) => m[1]!,
  );
  return refs.filter((r) => r.startsWith('assets/') && /\.(js|css)$/.test(r));
}

/**
 * Sizes of a dashboard build (issue #21): each file raw, gzip -9 and brotli q11, the login
 * screen's initial set and the whole. Measured from the files, whatever the server sends.
 */
export async function measureDashboardAssets(dist: string): Promise<DashboardAssetSizes> {
  const assets = (await readdir(join(dist, 'assets'))).filter((f) => !COMPRESSED.test(f)).sort();
  const files = await Promise.all(
    ['index.html', ...assets.map((f) => `assets/${f}`)].map((f) => sizeOf(dist, f)),
  );
  const initial = new Set(['index.html', ...initialFiles(await readFile(join(dist, 'index.html'), 'utf8'))]);
  return {
    files,
    initial: total(files.filter((f) => initial.has(f.file))),
    all: total(files.filter((f) => /\.(js|css)$/.test(f.file))),
  };
}
