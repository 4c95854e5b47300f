import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Reading } from '@hazardwatch/contracts';
import { openFileSpool } from '../src/spool/file-spool.js';
import { waitUntil } from './source-contract.js';

/**
 * kill -9 in the middle of a stream of appends: every append the child saw resolve (and printed)
 * must come back after the restart, in order and intact. The child is plain ESM over the compiled
 * package (no TypeScript loader on the gateway either), written to a temp dir at test time.
 */
const packageDir = fileURLToPath(new URL('..', import.meta.url));
const compiled = join(packageDir, 'dist/spool/file-spool.js');
const BASE_TS = Date.UTC(2025, 0, 1);
const READINGS_PER_BATCH = 20;

const childSource = `
import { openFileSpool } from ${JSON.stringify(pathToFileURL(compiled).href)};
const [dir, round] = process.argv.slice(2);
const spool = await openFileSpool({ dir, segmentBytes: 64 * 1024, ageCheckIntervalMs: 0, now: () => ${BASE_TS} });
const inflight = new Set();
for (let n = 0; ; n++) {
  const readings = Array.from({ length: ${READINGS_PER_BATCH} }, (_, k) => ({
    tag: 'R' + round + '-TI-' + k, ts: ${BASE_TS} + n, value: n * 1000 + k,
  }));
  // stdout is a pipe: writes are synchronous on Linux, so a printed id has left the process.
  const p = spool.append(readings).then((e) => { process.stdout.write(e.id + ' ' + round + ' ' + n + '\\n'); });
  inflight.add(p);
  p.finally(() => inflight.delete(p));
  if (inflight.size >= 16) await Promise.race(inflight);
}
`;

function batchOf(round: number, n: number): Reading[] {
  return Array.from({ length: READINGS_PER_BATCH }, (_, k) => ({
    tag: `R${round}-TI-${k}`,
    ts: BASE_TS + n,
    value: n * 1000 + k,
  }));
}

interface Reported {
  readonly id: number;
  readonly round: number;
  readonly n: number;
}

async function runAndKill(script: string, dir: string, round: number, atLeast: number): Promise<Reported[]> {
  const child = spawn(process.execPath, [script, dir, String(round)], { stdio: ['ignore', 'pipe', 'pipe'] });
  const reported: Reported[] = [];
  let buffered = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    const lines = buffered.split('\n');
    buffered = lines.pop()!;
    for (const line of lines) {
      const [id, r, n] = line.split(' ').map(Number) as [number, number, number];
      reported.push({ id, round: r, n });
    }
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    child.on('exit', (_code, signal) => resolve(signal)),
  );
  try {
    await waitUntil(
      () => reported.length >= atLeast || child.exitCode !== null,
      30_000,
      `${atLeast} appends`,
    );
    expect(stderr).toBe('');
  } finally {
    child.kill('SIGKILL');
  }
  expect(await exited).toBe('SIGKILL');
  return reported;
}

describe('FileSpool survives kill -9', () => {
  let dir: string;
  let script: string;

  beforeAll(() => {
    // CI runs `tsc -b` before vitest; locally the build may be stale, so build here. Other
    // modules of the package may not compile yet; what matters is a fresh spool build.
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    spawnSync(process.execPath, [tsc, '-b', packageDir], { stdio: 'ignore' });
    const sources = ['file-spool.ts', 'segment-codec.ts', 'segment-store.ts'].map((f) =>
      statSync(join(packageDir, 'src/spool', f)),
    );
    expect(statSync(compiled).mtimeMs).toBeGreaterThanOrEqual(Math.max(...sources.map((s) => s.mtimeMs)));
    dir = mkdtempSync(join(tmpdir(), 'hw-spool-crash-'));
    script = join(dir, 'child.mjs');
    writeFileSync(script, childSource);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps every reported append, in order and intact, across two crashes', async () => {
    const spoolDir = join(dir, 'spool');
    const reported = [
      ...(await runAndKill(script, spoolDir, 1, 3000)),
      ...(await runAndKill(script, spoolDir, 2, 3000)),
    ];
    const spool = await openFileSpool({ dir: spoolDir, ageCheckIntervalMs: 0, now: () => BASE_TS });
    try {
      const entries = spool.take(Number.MAX_SAFE_INTEGER);
      const byId = new Map(entries.map((e) => [e.id, e.readings]));
      const ids = entries.map((e) => e.id);
      expect(ids.every((id, i) => i === 0 || id > ids[i - 1]!)).toBe(true);
      for (const r of reported) expect(byId.get(r.id), `entry ${r.id}`).toEqual(batchOf(r.round, r.n));
      // Anything beyond the reported ids was appended but not yet confirmed when the kill came,
      // and must still be a whole batch.
      const known = new Set(reported.map((r) => r.id));
      for (const entry of entries.filter((e) => !known.has(e.id))) {
        const round = Number(/^R(\d)-/.exec(entry.readings[0]!.tag)?.[1]);
        const n = entry.readings[0]!.ts - BASE_TS;
        expect(entry.readings).toEqual(batchOf(round, n));
        expect(entry.id).toBeGreaterThan(
          Math.max(...reported.filter((r) => r.round === round).map((r) => r.id)),
        );
      }
      expect(spool.depth().entries).toBe(entries.length);
    } finally {
      await spool.close();
    }
  });
});
