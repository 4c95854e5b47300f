import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * Issue #20: a node-postgres Pool or Client emits 'error' when an idle connection is lost (a
 * server restart, a failover, `pg_terminate_backend`, a TimescaleDB FATAL); without a listener
 * Node turns that into an uncaught exception and the process dies. Every Pool and Client the
 * shipped code (and the test support) creates gets a listener on the same variable right after.
 */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SOURCE_DIRS = [
  'services/kit/src',
  'services/contracts/src',
  'services/core/src',
  'services/store/src',
  'services/ingest/src',
  'services/api/src',
  'services/cli/src',
  'services/testkit/src',
  'edge/collector/src',
  'simulators/plant/src',
  'tools/bench/src',
];
/** Lines after the constructor within which the listener must be attached. */
const WITHIN = 15;
const CREATED = /(?:const|let)\s+(\w+)\s*=\s*new\s+pg\.(Pool|Client)\s*\(/;

function tsFiles(dir: string): string[] {
  let entries;
  try {
    entries = readdirSync(join(ROOT, dir), { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((e) =>
    e.isDirectory() ? tsFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** `file:line Pool name` of every pg.Pool / pg.Client created without an 'error' listener. */
function withoutListener(): string[] {
  const out: string[] = [];
  for (const file of SOURCE_DIRS.flatMap(tsFiles)) {
    const lines = readFileSync(join(ROOT, file), 'utf8').split('\n');
    lines.forEach((line, i) => {
      const m = CREATED.exec(line);
      if (m === null) return;
      const name = m[1]!;
      // The constructor call may span lines; look from its line to WITHIN lines past its end.
      let end = i;
      while (end < lines.length - 1 && !/\)\s*;?\s*$/.test(lines[end]!)) end++;
      const after = lines.slice(i, end + 1 + WITHIN).join('\n');
      if (!new RegExp(`\\b${name}\\.on\\(\\s*'error'`).test(after))
        out.push(`${relative(ROOT, join(ROOT, file))}:${i + 1} ${m[2]} ${name}`);
    });
  }
  return out;
}

describe("node-postgres 'error' listeners", () => {
  it('every Pool and Client created in shipped code and test support has one', () => {
    expect(withoutListener()).toEqual([]);
  });

  it('finds the constructors it checks (a scan that finds nothing proves nothing)', () => {
    const files = SOURCE_DIRS.flatMap(tsFiles).filter((f) =>
      CREATED.test(readFileSync(join(ROOT, f), 'utf8')),
    );
    expect(files.length).toBeGreaterThanOrEqual(4);
  });
});
