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
  'hazardwatch-worker@.service',
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

/**
 * ExecStart split into words; the unit's node and install directory swapped for this checkout's.
 * A leading `/usr/bin/env KEY=value …` (env(1)) is read as the variables it sets.
 */
export function localCommand(execStart: string): {
  node: string;
  args: string[];
  command: string[];
  env: Record<string, string>;
} {
  const words = execStart.split(/\s+/);
  const env: Record<string, string> = {};
  if (words[0] === '/usr/bin/env') {
    words.shift();
    while (words[0]?.includes('=') === true) {
      const word = words.shift()!;
      env[word.slice(0, word.indexOf('='))] = word.slice(word.indexOf('=') + 1);
    }
  }
  const [node, main, ...command] = words;
  if (node !== NODE || main !== `${INSTALL_DIR}/services/cli/dist/main.js`)
    throw new Error(`ExecStart does not run the installed CLI: ${execStart}`);
  return { node: process.execPath, args: [`${REPO}services/cli/dist/main.js`, ...command], command, env };
}

/** What a unit's specifiers stand for (systemd.unit "Specifiers"). */
export interface UnitInstance {
  /** %i: the instance name of a template (`9465` of hazardwatch-worker@9465.service). */
  readonly instance?: string;
  /** %H: the host name. */
  readonly host: string;
}

/** %i, %I, %H and %% expanded; any other specifier is refused, so none is left as text. */
export function expandSpecifiers(text: string, at: UnitInstance): string {
  return text.replace(/%(.)/g, (_, c: string) => {
    if (c === '%') return '%';
    if (c === 'H') return at.host;
    if ((c === 'i' || c === 'I') && at.instance !== undefined) return at.instance;
    throw new Error(`specifier %${c} not known to these tests: ${text}`);
  });
}

/**
 * The process systemd starts for a unit (instance): its command, and its environment compiled as
 * systemd.exec "Environment Variables in Spawned Processes" says — Environment=, then each
 * EnvironmentFile= in order (a file's value wins over Environment=; `-` marks a file that may be
 * missing), then every UnsetEnvironment= name (or exact assignment) removed as the last step; then
 * what an env(1) prefix of ExecStart sets on top. `files` maps the unit's file paths to local ones.
 */
export function unitProcess(
  unit: Unit,
  at: UnitInstance,
  files: Readonly<Record<string, string>>,
): { node: string; args: string[]; command: string[]; env: Record<string, string> } {
  const service = unit['Service'] ?? {};
  const env: Record<string, string> = {};
  for (const line of service['Environment'] ?? [])
    for (const word of expandSpecifiers(line, at).split(/\s+/).filter(Boolean)) {
      if (/["']/.test(word)) throw new Error(`quoted Environment= not supported here: ${line}`);
      const eq = word.indexOf('=');
      if (eq < 1) throw new Error(`Environment= without KEY=value: ${line}`);
      env[word.slice(0, eq)] = word.slice(eq + 1);
    }
  for (const value of service['EnvironmentFile'] ?? []) {
    const optional = value.startsWith('-');
    const path = expandSpecifiers(optional ? value.slice(1) : value, at);
    const local = files[path];
    if (local === undefined) {
      if (optional) continue;
      throw new Error(`EnvironmentFile=${path}: no local file given`);
    }
    Object.assign(env, parseEnvFile(local));
  }
  for (const line of service['UnsetEnvironment'] ?? [])
    for (const word of expandSpecifiers(line, at).split(/\s+/).filter(Boolean)) {
      const eq = word.indexOf('=');
      if (eq < 0) delete env[word];
      else if (env[word.slice(0, eq)] === word.slice(eq + 1)) delete env[word.slice(0, eq)];
    }
  const exec = localCommand(expandSpecifiers(one(unit, 'Service', 'ExecStart'), at));
  return { node: exec.node, args: exec.args, command: exec.command, env: { ...env, ...exec.env } };
}
