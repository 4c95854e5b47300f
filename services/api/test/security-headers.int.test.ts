import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApi, type TestApi } from './support/api-fixture.js';

/**
 * Issue 17 item 8: every answer carries the security headers — API JSON, errors, the docs — and
 * only Swagger UI's pages allow inline styles (it sets one). The dashboard itself is checked in
 * a real browser (dashboards/control-room/test/e2e.int.test.ts).
 */
const PAGES: Record<string, { url: string; token?: boolean; inlineStyles: boolean }> = {
  'an API answer': { url: '/api/v1/enterprises', token: true, inlineStyles: false },
  'a 401': { url: '/api/v1/enterprises', inlineStyles: false },
  'a 404': { url: '/api/v1/nothing', inlineStyles: false },
  liveness: { url: '/healthz', inlineStyles: false },
  'the OpenAPI document': { url: '/docs/json', inlineStyles: true },
  'Swagger UI': { url: '/docs/static/index.html', inlineStyles: true },
};

describe('security headers on every answer (issue 17 item 8)', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await buildTestApi();
  });
  afterAll(() => api.close());

  it.each(Object.entries(PAGES))('%s', async (_name, page) => {
    const res = await api.app.inject({
      method: 'GET',
      url: page.url,
      headers: page.token ? api.auth('admin') : {},
    });
    const csp = String(res.headers['content-security-policy'] ?? '');
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self';");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp.includes("style-src 'self' 'unsafe-inline'"), csp).toBe(page.inlineStyles);
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['strict-transport-security']).toBeUndefined();
  });
});
