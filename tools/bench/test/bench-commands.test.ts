import { PassThrough } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { BENCH_USAGE, runBench } from '../src/commands.js';

/** Runs the benchmarks' command line as main.ts does, with nothing configured. */
async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (c: Buffer) => out.push(c));
  stderr.on('data', (c: Buffer) => err.push(c));
  const code = await runBench(argv[0], argv, { env: {}, logger: pino({ level: 'silent' }), stdout, stderr });
  return { code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() };
}

/** Every benchmark runBench dispatches. */
const BENCHMARKS = [
  'ingest',
  'latency',
  'fleet',
  'fanout',
  'edge',
  'evaluate',
  'dashboard-load',
  'storage',
  'failover',
];

describe('bench command line', () => {
  it('--help anywhere prints the usage and exits 0', async () => {
    for (const argv of [['--help'], ['latency', '--help'], ['help'], []]) {
      const result = await run(argv);
      expect(result.code, argv.join(' ')).toBe(0);
      expect(result.stdout).toBe(`${BENCH_USAGE}\n`);
      expect(result.stderr).toBe('');
    }
  });

  it('the usage lists every benchmark runBench dispatches, and only those', async () => {
    const listed = BENCH_USAGE.split('\n')
      .map((line) => /^ {2}([a-z][a-z-]*) /.exec(line)?.[1])
      .filter((word) => word !== undefined);
    expect([...listed].sort()).toEqual([...BENCHMARKS].sort());
    for (const name of BENCHMARKS) {
      // Dispatched: an unknown option is its own usage problem, never the bare usage.
      const result = await run([name, '--no-such-option']);
      expect(result.code, name).toBe(2);
      expect(result.stderr, name).toContain("bench: Unknown option '--no-such-option'");
    }
  });

  it.each([
    [['latency', '--hlep'], "Unknown option '--hlep'"],
    [['latency', '--load', 'abc'], "--load must be a whole number ≥ 0, not 'abc'"],
    [['latency', '--samples', '0'], "--samples must be a whole number ≥ 1, not '0'"],
    [['latency', '--generator', 'fast'], "--generator must be paced or fleet, not 'fast'"],
    [['fanout', '--clients', '1.5'], "--clients must be a whole number ≥ 1, not '1.5'"],
    [['ingest', '--duration', ''], "--duration must be a whole number from 1 to 86400, not ''"],
    [['edge', '--outage=-5'], "--outage must be a whole number ≥ 0, not '-5'"],
    [['edge', '--outage', '-5'], "Option '--outage' argument is ambiguous"],
    [['fleet', '--points', 'many'], "--points must be a whole number ≥ 1, not 'many'"],
    [['evaluate', '--readings', '1e999'], "--readings must be a whole number ≥ 1, not '1e999'"],
    [
      ['ingest', '--service', '--mqtt-version', '3'],
      "--mqtt-version must be a whole number from 4 to 5, not '3'",
    ],
    [['fleet', '--duration', '86401'], "--duration must be a whole number from 1 to 86400, not '86401'"],
    [['ingest', '--duration', '3000000'], '--duration must be a whole number from 1 to 86400'],
    [['failover', '--kills', '0'], "--kills must be a whole number from 1 to 500, not '0'"],
    [['failover', '--rate', '0'], "--rate must be a whole number ≥ 1, not '0'"],
    [['failover', '--margin-ms', 'x'], "--margin-ms must be a whole number ≥ 0, not 'x'"],
  ])('%j is refused with a clear message and the usage, exit 2, nothing started', async (argv, message) => {
    const result = await run(argv);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`bench: ${message}`);
    expect(result.stderr).toContain('usage: npm run bench --');
    expect(result.stdout).toBe('');
  });

  it('an unknown benchmark prints the usage and exits 2', async () => {
    const result = await run(['frobnicate']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe(`${BENCH_USAGE}\n`);
  });

  it('a valid benchmark still runs and prints one JSON line last (evaluate, tiny)', async () => {
    const result = await run(['evaluate', '--json', '--points', '20', '--readings', '2000']);
    expect(result.code).toBe(0);
    const last = result.stdout.trim().split('\n').at(-1)!;
    expect(JSON.parse(last)).toMatchObject({ points: 20 });
  });
});
