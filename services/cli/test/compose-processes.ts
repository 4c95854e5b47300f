import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DOTENV_EXAMPLE,
  dockerRuntime,
  instancesOf,
  localHealthcheck,
  startOrder,
  readDotEnv,
  type ComposeProject,
  type ComposeService,
} from './compose-files.js';
import { DYNSEC_PLUGIN, MOSQUITTO, giveToMosquitto, mosquittoMissing } from './mosquitto-support.js';
import {
  ended,
  hasBinary,
  runToEnd,
  startProcess,
  stopProcess,
  type Exit,
  type StartedProcess,
} from './process-support.js';
import { REPO } from './systemd-files.js';

/** Why the compose stacks cannot run as processes here (Mosquitto with its plugin, Redis, pg_isready), or undefined. */
export function composeStackMissing(): string | undefined {
  return (
    mosquittoMissing() ??
    (!hasBinary('redis-server', '--version') || !hasBinary('redis-cli', '--version')
      ? 'redis-server / redis-cli are not installed on this machine'
      : !hasBinary('pg_isready', '--version')
        ? 'pg_isready (postgresql-client) is not installed on this machine'
        : undefined)
  );
}

/** .env as .env.example says: every empty value filled with `openssl rand -hex 24`'s kind of value. */
export function dotenvFromExample(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(readDotEnv(DOTENV_EXAMPLE)).map(([k, v]) => [
      k,
      v === '' ? randomBytes(24).toString('hex') : v,
    ]),
  );
}

/**
 * A compose project's services run as processes on this machine, as compose would run them
 * (issue #20 item 3): in dependency order, each `service_completed_successfully` dependency
 * checked, each `service_healthy` one waited for by running its own health check; the environment
 * is the Dockerfile's ENV and then the service's, adapted only where a container differs from a
 * process — service host names and container ports become 127.0.0.1 and this machine's ports,
 * mounted paths become directories here. What each image is here:
 *
 * - the HazardWatch image (`hazardwatch:local`): the Dockerfile's ENTRYPOINT with the service's
 *   command, from this checkout (the image's WORKDIR);
 * - `eclipse-mosquitto`: with an entrypoint, that shell and script (mosquitto-init); without, this
 *   machine's Mosquitto on the mounted mosquitto.conf (the image's default command), whose
 *   `plugin` path becomes the Debian package's;
 * - `redis`: this machine's redis-server with the service's command, on its port;
 * - the database service: not started — `database` stands in for it (the test's server).
 *
 * A service with `deploy.replicas: N` runs as N processes named as compose names their containers
 * (`ingest-1` … `ingest-N`, compose-files' instancesOf), each with ports of its own: `ports`,
 * `healthcheck`, `processEnv`, `output`, `kill` and `restart` take the instance's name.
 */
export interface ComposeProcessesOptions {
  readonly project: ComposeProject;
  /** A private directory: named volumes, the certificates, the adapted broker configuration. */
  readonly dir: string;
  /** Container port → this machine's port, per service (per instance of a replicated one). */
  readonly ports: ReadonlyMap<string, ReadonlyMap<number, number>>;
  /** The database service (its name) and the database that stands in for it. */
  readonly database: { readonly service: string; readonly url: string };
  /** Bind mounts whose source is replaced here (never written into the checkout). */
  readonly binds?: Readonly<Record<string, string>>;
}

export interface Completed {
  readonly code: number | null;
  readonly out: string;
}

export class ComposeProcesses {
  readonly runtime = dockerRuntime();
  /** The CLI entry of the image, in this checkout. */
  readonly cliMain: string;
  readonly completed = new Map<string, Completed>();
  readonly #running: { service: string; process: StartedProcess }[] = [];
  readonly #started: { service: string; process: StartedProcess }[] = [];
  readonly #volumes = new Map<string, string>();

  constructor(private readonly options: ComposeProcessesOptions) {
    if (this.runtime.entrypoint[0] !== 'node' || this.runtime.entrypoint.length !== 2)
      throw new Error(
        `Dockerfile ENTRYPOINT is not ["node", <main>]: ${JSON.stringify(this.runtime.entrypoint)}`,
      );
    this.cliMain = `${REPO}${this.runtime.entrypoint[1]}`;
    for (const name of options.project.volumes) {
      this.#volumes.set(name, join(options.dir, name));
      mkdirSync(join(options.dir, name), { recursive: true });
    }
  }

  port(service: string, containerPort: number): number {
    const p = this.options.ports.get(service)?.get(containerPort);
    if (p === undefined) throw new Error(`${service}:${containerPort} is not mapped`);
    return p;
  }

