import { connect } from 'node:net';
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

  it('closes within its grace though a client has sent half a request and stays silent', async () => {
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
      { closeGraceMs: 500 },
    );
    // A request in progress keeps an HTTP server's close() waiting, and this one never ends.
    const socket = connect(server.port, '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    socket.on('error', () => undefined);
    await new Promise((r) => setTimeout(r, 100));
    const started = Date.now();
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      server.close().then(() => 'closed'),
      new Promise((resolve) => {
        timer = setTimeout(() => resolve('still closing after 5 s'), 5000);
      }),
    ]);
    clearTimeout(timer);
    socket.destroy();
    expect(outcome).toBe('closed');
    expect(Date.now() - started).toBeGreaterThanOrEqual(450);
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
