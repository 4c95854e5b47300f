import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

/**
 * The package graph against ARCHITECTURE.md's "may import" column, as eslint.config.js states it
 * (`boundaries`, one table for the lint and for this test). Lint checks each import statement;
 * this checks what lint cannot see: the dependencies each package.json declares, the graph they
 * make, and that every import of ours in a package's sources is declared by that package.
 */
interface Boundary {
  readonly name: string;
  readonly mayImport: readonly string[];
}
interface PackageJson {
  readonly name: string;
  readonly workspaces?: readonly string[];
  readonly dependencies?: Readonly<Record<string, string>>;
  readonly devDependencies?: Readonly<Record<string, string>>;
}

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const readPackage = (dir: string): PackageJson =>
  JSON.parse(readFileSync(join(ROOT, dir, 'package.json'), 'utf8')) as PackageJson;

/** A row's short name: `@hazardwatch/store` → `store`, `hazardwatch` (the command line) as it is. */
const short = (name: string): string => name.replace('@hazardwatch/', '');
/** Our packages: `@hazardwatch/…` and the command line's `hazardwatch`; a subpath names its package. */
const OURS = /^(@hazardwatch\/[\w-]+|hazardwatch)(?:\/|$)/;
/**
 * A dependency edge that is not part of the graph: a package's tests use the test support, which
 * sits above the packages it serves (testkit imports store and ingest). Test code, never shipped,
 * so not an arrow of the picture.
 */
const TEST_SUPPORT = '@hazardwatch/testkit';

/** Sources of a workspace: `.ts` and `.vue` files under src/. */
function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (path: string): void => {
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      const full = join(path, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.(ts|vue)$/.test(entry.name)) out.push(full);
    }
  };
  walk(join(ROOT, dir, 'src'));
  return out;
}

/** The packages of ours a source file imports: static, type-only, re-exports and `import()`. */
export function importsOfOurs(source: string): string[] {
  const found = new Set<string>();
  for (const match of source.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"]([^'"]+)['"]/g)) {
    const pkg = OURS.exec(match[1]!)?.[1];
    if (pkg) found.add(pkg);
  }
  return [...found];
}

/** Every cycle's path in a graph, as `a → b → a` (empty when there is none). */
export function cyclesIn(graph: ReadonlyMap<string, readonly string[]>): string[] {
  const cycles: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const visit = (node: string, path: string[]): void => {
    if (state.get(node) === 'done') return;
    if (state.get(node) === 'open') {
      cycles.push([...path.slice(path.indexOf(node)), node].join(' → '));
      return;
    }
    state.set(node, 'open');
    for (const next of graph.get(node) ?? []) visit(next, [...path, node]);
    state.set(node, 'done');
  };
  for (const node of graph.keys()) visit(node, []);
  return cycles;
}

describe('workspace boundaries', () => {
  let boundaries: Readonly<Record<string, Boundary>>;
  let workspaces: readonly string[];
  /** Workspace folder → its package.json. */
  const packages = new Map<string, PackageJson>();

  beforeAll(async () => {
    // The lint configuration is a root file, not a package: loaded by path.
    const config = (await import(new URL('../../../eslint.config.js', import.meta.url).href)) as {
      boundaries: Record<string, Boundary>;
    };
    boundaries = config.boundaries;
    workspaces = readPackage('.').workspaces!;
    for (const dir of workspaces) packages.set(dir, readPackage(dir));
  });

  /** Declared edges to our packages (runtime and development), the test support's excepted. */
  const declared = (pkg: PackageJson): string[] =>
    [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.devDependencies ?? {})].filter(
      (dep) => OURS.test(dep) && dep !== TEST_SUPPORT,
    );

  it('the table has exactly one row per workspace, under its package name', () => {
    expect(Object.keys(boundaries).sort()).toEqual([...workspaces].sort());
    for (const dir of workspaces) expect(packages.get(dir)!.name, dir).toBe(boundaries[dir]!.name);
    const names = new Set(Object.values(boundaries).map((b) => short(b.name)));
    for (const [dir, { mayImport }] of Object.entries(boundaries))
      for (const allowed of mayImport) expect(names.has(allowed), `${dir} may import ${allowed}`).toBe(true);
  });

  it('the table itself points only downward: no cycle among what packages may import', () => {
    const byName = new Map(Object.values(boundaries).map((b) => [short(b.name), b.mayImport]));
    expect(cyclesIn(byName)).toEqual([]);
  });

  it('every package depends only on packages its row allows', () => {
    const violations: string[] = [];
    for (const dir of workspaces) {
      const { mayImport } = boundaries[dir]!;
      for (const dep of declared(packages.get(dir)!))
        if (!mayImport.includes(short(dep))) violations.push(`${dir} depends on ${dep}`);
    }
    expect(violations).toEqual([]);
  });

  it('the declared dependencies make no cycle', () => {
    const graph = new Map(workspaces.map((dir) => [packages.get(dir)!.name, declared(packages.get(dir)!)]));
    expect(cyclesIn(graph)).toEqual([]);
  });

  it("every import of ours in a package's sources is allowed and declared by that package", () => {
    const violations: string[] = [];
    for (const dir of workspaces) {
      const pkg = packages.get(dir)!;
      const { name, mayImport } = boundaries[dir]!;
      // Shipped packages need their imports at run time ("dependencies"); a workspace with none
      // (the dashboard, bundled by vite; the benchmarks, never installed) declares them as devDependencies.
      const runtime = pkg.dependencies ?? pkg.devDependencies ?? {};
      for (const file of sourceFiles(dir)) {
        const where = file.slice(ROOT.length);
        for (const imported of importsOfOurs(readFileSync(file, 'utf8'))) {
          if (imported === name) continue;
          if (!mayImport.includes(short(imported)))
            violations.push(`${where} imports ${imported}: not allowed`);
          if (!(imported in runtime)) violations.push(`${where} imports ${imported}: not declared`);
        }
      }
    }
    expect(violations).toEqual([]);
  });
});

describe('the checks themselves', () => {
  it('find every form of import of ours, and only ours', () => {
    const source = [
      "import { a } from '@hazardwatch/store';",
      "import type { B } from '@hazardwatch/ingest/embedded-broker';",
      "export * from '@hazardwatch/kit';",
      "const m = await import('@hazardwatch/simulators/opcua');",
      "import 'hazardwatch';",
      "import pg from 'pg';",
      "import { x } from './hazardwatch.js';",
      "import { y } from '@hazardwatchers/other';",
    ].join('\n');
    expect(importsOfOurs(source).sort()).toEqual(
      [
        '@hazardwatch/ingest',
        '@hazardwatch/kit',
        '@hazardwatch/simulators',
        '@hazardwatch/store',
        'hazardwatch',
      ].sort(),
    );
  });

  it('find a cycle, and none in a layered graph', () => {
    expect(
      cyclesIn(
        new Map([
          ['a', ['b']],
          ['b', ['c']],
          ['c', ['a']],
        ]),
      ),
    ).toEqual(['a → b → c → a']);
    expect(
      cyclesIn(
        new Map([
          ['a', ['b', 'c']],
          ['b', ['c']],
          ['c', []],
        ]),
      ),
    ).toEqual([]);
  });
});
