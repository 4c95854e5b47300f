/**
 * What the dashboard's browser tests (*.int.test.ts of this folder) run against: the dashboard built
 * from the current sources, headless Chromium, and the real chain behind it — a test database,
 * a broker, the ingest service with the alarm engine and the API serving the build, wired as the
 * command line wires them. Each test still says its own site, users and broker.
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  openSync,
  readdirSync,
  readFileSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import { pino } from 'pino';
import { chromium, type Browser } from 'playwright-core';
import { build } from 'vite';
import type { ApiServer } from '@hazardwatch/api';
import { LiveValueTap } from '@hazardwatch/ingest';
import { startEmbeddedBroker, type EmbeddedBrokerHandle } from '@hazardwatch/ingest/embedded-broker';
import { createTestDatabase, providedServices, type TestDatabase } from '@hazardwatch/testkit';
import {
  ensureUsers,
  loadRuntimeConfig,
  startApiBeside,
  startIngestService,
  type DemoUser,
  type IngestService,
} from 'hazardwatch';

/** The dashboard's package folder. */
export const DASHBOARD_ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** Where `vite build` puts the dashboard (vite.config.ts), served by the API under test. */
export const DASHBOARD_DIST = join(DASHBOARD_ROOT, 'dist');
/** The example site (如东县, two enterprises) every browser test starts from. */
export const EXAMPLE_SITE = fileURLToPath(
  new URL('../../../../services/core/examples/site.example.yaml', import.meta.url),
);

/**
 * What the build is made from, as scripts/build-if-stale.mjs counts it: scripts/ holds the build's
 * own plugins (precompress.ts), so it shapes dist/ as much as src/ does.
 */
const BUILD_INPUTS = ['src', 'scripts', 'index.html', 'vite.config.ts', 'package.json'];

/** The newest modification under `path`, directories included (a deleted file changes its folder). */
function newest(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  return readdirSync(path).reduce((m, name) => Math.max(m, newest(join(path, name))), st.mtimeMs);
}

/** The built dashboard is missing or older than one of its inputs: a test would exercise stale code. */
export function dashboardStale(): boolean {
  const index = join(DASHBOARD_DIST, 'index.html');
  if (!existsSync(index)) return true;
  const inputs = BUILD_INPUTS.map((p) => join(DASHBOARD_ROOT, p)).filter((p) => existsSync(p));
  return statSync(index).mtimeMs < Math.max(...inputs.map(newest));
}

/**
 * One build at a time per checkout (the lock is named after the dist path, so another checkout's
 * run builds its own beside). Vitest runs the browser tests in parallel files; two of them building
 * dist/ at once emptied it under each other.
 */
const LOCK = join(
  tmpdir(),
  `hw-dashboard-build-${createHash('sha256').update(DASHBOARD_DIST).digest('hex').slice(0, 12)}.lock`,
);
/** How often a waiting file looks at the lock again. @default 250 ms */
const LOCK_POLL_MS = 250;
/** A build takes well under a minute; a lock older than this was left by a run that died. @default 10 min */
const LOCK_STALE_MS = 10 * 60_000;
/** How long a file waits for another's build before giving up. @default 5 min */
const LOCK_WAIT_MS = 5 * 60_000;

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: alive, someone else's.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A lock file still empty this long was left by a process that died between creating and writing it. */
const LOCK_EMPTY_STALE_MS = 5_000;

/** The lock's holder is gone (its process ended, or it has held the lock past any build). */
function lockStale(content: string, writtenAt: number): boolean {
  // An empty file is one being written this instant, unless it has stayed empty.
  if (content === '') return Date.now() - writtenAt > LOCK_EMPTY_STALE_MS;
  const [pid, since] = content.split(' ').map(Number);
  if (pid === undefined || since === undefined || !Number.isFinite(pid) || !Number.isFinite(since))
    return true;
  return !processAlive(pid) || Date.now() - since > LOCK_STALE_MS;
}

async function withBuildLock<T>(work: () => Promise<T>): Promise<T> {
  const token = `${process.pid} ${Date.now()} ${randomBytes(4).toString('hex')}`;
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      // 'wx': created only if absent — the one atomic test-and-set the file system offers.
      const fd = openSync(LOCK, 'wx');
      writeSync(fd, token);
      closeSync(fd);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    let held: string;
    let writtenAt: number;
    try {
      writtenAt = statSync(LOCK).mtimeMs;
      held = readFileSync(LOCK, 'utf8');
    } catch {
      continue; // released between the calls
    }
    if (lockStale(held, writtenAt)) {
      // Another waiter may remove the same stale lock and take it in the meantime; the check
      // again just before the unlink narrows that to a moment nobody meets in practice.
      try {
        if (readFileSync(LOCK, 'utf8') === held) unlinkSync(LOCK);
      } catch {
        // Removed by another waiter first.
      }
      continue;
    }
    if (Date.now() > deadline)
      throw new Error(`dashboard build lock ${LOCK} still held by "${held}" after ${LOCK_WAIT_MS} ms`);
    await new Promise((r) => setTimeout(r, LOCK_POLL_MS));
  }
  try {
    return await work();
  } finally {
    try {
      if (readFileSync(LOCK, 'utf8') === token) unlinkSync(LOCK);
    } catch {
      // Already removed as stale by a waiter: nothing of ours to release.
    }
  }
}