  /** Every service in dependency order; a failed one-shot or a service never healthy stops it. */
  async startAll(): Promise<void> {
    const { project } = this.options;
    const waitedHealthy = new Set(
      Object.values(project.services).flatMap((s) =>
        Object.entries(s.dependsOn)
          .filter(([, c]) => c === 'service_healthy')
          .map(([d]) => d),
      ),
    );
    for (const name of startOrder(project)) {
      for (const [dep, condition] of Object.entries(project.services[name]!.dependsOn)) {
        const done = this.completed.get(dep);
        if (condition === 'service_completed_successfully' && done?.code !== 0)
          throw new Error(`${name} waits for ${dep} to exit 0: ${done?.code}\n${done?.out ?? ''}`);
      }
      const service = project.services[name]!;
      // Nothing waits for the last services; waited for anyway when they declare a health check.
      const wait = waitedHealthy.has(name) || service.healthcheck !== undefined;
      // Compose starts the copies of a replicated service together.
      await Promise.all(instancesOf(service).map((instance) => this.#start(service, instance, wait)));
    }
  }

  /** The service (one instance) or the instance of a replicated service that `name` names. */
  #serviceOf(name: string): ComposeService {
    const services = this.options.project.services;
    const direct = services[name];
    if (direct) {
      if (direct.replicas !== 1)
        throw new Error(`${name} has ${direct.replicas} copies: name one (${name}-1)`);
      return direct;
    }
    const service = Object.values(services).find((s) => instancesOf(s).includes(name));
    if (!service) throw new Error(`no service or instance ${name}`);
    return service;
  }

  /** The instances of every service, as compose would list them. */
  instances(service: string): string[] {
    return instancesOf(this.options.project.services[service]!);
  }

  /** The service's (instance's) health check, run once here. */
  healthcheck(name: string): Promise<Completed> {
    const service = this.#serviceOf(name);
    if (!service.healthcheck) throw new Error(`${name} declares no health check`);
    const { file, args } = localHealthcheck(service.healthcheck, this.options.ports.get(name) ?? new Map());
    return runToEnd(file, args, {
      env: { PATH: process.env['PATH'], ...service.environment },
      timeoutMs: 30_000,
    });
  }

  /** The environment the service's process gets here: the image's ENV, then the service's; of this machine only PATH. */
  processEnv(name: string): NodeJS.ProcessEnv {
    const service = this.#serviceOf(name);
    return {
      PATH: process.env['PATH'],
      ...this.runtime.env,
      ...Object.fromEntries(
        Object.entries(service.environment).map(([k, v]) => [k, this.#localValue(service, name, k, v)]),
      ),
    };
  }

  /** A signal to a running instance (SIGKILL: as `docker kill`); resolves once it ended, its output read. */
  async kill(name: string, signal: NodeJS.Signals): Promise<Exit> {
    const at = this.#running.findIndex((r) => r.service === name);
    if (at < 0) throw new Error(`${name} is not running`);
    const [r] = this.#running.splice(at, 1);
    r!.process.child.kill(signal);
    return ended(r!.process.child);
  }

  /** Starts an ended instance again, as compose's `restart: unless-stopped` does, and waits for its health check. */
  async restart(name: string): Promise<void> {
    if (this.#running.some((r) => r.service === name)) throw new Error(`${name} is still running`);
    const service = this.#serviceOf(name);
    await this.#start(service, name, service.healthcheck !== undefined);
  }

  /** A one-off command in a service's environment (`docker compose run --rm -T SERVICE …`). */
  run(name: string, args: readonly string[], input?: string): Promise<Completed> {
    return runToEnd(process.execPath, [this.cliMain, ...args], {
      env: this.processEnv(name),
      cwd: REPO,
      timeoutMs: 120_000,
      ...(input !== undefined ? { input } : {}),
    });
  }

  /** What a running (or stopped) service has written so far (every start of it, in order). */
  output(name: string): string {
    return this.#started
      .filter((r) => r.service === name)
      .map((r) => r.process.output())
      .join('');
  }

  /** SIGTERM to every running service, dependants first; how each ended. */
  async stopAll(graceMs: number): Promise<Record<string, Exit>> {
    const exits: Record<string, Exit> = {};
    for (const r of this.#running.splice(0).reverse())
      exits[r.service] = await stopProcess(r.process.child, graceMs);
    return exits;
  }

  /** A mount's source here: a named volume's directory, a replaced bind, or the bind's path in the checkout. */
  #mountSource(volume: string): { source: string; target: string } {
    const [source, target] = volume.split(':') as [string, string];
    if (source.startsWith('./')) {
      const replaced = this.options.binds?.[source];
      return { source: replaced ?? `${REPO}${source.slice(2)}`, target };
    }
    const named = this.#volumes.get(source);
    if (named === undefined) throw new Error(`volume ${source} is not declared`);
    return { source: named, target };
  }

  #localValue(service: ComposeService, instance: string, key: string, value: string): string {
    const { project, database } = this.options;
    if (key === 'DATABASE_URL') {
      // The URL must name the database service with its own user, password and database.
      const url = new URL(value);
      const pgEnv = project.services[database.service]!.environment;
      const expected = {
        host: `${database.service}:5432`,
        user: pgEnv['POSTGRES_USER'],
        password: pgEnv['POSTGRES_PASSWORD'],
        db: `/${pgEnv['POSTGRES_DB']}`,
      };
      const actual = {
        host: url.host,
        user: url.username,
        password: decodeURIComponent(url.password),
        db: url.pathname,
      };
      if (JSON.stringify(actual) !== JSON.stringify(expected))
        throw new Error(
          `services.${service.name} DATABASE_URL does not match services.${database.service}'s settings`,
        );
      return database.url;
    }
    let out = value.replace(/\b([a-z][a-z0-9-]*):(\d+)\b/g, (m, host: string, p: string) =>
      project.services[host] ? `127.0.0.1:${this.port(host, Number(p))}` : m,
    );
    for (const volume of service.volumes) {
      const { source, target } = this.#mountSource(volume);
      if (out.startsWith(target)) out = source + out.slice(target.length);
    }
    if (key === 'HW_API_PORT' || key === 'HW_HEALTH_PORT') out = String(this.port(instance, Number(value)));
    return out;
  }

  /** deploy/mosquitto/mosquitto.conf as mounted, adapted only in paths (the mounts) and ports. */
  #mosquittoConf(service: ComposeService): string {
    const mounts = service.volumes.map((v) => this.#mountSource(v));
    const confMount = mounts.find((m) => m.target === '/mosquitto/config/mosquitto.conf');
    if (!confMount) throw new Error(`services.${service.name} mounts no /mosquitto/config/mosquitto.conf`);
    const conf = readFileSync(confMount.source, 'utf8')
      .split('\n')
      .map((line) => {
        if (line === 'plugin /usr/lib/mosquitto_dynamic_security.so') return `plugin ${DYNSEC_PLUGIN}`;
        const listener = /^listener (\d+)$/.exec(line);
        if (listener) return `listener ${this.port(service.name, Number(listener[1]))} 127.0.0.1`;
        let out = line;
        for (const { source, target } of mounts)
          if (!target.endsWith('.conf')) out = out.replaceAll(`${target}/`, `${source}/`);
        return out;
      })
      .join('\n');
    const unmapped = conf.replace(/^#.*$/gm, '').match(/.*\/mosquitto\/.*/);
    if (unmapped) throw new Error(`mosquitto.conf: a container path is left: ${unmapped[0]}`);
    return conf;
  }

  async #healthy(name: string): Promise<void> {
    // The newest start of the instance (a restarted one's earlier process has ended).
    const deadline = Date.now() + 180_000;
    for (;;) {
      const result = await this.healthcheck(name);
      if (result.code === 0) return;
      const proc = this.#started.findLast((r) => r.service === name)?.process;
      if ((proc !== undefined && proc.child.exitCode !== null) || Date.now() > deadline)
        throw new Error(`${name} never healthy: ${result.out}\n${proc?.output() ?? ''}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  async #start(service: ComposeService, name: string, waitHealthy: boolean): Promise<void> {
    const { dir } = this.options;
    const image = service.image ?? '';
    const keep = (process: StartedProcess): void => {
      this.#running.push({ service: name, process });
      this.#started.push({ service: name, process });
    };
    if (name === this.options.database.service) {
      // The test's PostgreSQL server stands in for the container.
    } else if (image.startsWith('eclipse-mosquitto') && service.entrypoint) {
      const [shell, flag] = service.entrypoint;
      let script = service.command![0]!;
      for (const volume of service.volumes) {
        const { source, target } = this.#mountSource(volume);
        script = script.replaceAll(`${target}/`, `${source}/`);
      }
      // The container runs it as root; elsewhere its chown is the one step that cannot run.
      const shim = join(dir, 'shim');
      mkdirSync(shim, { recursive: true });
      if (process.getuid?.() !== 0)
        writeFileSync(join(shim, 'chown'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
      this.completed.set(
        name,
        await runToEnd(shell!, [flag!, script], {
          env: { PATH: `${shim}:${process.env['PATH']}`, ...service.environment },
          timeoutMs: 30_000,
        }),
      );
      giveToMosquitto(dir);
    } else if (image.startsWith('eclipse-mosquitto')) {
      writeFileSync(join(dir, 'mosquitto.conf'), this.#mosquittoConf(service));
      giveToMosquitto(dir);
      keep(startProcess(MOSQUITTO, ['-c', join(dir, 'mosquitto.conf')]));
    } else if (image.startsWith('redis')) {
      const [binary, ...args] = service.command!;
      keep(startProcess(binary!, [...args, '--port', String(this.port(name, 6379)), '--bind', '127.0.0.1']));
    } else if (image === 'hazardwatch:local' && this.runtime.workdir === '/app') {
      const args = [this.cliMain, ...service.command!];
      const options = { env: this.processEnv(name), cwd: REPO };
      if (service.restart === 'no')
        this.completed.set(name, await runToEnd(process.execPath, args, { ...options, timeoutMs: 180_000 }));
      else keep(startProcess(process.execPath, args, options));
    } else throw new Error(`services.${name}: no way to run image ${image} here`);
    if (waitHealthy) await this.#healthy(name);
  }
}
