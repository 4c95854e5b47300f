import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { REPO } from './systemd-files.js';

/**
 * The compose files as docker compose reads them (issue #20 item 3), for tests that run the stack
 * without a container engine: `.env` syntax, `${VAR}` interpolation (`:-`, `-`, `:?`, `?`, `$$`),
 * YAML merge keys, several files merged (maps merged key by key, `ports`/`volumes` appended,
 * everything else replaced), `depends_on` order, and a service's health check turned into the
 * same command on this machine's ports.
 */
export const COMPOSE_FILE = `${REPO}docker-compose.yml`;
export const SCALE_OUT_FILE = `${REPO}docker-compose.scale-out.yml`;
export const LEASED_FILE = `${REPO}docker-compose.leased.yml`;
export const DOTENV_EXAMPLE = `${REPO}.env.example`;
export const DOCKERFILE = `${REPO}Dockerfile`;

export type Condition = 'service_started' | 'service_healthy' | 'service_completed_successfully';

export interface ComposeService {
  readonly name: string;
  readonly image?: string;
  readonly build?: unknown;
  readonly command?: readonly string[];
  readonly entrypoint?: readonly string[];
  /** `no` for one-shot services (run to their end), `unless-stopped` … for the others. */
  readonly restart?: string;
  readonly environment: Readonly<Record<string, string>>;
  readonly ports: readonly string[];
  readonly volumes: readonly string[];
  readonly dependsOn: Readonly<Record<string, Condition>>;
  /** The health check's `test`, CMD form (CMD-SHELL as ['CMD-SHELL', line]). */
  readonly healthcheck?: readonly string[];
  /** `deploy.replicas`: how many copies compose runs (1 when not said). */
  readonly replicas: number;
}

export interface ComposeProject {
  readonly services: Readonly<Record<string, ComposeService>>;
  readonly volumes: readonly string[];
}

/** A `.env` file as compose reads it: KEY=value lines, # comments, blank lines; nothing else. */
export function readDotEnv(file: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [i, raw] of readFileSync(file, 'utf8').split('\n').entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!m) throw new Error(`${file}:${i + 1}: not KEY=value: ${line}`);
    env[m[1]!] = m[2]!;
  }
  return env;
}

/**
 * Compose's interpolation of one value. `${VAR:?message}` (unset or empty) and `${VAR?message}`
 * (unset) stop with the message, naming the variable and where it is used, as compose does.
 */
export function interpolate(value: string, vars: Readonly<Record<string, string>>, where: string): string {
  return value.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (match, braced?: string, op?: string, arg?: string, bare?: string) => {
      if (match === '$$') return '$';
      const name = (braced ?? bare)!;
      const set = Object.hasOwn(vars, name);
      const current = set ? vars[name]! : undefined;
      const missing = op?.startsWith(':') ? current === undefined || current === '' : current === undefined;
      if (op === ':-' || op === '-') return missing ? arg! : current!;
      if (op === ':?' || op === '?') {
        if (missing) throw new Error(`${where}: required variable ${name} is missing a value: ${arg}`);
        return current!;
      }
      return current ?? '';
    },
  );
}

function interpolateTree(node: unknown, vars: Readonly<Record<string, string>>, where: string): unknown {
  if (typeof node === 'string') return interpolate(node, vars, where);
  if (Array.isArray(node)) return node.map((n) => interpolateTree(n, vars, where));
  if (node !== null && typeof node === 'object')
    return Object.fromEntries(
      Object.entries(node).map(([k, v]) => [k, interpolateTree(v, vars, `${where}.${k}`)]),
    );
  return node;
}

type Raw = Record<string, unknown>;

/** Compose's merge of a later file's service into an earlier one's. */
function mergeService(base: Raw, over: Raw): Raw {
  const out: Raw = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const prior = out[key];
    if ((key === 'ports' || key === 'volumes') && Array.isArray(prior) && Array.isArray(value))
      out[key] = [...(prior as unknown[]), ...(value as unknown[])];
    else if (isMap(prior) && isMap(value) && key !== 'healthcheck') out[key] = { ...prior, ...value };
    else out[key] = value;
  }
  return out;
}

