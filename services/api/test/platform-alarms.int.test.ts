import { afterEach, describe, expect, it } from 'vitest';
import type { DegradedJob } from '@hazardwatch/contracts';
import type { AlarmRecord } from '@hazardwatch/core';
import { AlarmRepository } from '@hazardwatch/store';
import { buildTestApi, type TestApi, type TestUser } from './support/api-fixture.js';

const NOW = Date.now();

/** JOB_FAILED on the compression job, as the ingest's alarm engine stores it. */
const platformAlarm: AlarmRecord = {
  id: 'platform-compression',
  source: { kind: 'platform', component: 'timescaledb', name: 'compression:readings' },
  sourceKey: 'platform:timescaledb/compression:readings',
  condition: 'JOB_FAILED',
  state: 'UNACK',
  active: true,
  latched: false,
  colour: 'blue',
  raisedAt: NOW - 60_000,
  stateSinceMs: NOW - 60_000,
  lastActivationMs: NOW - 60_000,
  ackedAt: null,
  ackedBy: null,
  value: null,
  limit: null,
  shelvedUntilMs: null,
  shelveReason: null,
  suppressReason: null,
  suppressedBy: null,
  outOfServiceReason: null,
  chattering: false,
};

const failing: DegradedJob = {
  job: 'compression:readings',
  verdict: 'failing',
  jobId: 1001,
  lastRunStatus: 'Failed',
  lastSuccessAt: null,
  staleAt: NOW + 86_400_000,
};

/**
 * Issue #20: the platform's own alarms (a TimescaleDB job) have no enterprise. They must reach an
 * administrator and nobody else; and /readyz beside an ingest says degraded without going unready.
 */
describe('platform alarms and degraded readiness through the API', () => {
  let api: TestApi | undefined;
  afterEach(async () => {
    await api?.close();
    api = undefined;
  });

  it('/readyz stays 200 and ready, and says degraded with the jobs an ingest in this process reports', async () => {
    let jobs: DegradedJob[] = [];
    api = await buildTestApi({ deps: { degradedJobs: () => jobs } });
    const ok = await api.app.inject({ method: 'GET', url: '/readyz' });
    expect([ok.statusCode, ok.json()]).toEqual([
      200,
      { ready: true, checks: { database: true }, status: 'ok', jobs: [] },
    ]);
    jobs = [failing];
    const degraded = await api.app.inject({ method: 'GET', url: '/readyz' });
    expect([degraded.statusCode, degraded.json()]).toEqual([
      200,
      { ready: true, checks: { database: true }, status: 'degraded', jobs: [failing] },
    ]);
    // PostgreSQL 15.20: a job that reports the known clash with its effect met is listed, with the
    // error, but alone leaves the status ok; beside a failing one it is degraded.
    const effective: DegradedJob = {
      ...failing,
      job: 'retention:readings',
      verdict: 'effective',
      jobId: 1000,
      error: 'cannot drop portal "" while it is being set up',
      effectMet: true,
    };
    jobs = [effective];
    const listed = await api.app.inject({ method: 'GET', url: '/readyz' });
    expect([listed.statusCode, listed.json()]).toEqual([
      200,
      { ready: true, checks: { database: true }, status: 'ok', jobs: [effective] },
    ]);
    jobs = [effective, failing];
    expect((await api.app.inject({ method: 'GET', url: '/readyz' })).json()).toMatchObject({
      status: 'degraded',
    });
  });

  it('lists and shows a platform alarm to an administrator only', async () => {
    api = await buildTestApi();
    await new AlarmRepository(api.client).write({ alarms: [platformAlarm], events: [], colourChanges: [] });
    const active = async (user: TestUser) =>
      (await api!.app.inject({ method: 'GET', url: '/api/v1/alarms/active', headers: api!.auth(user) }))
        .json<{
          items: Array<{ id: string; condition: string; tag: string | null; enterprise: string | null }>;
        }>()
        .items.filter((a) => a.id === platformAlarm.id);
    expect(await active('admin')).toMatchObject([
      { condition: 'JOB_FAILED', tag: 'timescaledb/compression:readings', enterprise: null },
    ]);
    for (const user of ['opE1', 'smE1', 'regProvince', 'viewerCounty'] as const) {
      expect(await active(user)).toEqual([]);
      const one = await api.app.inject({
        method: 'GET',
        url: `/api/v1/alarms/${platformAlarm.id}`,
        headers: api.auth(user),
      });
      expect(one.statusCode).toBe(403);
    }
    const asAdmin = await api.app.inject({
      method: 'GET',
      url: `/api/v1/alarms/${platformAlarm.id}`,
      headers: api.auth('admin'),
    });
    expect([asAdmin.statusCode, asAdmin.json<{ condition: string }>().condition]).toEqual([
      200,
      'JOB_FAILED',
    ]);
  });
});
