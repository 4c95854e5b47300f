import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { startApiServer } from '@hazardwatch/api';
import { DEFAULT_ALARM_SETTINGS } from '@hazardwatch/core';
import type { SqlClient } from '@hazardwatch/store';

/** No route below touches the database; a call would fail the test loudly. */
const noDatabase: SqlClient = {
  query: () => Promise.reject(new Error('no database in this test')),
  exec: () => Promise.reject(new Error('no database in this test')),
  transaction: () => Promise.reject(new Error('no database in this test')),
};

describe('startApiServer', () => {
  it('validates the configuration, listens on a free port and closes idempotently', async () => {
    const server = await startApiServer(
      { host: '127.0.0.1', port: 0, docs: false, auth: { jwtSecret: 'z'.repeat(32) } },
      {
        logger: pino({ level: 'silent' }),
        client: noDatabase,
        dialect: 'postgres',
        site: { current: () => undefined },
        alarmSettings: DEFAULT_ALARM_SETTINGS,
        processMetrics: false,
      },
    );
    try {
      expect(server.port).toBeGreaterThan(0);
      const res = await fetch(`http://127.0.0.1:${server.port}/healthz`);
      expect(await res.json()).toEqual({ status: 'ok' });
      const ready = await fetch(`http://127.0.0.1:${server.port}/readyz`);
      expect([ready.status, await ready.json()]).toEqual([
        503,
        { ready: false, checks: { database: false } },
      ]);
    } finally {
      await server.close();
      await server.close();
    }
    await expect(fetch(`http://127.0.0.1:${server.port}/healthz`)).rejects.toThrow();
  });

  it('refuses to start with an invalid configuration', async () => {
    await expect(
      startApiServer(
        { auth: { jwtSecret: 'short' } },
        {
          logger: pino({ level: 'silent' }),
          client: noDatabase,
          dialect: 'postgres',
          site: { current: () => undefined },
          alarmSettings: DEFAULT_ALARM_SETTINGS,
        },
      ),
    ).rejects.toMatchObject({ code: 'HW_API_CONFIG_INVALID' });
  });
});
