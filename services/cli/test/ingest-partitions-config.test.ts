import { describe, expect, it } from 'vitest';
import { FLEET_FILTERS, topicFilter } from '@hazardwatch/contracts';
import { IngestConfigSchema, leasedWorkerId, type IngestConfig } from '@hazardwatch/ingest';
import { parseConfig } from '@hazardwatch/kit';
import { pino } from 'pino';
import {
  ConfigError,
  loadRuntimeConfig,
  partitionProblems,
  startIngestService,
  workerMode,
} from 'hazardwatch';

// `ingest.partitions` (docs/operations.md §5.1): declared once, defaults documented, bad keys
// named, and what the schema alone cannot say checked before a worker starts.

function ingest(partitions: unknown, subscriptions: readonly string[] = FLEET_FILTERS) {
  return parseConfig(
    IngestConfigSchema,
    { mqtt: { url: 'mqtt://127.0.0.1:1883', subscriptions }, partitions },
    { path: 'ingest' },
  );
}

function settings(partitions: unknown, subscriptions?: readonly string[]): IngestConfig {
  const parsed = ingest(partitions, subscriptions);
  if (!parsed.ok) throw new Error(parsed.errors.join('; '));
  return parsed.value;
}

describe('what hazardwatch ingest runs (workerMode)', () => {
  // Issue #23: workers started with nothing but the database and broker URLs share the partitions.
  const env = { DATABASE_URL: 'postgres://db/hw', MQTT_URL: 'mqtt://broker:1883' };
  it('a worker with nothing but the database and broker is leased', () => {
    expect(workerMode(loadRuntimeConfig(env))).toBe('leased');
    expect(workerMode(loadRuntimeConfig({ ...env, HW_INGEST_CLIENT_ID: 'hw-fleet' }))).toBe('leased');
  });
  it('HW_INGEST_PARTITIONS decides when set', () => {
    expect(workerMode(loadRuntimeConfig({ ...env, HW_INGEST_PARTITIONS: 'single' }))).toBe('single');
    expect(workerMode(loadRuntimeConfig({ ...env, HW_INGEST_PARTITIONS: 'leased' }))).toBe('leased');
  });
  it('a pinned worker (HW_INGEST_ENTERPRISES) is single; a pin beside leased is refused at start', () => {
    const pinned = { ...env, HW_INGEST_ENTERPRISES: '91320623MA1W000001' };
    expect(workerMode(loadRuntimeConfig(pinned))).toBe('single');
    expect(workerMode(loadRuntimeConfig({ ...pinned, HW_INGEST_PARTITIONS: 'leased' }))).toBe('leased');
  });
});

describe('ingest.partitions', () => {
  it('defaults to the single worker, with a 4 s lease, 1 s heartbeat and 0.5 s margin for leased mode', () => {
    expect(settings(undefined).partitions).toEqual({
      mode: 'single',
      leaseMs: 4000,
      heartbeatMs: 1000,
      marginMs: 500,
      pruneWorkersAfterMs: 3_600_000,
    });
    expect(partitionProblems(settings({ mode: 'leased' }))).toEqual([]);
  });

  it('is set from the environment (HW_INGEST_PARTITIONS, HW_INGEST_LEASE_MS, …)', () => {
    const config = loadRuntimeConfig({
      HW_INGEST_PARTITIONS: 'leased',
      HW_INGEST_LEASE_MS: '2000',
      HW_INGEST_HEARTBEAT_MS: '300',
      HW_INGEST_LEASE_MARGIN_MS: '400',
      HW_INGEST_WORKER_ID: 'ingest-a',
    });
    expect(config.ingest?.['partitions']).toEqual({
      mode: 'leased',
      leaseMs: 2000,
      heartbeatMs: 300,
      marginMs: 400,
      workerId: 'ingest-a',
    });
  });

  it('names a bad key or value', () => {
    const typo = ingest({ mode: 'leased', leasMs: 2000 });
    expect(typo.ok).toBe(false);
    if (!typo.ok) expect(typo.errors.join('\n')).toContain('ingest.partitions.leasMs');
    const mode = ingest({ mode: 'sharded' });
    expect(mode.ok).toBe(false);
    if (!mode.ok) expect(mode.errors.join('\n')).toContain('ingest.partitions.mode');
    const id = ingest({ workerId: 'host a/1' });
    expect(id.ok).toBe(false);
    if (!id.ok) expect(id.errors.join('\n')).toContain('ingest.partitions.workerId');
  });

  it('refuses timings where one missed heartbeat could cost a lease, naming the key', () => {
    expect(
      partitionProblems(settings({ mode: 'leased', leaseMs: 2000, heartbeatMs: 900, marginMs: 400 })),
    ).toEqual([expect.stringContaining('ingest.partitions.heartbeatMs')]);
    expect(
      partitionProblems(settings({ mode: 'leased', leaseMs: 2000, heartbeatMs: 300, marginMs: 2000 })),
    ).toEqual([expect.stringContaining('ingest.partitions.marginMs')]);
    // The single worker takes no leases: its timings are not judged.
    expect(partitionProblems(settings({ mode: 'single', leaseMs: 2000, heartbeatMs: 1500 }))).toEqual([]);
  });

  it('refuses a pinned worker (HW_INGEST_ENTERPRISES) in leased mode', () => {
    const pinned = [topicFilter('telemetry', 'E1'), topicFilter('status', 'E1')];
    expect(partitionProblems(settings({ mode: 'leased' }, pinned))).toEqual([
      expect.stringContaining('HW_INGEST_ENTERPRISES'),
    ]);
    expect(partitionProblems(settings({ mode: 'single' }, pinned))).toEqual([]);
  });

  it('runs leased only as `hazardwatch ingest`: serve and the demo (one alarm engine) refuse it before starting anything', async () => {
    const config = loadRuntimeConfig({ HW_INGEST_PARTITIONS: 'leased' });
    const started = startIngestService(config, pino({ level: 'silent' }));
    await expect(started).rejects.toBeInstanceOf(ConfigError);
    await expect(started).rejects.toMatchObject({
      problems: [expect.stringContaining('ingest.partitions.mode')],
    });
  });

  it('gives every start its own worker id under the configured name', () => {
    const a = leasedWorkerId('ingest-a');
    const b = leasedWorkerId('ingest-a');
    expect(a).toMatch(/^ingest-a-[0-9a-f]{8}$/);
    expect(b).not.toBe(a);
    expect(leasedWorkerId(undefined)).toMatch(/^[A-Za-z0-9._-]+-[0-9a-f]{8}$/);
  });
});
