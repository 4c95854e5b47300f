import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync } from 'node:fs';
import { hasBinary, startProcess, type StartedProcess } from './process-support.js';

/**
 * Test support for a private, real Mosquitto 2 (never the system's): this machine's broker, the
 * dynamic-security plugin of its Debian package, the plugin's file made with mosquitto_ctrl, TLS
 * certificates from the CLI's own `tls dev-ca`. Shared by mosquitto-dynsec, systemd-mosquitto and
 * compose-stack.
 */
export const MOSQUITTO = '/usr/sbin/mosquitto';
/** The Debian/Ubuntu amd64 package's plugin (the container image has it at /usr/lib/). */
export const DYNSEC_PLUGIN = '/usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so';

/** Why a private Mosquitto with the plugin cannot run here, or undefined when it can. */
export function mosquittoMissing(): string | undefined {
  if (!existsSync(MOSQUITTO)) return `mosquitto is not installed on this machine (${MOSQUITTO})`;
  if (!hasBinary('mosquitto_ctrl') || !hasBinary('mosquitto_sub') || !hasBinary('mosquitto_pub'))
    return 'mosquitto-clients (mosquitto_ctrl, mosquitto_sub, mosquitto_pub) are not installed on this machine';
  if (!existsSync(DYNSEC_PLUGIN))
    return `the dynamic-security plugin is not at ${DYNSEC_PLUGIN} (not an amd64 Debian package)`;
  return undefined;
}

/** The plugin's starting file with one admin client (`mosquitto_ctrl dynsec init FILE USER PASSWORD`). */
export function initDynsec(file: string, admin: string, password: string): void {
  const init = spawnSync('mosquitto_ctrl', ['dynsec', 'init', file, admin, password], { encoding: 'utf8' });
  if (init.status !== 0) throw new Error(`mosquitto_ctrl dynsec init failed: ${init.stderr}`);
}

/** `hazardwatch tls dev-ca --out DIR`, as a process of the built CLI. */
export function devCa(cliMain: string, out: string): void {
  const ca = spawnSync(process.execPath, [cliMain, 'tls', 'dev-ca', '--out', out], { encoding: 'utf8' });
  if (ca.status !== 0) throw new Error(`tls dev-ca failed: ${ca.stderr}`);
}

/**
 * Run as root, Mosquitto drops to the `mosquitto` user (as the container's broker runs as uid
 * 1883), which must own its files; as anyone else it keeps the caller's user.
 */
export function giveToMosquitto(dir: string): void {
  if (process.getuid?.() !== 0) return;
  const chown = spawnSync('chown', ['-R', 'mosquitto:mosquitto', dir], { encoding: 'utf8' });
  if (chown.status !== 0) throw new Error(`chown mosquitto ${dir}: ${chown.stderr}`);
}

/** One message of `topic` (mosquitto_sub -C 1 -W 3); status 0 when it came. */
export function mosquittoSub(
  port: number,
  user: string | undefined,
  password: string | undefined,
  topic: string,
  extra: readonly string[] = [],
): SpawnSyncReturns<string> {
  return spawnSync(
    'mosquitto_sub',
    [
      '-h',
      '127.0.0.1',
      '-p',
      String(port),
      ...(user !== undefined ? ['-u', user, '-P', password ?? ''] : []),
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

/**
 * Mosquitto on `conf`, once `admin` can read the retained `$SYS/broker/version` on `port` (its
 * log is block-buffered on a pipe, so readiness is asked of the broker, not read from the log).
 */
export async function startMosquitto(
  conf: string,
  port: number,
  admin: { username: string; password: string },
  timeoutMs = 15_000,
): Promise<StartedProcess> {
  const broker = startProcess(MOSQUITTO, ['-c', conf]);
  const deadline = Date.now() + timeoutMs;
  while (mosquittoSub(port, admin.username, admin.password, '$SYS/broker/version').status !== 0) {
    if (broker.child.exitCode !== null || Date.now() > deadline) {
      broker.child.kill('SIGKILL');
      throw new Error(`mosquitto did not start:\n${broker.output()}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return broker;
}
