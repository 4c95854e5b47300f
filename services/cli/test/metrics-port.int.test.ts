import { createServer, type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, providedServices, type TestDatabase } from '@hazardwatch/testkit';
import { LiveValueTap } from '@hazardwatch/ingest';
import {
  ensureUsers,
  loadRuntimeConfig,
  startApiBeside,
  startApiService,
  startIngestService,
} from 'hazardwatch';

const logger = pino({ level: 'silent' });
const EXAMPLE = fileURLToPath(new URL('../../core/examples/site.example.yaml', import.meta.url));
const PASSWORD = 'metrics-test-password';
const SECRET = 'a-test-secret-that-is-at-least-32-chars';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** The families the public /metrics carried before issue 17 item 4, now on the health port only. */
const API_FAMILIES = [
  'hazardwatch_http_request_duration_seconds',
  'hazardwatch_active_alarms',
  'hazardwatch_mqtt_auth_failures_total',
  'hazardwatch_mqtt_denied_total',
  'nodejs_version_info',
];

/**
 * Issue 17 item 4: anonymous GET /metrics on the API port listed every enterprise code, gateway
 * reading counts, open alarms by colour, login counts and the Node version. The API port now
 * answers 404 to anyone; the internal health server (HW_HEALTH_PORT, 127.0.0.1 by default) carries
 * the API's metrics beside the ingest's, in `serve` (and the demo) and in a separate `api`.
 */
describe('metrics on the internal health port only', () => {
  const { postgresAdminUrl } = providedServices();
  let db: TestDatabase;
  const running: Array<{ close(): Promise<void> }> = [];

  beforeEach(async () => {
    db = await createTestDatabase(postgresAdminUrl);
  });
  afterEach(async () => {
    for (const r of running.splice(0).reverse()) await r.close();
    await db.drop();
  });

  const get = async (url: string, token?: string) => {
    const res = await fetch(url, token ? { headers: { authorization: `Bearer ${token}` } } : {});
    return { status: res.status, text: await res.text() };
  };
  const login = async (apiPort: number): Promise<string> => {
    const res = await fetch(`http://127.0.0.1:${apiPort}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: PASSWORD }),
    });
    expect(res.status).toBe(200);
    return ((await res.json()) as { accessToken: string }).accessToken;
  };

  it('serve: the API port answers 404; the health port has the API and ingest families', async () => {
    const healthPort = await freePort();
    const config = loadRuntimeConfig({
      DATABASE_URL: db.url,
      HW_MQTT_EMBEDDED_PORT: '0',
      HW_SITE_FILE: EXAMPLE,
      HW_HEALTH_PORT: String(healthPort),
      HW_JWT_SECRET: SECRET,
    });
    const tap = new LiveValueTap();
    const service = await startIngestService(config, logger, { observers: [tap] });
    running.push(service);
    const api = await startApiBeside(service, config, logger, 0, tap);
    running.push(api);
    await ensureUsers(service, [{ username: 'admin', password: PASSWORD, role: 'admin' }]);
    const token = await login(api.port);

    expect((await get(`http://127.0.0.1:${api.port}/metrics`)).status).toBe(404);
    const asAdmin = await get(`http://127.0.0.1:${api.port}/metrics`, token);
    expect(asAdmin.status).toBe(404);
    expect(asAdmin.text).not.toContain('hw_ingest_');

    const health = await get(`http://127.0.0.1:${healthPort}/metrics`);
    expect(health.status).toBe(200);
    for (const family of [...API_FAMILIES, 'hw_ingest_messages_total']) expect(health.text).toContain(family);
    // The login just made is counted there.
    expect(health.text).toMatch(
      /hazardwatch_http_request_duration_seconds_count\{method="POST",route="\/api\/v1\/auth\/login",status="200"\} 1/,
    );
    // Each family once: the API's text is not appended twice.
    expect(health.text.match(/^# TYPE hw_ingest_messages_total /gm)).toHaveLength(1);
    expect(health.text.match(/^# TYPE hazardwatch_active_alarms /gm)).toHaveLength(1);
    expect(service.health?.host).toBe('127.0.0.1');

    // Once the API has closed, its families leave the health port (the ingest goes on).
    running.splice(running.indexOf(api), 1);
    await api.close();
    const after = await get(`http://127.0.0.1:${healthPort}/metrics`);
    expect(after.text).toContain('hw_ingest_messages_total');
    expect(after.text).not.toContain('hazardwatch_active_alarms');
  });

  it('api: the separate API process serves its metrics and readiness on its own health port', async () => {
    const healthPort = await freePort();
    // A site and an admin, as an ingest worker and `hazardwatch user create` would leave them.
    const seed = await startIngestService(
      loadRuntimeConfig({
        DATABASE_URL: db.url,
        HW_MQTT_EMBEDDED_PORT: '0',
        HW_SITE_FILE: EXAMPLE,
        HW_HEALTH_PORT: '0',
      }),
      logger,
    );
    await ensureUsers(seed, [{ username: 'admin', password: PASSWORD, role: 'admin' }]);
    await seed.close();

    const api = await startApiService(
      loadRuntimeConfig({ DATABASE_URL: db.url, HW_HEALTH_PORT: String(healthPort), HW_JWT_SECRET: SECRET }),
      logger,
      { port: 0 },
    );
    running.push(api);
    const token = await login(api.port);
    expect((await get(`http://127.0.0.1:${api.port}/metrics`)).status).toBe(404);
    expect((await get(`http://127.0.0.1:${api.port}/metrics`, token)).status).toBe(404);

    const health = await get(`http://127.0.0.1:${healthPort}/metrics`);
    expect(health.status).toBe(200);
    for (const family of API_FAMILIES) expect(health.text).toContain(family);
    expect(health.text).toMatch(/route="\/api\/v1\/auth\/login",status="200"\} 1/);
    expect((await get(`http://127.0.0.1:${healthPort}/healthz`)).status).toBe(200);
    const ready = await get(`http://127.0.0.1:${healthPort}/readyz`);
    expect([ready.status, JSON.parse(ready.text)]).toMatchObject([200, { ready: true, database: true }]);
  });
});
