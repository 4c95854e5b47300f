import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApi, type TestApi } from './support/api-fixture.js';

describe('dashboard files and CORS', () => {
  let api: TestApi;
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hw-dashboard-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>HazardWatch 控制室</title>');
    writeFileSync(join(dir, 'assets', 'app-abc123.js'), 'console.log(1)');
    api = await buildTestApi({
      deps: { dashboardDir: dir },
      config: { corsOrigins: ['https://screen.example.gov.cn'] },
    });
  });
  afterAll(() => api.close());

  it('serves the app shell without a token and never cached; bundles cached for good', async () => {
    const index = await api.app.inject({ method: 'GET', url: '/' });
    expect(index.statusCode).toBe(200);
    expect(index.headers['content-type']).toMatch(/text\/html/);
    expect(index.headers['cache-control']).toBe('no-cache');
    expect(index.body).toContain('控制室');
    const bundle = await api.app.inject({ method: 'GET', url: '/assets/app-abc123.js' });
    expect(bundle.statusCode).toBe(200);
    expect(bundle.headers['cache-control']).toContain('immutable');
    expect((await api.app.inject({ method: 'GET', url: '/assets/../../etc/passwd' })).statusCode).toBe(404);
    expect((await api.app.inject({ method: 'GET', url: '/assets/missing.js' })).statusCode).toBe(404);
  });

  it('answers CORS pre-flights for configured origins only', async () => {
    const preflight = (origin: string) =>
      api.app.inject({
        method: 'OPTIONS',
        url: '/api/v1/alarms/active',
        headers: {
          origin,
          'access-control-request-method': 'GET',
          'access-control-request-headers': 'authorization',
        },
      });
    const allowed = await preflight('https://screen.example.gov.cn');
    expect(allowed.statusCode).toBe(204);
    expect(allowed.headers['access-control-allow-origin']).toBe('https://screen.example.gov.cn');
    const other = await preflight('https://evil.example.com');
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    const get = await api.app.inject({
      method: 'GET',
      url: '/api/v1/alarms/active',
      headers: { origin: 'https://screen.example.gov.cn', ...api.auth('admin') },
    });
    expect(get.statusCode).toBe(200);
    expect(get.headers['access-control-allow-origin']).toBe('https://screen.example.gov.cn');
  });
});
