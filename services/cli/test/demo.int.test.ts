import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, providedServices, type TestDatabase } from '@hazardwatch/testkit';
import { loadRuntimeConfig, startDemo, type RunningDemo } from 'hazardwatch';

const logger = pino({ level: 'silent' });
const E1 = '91320623MA1W000001';

/**
 * `npm run demo` as a new user gets it (on this machine's PostgreSQL, with the in-process broker so
 * the demo's fixed enterprise codes never meet other tests on the shared broker): the generated
 * region, demo logins, the OPC-UA gateway read through the edge collector, and the incident loop.
 */
describe('the one-command demo', () => {
  let db: TestDatabase;
  let demo: RunningDemo;
  const steps: string[] = [];

  beforeAll(async () => {
    db = await createTestDatabase(providedServices().postgresAdminUrl);
    const config = loadRuntimeConfig({
      DATABASE_URL: db.url,
      HW_MQTT_EMBEDDED_PORT: '0',
      HW_DATA_DIR: mkdtempSync(join(tmpdir(), 'hw-demo-')),
    });
    demo = await startDemo(config, { port: 0, reset: true, onProgress: (s) => steps.push(s) }, logger);
  });
  afterAll(async () => {
    await demo?.close();
    await db?.drop();
  });

  const url = (path: string) => `http://127.0.0.1:${demo.api.port}${path}`;
  const login = async (username: string, password: string): Promise<string> => {
    const res = await fetch(url('/api/v1/auth/login'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
    });
    expect(res.status).toBe(200);
    return ((await res.json()) as { accessToken: string }).accessToken;
  };
  const get = async <T>(token: string, path: string): Promise<T> =>
    (await (await fetch(url(path), { headers: { authorization: `Bearer ${token}` } })).json()) as T;

  it('starts ready, reports its steps, and prints the URL and the logins', async () => {
    expect((await fetch(url('/healthz'))).status).toBe(200);
    expect(steps.join('\n')).toMatch(/OPC-UA server \+ edge collector/);
    expect(demo.summary).toContain(`http://127.0.0.1:${demo.api.port}/`);
    expect(demo.summary).toContain('rudong-regulator / hazardwatch-demo');
    // Issue #19: the enterprise's safety manager beside its operator.
    expect(demo.summary).toContain('chlor-safety / hazardwatch-demo (safety_manager)');
    const me = await get<{ authorityRole: string; enterpriseCode: string }>(
      await login('chlor-safety', 'hazardwatch-demo'),
      '/api/v1/auth/me',
    );
    expect(me).toMatchObject({ authorityRole: 'safety_manager', enterpriseCode: E1 });
    // Metrics on the internal health port only (issue 17 item 4).
    expect((await fetch(url('/metrics'))).status).toBe(404);
    expect(demo.summary).toMatch(/metrics {2}(http:\/\/127\.0\.0\.1:\d+\/metrics|off: HW_HEALTH_PORT)/);
    expect(demo.plant?.opcua.endpointUrl).toMatch(/^opc\.tcp:\/\//);
  });

  it('serves a generated region: a county regulator sees its county only', async () => {
    const token = await login('rudong-regulator', 'hazardwatch-demo');
    const mine = await get<{ items: Array<{ code: string; region: string }>; total: number }>(
      token,
      '/api/v1/enterprises?limit=500',
    );
    const admin = await login('admin', 'hazardwatch-admin');
    const all = await get<{ items: Array<{ code: string }>; total: number }>(
      admin,
      '/api/v1/enterprises?limit=500',
    );
    expect(all.items.length).toBeGreaterThanOrEqual(30);
    expect(mine.items.map((e) => e.code)).toContain(E1);
    expect(mine.items.length).toBeLessThan(all.items.length);
  });

  it('stores the OPC-UA gateway’s readings (OPC-UA server → edge collector → MQTT → ingestion) and raises the loop’s first alarm', async () => {
    const token = await login('chlor-operator', 'hazardwatch-demo');
    await expect
      .poll(
        async () => {
          const latest = await get<{ items: Array<{ tag: string; ts: number }> }>(
            token,
            `/api/v1/enterprises/${E1}/latest`,
          );
          return latest.items.filter((r) => Date.now() - r.ts < 15_000).length;
        },
        { timeout: 30_000, interval: 500 },
      )
      .toBeGreaterThanOrEqual(5);
    expect(demo.plant!.collector.forwarder.stats().acknowledged).toBeGreaterThan(0);
    // The loop's first incident (20 s in): the oxygen analyser saturates → OUT_OF_RANGE, blue.
    await expect
      .poll(
        async () =>
          (
            await get<{ items: Array<{ condition: string; colour: string }> }>(token, '/api/v1/alarms/active')
          ).items.some((a) => a.condition === 'OUT_OF_RANGE' && a.colour === 'blue'),
        { timeout: 60_000, interval: 1000 },
      )
      .toBe(true);
  });
});
