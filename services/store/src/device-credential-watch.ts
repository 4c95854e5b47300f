import type { Logger } from 'pino';
import { DEVICE_CREDENTIAL_CHANNEL } from './device-credential-repository.js';
import type { Clock } from '@hazardwatch/kit';
import { PgListener } from './pg-listener.js';

export interface DeviceCredentialWatchOptions {
  readonly connectionString: string;
  readonly logger: Logger;
  /**
   * A credential changed (its username), or any may have (undefined: after every (re)connection
   * of the listener, since notifications sent while it was down are lost).
   */
  readonly changed: (username: string | undefined) => void;
  readonly timers?: Pick<Clock, 'setTimeout' | 'clearTimeout'>;
}

export interface DeviceCredentialWatch {
  close(): Promise<void>;
}

/**
 * Follows gateway credential changes across processes: a credential issued, rotated or revoked
 * through any API instance (NOTIFY DEVICE_CREDENTIAL_CHANNEL on commit) reaches the process
 * hosting the embedded broker within moments, which then closes the old credential's sessions.
 */
export async function watchDeviceCredentials(
  options: DeviceCredentialWatchOptions,
): Promise<DeviceCredentialWatch> {
  const log = options.logger.child({ component: 'device-credential-watch' });
  const listener = new PgListener({
    connectionString: options.connectionString,
    channels: [DEVICE_CREDENTIAL_CHANNEL],
    logger: options.logger,
    onNotification: (_channel, username) => {
      log.debug({ username }, 'device credential changed');
      options.changed(username === '' ? undefined : username);
    },
    onListening: () => options.changed(undefined),
    ...(options.timers ? { timers: options.timers } : {}),
  });
  await listener.start();
  return { close: () => listener.close() };
}
