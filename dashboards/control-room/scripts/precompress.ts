/**
 * Pre-compressed copies of the dashboard build (issue #21): `x.br` (brotli, quality 11) and `x.gz`
 * (gzip -9) beside each compressible file, so that the API answers by Accept-Encoding without
 * compressing per request (services/api/src/http/dashboard.ts, @fastify/static `preCompressed`).
 * Node's zlib only: no dependency. A copy is written only when it is smaller than the file, and
 * through a temporary name, so a build cut short never leaves a truncated sibling to be served.
 */
import { readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { extname, join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import type { Plugin, ResolvedConfig } from 'vite';

const brotli = promisify(brotliCompress);
const gz = promisify(gzip);

/** Text formats worth compressing; images and fonts of the build are compressed already. */
const COMPRESSIBLE = new Set(['.js', '.mjs', '.css', '.html', '.svg', '.json', '.txt', '.xml', '.map']);

/** Below this the headers outweigh the saving (and index.html, 0.5 KB, is sent as it is). @default 1024 bytes */
export const MIN_BYTES = 1024;

/** One file of the build and the sizes of the copies written beside it (null: not worth it). */
export interface PrecompressedFile {
  /** Path under the build directory, with '/' separators. */
  readonly file: string;
  readonly raw: number;
  readonly br: number | null;
  readonly gz: number | null;
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

async function writeIfSmaller(path: string, body: Buffer, raw: number): Promise<number | null> {
  if (body.length >= raw) return null;
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, body);
  await rename(temporary, path);
  return body.length;
}

/** Writes `.br` and `.gz` beside every compressible file of `dir` of at least `minBytes`. */
export async function precompressDir(dir: string, minBytes = MIN_BYTES): Promise<PrecompressedFile[]> {
  const files = (await filesUnder(dir)).filter((f) => COMPRESSIBLE.has(extname(f)));
  const done = await Promise.all(
    files.map(async (path): Promise<PrecompressedFile | null> => {
      const body = await readFile(path);
      if (body.length < minBytes) return null;
      const [b, g] = await Promise.all([
        brotli(body, {
          params: {
            [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
            [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
            [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
          },
        }),
        gz(body, { level: constants.Z_BEST_COMPRESSION }),
      ]);
      return {
        file: relative(dir, path).split('\\').join('/'),
        raw: body.length,
        br: await writeIfSmaller(`${path}.br`, b, body.length),
        gz: await writeIfSmaller(`${path}.gz`, g, body.length),
      };
    }),
  );
  return done.filter((f) => f !== null).sort((a, b) => a.file.localeCompare(b.file));
}

/** Vite plugin: pre-compresses the build once every file is written. */
export function precompress(): Plugin {
  let config: ResolvedConfig | undefined;
  return {
    name: 'hazardwatch-precompress',
    apply: 'build',
    configResolved(resolved) {
      config = resolved;
    },
    async writeBundle(output) {
      const dir = output.dir ?? resolve(config!.root, config!.build.outDir);
      const files = await precompressDir(dir);
      const sum = (pick: (f: PrecompressedFile) => number | null) =>
        Math.round(files.reduce((t, f) => t + (pick(f) ?? f.raw), 0) / 1024);
      config?.logger.info(
        `precompressed ${files.length} files: ${sum((f) => f.raw)} kB → br ${sum((f) => f.br)} kB, gzip ${sum((f) => f.gz)} kB`,
      );
    },
  };
}
