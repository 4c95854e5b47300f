import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { providedServices } from '@hazardwatch/testkit';

const run = promisify(execFile);
const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));

interface Round {
  victim: string;
  killToAlarmMs: number | null;
  takeoverMs: number | null;
  newOwner: string | null;
  epochBefore: number;
  epochAfter: number | null;
}

/**
 * `bench failover` (issue #23) is where the kill → first-alarm figures come from: a short run of
 * the built bench entry (two kills, a low rate, 2 s leases) against the real PostgreSQL and
 * Mosquitto checks that its rounds are what they claim — a probe raised by a worker other than the
 * killed one, at a higher epoch — and that its accounting finds nothing lost and nothing twice.
 */
describe('bench failover', () => {
  it('kills twice, each probe alarm raised by the new owner, nothing lost or raised twice, one JSON line last', async () => {
    const { postgresAdminUrl, mqttUrl } = providedServices();
    const { stdout } = await run(
      process.execPath,
      [
        MAIN,
        'failover',
        '--json',
        '--kills',
        '2',
        '--rate',
        '500',
        '--points',
        '500',
        '--enterprises',
        '16',
        '--lease-ms',
        '2000',
        '--heartbeat-ms',
        '300',
        '--margin-ms',
        '400',
      ],
      {
        env: { ...process.env, DATABASE_URL: postgresAdminUrl, MQTT_URL: mqttUrl, LOG_LEVEL: 'warn' },
        timeout: 120_000,
      },
    );
    const last = stdout.trim().split('\n').at(-1)!;
    const result = JSON.parse(last) as Record<string, unknown>;
    expect(result['bench']).toBe('failover');
    expect(result['kills']).toBe(2);
    expect(result['missedAlarms']).toBe(0);
    expect(result['readingsAcked']).toBeGreaterThan(1_000);
    expect(result['readingsLost']).toBe(0);
    expect(result['duplicateAlarms']).toBe(0);
    // Known defect (issue #23, docs/operations.md §5.1): a takeover can raise GATEWAY_OFFLINE for a
    // gateway that is reporting (two of the bench site's gateways, every run since 6 Dec 2026 here).
    // Counted and named by the bench; any other condition raised besides the probes still fails.
    const others = result['otherAlarmsByCondition'] as Record<string, number>;
    expect(Object.keys(others).filter((c) => c !== 'GATEWAY_OFFLINE')).toEqual([]);
    expect(result['otherAlarmsRaised']).toBe(others['GATEWAY_OFFLINE'] ?? 0);
    expect(result['leaseMs']).toBe(2000);
    const rounds = result['rounds'] as Round[];
    expect(rounds).toHaveLength(2);
    for (const r of rounds) {
      expect(r.killToAlarmMs).toBeGreaterThan(0);
      // The new owner acquired the partition after the kill and before it raised the probe.
      expect(r.takeoverMs).toBeGreaterThan(0);
      expect(r.takeoverMs).toBeLessThanOrEqual(r.killToAlarmMs!);
      expect(r.newOwner).not.toBeNull();
      expect(r.newOwner).not.toBe(r.victim);
      expect(r.epochAfter).toBeGreaterThan(r.epochBefore);
    }
    expect(result['p99Ms']).toBe(Math.max(...rounds.map((r) => r.killToAlarmMs!)));
  }, 150_000);
});
