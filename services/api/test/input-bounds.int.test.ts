import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApi, E1, type TestApi } from './support/api-fixture.js';

/**
 * Issue 17 item 6: numbers out of range answered 500 (PostgreSQL refused them) or were taken
 * as given. Every numeric parameter is bounded in its schema — ids, offsets, limits, times within
 * 0…8.64e15 ms (ECMAScript's time range) — and ranges must run forwards: each row answers 400.
 */
interface Case {
  readonly method?: 'GET' | 'POST' | 'PATCH';
  readonly url: string;
  readonly body?: Record<string, unknown>;
  readonly code: string;
  /** Words the message must contain, where the reason matters. */
  readonly says?: string;
}

const T0 = 1772400000000;
const T1 = 1772440000000;
const range = `from=${T0}&to=${T1}`;

const REFUSED: Record<string, Case> = {
  'a user id that is not a UUID': {
    method: 'PATCH',
    url: "/api/v1/users/abc'--",
    body: { disabled: true },
    code: 'HW_API_VALIDATION',
  },
  'a user list offset of 1e20': { url: '/api/v1/users?offset=1e20', code: 'HW_API_VALIDATION' },
  'an alarm list offset of 1e20': { url: '/api/v1/alarms?offset=1e20', code: 'HW_API_VALIDATION' },
  'an active-alarm offset of 1e20': { url: '/api/v1/alarms/active?offset=1e20', code: 'HW_API_VALIDATION' },
  'a 预警 offset of 1e20': { url: '/api/v1/warnings?offset=1e20', code: 'HW_API_VALIDATION' },
  'an audit offset of 1e20': { url: '/api/v1/audit?offset=1e20', code: 'HW_API_VALIDATION' },
  'an enterprise offset of 1e20': { url: '/api/v1/enterprises?offset=1e20', code: 'HW_API_VALIDATION' },
  'a hazard offset of 1e20': { url: '/api/v1/hazards?offset=1e20', code: 'HW_API_VALIDATION' },
  'a point list offset of 1e20': { url: '/api/v1/points?offset=1e20', code: 'HW_API_VALIDATION' },
  'history to=1e16': { url: `/api/v1/points/1/history?from=${T0}&to=1e16`, code: 'HW_API_VALIDATION' },
  'history from=1e16 of several points': {
    url: `/api/v1/history?points=1&from=1e16&to=2e16`,
    code: 'HW_API_VALIDATION',
  },
  'a point id past int4 in history': {
    url: `/api/v1/history?points=9999999999&${range}`,
    code: 'HW_API_VALIDATION',
  },
  'a point id of 1e20': { url: '/api/v1/points/1e20', code: 'HW_API_VALIDATION' },
  'a point id of 1e20 (latest)': { url: '/api/v1/points/1e20/latest', code: 'HW_API_VALIDATION' },
  'a point id past int4 (patch)': {
    method: 'PATCH',
    url: '/api/v1/points/4294967296',
    body: { name: 'x' },
    code: 'HW_API_VALIDATION',
  },
  'audit from=1e20': { url: '/api/v1/audit?from=1e20', code: 'HW_API_VALIDATION' },
  'audit reversed': { url: `/api/v1/audit?from=${T1}&to=${T0}`, code: 'HW_API_RANGE_INVALID' },
  '预警 to=1e20': { url: '/api/v1/warnings?to=1e20', code: 'HW_API_VALIDATION' },
  '预警 reversed': { url: `/api/v1/warnings?open=false&from=${T1}&to=${T0}`, code: 'HW_API_RANGE_INVALID' },
  'alarms from=1e20': { url: '/api/v1/alarms?from=1e20', code: 'HW_API_VALIDATION' },
  'KPIs to=1e20': { url: `/api/v1/enterprises/${E1}/kpis?from=${T0}&to=1e20`, code: 'HW_API_VALIDATION' },
  'KPIs over more than 92 days (from=0)': {
    url: `/api/v1/enterprises/${E1}/kpis?from=0&to=${T1}`,
    code: 'HW_API_RANGE_TOO_LONG',
    says: '92 days',
  },
  'a shelve expiry of 1e20': {
    method: 'POST',
    url: '/api/v1/alarms/alarm-e1/shelve',
    body: { reason: 'recalibration', until: 1e20 },
    code: 'HW_API_VALIDATION',
  },
};

/** The largest values allowed still answer 2xx (no 500 at the edges). */
const EDGES: Record<string, string> = {
  'history up to 8.64e15': `/api/v1/points/1/history?from=0&to=8640000000000000`,
  'alarms up to 8.64e15': `/api/v1/alarms?from=0&to=8640000000000000`,
  '预警 up to 8.64e15': `/api/v1/warnings?open=false&from=0&to=8640000000000000`,
  'audit up to 8.64e15': `/api/v1/audit?from=0&to=8640000000000000`,
  'the largest offset': `/api/v1/alarms?offset=2147483647`,
  'KPIs over 92 days exactly': `/api/v1/enterprises/${E1}/kpis?from=${T1 - 92 * 86_400_000}&to=${T1}`,
};

describe('numeric parameters are bounded (issue 17 item 6)', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await buildTestApi();
  });
  afterAll(() => api.close());

  it.each(Object.entries(REFUSED))('refuses %s with 400', async (_name, c) => {
    const res = await api.app.inject({
      method: c.method ?? 'GET',
      url: c.url,
      headers: api.auth('admin'),
      ...(c.body ? { payload: c.body } : {}),
    });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json()).toMatchObject({ code: c.code });
    if (c.says !== undefined) expect(res.json<{ message: string }>().message).toContain(c.says);
  });

  it.each(Object.entries(EDGES))('accepts %s', async (_name, url) => {
    const res = await api.app.inject({ method: 'GET', url, headers: api.auth('admin') });
    expect(res.statusCode, res.body).toBe(200);
  });
});
