import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrate, PlanRepository, sqlClientFromPg, type SqlClient } from '@hazardwatch/store';
import { createTestDatabase, type TestDatabase } from './support/db.js';
import { silentLogger } from './support/logger.js';

const T0 = Date.UTC(2026, 0, 5, 8, 0, 0);
const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 20"/>');
const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0xff, 0x00]);

describe('PlanRepository (PostgreSQL)', () => {
  let db: TestDatabase;
  let client: SqlClient;
  let repo: PlanRepository;

  beforeEach(async () => {
    db = await createTestDatabase();
    client = sqlClientFromPg(db.pool());
    await migrate(client, { logger: silentLogger, dialect: 'postgres' });
    repo = new PlanRepository(client);
  });
  afterEach(() => db.drop());

  it('stores, replaces, lists, reads back byte for byte and deletes plans', async () => {
    const stored = await repo.put(
      { enterprise: 'E1', plan: 'main', contentType: 'image/svg+xml', bytes: svg, width: 10, height: 20 },
      'alice',
      T0,
    );
    expect(stored).toEqual({
      enterprise: 'E1',
      plan: 'main',
      contentType: 'image/svg+xml',
      size: svg.length,
      width: 10,
      height: 20,
      updatedAt: T0,
      updatedBy: 'alice',
    });
    await repo.put(
      {
        enterprise: 'E1',
        plan: 'CL-TF01',
        contentType: 'image/svg+xml',
        bytes: svg,
        width: null,
        height: null,
      },
      'alice',
      T0,
    );
    await repo.put(
      { enterprise: 'E2', plan: 'main', contentType: 'image/svg+xml', bytes: svg, width: 1, height: 1 },
      'bob',
      T0,
    );
    const replaced = await repo.put(
      { enterprise: 'E1', plan: 'main', contentType: 'image/png', bytes: png, width: 640, height: 480 },
      'bob',
      T0 + 1000,
    );
    expect(replaced).toMatchObject({ contentType: 'image/png', size: png.length, updatedBy: 'bob' });

    expect((await repo.list('E1')).map((p) => [p.plan, p.width])).toEqual([
      ['CL-TF01', null],
      ['main', 640],
    ]);
    const read = await repo.get('E1', 'main');
    expect(read?.bytes.equals(png)).toBe(true);
    expect(read).toMatchObject({ contentType: 'image/png', updatedAt: T0 + 1000 });
    expect(await repo.get('E1', 'nope')).toBeUndefined();

    expect(await repo.delete('E1', 'main')).toMatchObject({ plan: 'main', updatedBy: 'bob' });
    expect(await repo.delete('E1', 'main')).toBeUndefined();
    expect(await repo.info('E1', 'main')).toBeUndefined();
    expect((await repo.list('E2')).map((p) => p.plan)).toEqual(['main']);
  });

  it('refuses a content type other than PNG or SVG', async () => {
    const err = await repo
      .put(
        {
          enterprise: 'E1',
          plan: 'main',
          contentType: 'text/html' as never,
          bytes: svg,
          width: 1,
          height: 1,
        },
        'alice',
        T0,
      )
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(await repo.list('E1')).toEqual([]);
  });
});
