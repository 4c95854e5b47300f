import { readFileSync } from 'node:fs';
import pg from 'pg';
import type { Logger } from 'pino';
import { DynsecAccounts, DynsecClient, type BrokerAccounts } from '@hazardwatch/api';
import { DeviceCredentialRepository, sqlClientFromPg, watchDeviceCredentials } from '@hazardwatch/store';
import type { RuntimeConfig } from './config.js';
import { ConfigError } from './errors.js';
import { StartupUndo } from './startup-undo.js';

export interface BrokerAccountsService {
  /** For the credential routes (ApiDeps.brokerAccounts). */
  readonly accounts: BrokerAccounts;
  /**
   * Reconciles the gateway accounts with the credential table (migrated by then), and from now on
   * follows it (NOTIFY) and reconciles again whenever the plugin connection or the table listener
   * comes back.
   */
  follow(): Promise<void>;
  close(): Promise<void>;
}

/**
 * With broker.dynsec configured (`serve`, `api`): connects to the Mosquitto dynamic-security
 * plugin as its admin and creates the ingest's service account, so it is started before the
 * ingest, which logs in with that account; `follow` once the schema is migrated. Undefined when
 * not configured.
 */
export async function startBrokerAccounts(
  config: RuntimeConfig,
  logger: Logger,
): Promise<BrokerAccountsService | undefined> {
  const settings = config.broker.dynsec;
  if (!settings) return undefined;
  const { serviceUsername, servicePassword } = config.mqtt;
  const databaseUrl = config.database.url;
  // Checked by loadRuntimeConfig; repeated so the types follow.
  if (databaseUrl === undefined || serviceUsername === undefined || servicePassword === undefined)
    throw new ConfigError([
      'broker.dynsec: needs database.url, mqtt.serviceUsername and mqtt.servicePassword',
    ]);
  let ca: Buffer | undefined;
  if (settings.caFile !== undefined) {
    try {
      ca = readFileSync(settings.caFile);
    } catch (error) {
      throw new ConfigError([`broker.dynsec.caFile: ${(error as Error).message}`]);
    }
  }
  const log = logger.child({ component: 'broker-accounts' });
  const undo = new StartupUndo(log);
  try {
    const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
    // Idle clients that lose their connection (a database restart or failover) report it here and
    // are replaced by the pool; without a listener the process would die on it.
    pool.on('error', (err) => log.warn({ err }, 'idle database connection lost'));
    undo.push(() => pool.end());
    const credentials = new DeviceCredentialRepository(sqlClientFromPg(pool));
    const dynsec = await DynsecClient.connect({
      url: settings.url,
      username: settings.username,
      password: settings.password,
      timeoutMs: settings.timeoutMs,
      logger,
      ...(ca ? { ca } : {}),
    });
    undo.push(() => dynsec.close());
    const accounts = new DynsecAccounts({
      dynsec,
      credentials,
      logger,
      service: { username: serviceUsername, password: servicePassword },
      loginWorks: (username, password) => dynsec.loginWorks(username, password),
    });
    await accounts.ensureServiceAccount();
    const changed = (username: string | undefined): void => {
      accounts.changed(username).catch((err: unknown) => {
        log.error(
          { err, username },
          'broker accounts not reconciled; retried on the next change or reconnection',
        );
      });
    };
    let stopReconnect: (() => void) | undefined;
    let watch: { close(): Promise<void> } | undefined;
    return {
      accounts,
      follow: async () => {
        await accounts.reconcile();
        stopReconnect = dynsec.onReconnect(() => changed(undefined));
        // The watch reports `undefined` once listening and after each reconnection: a full pass.
        watch = await watchDeviceCredentials({ connectionString: databaseUrl, logger, changed });
        log.info({ url: settings.url }, 'broker accounts following the credential table');
      },
      close: async () => {
        stopReconnect?.();
        await watch?.close();
        await dynsec.close();
        await pool.end();
      },
    };
  } catch (error) {
    await undo.run();
    throw error;
  }
}
