import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, openTestPool, providedServices, type TestDatabase } from '@hazardwatch/testkit';
import { loadRuntimeConfig, startApiService, type ApiService } from 'hazardwatch';

const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const logger = pino({ level: 'silent' });
const PASSWORD = 'first-admin-pass 7';

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** The built command line, as an operator runs it: the password on stdin (not a TTY). */
function hazardwatch(args: readonly string[], stdin: string, env: Record<string, string>): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { PATH: process.env['PATH'] ?? '', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.once('error', reject);
    // 'close', not 'exit': the output is all read by then.
    child.once('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

/**
 * `hazardwatch user create`: the first admin of a production install, outside the demo. Password
 * from stdin (or a no-echo prompt on a TTY), the API's user rules and scrypt hashing, nothing
 * secret printed; then that admin logs in through the API.
 */
describe('hazardwatch user create', () => {
  const { postgresAdminUrl } = providedServices();
  let db: TestDatabase;
  let env: Record<string, string>;
  let api: ApiService | undefined;

  beforeAll(async () => {
    db = await createTestDatabase(postgresAdminUrl);
    env = { DATABASE_URL: db.url, LOG_LEVEL: 'warn' };
  });
  afterAll(async () => {
    await api?.close();
    await db.drop();
  });

  interface UserRow {
    username: string;
    role: string;
    region_code: string | null;
  }
  const users = async (): Promise<UserRow[]> => {
    const pool = openTestPool(db.url, { max: 1 });
    try {
      return (await pool.query<UserRow>('SELECT username, role, region_code FROM users ORDER BY username'))
        .rows;
    } finally {
      await pool.end();
    }
  };

  it('creates an admin from stdin, prints no secret, and the admin logs in through the API', async () => {
    const run = await hazardwatch(
      ['user', 'create', '--role', 'admin', '--username', 'boss'],
      `${PASSWORD}\n`,
      env,
    );
    expect(run.stderr).not.toContain(PASSWORD);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout.trim().split('\n').at(-1)!)).toMatchObject({
      username: 'boss',
      role: 'admin',
    });
    expect(run.stdout).not.toContain(PASSWORD);
    expect(run.stdout).not.toMatch(/scrypt|passwordHash|password_hash/);

    api = await startApiService(
      loadRuntimeConfig({
        DATABASE_URL: db.url,
        HW_HEALTH_PORT: '0',
        HW_JWT_SECRET: 'a-test-secret-that-is-at-least-32-chars',
      }),
      logger,
      { port: 0 },
    );
    const login = await fetch(`http://127.0.0.1:${api.port}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'boss', password: PASSWORD }),
    });
    expect(login.status).toBe(200);
    expect(await login.json()).toMatchObject({ user: { username: 'boss', role: 'admin' } });
  });

  it('creates a scoped user with --scope (a regulator’s region)', async () => {
    const run = await hazardwatch(
      ['user', 'create', '--role', 'regulator', '--username', 'county', '--scope', '320623'],
      `${PASSWORD}\n`,
      env,
    );
    expect(run.code).toBe(0);
    expect((await users()).find((u) => u.username === 'county')).toMatchObject({
      role: 'regulator',
      region_code: '320623',
    });
  });

  it('creates an enterprise safety manager with --enterprise (issue #19)', async () => {
    const run = await hazardwatch(
      [
        'user',
        'create',
        '--role',
        'safety_manager',
        '--username',
        'sm-e1',
        '--enterprise',
        '91320623MA1W000001',
      ],
      `${PASSWORD}\n`,
      env,
    );
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout.trim().split('\n').at(-1)!)).toMatchObject({
      username: 'sm-e1',
      role: 'safety_manager',
      enterpriseCode: '91320623MA1W000001',
      regionCode: null,
    });
  });

  it.each([
    ['an empty password', ''],
    ['an empty line', '\n'],
    ['a short password', 'short\n'],
  ])('refuses %s with exit code 2 and creates nobody', async (_name, stdin) => {
    const run = await hazardwatch(['user', 'create', '--role', 'admin', '--username', 'weak'], stdin, env);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/password/);
    expect((await users()).map((u) => u.username)).not.toContain('weak');
  });

  it.each([
    ['no username', ['--role', 'admin']],
    ['no role', ['--username', 'x1']],
    ['an unknown role', ['--role', 'root', '--username', 'x1']],
    ['a scope on an admin', ['--role', 'admin', '--username', 'x1', '--scope', '320623']],
    ['an operator without scope', ['--role', 'operator', '--username', 'x1']],
    ['a safety manager without an enterprise', ['--role', 'safety_manager', '--username', 'x1']],
    ['an enterprise on a regulator', ['--role', 'regulator', '--username', 'x1', '--enterprise', 'E1']],
    ['a region on a safety manager', ['--role', 'safety_manager', '--username', 'x1', '--region', '320623']],
    [
      'both --scope and --enterprise',
      ['--role', 'operator', '--username', 'x1', '--scope', 'E1', '--enterprise', 'E1'],
    ],
    ['a stray argument', ['--role', 'admin', '--username', 'x1', 'extra']],
    ['an unknown option', ['--role', 'admin', '--username', 'x1', '--password', 'x']],
  ])('answers a usage problem (%s) with exit code 2 before reading a password', async (_name, args) => {
    const run = await hazardwatch(['user', 'create', ...args], `${PASSWORD}\n`, env);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^hazardwatch: /);
    expect(run.stderr).not.toContain(PASSWORD);
  });

  it('refuses a taken username with exit code 1 and keeps the existing user', async () => {
    const run = await hazardwatch(
      ['user', 'create', '--role', 'admin', '--username', 'boss'],
      'another-password-9\n',
      env,
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("user 'boss' already exists");
    expect((await users()).filter((u) => u.username === 'boss')).toHaveLength(1);
  });
});
