import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, providedServices, type TestDatabase } from '@hazardwatch/testkit';
import { runToEnd } from './process-support.js';
import { REPO } from './systemd-files.js';

/**
 * `hazardwatch migrate` stores HW_SITE_FILE when it is set (issue #23): a leased fleet's workers
 * then start from the stored site without the file, so a worker restarted after a crash does not
 * put the file back over the edits made through the API since (docs/site-file.md §1). A new
 * version only when the file differs from the newest; an invalid file stops migrate with exit 2,
 * after the schema, and stores nothing of it.
 */
const CLI = `${REPO}services/cli/dist/main.js`;
const EXAMPLE = `${REPO}services/core/examples/site.example.yaml`;
const { postgresAdminUrl } = providedServices();

let db: TestDatabase;
let dir: string;
beforeAll(async () => {
  db = await createTestDatabase(postgresAdminUrl, 'hw_migsite');
  dir = mkdtempSync(join(tmpdir(), 'hw-migrate-site-'));
}, 60_000);
afterAll(async () => {
  await db?.drop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function migrate(env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  return runToEnd(process.execPath, [CLI, 'migrate'], {
    env: { PATH: process.env['PATH'], DATABASE_URL: db.url, LOG_LEVEL: 'info', ...env },
    cwd: REPO,
    timeoutMs: 120_000,
  });
}

async function versions(): Promise<number[]> {
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    const { rows } = await client.query<{ version: string }>(
      'SELECT version FROM site_documents ORDER BY version',
    );
    return rows.map((r) => Number(r.version));
  } finally {
    await client.end();
  }
}

describe('hazardwatch migrate with HW_SITE_FILE', () => {
  it('without HW_SITE_FILE: the schema only, no site stored', async () => {
    const run = await migrate({});
    expect(run, run.out).toMatchObject({ code: 0 });
    expect(await versions()).toEqual([]);
  });

  it('stores the file once, says its version and points, and stores no second version of the same file', async () => {
    const site = join(dir, 'site.yaml');
    writeFileSync(site, readFileSync(EXAMPLE, 'utf8'));
    const first = await migrate({ HW_SITE_FILE: site });
    expect(first, first.out).toMatchObject({ code: 0 });
    const summary = JSON.parse(first.out.split('\n').find((l) => l.startsWith('{"dialect"'))!) as {
      site?: { version: number; points: number };
    };
    expect(summary.site?.points).toBeGreaterThan(0);
    expect(await versions()).toEqual([summary.site!.version]);
    const again = await migrate({ HW_SITE_FILE: site });
    expect(again, again.out).toMatchObject({ code: 0 });
    expect(await versions()).toEqual([summary.site!.version]);
  });

  it('an edit made through the API since survives a migrate with the same file; a changed file is stored', async () => {
    const site = join(dir, 'site.yaml');
    const text = readFileSync(site, 'utf8');
    // An edit through the API: a newer version, not from the file.
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    const edited = Number(
      (
        await client.query<{ version: string }>(
          `INSERT INTO site_documents (sha256, document)
             SELECT 'edited-through-the-api', document FROM site_documents ORDER BY version DESC LIMIT 1
           RETURNING version`,
        )
      ).rows[0]!.version,
    );
    await client.end();
    const before = await versions();
    const same = await migrate({ HW_SITE_FILE: site });
    expect(same, same.out).toMatchObject({ code: 0 });
    expect(await versions()).toEqual(before);
    const summary = JSON.parse(same.out.split('\n').find((l) => l.startsWith('{"dialect"'))!) as {
      site?: { version: number };
    };
    expect(summary.site?.version).toBe(edited);
    expect(same.out).toContain('unchanged since it was last stored');

    // The file edited: stored as a new version, over the API's.
    writeFileSync(site, text.replace('name: 江苏省,', 'name: 江苏省省级,'));
    const changed = await migrate({ HW_SITE_FILE: site });
    expect(changed, changed.out).toMatchObject({ code: 0 });
    expect((await versions()).length).toBe(before.length + 1);
    writeFileSync(site, text);
  });

  it('an invalid file: exit 2, the rule named, nothing stored of it', async () => {
    const before = await versions();
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, readFileSync(EXAMPLE, 'utf8').replace(/tag: (\S+)/, 'tag: ""'));
    const run = await migrate({ HW_SITE_FILE: bad });
    expect(run.code, run.out).toBe(2);
    expect(run.out).toMatch(/is invalid/);
    expect(await versions()).toEqual(before);
  });
});
