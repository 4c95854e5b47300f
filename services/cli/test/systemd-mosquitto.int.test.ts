import { spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  DYNSEC_PLUGIN,
  devCa,
  giveToMosquitto,
  initDynsec,
  mosquittoMissing,
  mosquittoSub as sub,
  startMosquitto,
} from './mosquitto-support.js';
import { freePort, stopProcess } from './process-support.js';
import { REPO } from './systemd-files.js';

/**
 * docs/install-debian.md §5 and §9 (issue #20 item 4) with this machine's Mosquitto, on ports of
 * its own: deploy/mosquitto/mosquitto.conf adapted with the doc's table of Debian paths starts with
 * the dynamic-security plugin and TLS and refuses anonymous logins; a retained message and a
 * plugin account survive copying mosquitto.db and dynamic-security.json into a new directory.
 */
const DOC = readFileSync(`${REPO}docs/install-debian.md`, 'utf8');
const PLUGIN = DYNSEC_PLUGIN;
const ADMIN_PASSWORD = 'systemd-test-admin-password';
const CLIENT_PASSWORD = 'systemd-test-client-password';
const missing = mosquittoMissing();

const brokers: ChildProcess[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const broker of brokers.splice(0)) await stopProcess(broker, 10_000);
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

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

/** A broker on `conf`, once its plugin admin can log in. */
async function startBroker(conf: string, port: number): Promise<{ broker: ChildProcess; log: () => string }> {
  const started = await startMosquitto(conf, port, { username: 'hw-dynsec-admin', password: ADMIN_PASSWORD });
  brokers.push(started.child);
  return { broker: started.child, log: () => started.output() };
}

function ctrl(port: number, ...args: string[]): void {
  const run = spawnSync(
    'mosquitto_ctrl',
    ['-h', '127.0.0.1', '-p', String(port), '-u', 'hw-dynsec-admin', '-P', ADMIN_PASSWORD, 'dynsec', ...args],
    { encoding: 'utf8', timeout: 10_000 },
  );
  expect({ args, status: run.status, err: run.stderr }).toMatchObject({ args, status: 0 });
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
      devCa(`${REPO}services/cli/dist/main.js`, certs);
      initDynsec(join(data, 'dynamic-security.json'), 'hw-dynsec-admin', ADMIN_PASSWORD);
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
      await stopProcess(first.broker, 10_000);
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
