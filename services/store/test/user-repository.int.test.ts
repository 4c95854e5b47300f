import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrate, sqlClientFromPg, sqlState, UserRepository, type SqlClient } from '@hazardwatch/store';
import { createTestDatabase, type TestDatabase } from './support/db.js';
import { silentLogger } from './support/logger.js';

const T0 = Date.UTC(2026, 0, 5, 8, 0, 0);
const HOUR = 3_600_000;

describe('UserRepository (PostgreSQL)', () => {
  let db: TestDatabase;
  let client: SqlClient;
  let repo: UserRepository;

  beforeEach(async () => {
    db = await createTestDatabase();
    client = sqlClientFromPg(db.pool());
    await migrate(client, { logger: silentLogger, dialect: 'postgres' });
    repo = new UserRepository(client);
  });
  afterEach(() => db.drop());

  it('creates users, finds them by name and id, and refuses a taken username', async () => {
    const admin = await repo.create({
      username: 'root',
      passwordHash: '$scrypt$x',
      role: 'admin',
      regionCode: null,
      enterpriseCode: null,
    });
    expect(admin).toMatchObject({ username: 'root', role: 'admin', disabled: false });
    expect(await repo.byUsername('root')).toEqual(admin);
    expect(await repo.byId(admin.id)).toEqual(admin);
    expect(await repo.byId('not-a-uuid')).toBeUndefined();
    const dup = await repo
      .create({ username: 'root', passwordHash: 'h', role: 'admin', regionCode: null, enterpriseCode: null })
      .catch((e: unknown) => e);
    expect(sqlState(dup)).toBe('23505');
  });

  it('enforces that each role carries exactly its scope', async () => {
    const bad = [
      { role: 'regulator', regionCode: null, enterpriseCode: null },
      { role: 'operator', regionCode: '320623', enterpriseCode: null },
      { role: 'admin', regionCode: '320623', enterpriseCode: null },
    ] as const;
    for (const [i, b] of bad.entries()) {
      const err = await repo.create({ username: `u${i}`, passwordHash: 'h', ...b }).catch((e: unknown) => e);
      expect(sqlState(err)).toBe('23514');
    }
    await repo.create({
      username: 'op',
      passwordHash: 'h',
      role: 'operator',
      regionCode: null,
      enterpriseCode: 'E1',
    });
    expect((await repo.list({ limit: 10, offset: 0 })).items.map((u) => u.username)).toEqual(['op']);
  });

  it('raises the session version and revokes refresh tokens when a grant shrinks or moves', async () => {
    const user = await repo.create({
      username: 'op',
      passwordHash: 'h',
      role: 'operator',
      regionCode: null,
      enterpriseCode: 'E1',
    });
    expect(user.sessionVersion).toBe(0);
    const token = async (hash: string) =>
      repo.insertRefreshToken({
        tokenHash: hash,
        userId: user.id,
        family: '00000000-0000-4000-8000-000000000001',
        nowMs: T0,
        expiresAtMs: T0 + HOUR,
      });
    const rotate = async (hash: string) =>
      (await repo.rotateRefreshToken(hash, { tokenHash: `${hash}'`, nowMs: T0 + 1, expiresAtMs: T0 + HOUR }))
        .kind;
    // [change, session version after it]
    const rows: Array<[string, () => Promise<unknown>, number]> = [
      ['disable', () => repo.setDisabled(user.id, true, T0), 1],
      ['disable again', () => repo.setDisabled(user.id, true, T0), 1],
      ['enable', () => repo.setDisabled(user.id, false, T0), 1],
      [
        'new scope',
        () => repo.setGrant(user.id, { role: 'operator', regionCode: null, enterpriseCode: 'E2' }, T0),
        2,
      ],
      [
        'new role',
        () => repo.setGrant(user.id, { role: 'viewer', regionCode: '320623', enterpriseCode: null }, T0),
        3,
      ],
    ];
    for (const [i, [name, change, version]] of rows.entries()) {
      await token(`t${i}`);
      await change();
      expect((await repo.byId(user.id))?.sessionVersion, name).toBe(version);
      if (name !== 'enable') expect(await rotate(`t${i}`), name).toBe('reused');
    }
    expect((await repo.byIds([user.id, 'nope'])).map((u) => u.id)).toEqual([user.id]);
    expect(await repo.delete(user.id)).toMatchObject({ id: user.id, sessionVersion: 3 });
    expect(await repo.byIds([user.id])).toEqual([]);
    expect(await repo.delete(user.id)).toBeUndefined();
  });

  it('rotates refresh tokens once and revokes the family when a used token comes back', async () => {
    const user = await repo.create({
      username: 'op',
      passwordHash: 'h',
      role: 'operator',
      regionCode: null,
      enterpriseCode: 'E1',
    });
    const family = '7d2c1c9e-7f7e-4c8a-9b1a-0d6b6a3c2f10';
    await repo.insertRefreshToken({
      tokenHash: 'h1',
      userId: user.id,
      family,
      nowMs: T0,
      expiresAtMs: T0 + HOUR,
    });
    expect(
      await repo.rotateRefreshToken('h1', { tokenHash: 'h2', nowMs: T0 + 1, expiresAtMs: T0 + 2 * HOUR }),
    ).toEqual({
      kind: 'rotated',
      userId: user.id,
      family,
    });
    // h1 presented again (a stolen copy): refused, and h2 is revoked with it.
    expect(
      (await repo.rotateRefreshToken('h1', { tokenHash: 'h3', nowMs: T0 + 2, expiresAtMs: T0 + HOUR })).kind,
    ).toBe('reused');
    expect(
      (await repo.rotateRefreshToken('h2', { tokenHash: 'h4', nowMs: T0 + 3, expiresAtMs: T0 + HOUR })).kind,
    ).toBe('reused');
    expect(
      (await repo.rotateRefreshToken('nope', { tokenHash: 'h5', nowMs: T0, expiresAtMs: T0 + HOUR })).kind,
    ).toBe('unknown');
  });

  it('refuses an expired token, and logout or disabling revokes tokens', async () => {
    const user = await repo.create({
      username: 'v',
      passwordHash: 'h',
      role: 'viewer',
      regionCode: '320623',
      enterpriseCode: null,
    });
    const f1 = '11111111-1111-4111-8111-111111111111';
    const f2 = '22222222-2222-4222-8222-222222222222';
    await repo.insertRefreshToken({
      tokenHash: 'old',
      userId: user.id,
      family: f1,
      nowMs: T0,
      expiresAtMs: T0 + HOUR,
    });
    expect(
      (await repo.rotateRefreshToken('old', { tokenHash: 'x', nowMs: T0 + HOUR, expiresAtMs: T0 + 2 * HOUR }))
        .kind,
    ).toBe('expired');
    await repo.insertRefreshToken({
      tokenHash: 'a',
      userId: user.id,
      family: f2,
      nowMs: T0,
      expiresAtMs: T0 + HOUR,
    });
    expect(await repo.revokeRefreshFamily('a', T0 + 1)).toBe(user.id);
    expect(
      (await repo.rotateRefreshToken('a', { tokenHash: 'b', nowMs: T0 + 2, expiresAtMs: T0 + HOUR })).kind,
    ).toBe('reused');
    await repo.insertRefreshToken({
      tokenHash: 'c',
      userId: user.id,
      family: f1,
      nowMs: T0,
      expiresAtMs: T0 + HOUR,
    });
    expect((await repo.setDisabled(user.id, true, T0 + 3))?.disabled).toBe(true);
    expect(
      (await repo.rotateRefreshToken('c', { tokenHash: 'd', nowMs: T0 + 4, expiresAtMs: T0 + HOUR })).kind,
    ).toBe('reused');
    expect(await repo.pruneRefreshTokens(T0 + 10 * HOUR)).toBe(3);
  });
});