/**
 * dist/ built from the current sources: built (vite's `build`, vite.config.ts) if missing or stale,
 * by one test file at a time — the others wait, then find it fresh. Answers its path, for
 * HW_DASHBOARD_DIR.
 */
export async function ensureDashboardBuilt(): Promise<string> {
  if (!dashboardStale()) return DASHBOARD_DIST;
  await withBuildLock(async () => {
    // Looked at again under the lock: the file that held it has usually just built it.
    if (dashboardStale()) await build({ root: DASHBOARD_ROOT, logLevel: 'warn' });
  });
  return DASHBOARD_DIST;
}

/** Headless Debian Chromium (playwright-core brings no browser), without its background traffic. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export interface StackOptions {
  /** Names the run's MQTT client ids (`hw-<name>-…`). */
  readonly name: string;
  /**
   * `shared`: the broker of the integration setup (its ingest session is cleaned at close);
   * `own`: an embedded broker on port 0 of this file alone — needed when another file publishes
   * on the same example site at the same time, whose readings this file's ingest would evaluate too.
   */
  readonly broker: 'shared' | 'own';
  /** The site file. @default EXAMPLE_SITE */
  readonly siteFile?: string;
  /** HW_INGEST_ENTERPRISES, comma-separated. @default the service's (every enterprise of the site) */
  readonly enterprises?: string;
  /** The built dashboard the API serves (ensureDashboardBuilt). */
  readonly dashboardDir: string;
  /** Created once the service runs (ensureUsers). */
  readonly users: readonly DemoUser[];
  /** More environment for the service's configuration (a webhook channel, say). */
  readonly env?: Readonly<Record<string, string>>;
}

export interface BrowserStack {
  readonly mqttUrl: string;
  readonly db: TestDatabase;
  readonly service: IngestService;
  readonly api: ApiServer;
  /** `http://127.0.0.1:<api port>`. */
  readonly origin: string;
  /** API, ingest, the broker (or the ingest's session on the shared one), then the database. */
  close(): Promise<void>;
}

const logger = pino({ level: 'silent' });

/**
 * A test database, the broker, the ingest service and the API beside it with the live link
 * (LiveValueTap), as the command line wires them, and the users. What started is stopped again if a
 * later step fails.
 */
export async function startStack(options: StackOptions): Promise<BrowserStack> {
  const provided = providedServices();
  const clientId = `hw-${options.name}-${randomBytes(3).toString('hex')}`;
  let broker: EmbeddedBrokerHandle | undefined;
  let db: TestDatabase | undefined;
  let service: IngestService | undefined;
  let api: ApiServer | undefined;
  const close = async (): Promise<void> => {
    await api?.close();
    await service?.close();
    if (broker) await broker.close();
    // The ingest's persistent session on the shared broker would otherwise queue for it forever.
    else if (service) await (await mqtt.connectAsync(provided.mqttUrl, { clientId, clean: true })).endAsync();
    await db?.drop();
  };
  try {
    if (options.broker === 'own') broker = await startEmbeddedBroker({ host: '127.0.0.1', port: 0, logger });
    const mqttUrl = broker?.url ?? provided.mqttUrl;
    db = await createTestDatabase(provided.postgresAdminUrl);
    const config = loadRuntimeConfig({
      DATABASE_URL: db.url,
      MQTT_URL: mqttUrl,
      HW_SITE_FILE: options.siteFile ?? EXAMPLE_SITE,
      HW_HEALTH_PORT: '0',
      HW_INGEST_CLIENT_ID: clientId,
      ...(options.enterprises === undefined ? {} : { HW_INGEST_ENTERPRISES: options.enterprises }),
      HW_JWT_SECRET: `a-${options.name}-browser-test-secret-of-32-chars-or-more`,
      HW_DASHBOARD_DIR: options.dashboardDir,
      ...options.env,
    });
    const tap = new LiveValueTap();
    service = await startIngestService(config, logger, { observers: [tap] });
    api = await startApiBeside(service, config, logger, 0, tap);
    await ensureUsers(service, options.users);
    return { mqttUrl, db, service, api, origin: `http://127.0.0.1:${api.port}`, close };
  } catch (error) {
    await close().catch(() => undefined);
    throw error;
  }
}
