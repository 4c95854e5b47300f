import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { ActionWorker, type AlarmEngine } from '@hazardwatch/ingest';
import { ManualClock } from '@hazardwatch/kit';
import type { ActionRequestRepository } from '@hazardwatch/store';
import { createTestDatabase, providedServices, type TestDatabase } from '@hazardwatch/testkit';

/**
 * The fallback poll (NOTIFY is lost while the listen connection is down) runs on the injected
 * clock (issue #18). The LISTEN connection is real; the request table is a recording stand-in, so
 * the test counts poll passes without waiting for them.
 */
describe('ActionWorker fallback poll', () => {
  let db: TestDatabase | undefined;
  let worker: ActionWorker | undefined;

  afterEach(async () => {
    await worker?.close();
    worker = undefined;
    await db?.drop();
    db = undefined;
  });

  it('claims and expires overdue requests once per poll interval of its clock, and stops on close', async () => {
    db = await createTestDatabase(providedServices().postgresAdminUrl);
    const calls = { claims: 0, expiries: 0 };
    const requests = {
      claimAndApply: () => {
        calls.claims++;
        return Promise.resolve(0);
      },
      expireOverdue: () => {
        calls.expiries++;
        return Promise.resolve();
      },
    } as unknown as ActionRequestRepository;
    const clock = new ManualClock(1_700_000_000_000);
    worker = new ActionWorker({
      host: {} as AlarmEngine,
      requests,
      connectionString: db.url,
      workerId: 'w1',
      enterprises: ['E1'],
      logger: pino({ level: 'silent' }),
      pollIntervalMs: 1000,
      clock,
    });
    await worker.start();
    await worker.idle();
    const claimsAtStart = calls.claims;
    expect(claimsAtStart).toBeGreaterThan(0);
    expect(clock.pendingTimers).toBe(1);

    clock.advance(999);
    await worker.idle();
    expect(calls).toEqual({ claims: claimsAtStart, expiries: 0 });

    clock.advance(1);
    await worker.idle();
    expect(calls).toEqual({ claims: claimsAtStart + 1, expiries: 1 });

    clock.advance(3000);
    await worker.idle();
    expect(calls.expiries).toBe(4);

    await worker.close();
    worker = undefined;
    expect(clock.pendingTimers).toBe(0);
  });
});
