import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO } from './systemd-files.js';

/**
 * docs/install-debian.md §5 and §9 (issue #20 item 4) with this machine's Mosquitto, on ports of
 * its own: deploy/mosquitto/mosquitto.conf adapted with the doc's table of Debian paths starts with
 * the dynamic-security plugin and TLS and refuses anonymous logins; a retained message and a
 * plugin account survive copying mosquitto.db and dynamic-security.json into a new directory.
 */
const DOC = readFileSync(`${REPO}docs/install-debian.md`, 'utf8');
const PLUGIN = '/usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so';
const ADMIN_PASSWORD = 'systemd-test-admin-password';
const CLIENT_PASSWORD = 'systemd-test-client-password';

function has(binary: string): boolean {
  return spawnSync(binary, ['--help'], { encoding: 'utf8' }).error === undefined;
}
const missing = !has('mosquitto')
  ? 'mosquitto is not installed on this machine'
  : !has('mosquitto_ctrl') || !has('mosquitto_sub')
    ? 'mosquitto-clients (mosquitto_ctrl, mosquitto_sub) are not installed on this machine'
    : !existsSync(PLUGIN)
      ? `the dynamic-security plugin is not at ${PLUGIN} (not an amd64 Debian package)`
      : undefined;

const brokers: ChildProcess[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const broker of brokers.splice(0)) await stop(broker);
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function stop(broker: ChildProcess): Promise<void> {
  if (broker.exitCode !== null || broker.signalCode !== null) return;
  const exited = new Promise((r) => broker.once('exit', r));
  broker.kill('SIGTERM');
  const timer = setTimeout(() => broker.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** Run as root, Mosquitto drops to the `mosquitto` user, which must own its files (as on Debian). */
function giveToMosquitto(dir: string): void {
  if (process.getuid?.() !== 0) return;
  const chown = spawnSync('chown', ['-R', 'mosquitto:mosquitto', dir], { encoding: 'utf8' });
  expect(chown.status, chown.stderr).toBe(0);
}

/** deploy/mosquitto/mosquitto.conf as §5 says: Debian's persistence and log lines instead of ours, the table's paths. */
function debianConf(data: string, certs: string, plain: number, tls: number): string {
  const substitutions: [string, string, string][] = [
    ['plugin /usr/lib/mosquitto_dynamic_security.so', `plugin ${PLUGIN}`, `plugin ${PLUGIN}`],
    [
      'plugin_opt_config_file /mosquitto/data/dynamic-security.json',
      'plugin_opt_config_file /var/lib/mosquitto/dynamic-security.json',
      `plugin_opt_config_file ${data}/dynamic-security.json`,
    ],
    ['listener 1883', 'listener 1883 127.0.0.1', `listener ${plain} 127.0.0.1`],
    // Unchanged on Debian; here a free port.
    ['listener 8883', '', `listener ${tls} 127.0.0.1`],
  ];
  const lines = readFileSync(`${REPO}deploy/mosquitto/mosquitto.conf`, 'utf8')
    .split('\n')
    .filter(
      (l) =>
        l.trim() !== '' && !l.startsWith('#') && !/^(persistence|persistence_location|log_\w+)\b/.test(l),
    );
  const out = [
    `persistence true`,
    `persistence_location ${data}/`,
    `pid_file ${data}/mosquitto.pid`,
    'log_dest stdout',
  ];
  for (const line of lines) {
    const sub = substitutions.find(([ours]) => line === ours);
    if (sub) {
      // The doc's table names this change.
      if (sub[1] !== '') expect(DOC).toContain(`\`${sub[1]}\``);
      out.push(sub[2]);
    } else out.push(line.replace('/mosquitto/certs/', `${certs}/`));
  }
  expect(out.join('\n')).not.toContain('/mosquitto/');
  return `${out.join('\n')}\n`;
}

/** A broker on `conf`, once its plugin admin can log in (its log is block-buffered on a pipe). */
async function startBroker(conf: string, port: number): Promise<{ broker: ChildProcess; log: () => string }> {
  const broker = spawn('mosquitto', ['-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
  brokers.push(broker);
  let log = '';
  broker.stdout.setEncoding('utf8').on('data', (s: string) => (log += s));
  broker.stderr.setEncoding('utf8').on('data', (s: string) => (log += s));
  const deadline = Date.now() + 15_000;
  while (sub(port, 'hw-dynsec-admin', ADMIN_PASSWORD, '$SYS/broker/version').status !== 0) {
    if (broker.exitCode !== null || Date.now() > deadline)
      throw new Error(`mosquitto did not start:\n${log}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return { broker, log: () => log };
}

function ctrl(port: number, ...args: string[]): void {
  const run = spawnSync(
    'mosquitto_ctrl',
    ['-h', '127.0.0.1', '-p', String(port), '-u', 'hw-dynsec-admin', '-P', ADMIN_PASSWORD, 'dynsec', ...args],
    { encoding: 'utf8', timeout: 10_000 },
  );
  expect({ args, status: run.status, err: run.stderr }).toMatchObject({ args, status: 0 });
}

function sub(
  port: number,
  user: string | undefined,
  password: string | undefined,
  topic: string,
  extra: string[] = [],
) {
  return spawnSync(
    'mosquitto_sub',
    [
      '-h',
      '127.0.0.1',
      '-p',
      String(port),
      ...(user ? ['-u', user, '-P', password!] : []),
      '-t',
      topic,
      '-C',
      '1',
      '-W',
      '3',
      ...extra,
    ],
    { encoding: 'utf8', timeout: 10_000 },
  );
}

describe('Mosquitto on Debian (docs/install-debian.md §5, §9)', () => {
  it.skipIf(missing !== undefined)(
    `the adapted configuration runs the plugin and TLS; mosquitto.db and dynamic-security.json restore${missing ? ` (skipped: ${missing})` : ''}`,
    async () => {
      const root = mkdtempSync(join(tmpdir(), 'hw-systemd-mosquitto-'));
      dirs.push(root);
      chmodSync(root, 0o755);
      const data = join(root, 'data');
      const certs = join(root, 'certs');
      mkdirSync(data);
      const ca = spawnSync(
        process.execPath,
        [`${REPO}services/cli/dist/main.js`, 'tls', 'dev-ca', '--out', certs],
        {
          encoding: 'utf8',
        },
      );
      expect(ca.status, ca.stderr).toBe(0);
      const init = spawnSync(
        'mosquitto_ctrl',
        ['dynsec', 'init', join(data, 'dynamic-security.json'), 'hw-dynsec-admin', ADMIN_PASSWORD],
        { encoding: 'utf8' },
      );
      expect(init.status, init.stderr).toBe(0);
      const [plain, tls] = [await freePort(), await freePort()];
      writeFileSync(join(root, 'mosquitto.conf'), debianConf(data, certs, plain, tls));
      giveToMosquitto(root);

      const first = await startBroker(join(root, 'mosquitto.conf'), plain);
      // No anonymous login; the plugin admin on both listeners, TLS with the CA.
      expect(sub(plain, undefined, undefined, '$SYS/broker/version').status).not.toBe(0);
      expect(sub(plain, 'hw-dynsec-admin', ADMIN_PASSWORD, '$SYS/broker/version').stdout).toMatch(
        /mosquitto version/,
      );
      expect(
        sub(tls, 'hw-dynsec-admin', ADMIN_PASSWORD, '$SYS/broker/version', [
          '--cafile',
          join(certs, 'ca.crt'),
          '-p',
          String(tls),
        ]).stdout,
      ).toMatch(/mosquitto version/);
      // An account in the plugin's file, and a retained message in the broker's database.
      ctrl(plain, 'createClient', 'backup-test', '-p', CLIENT_PASSWORD);
      ctrl(plain, 'createRole', 'backup-test');
      ctrl(plain, 'addRoleACL', 'backup-test', 'publishClientSend', 'hw/backup/#', 'allow');
      ctrl(plain, 'addRoleACL', 'backup-test', 'subscribePattern', 'hw/backup/#', 'allow');
      ctrl(plain, 'addClientRole', 'backup-test', 'backup-test');
      const pub = spawnSync(
        'mosquitto_pub',
        [
          '-h',
          '127.0.0.1',
          '-p',
          String(plain),
          '-u',
          'backup-test',
          '-P',
          CLIENT_PASSWORD,
          '-t',
          'hw/backup/status',
          '-m',
          'online',
          '-r',
          '-q',
          '1',
        ],
        { encoding: 'utf8', timeout: 10_000 },
      );
      expect(pub.status, pub.stderr).toBe(0);
      // The clean stop (SIGTERM, as systemd stops mosquitto.service) writes mosquitto.db.
      await stop(first.broker);
      expect(first.log()).toMatch(/Saving in-memory database/);

      // Restore: both files copied into an empty data directory, a new broker on it.
      const restored = join(root, 'restored');
      mkdirSync(restored);
      for (const file of ['mosquitto.db', 'dynamic-security.json'])
        cpSync(join(data, file), join(restored, file));
      writeFileSync(join(root, 'restored.conf'), debianConf(restored, certs, plain, tls));
      giveToMosquitto(root);
      await startBroker(join(root, 'restored.conf'), plain);
      const again = sub(plain, 'backup-test', CLIENT_PASSWORD, 'hw/backup/status');
      expect({ status: again.status, out: again.stdout.trim() }, again.stderr).toEqual({
        status: 0,
        out: 'online',
      });
    },
    60_000,
  );
});
