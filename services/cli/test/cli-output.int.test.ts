import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));

/**
 * What a command prints is its output and nothing else: `site schema > schema.json` and
 * `sim generate-site > site.yaml` must give files that parse. (node-opcua's start-up self-check
 * used to append two log lines to stdout of every command, a second after start.) Runs the built
 * command line, as a user does; `npm test` builds it first.
 */
describe('command output on stdout', () => {
  it('is built', () => {
    expect(existsSync(MAIN), `${MAIN} is missing: run npm run build`).toBe(true);
  });

  it('site schema prints exactly one JSON document', async () => {
    const { stdout } = await run(process.execPath, [MAIN, 'site', 'schema'], {
      env: { ...process.env, LOG_LEVEL: 'silent' },
    });
    const schema = JSON.parse(stdout) as { title: string };
    expect(schema.title).toBe('HazardWatch site file');
  });

  it('takes --log-level with its value apart from the command, and refuses an unknown level', async () => {
    const ok = await run(process.execPath, [MAIN, '--log-level', 'warn', 'site', 'schema']);
    expect((JSON.parse(ok.stdout) as { title: string }).title).toBe('HazardWatch site file');
    const bad = await run(process.execPath, [MAIN, 'site', 'schema', '--log-level', 'verbose']).then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    expect(bad?.code).toBe(2);
    expect(bad?.stderr).toContain(
      'hazardwatch: log level (--log-level or LOG_LEVEL) must be one of fatal, error',
    );
    expect(bad?.stderr).toContain("not 'verbose'");
  });

  it('sim generate-site prints exactly one YAML document', async () => {
    const { stdout } = await run(
      process.execPath,
      [MAIN, 'sim', 'generate-site', '--points', '200', '--enterprises', '4'],
      {
        env: { ...process.env, LOG_LEVEL: 'silent' },
      },
    );
    const site = parseYaml(stdout) as { points: unknown[] };
    expect(site.points).toHaveLength(200);
    expect(stdout).not.toMatch(/NODE-OPCUA/);
  });
});
