import { connect } from 'node:net';
import { chmod, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import pg from 'pg';
// The embedded servers' own entries (their packages are devDependencies, never in production).
import { startEmbeddedPostgres } from '@hazardwatch/store/embedded-postgres';
import { startEmbeddedBroker } from '@hazardwatch/ingest/embedded-broker';

/** The real services integration suites run against; started in-process when the machine has none. */
export interface TestServices {
  readonly postgresAdminUrl: string;
  readonly mqttUrl: string;
  /** `external` (e.g. Mosquitto on 1883) or `embedded` (aedes in the vitest main process). */
  readonly mqttKind: 'external' | 'embedded';
  stop(): Promise<void>;
}

const LOCAL_POSTGRES = 'postgres://postgres@127.0.0.1:5432/postgres';
const LOCAL_MQTT_PORT = 1883;

export interface TestServicesOptions {
  /** Ignore servers on the standard ports (checks the fresh-machine path). @default false */
  readonly forceEmbedded?: boolean;
  /**
   * The PostgreSQL server (admin URL, a superuser's: suites create databases) the suites use
   * instead of 127.0.0.1:5432, e.g. a TimescaleDB server (HW_TEST_DATABASE_URL). It must answer:
   * an unreachable one fails the setup rather than testing something else.
   */
  readonly postgresUrl?: string;
}

export async function startTestServices(options: TestServicesOptions = {}): Promise<TestServices> {
  const { forceEmbedded = false, postgresUrl } = options;
  const log = pino({ level: 'warn' });
  const stops: Array<() => Promise<void>> = [];

  let postgresAdminUrl = postgresUrl ?? LOCAL_POSTGRES;
  if (postgresUrl !== undefined) {
    if (!(await postgresReachable(postgresUrl))) {
      throw new Error(`HW_TEST_DATABASE_URL: no PostgreSQL answers at ${redacted(postgresUrl)}`);
    }
  } else if (forceEmbedded || !(await postgresReachable(LOCAL_POSTGRES))) {
    // The data directory lives under the OS temp dir: as root, the server runs as `postgres`.
    const parent = await mkdtemp(join(tmpdir(), 'hw-test-pg-'));
    await chmod(parent, 0o755);
    const dataDir = join(parent, 'data');
    const pgHandle = await startEmbeddedPostgres({ dataDir, port: 0, logger: log });
    postgresAdminUrl = pgHandle.url;
    stops.push(() => pgHandle.stop());
  }

  let mqttUrl = `mqtt://127.0.0.1:${LOCAL_MQTT_PORT}`;
  let mqttKind: TestServices['mqttKind'] = 'external';
  if (forceEmbedded || !(await tcpOpen('127.0.0.1', LOCAL_MQTT_PORT))) {
    const broker = await startEmbeddedBroker({ host: '127.0.0.1', port: 0, logger: log });
    mqttUrl = broker.url;
    mqttKind = 'embedded';
    stops.push(() => broker.close());
  }

  return {
    postgresAdminUrl,
    mqttUrl,
    mqttKind,
    stop: async () => {
      for (const stop of stops.reverse()) await stop();
    },
  };
}

/** The URL without its password, for messages. */
function redacted(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(not a URL)';
  }
}

async function postgresReachable(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  // Unreachable is an answer (false), never an uncaught 'error' event.
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export function tcpOpen(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (open: boolean): void => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
