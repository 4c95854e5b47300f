import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listShippedScenarios } from '@hazardwatch/simulators';
import { cliErrors, runCommand } from 'hazardwatch';
import { numberOption } from '../src/command-args.js';

/** Runs the command line as main.ts does, with nothing configured, and collects what it says. */
async function run(
  argv: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (c: Buffer) => out.push(c));
  stderr.on('data', (c: Buffer) => err.push(c));
  const positionals = argv.filter((a, i) => !a.startsWith('-') && !(argv[i - 1] ?? '').startsWith('--'));
  const code = await runCommand(positionals, argv, {
    env,
    logger: pino({ level: 'silent' }),
    stdout,
    stderr,
    stopSignal: new Promise(() => undefined),
  });
  return { code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() };
}

/** Every command line runCommand dispatches (commands.ts, with the edge, user and sim dispatchers). */
const DISPATCHED = [
  'demo',
  'migrate',
  'ingest',
  'serve',
  'api',
  'edge',
  'edge trust-server',
  'user create',
  'alarms kpi',
  'sim generate-site',
  'sim run',
  'sim verify',
  'site check',
  'site schema',
  'tls dev-ca',
];

describe('command line', () => {
  it('--help anywhere prints the usage and exits 0', async () => {
    for (const argv of [['--help'], ['-h'], ['sim', 'run', '--help'], ['help'], []]) {
      const result = await run(argv);
      expect(result.code, argv.join(' ')).toBe(0);
      expect(result.stdout).toContain('usage: hazardwatch <command>');
      expect(result.stderr).toBe('');
    }
  });

  it('the usage lists every command line runCommand dispatches, and only those', async () => {
    const usage = (await run(['--help'])).stdout;
    // A command line of the usage: two spaces, then its words (lower case), then options or text.
    const listed = usage
      .split('\n')
      .map((line) => /^ {2}([a-z][a-z-]*(?: [a-z][a-z-]*)?)(?: |$)/.exec(line)?.[1])
      .filter((words) => words !== undefined);
    expect([...listed].sort()).toEqual([...DISPATCHED].sort());
    for (const words of DISPATCHED) {
      // Dispatched: an unknown option is its own usage problem (site schema takes none and
      // prints), never the bare usage an unknown command gets.
      const result = await run([...words.split(' '), '--no-such-option']);
      expect(result.stderr === '' && result.stdout.startsWith('usage:'), words).toBe(false);
    }
  });

  it.each([
    [['demo', '--port', '70000'], "--port must be a whole number from 0 to 65535, not '70000'"],
    [
      ['demo', '--host', 'everywhere'],
      "--host must be an IP address of this machine (127.0.0.1, 0.0.0.0, ::), not 'everywhere'",
    ],
    [['alarms', 'kpi', '--hours', 'x'], "--hours must be a whole number ≥ 1, not 'x'"],
    [['sim', 'generate-site', '--points=-1'], "--points must be a whole number ≥ 1, not '-1'"],
    [
      ['sim', 'generate-site', '--enterprises', '40', '--points', '5'],
      'invalid site generator parameters: points',
    ],
    [['ingest', '--site', 'x.yaml'], "Unknown option '--site'"],
    [['serve', 'now'], "Unexpected argument 'now'"],
    [['migrate', '--dry-run'], "Unknown option '--dry-run'"],
    [['sim', 'frobnicate'], "sim needs generate-site, run or verify, not 'frobnicate'"],
    [['sim', 'run', '--fats'], "Unknown option '--fats'"],
    [['site', 'check'], 'site check takes one site file'],
    [['site', 'check', 'a.yaml', 'b.yaml'], 'site check takes one site file'],
    [['site', 'check', 'a.yaml', '--strict'], "Unknown option '--strict'"],
  ])('%j is refused with a clear message and the usage, exit 2, nothing started', async (argv, message) => {
    const result = await run(argv);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`hazardwatch: ${message}`);
    expect(result.stderr).toContain('usage: hazardwatch <command>');
    expect(result.stdout).toBe('');
  });

  describe('a named file that cannot be used is reported by name, exit 2, before anything starts', () => {
    let dir: string;
    let notYaml: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'hw-cli-input-'));
      notYaml = join(dir, 'broken.yaml');
      await writeFile(notYaml, 'name: [unclosed\n');
    });
    afterAll(() => rm(dir, { recursive: true, force: true }));

    // With no DATABASE_URL, `sim verify` would start an embedded PostgreSQL before reading the
    // scenario (seconds, then a stack trace); the file is read first, so this answers at once.
    it.each([
      [['site', 'check', '/nonexistent/site.yaml'], 'cannot read /nonexistent/site.yaml: no such file'],
      [['sim', 'verify', '/nonexistent/s.yaml'], 'cannot read /nonexistent/s.yaml: no such file'],
      [['sim', 'run', '/nonexistent/s.yaml'], 'cannot read /nonexistent/s.yaml: no such file'],
      [['site', 'check', '/'], 'cannot read /: it is a directory'],
    ])('%j', async (argv, message) => {
      const result = await run(argv, { MQTT_URL: 'mqtt://127.0.0.1:1' });
      expect(result).toEqual({ code: 2, stdout: '', stderr: `hazardwatch: ${message}\n` });
    });

    it('sim verify reads every scenario first: a bad second file stops it before the first plays', async () => {
      const [shipped] = await listShippedScenarios();
      const result = await run(['sim', 'verify', shipped!, '/nonexistent/second.yaml']);
      expect(result).toEqual({
        code: 2,
        stdout: '',
        stderr: 'hazardwatch: cannot read /nonexistent/second.yaml: no such file\n',
      });
    });

    it("a scenario that is not YAML is named with the parser's reason", async () => {
      const result = await run(['sim', 'verify', notYaml]);
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr.startsWith(`hazardwatch: ${notYaml}: scenario `)).toBe(true);
      expect(result.stderr).toMatch(/broken\.yaml is not valid YAML: /);
    });
  });

  it('bench says where the benchmarks went (tools/bench, not in the image), exit 2', async () => {
    const result = await run(['bench', 'ingest', '--json']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('npm run bench -- <benchmark>');
  });

  it('an unknown command prints the usage and exits 2', async () => {
    const result = await run(['frobnicate']);
    expect(result.code).toBe(2);
    expect(result.stdout).toContain('usage: hazardwatch <command>');
  });

  it('a valid command still runs (sim generate-site prints a site)', async () => {
    const result = await run([
      'sim',
      'generate-site',
      '--cities',
      '1',
      '--enterprises',
      '1',
      '--points',
      '4',
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('points:');
  });
});

describe('numberOption', () => {
  it.each([
    ['12', {}, 12],
    ['0', {}, 0],
    [' 7 ', {}, 7],
    ['1e3', {}, 1000],
    ['2.5', { integer: false }, 2.5],
    ['65535', { max: 65535 }, 65535],
  ])('%j %j → %d', (text, rule, expected) => {
    expect(numberOption('n', text, rule)).toBe(expected);
  });

  it.each([
    ['', {}],
    ['  ', {}],
    ['abc', {}],
    ['NaN', {}],
    ['Infinity', {}],
    ['2.5', {}],
    ['-1', {}],
    ['0', { min: 1 }],
    ['65536', { max: 65535 }],
  ])('%j %j is a usage error naming the option', (text, rule) => {
    let caught: unknown;
    try {
      numberOption('samples', text, rule);
    } catch (error) {
      caught = error;
    }
    expect(cliErrors.is(caught, 'HW_CLI_USAGE')).toBe(true);
    expect((caught as Error).message).toContain('--samples');
  });
});
