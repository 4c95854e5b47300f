import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { providedServices } from '@hazardwatch/testkit';

const run = promisify(execFile);
const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));

/**
 * `bench ingest --service` is where the sustained ingest maximum comes from (and the latency
 * benchmark's load from that): its figure is only worth something if every reading it counts is
 * in the database, rolled up, and raised no alarm. A short run of the built bench entry checks it.
 */
describe('bench ingest --service', () => {
  it('lands every published reading, rolls them up, raises no alarm, and prints one JSON line last', async () => {
    const { postgresAdminUrl, mqttUrl, mqttKind } = providedServices();
    const { stdout } = await run(
      process.execPath,
      [
        MAIN,
        'ingest',
        '--service',
        '--json',
        '--duration',
        '8',
        '--points',
        '400',
        '--per-message',
        '50',
        '--mqtt-version',
        mqttKind === 'embedded' ? '4' : '5',
      ],
      {
        env: { ...process.env, DATABASE_URL: postgresAdminUrl, MQTT_URL: mqttUrl, LOG_LEVEL: 'warn' },
        timeout: 120_000,
      },
    );
    const last = stdout.trim().split('\n').at(-1)!;
    const result = JSON.parse(last) as Record<string, number | string>;
    expect(result['mode']).toBe('service');
    expect(result['readingsPublished']).toBeGreaterThan(10_000);
    expect(result['rowsVerified']).toBe(result['readingsPublished']);
    expect(result['readingsPerSec']).toBeGreaterThan(0);
    // 400 points, each reporting in at least one minute (two if the run crossed a minute boundary).
    expect(result['rollupMinuteRows']).toBeGreaterThanOrEqual(400);
    expect(result['rollupMinuteRows']).toBeLessThanOrEqual(800);
    expect(result['rollupMismatches']).toBe(0);
    expect(result['alarmsOpen']).toBe(0);
  }, 150_000);
});
