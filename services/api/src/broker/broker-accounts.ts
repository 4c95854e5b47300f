import type { Logger } from 'pino';
import type { DeviceIdentity } from '@hazardwatch/core';
import type { DynsecClient } from './dynsec-client.js';
import { GATEWAY_USERNAME, SERVICE_ACLS, SERVICE_ROLE, gatewayAcls, gatewayRole } from './dynsec-roles.js';

/**
 * The production broker's own account store, kept in step with the gateway credentials by the
 * API. Only the API ever holds a gateway secret in clear, at the moment it issues it, so it hands
 * it to the broker then; everything else (revocations, accounts with no credential) follows from
 * the credential table.
 */
export interface BrokerAccounts {
  /**
   * A credential is being issued or rotated: the broker takes the new secret and the gateway's
   * ACL, and the old secret's sessions end. Throws HW_API_BROKER_UNAVAILABLE when the broker did
   * not confirm it.
   */
  issued(device: DeviceIdentity & { readonly username: string }, secret: string): Promise<void>;
  /** A credential was revoked: the broker refuses the username and disconnects its sessions. */
  revoked(username: string): Promise<void>;
}

/** What the reconciler reads of the stored credentials (@hazardwatch/store DeviceCredentialRepository). */
export interface CredentialSource {
  byUsername(username: string): Promise<{ readonly revokedAt: number | null } | undefined>;
  all(): Promise<ReadonlyArray<{ readonly username: string; readonly revokedAt: number | null }>>;
}

export interface DynsecAccountsOptions {
  readonly dynsec: DynsecClient;
  readonly credentials: CredentialSource;
  readonly logger: Logger;
  /** The platform's MQTT login (ingest workers), kept as a dynsec client with SERVICE_ROLE. */
  readonly service?: { readonly username: string; readonly password: string };
  /**
   * Whether the broker accepts this login (a test connection); used once per start to learn if
   * the service account's password is still the configured one without kicking its sessions.
   */
  readonly loginWorks?: (username: string, password: string) => Promise<boolean>;
}

/** Outcome of a full pass, for logs and tests. */
export interface ReconcileReport {
  readonly deleted: readonly string[];
  /** Active credentials the broker has no account for: only issuing them again can fix that. */
  readonly missing: readonly string[];
}

const CLIENT_NOT_FOUND = 'Client not found';
const ROLE_NOT_FOUND = 'Role not found';
const CLIENT_EXISTS = 'Client already exists';
const ROLE_EXISTS = 'Role already exists';

/**
 * Applies gateway credentials and ACLs to Mosquitto's dynamic-security plugin and follows the
 * credential table (`changed`, fed by device-credential-watch.ts): a revoked or deleted
 * credential's account is deleted, which also disconnects its sessions. One queue runs every
 * change, so an issue and a notification about the same gateway never interleave.
 */
export class DynsecAccounts implements BrokerAccounts {
  readonly #log: Logger;
  #queue: Promise<unknown> = Promise.resolve();
  #serviceChecked = false;

  constructor(private readonly options: DynsecAccountsOptions) {
    this.#log = options.logger.child({ component: 'dynsec-accounts' });
  }

  issued(device: DeviceIdentity & { readonly username: string }, secret: string): Promise<void> {
    return this.#serial(async () => {
      const { dynsec } = this.options;
      const role = gatewayRole(device.username);
      await dynsec.run({ command: 'createRole', rolename: role, acls: gatewayAcls(device) }, [ROLE_EXISTS]);
      // Delete and create rather than setClientPassword: one path for a first issue, a rotation
      // and a re-issue after revocation; deleting kicks the sessions of the old secret.
      await dynsec.run({ command: 'deleteClient', username: device.username }, [CLIENT_NOT_FOUND]);
      await dynsec.run({
        command: 'createClient',
        username: device.username,
        password: secret,
        roles: [{ rolename: role }],
      });
      this.#log.info({ username: device.username }, 'broker account applied');
    });
  }

  revoked(username: string): Promise<void> {
    return this.#serial(() => this.#remove(username));
  }

  /**
   * A credential changed (its username), or any may have (undefined: the watch reconnected):
   * revocations are applied, a full pass when the username is not known.
   */
  changed(username: string | undefined): Promise<void> {
    return this.#serial(async () => {
      if (username === undefined) {
        await this.#reconcile();
        return;
      }
      const stored = await this.options.credentials.byUsername(username);
      if (!stored || stored.revokedAt !== null) await this.#remove(username);
    });
  }

  /** The service account (and its role) alone: needs no credential table, so it can come first. */
  ensureServiceAccount(): Promise<void> {
    return this.#serial(() => this.#ensureService());
  }

  /** A full pass: the service account, then every gateway account against the table. */
  reconcile(): Promise<ReconcileReport> {
    return this.#serial(() => this.#reconcile());
  }

  async #reconcile(): Promise<ReconcileReport> {
    const { dynsec, credentials } = this.options;
    await this.#ensureService();
    const stored = new Map((await credentials.all()).map((c) => [c.username, c.revokedAt === null]));
    const present = new Set(await dynsec.listClients());
    const deleted: string[] = [];
    for (const username of present) {
      if (username === this.options.service?.username || !GATEWAY_USERNAME.test(username)) continue;
      if (stored.get(username) === true) continue;
      await this.#remove(username);
      deleted.push(username);
    }
    const missing = [...stored].filter(([u, active]) => active && !present.has(u)).map(([u]) => u);
    if (missing.length > 0)
      this.#log.warn(
        { count: missing.length, usernames: missing.slice(0, 20) },
        'active gateway credentials without a broker account: issue them again (rotate)',
      );
    this.#log.info({ deleted: deleted.length, missing: missing.length }, 'broker accounts reconciled');
    return { deleted, missing };
  }

  async #ensureService(): Promise<void> {
    const { dynsec, service, loginWorks } = this.options;
    if (!service) return;
    await dynsec.run({ command: 'createRole', rolename: SERVICE_ROLE, acls: SERVICE_ACLS }, [ROLE_EXISTS]);
    const created = await dynsec.run(
      {
        command: 'createClient',
        username: service.username,
        password: service.password,
        roles: [{ rolename: SERVICE_ROLE }],
      },
      [CLIENT_EXISTS],
    );
    if (created.error === undefined) {
      this.#log.info({ username: service.username }, 'service account created');
    } else if (
      !this.#serviceChecked &&
      loginWorks &&
      !(await loginWorks(service.username, service.password))
    ) {
      // The configured password changed: apply it (this disconnects the old password's sessions).
      // Its role came with createClient (addClientRole of a role the client has answers "Internal
      // error" on 2.0.11).
      await dynsec.run({
        command: 'setClientPassword',
        username: service.username,
        password: service.password,
      });
      this.#log.info({ username: service.username }, 'service account password applied');
    }
    this.#serviceChecked = true;
  }

  async #remove(username: string): Promise<void> {
    const { dynsec } = this.options;
    const response = await dynsec.run({ command: 'deleteClient', username }, [CLIENT_NOT_FOUND]);
    await dynsec.run({ command: 'deleteRole', rolename: gatewayRole(username) }, [ROLE_NOT_FOUND]);
    if (response.error === undefined) this.#log.info({ username }, 'broker account deleted');
  }

  #serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(work, work);
    this.#queue = run.catch(() => undefined);
    return run;
  }
}
