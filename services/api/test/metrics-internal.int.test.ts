import { afterEach, describe, expect, it } from 'vitest';
import { buildTestApi, type TestApi } from './support/api-fixture.js';

/**
 * Issue 17 item 4: anonymous GET /metrics on the public port listed every enterprise code,
 * per-gateway reading counts, open alarms by colour across every scope, login counts and the Node
 * version. The API's metrics are now handed to the process (`app.metrics`), which serves them on
 * its internal health port; the public port has no /metrics for anyone.
 */
describe('metrics are not on the public port', () => {
  let api: TestApi | undefined;
  afterEach(async () => {
    await api?.close();
    api = undefined;
  });

  it('answers 404 on /metrics to anonymous callers and to any user, admin included', async () => {
    api = await buildTestApi();
    const anonymous = await api.app.inject({ method: 'GET', url: '/metrics' });
    expect(anonymous.statusCode).toBe(404);
    expect(anonymous.body).not.toContain('hazardwatch_');
    for (const user of ['admin', 'regCity', 'opE1'] as const) {
      const res = await api.app.inject({ method: 'GET', url: '/metrics', headers: api.auth(user) });
      expect([user, res.statusCode]).toEqual([user, 404]);
      expect(res.body).not.toContain('hazardwatch_');
    }
  });

  it('hands the families that were on the public port to the process (app.metrics.text)', async () => {
    api = await buildTestApi({
      deps: { metricsText: () => '# HELP ingest_x x\n# TYPE ingest_x counter\ningest_x 1\n' },
    });
    // Login counts (the fixture logs every test user in) are among them.
    const text = await api.app.metrics.text();
    expect(text).toMatch(
      /^hazardwatch_http_request_duration_seconds_count\{method="POST",route="\/api\/v1\/auth\/login",status="200"\} [1-9]/m,
    );
    expect(text).toContain('hazardwatch_active_alarms{colour="red"} 2');
    expect(text).toMatch(/^hazardwatch_mqtt_auth_failures_total\{reason="wrong_secret"\} 0$/m);
    expect(text).toMatch(/^hazardwatch_mqtt_denied_total\{action="publish"\} 0$/m);
    expect(text).toContain('ingest_x 1');
  });
});
