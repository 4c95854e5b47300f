import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DeviceCredentialRepository,
  migrate,
  newDeviceSecret,
  sqlClientFromPg,
  watchDeviceCredentials,
  type DeviceCredentialWatch,
} from '@hazardwatch/store';
import { createTestDatabase, type TestDatabase } from './support/db.js';
import { silentLogger } from './support/logger.js';

const T0 = Date.UTC(2026, 0, 5, 8, 0, 0);

/**
 * Every stored credential change is announced on commit (NOTIFY), so a broker in another process
 * than the API that made it ends the old credential's sessions (issue #17 item 1).
 */
describe('device credential changes across processes (PostgreSQL)', () => {
  let db: TestDatabase;
  let repo: DeviceCredentialRepository;
  let watch: DeviceCredentialWatch | undefined;
  const heard: Array<string | undefined> = [];

  beforeEach(async () => {
    db = await createTestDatabase();
    const client = sqlClientFromPg(db.pool());
    await migrate(client, { logger: silentLogger, dialect: 'postgres' });
    repo = new DeviceCredentialRepository(client);
    heard.length = 0;
    watch = await watchDeviceCredentials({
      connectionString: db.url,
      logger: silentLogger,
      changed: (username) => heard.push(username),
    });
  });
  afterEach(async () => {
    await watch?.close();
    await db.drop();
  });

  const issue = (gateway: string, nowMs: number) => {
    const { salt, secretHash } = newDeviceSecret();
    return repo.issue(
      { username: `E1.${gateway}`, enterprise: 'E1', gateway, salt, secretHash },
      'admin',
      nowMs,
    );
  };

  it('hears of every issue, rotation and revocation, and of nothing that changed nothing', async () => {
    // Once listening, anything may have changed unheard: the first word is "any".
    await expect.poll(() => heard).toEqual([undefined]);
    await issue('GW01', T0);
    const rotated = await issue('GW01', T0 + 1000);
    expect(rotated.rotatedAt).toBe(T0 + 1000);
    expect(await repo.revoke('E1', 'GW01', 'admin', T0 + 2000)).toBe(true);
    expect(await repo.revoke('E1', 'GW09', 'admin', T0 + 3000)).toBe(false);
    await issue('GW02', T0 + 4000);
    await expect.poll(() => heard).toEqual([undefined, 'E1.GW01', 'E1.GW01', 'E1.GW01', 'E1.GW02']);
    expect(await repo.forGateway('E1', 'GW01')).toMatchObject({ revokedAt: T0 + 2000, revokedBy: 'admin' });
  });
});