function isMap(v: unknown): v is Raw {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function words(v: unknown, where: string): string[] | undefined {
  if (v === undefined) return undefined;
  if (Array.isArray(v) && v.every((w) => typeof w === 'string')) return v;
  throw new Error(`${where}: expected a list of strings (the exec form), got ${JSON.stringify(v)}`);
}

function environmentOf(v: unknown, where: string): Record<string, string> {
  if (v === undefined) return {};
  if (Array.isArray(v))
    return Object.fromEntries(
      v.map((item) => {
        const s = String(item);
        const eq = s.indexOf('=');
        if (eq < 1) throw new Error(`${where}: ${s} has no value (pass-through variables are not used here)`);
        return [s.slice(0, eq), s.slice(eq + 1)];
      }),
    );
  if (isMap(v))
    return Object.fromEntries(
      Object.entries(v).map(([k, value]) => {
        if (value === null || value === undefined)
          throw new Error(`${where}.${k} has no value (pass-through variables are not used here)`);
        if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean')
          throw new Error(`${where}.${k}: not a scalar`);
        return [k, String(value)];
      }),
    );
  throw new Error(`${where}: not a map or list`);
}

/** The project docker compose would run from these files (in order) and this `.env`. */
export function loadCompose(
  files: readonly string[],
  dotenv: Readonly<Record<string, string>>,
): ComposeProject {
  const services: Record<string, Raw> = {};
  const volumes = new Set<string>();
  for (const file of files) {
    const doc = parseYaml(readFileSync(file, 'utf8'), { merge: true }) as Raw;
    const name = file.slice(REPO.length);
    const resolved = interpolateTree(
      Object.fromEntries(Object.entries(doc).filter(([k]) => !k.startsWith('x-'))),
      dotenv,
      name,
    ) as Raw;
    for (const [service, definition] of Object.entries((resolved['services'] ?? {}) as Record<string, Raw>))
      services[service] = services[service] ? mergeService(services[service], definition) : definition;
    for (const v of Object.keys(resolved['volumes'] ?? {})) volumes.add(v);
  }
  const out: Record<string, ComposeService> = {};
  for (const [name, raw] of Object.entries(services)) {
    const where = `services.${name}`;
    const dependsOn: Record<string, Condition> = {};
    const deps = raw['depends_on'];
    if (Array.isArray(deps)) for (const d of deps) dependsOn[String(d)] = 'service_started';
    else if (isMap(deps))
      for (const [d, spec] of Object.entries(deps))
        dependsOn[d] = ((spec as Raw | null)?.['condition'] as Condition | undefined) ?? 'service_started';
    const health = raw['healthcheck'] as Raw | undefined;
    const test = health?.['test'];
    const command = words(raw['command'], `${where}.command`);
    const entrypoint = words(raw['entrypoint'], `${where}.entrypoint`);
    const healthcheck =
      typeof test === 'string' ? ['CMD-SHELL', test] : words(test, `${where}.healthcheck.test`);
    const replicas = (raw['deploy'] as Raw | undefined)?.['replicas'] ?? 1;
    if (!Number.isInteger(replicas) || (replicas as number) < 1)
      throw new Error(`${where}.deploy.replicas: ${JSON.stringify(replicas)} is not a whole number ≥ 1`);
    out[name] = {
      name,
      ...(typeof raw['image'] === 'string' ? { image: raw['image'] } : {}),
      ...(raw['build'] !== undefined ? { build: raw['build'] } : {}),
      ...(command ? { command } : {}),
      ...(entrypoint ? { entrypoint } : {}),
      ...(typeof raw['restart'] === 'string' ? { restart: raw['restart'] } : {}),
      environment: environmentOf(raw['environment'], `${where}.environment`),
      ports: ((raw['ports'] ?? []) as unknown[]).map(String),
      volumes: ((raw['volumes'] ?? []) as unknown[]).map(String),
      dependsOn,
      ...(healthcheck ? { healthcheck } : {}),
      replicas: replicas as number,
    };
  }
  return { services: out, volumes: [...volumes] };
}

/**
 * The copies compose runs of a service: the service's own name for one, `NAME-1` … `NAME-N` (as
 * compose names their containers) for `deploy.replicas: N`.
 */
export function instancesOf(service: ComposeService): string[] {
  return service.replicas === 1
    ? [service.name]
    : Array.from({ length: service.replicas }, (_, i) => `${service.name}-${i + 1}`);
}

/** Services in an order compose may start them: each after everything it depends on. */
export function startOrder(project: ComposeProject): string[] {
  const order: string[] = [];
  const visiting = new Set<string>();
  const visit = (name: string): void => {
    if (order.includes(name)) return;
    if (visiting.has(name)) throw new Error(`depends_on cycle through ${name}`);
    const service = project.services[name];
    if (!service) throw new Error(`depends_on names ${name}, which is not a service`);
    visiting.add(name);
    for (const dep of Object.keys(service.dependsOn)) visit(dep);
    visiting.delete(name);
    order.push(name);
  };
  for (const name of Object.keys(project.services).sort()) visit(name);
  return order;
}

/** A published port `HOST[-HOST]:CONTAINER` → the container port. */
export function publishedTargets(service: ComposeService): number[] {
  return service.ports.map((p) => {
    const m = /^(?:[\d.]+:)?(\d+)(?:-\d+)?:(\d+)(?:\/tcp)?$/.exec(p);
    if (!m) throw new Error(`services.${service.name}.ports: ${p} is not HOST:CONTAINER`);
    return Number(m[2]);
  });
}

/**
 * A health check's command on this machine: container ports swapped for this machine's
 * (`127.0.0.1:PORT`, `-p PORT`, and `-p` added where the tool relies on its default port), `node`
 * for this Node. Nothing else changes; a port the map does not know stops it.
 */
export function localHealthcheck(
  test: readonly string[],
  ports: ReadonlyMap<number, number>,
): { file: string; args: string[] } {
  const port = (p: string): string => {
    const mapped = ports.get(Number(p));
    if (mapped === undefined) throw new Error(`health check uses port ${p}, which this test does not map`);
    return String(mapped);
  };
  const swap = (s: string): string =>
    s
      .replace(/127\.0\.0\.1:(\d+)/g, (_m, p: string) => `127.0.0.1:${port(p)}`)
      .replace(/(^|\s)-p (\d+)\b/g, (_m, pre: string, p: string) => `${pre}-p ${port(p)}`);
  const defaults: Record<string, number> = { pg_isready: 5432, 'redis-cli': 6379 };
  const withPort = (argv: string[]): string[] => {
    const d = defaults[argv[0]!];
    return d !== undefined && !argv.includes('-p')
      ? [argv[0]!, '-p', port(String(d)), ...argv.slice(1)]
      : argv;
  };
  const [kind, ...rest] = test;
  if (kind === 'CMD-SHELL') {
    if (rest.length !== 1) throw new Error(`CMD-SHELL takes one command line: ${JSON.stringify(test)}`);
    const line = swap(rest[0]!);
    const tool = line.split(/\s+/)[0]!;
    const d = defaults[tool];
    const local =
      d !== undefined && !/(^|\s)-p\s/.test(line)
        ? line.replace(tool, `${tool} -p ${port(String(d))}`)
        : line;
    return { file: '/bin/sh', args: ['-c', local] };
  }
  if (kind !== 'CMD')
    throw new Error(`health check test must start with CMD or CMD-SHELL: ${JSON.stringify(test)}`);
  const argv = withPort(rest.map(swap));
  return argv[0] === 'node'
    ? { file: process.execPath, args: argv.slice(1) }
    : { file: argv[0]!, args: argv.slice(1) };
}

/** The runtime stage of the Dockerfile: its ENV, WORKDIR and ENTRYPOINT (exec form). */
export function dockerRuntime(): { env: Record<string, string>; workdir: string; entrypoint: string[] } {
  const text = readFileSync(DOCKERFILE, 'utf8');
  const stages = text.split(/^FROM /m);
  const runtime = stages[stages.length - 1]!;
  const env: Record<string, string> = {};
  for (const m of runtime.matchAll(/^ENV ([A-Za-z_][A-Za-z0-9_]*)=(?:"([^"]*)"|(\S+))\s*$/gm))
    env[m[1]!] = m[2] ?? m[3]!;
  const workdir = /^WORKDIR (\S+)\s*$/m.exec(runtime)?.[1];
  const entry = /^ENTRYPOINT (\[.*\])\s*$/m.exec(runtime)?.[1];
  if (workdir === undefined || entry === undefined)
    throw new Error('Dockerfile: no WORKDIR or ENTRYPOINT in the runtime stage');
  return { env, workdir, entrypoint: JSON.parse(entry) as string[] };
}
