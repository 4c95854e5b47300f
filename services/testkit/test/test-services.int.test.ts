import { describe, expect, it } from 'vitest';
import pg from 'pg';
import { providedServices, startTcpProxy, startTestServices } from '@hazardwatch/testkit';

/**
 * HW_TEST_DATABASE_URL points the integration suites at another server (a TimescaleDB one on
 * 5433, say): the server given is the one used, never 127.0.0.1:5432 or an embedded one.
 */
describe('startTestServices: the test database server', () => {
  it('uses the server it is given', async () => {
    // A server on a port of its own: a forwarder to the one this run uses.
    const upstream = new URL(providedServices().postgresAdminUrl);
    const proxy = await startTcpProxy(upstream.hostname, Number(upstream.port || 5432));
    const given = new URL(upstream);
    given.hostname = '127.0.0.1';
    given.port = String(proxy.port);
    const services = await startTestServices({ postgresUrl: given.toString() });
    try {
      expect(services.postgresAdminUrl).toBe(given.toString());
      const client = new pg.Client({ connectionString: services.postgresAdminUrl });
      await client.connect();
      try {
        expect((await client.query<{ v: number }>('SELECT 1 AS v')).rows).toEqual([{ v: 1 }]);
      } finally {
        await client.end();
      }
    } finally {
      await services.stop();
      await proxy.close();
    }
  });

  it('refuses a server it cannot reach instead of starting an embedded one', async () => {
    await expect(
      startTestServices({ postgresUrl: 'postgres://postgres@127.0.0.1:1/postgres' }),
    ).rejects.toThrow(/HW_TEST_DATABASE_URL/);
  });
});
