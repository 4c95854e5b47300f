import type { Logger } from 'pino';
import { CoalescingRunner, systemClock, unrefTimer, type Clock } from '@hazardwatch/kit';
import { PgListener } from './pg-listener.js';
import { SITE_CHANGED_CHANNEL } from './site-documents.js';

export interface SiteWatchOptions {
  readonly connectionString: string;
  readonly logger: Logger;
  /**
   * Looks for a newer site version and applies it. Called on each notification, after every
   * (re)connection of the listener (notifications sent while it was down are lost) and every
   * `pollIntervalMs`; never twice at once — calls asked for meanwhile collapse into one more.
   */
  readonly check: () => Promise<void>;
  /** Fallback poll, ms. @default 30000 */
  readonly pollIntervalMs?: number;
  /** @default systemClock */
  readonly timers?: Clock;
}

export interface SiteWatch {
  /** Runs a check now (and waits for it), as a notification would. */
  check(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Follows the stored site model across processes: an edit saved through any API instance (a new
 * `site_documents` version, NOTIFY SITE_CHANGED_CHANNEL) reaches every ingest worker and API
 * process within moments, without a restart. The notification is only a wake-up; `check` reads
 * the latest version itself, so a lost notification costs at most one poll interval.
 */
export async function watchSiteDocuments(options: SiteWatchOptions): Promise<SiteWatch> {
  const log = options.logger.child({ component: 'site-watch' });
  const timers = options.timers ?? systemClock;
  const runner = new CoalescingRunner({
    task: () => options.check(),
    onError: (err) => log.warn({ err }, 'site check failed'),
  });
  const run = (): Promise<void> => runner.run();
  const listener = new PgListener({
    connectionString: options.connectionString,
    channels: [SITE_CHANGED_CHANNEL],
    logger: options.logger,
    onNotification: () => void run(),
    onListening: () => void run(),
    timers,
  });
  await listener.start();
  const poll = timers.setInterval(() => void run(), options.pollIntervalMs ?? 30_000);
  // A fallback poll must not keep a process alive on its own.
  unrefTimer(poll);
  return {
    check: run,
    close: async () => {
      timers.clearInterval(poll);
      // Closed first, so a notification arriving while the listener closes starts no check.
      const idle = runner.close();
      await listener.close();
      await idle;
    },
  };
}
