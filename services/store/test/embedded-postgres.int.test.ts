import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from '@hazardwatch/store/embedded-postgres';

const logger = pino({ level: 'silent' });

/** A process's parent and process group, from /proc. */
function lineage(pid: number): { parent: number; group: number } {
  const [, parent, group] = /\) \w (\d+) (\d+)/.exec(readFileSync(`/proc/${pid}/stat`, 'utf8'))!;
  return { parent: Number(parent), group: Number(group) };
}

/** The postmaster's PID from its lock file, its parent's (the keeper) and its process group. */
function postmaster(dataDir: string): { pid: number; parent: number; group: number } {
  const pid = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  return { pid, ...lineage(pid) };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !/\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

async function count(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return Number((await client.query('SELECT count(*) AS n FROM marks')).rows[0].n);
  } finally {
    await client.end();
  }
}

describe('embedded PostgreSQL', () => {
  const servers: EmbeddedPostgresHandle[] = [];
  const dirs: string[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) await s.stop();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const dataDir = (): string => {
    const parent = mkdtempSync(join(tmpdir(), 'hw-embedded-pg-'));
    // As root, the server runs as `postgres`, which must be able to reach its data directory.
    chmodSync(parent, 0o755);
    dirs.push(parent);
    return join(parent, 'data');
  };

  it('runs in a process group of its own (a terminal’s Ctrl-C does not reach it) and stops when asked', async () => {
    const dir = dataDir();
    const server = await startEmbeddedPostgres({ dataDir: dir, port: 0, logger });
    servers.push(server);
    const { pid, parent, group } = postmaster(dir);
    // Not this process's child, and in a group of its own (the keeper's), away from this one's.
    expect(parent).not.toBe(process.pid);
    expect(group).toBe(parent);
    expect(group).not.toBe(lineage(process.pid).group);
    const c = new pg.Client({ connectionString: server.url });
    await c.connect();
    await c.query('CREATE TABLE marks (n int); INSERT INTO marks VALUES (1)');
    await c.end();
    await server.stop();
    expect(alive(pid)).toBe(false);
    expect(existsSync(join(dir, 'postmaster.pid'))).toBe(false);
  });

  it('stops a server an earlier run left holding the data directory, then starts on it with its data', async () => {
    const dir = dataDir();
    const first = await startEmbeddedPostgres({ dataDir: dir, port: 0, logger });
    const c = new pg.Client({ connectionString: first.url });
    await c.connect();
    await c.query('CREATE TABLE marks (n int); INSERT INTO marks VALUES (1), (2)');
    await c.end();
    const { pid, parent } = postmaster(dir);
    expect(parent).not.toBe(process.pid);
    // The owner and its keeper both killed outright: the server is orphaned, still running.
    process.kill(parent, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 200));
    expect(alive(pid)).toBe(true);

    const second = await startEmbeddedPostgres({ dataDir: dir, port: 0, logger });
    servers.push(second);
    expect(alive(pid)).toBe(false);
    expect(await count(second.url)).toBe(2);
  });
});
