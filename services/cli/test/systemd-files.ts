import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Helpers for the systemd tests (issue #20 item 4): the files in deploy/systemd as systemd reads them. */
export const REPO = fileURLToPath(new URL('../../../', import.meta.url));
export const SYSTEMD_DIR = `${REPO}deploy/systemd/`;
export const ENV_EXAMPLE = `${SYSTEMD_DIR}hazardwatch.env.example`;
export const ENV_FILE = '/etc/hazardwatch/hazardwatch.env';
export const INSTALL_DIR = '/opt/hazardwatch';
export const NODE = '/usr/bin/node';
export const UNITS = [
  'hazardwatch-migrate.service',
  'hazardwatch.service',
  'hazardwatch-ingest@.service',
  'hazardwatch-api.service',
] as const;

/** Section → key → values (a key may repeat, e.g. EnvironmentFile=). Comments and blanks skipped. */
export type Unit = Record<string, Record<string, string[]>>;

export function parseUnit(file: string): Unit {
  const unit: Unit = {};
  let section: Record<string, string[]> | undefined;
  for (const raw of readFileSync(file, 'utf8').split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      section = unit[header[1]!] ??= {};
      continue;
    }
    const eq = line.indexOf('=');
    if (section === undefined || eq < 1) throw new Error(`${file}: not a unit line: ${line}`);
    (section[line.slice(0, eq)] ??= []).push(line.slice(eq + 1));
  }
  return unit;
}

export function one(unit: Unit, section: string, key: string): string {
  const values = unit[section]?.[key];
  if (values?.length !== 1) throw new Error(`[${section}] ${key}: ${values?.length ?? 0} values, expected 1`);
  return values[0]!;
}

/** An EnvironmentFile= as systemd reads it: KEY=value lines, # comments. */
export function parseEnvFile(file: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const raw of readFileSync(file, 'utf8').split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq < 1) throw new Error(`${file}: not KEY=value: ${line}`);
    env[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return env;
}

/** ExecStart split into words; the unit's node and install directory swapped for this checkout's. */
export function localCommand(execStart: string): { node: string; args: string[]; command: string[] } {
  const [node, main, ...command] = execStart.split(/\s+/);
  if (node !== NODE || main !== `${INSTALL_DIR}/services/cli/dist/main.js`)
    throw new Error(`ExecStart does not run the installed CLI: ${execStart}`);
  return { node: process.execPath, args: [`${REPO}services/cli/dist/main.js`, ...command], command };
}
