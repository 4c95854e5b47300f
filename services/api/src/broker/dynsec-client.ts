import { randomBytes } from 'node:crypto';
import { backOffOnConnackRefusal } from '@hazardwatch/kit';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { apiErrors } from '../errors.js';

/** Where Mosquitto 2's dynamic-security plugin takes commands and publishes its answers. */
export const DYNSEC_COMMAND_TOPIC = '$CONTROL/dynamic-security/v1';
export const DYNSEC_RESPONSE_TOPIC = '$CONTROL/dynamic-security/v1/response';

/**
 * Role ACL types of the plugin (plugins/dynamic-security/README.md, Mosquitto 2.0): a
 * publishClientSend/Receive or *Pattern topic is an MQTT filter matched as such; a *Literal one
 * matches the exact text. Mosquitto 2.0.11 substitutes no %c/%u in role ACLs, so every gateway
 * gets a role of its own.
 */
export type DynsecAclType =
  | 'publishClientSend'
  | 'publishClientReceive'
  | 'subscribeLiteral'
  | 'subscribePattern'
  | 'unsubscribeLiteral'
  | 'unsubscribePattern';

export interface DynsecAcl {
  readonly acltype: DynsecAclType;
  readonly topic: string;
  readonly allow: boolean;
  readonly priority?: number;
}

/** One command of the JSON protocol; `command` names it, the rest are its documented fields. */
export type DynsecCommand = { readonly command: string } & Readonly<Record<string, unknown>>;

export interface DynsecResponse {
  readonly command: string;
  readonly error?: string;
  readonly data?: unknown;
  readonly correlationData?: string;
}

export interface DynsecClientOptions {
  /** mqtt://host:1883 or mqtts://host:8883 of the broker with the plugin. */
  readonly url: string;
  /** A dynsec client with the plugin's `admin` role (mosquitto_ctrl dynsec init). */
  readonly username: string;
  readonly password: string;
  /** CA certificate(s) for an mqtts:// url signed by a private CA (PEM). */
  readonly ca?: string | Buffer;
  readonly logger: Logger;
  /** How long one command waits for its answer, ms. @default 10000 */
  readonly timeoutMs?: number;
  /** @default 'hw-dynsec-<random>' */
  readonly clientId?: string;
  /**
   * Delay before reconnecting after a lost connection, ms; after a refused login it doubles up
   * to 60 s. @default 1000
   */
  readonly reconnectPeriodMs?: number;
}

/** The coded error, with the reason in the log only (a 503 answer carries no internals). */
function unavailable(log: Logger, reason: string): Error {
  log.warn({ reason }, 'dynamic-security plugin unavailable');
  return apiErrors.create('HW_API_BROKER_UNAVAILABLE', {});
}

interface Pending {
  readonly resolve: (response: DynsecResponse) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

/**
 * Speaks the dynamic-security plugin's JSON command protocol over MQTT: `{"commands":[…]}` to
 * $CONTROL/dynamic-security/v1, answers `{"responses":[{command, error?, data?, correlationData}]}`
 * on …/response. The plugin publishes every answer to every subscriber of that topic (several
 * API instances), so each command carries a correlationData of ours and other answers are ignored.
 */
export class DynsecClient {
  readonly #client: MqttClient;
  readonly #pending = new Map<string, Pending>();
  readonly #prefix = randomBytes(6).toString('hex');
  readonly #timeoutMs: number;
  readonly #log: Logger;
  #next = 0;

  readonly #url: string;
  readonly #connectOptions: IClientOptions;

  private constructor(client: MqttClient, options: DynsecClientOptions, connectOptions: IClientOptions) {
    this.#client = client;
    this.#url = options.url;
    this.#connectOptions = connectOptions;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#log = options.logger.child({ component: 'dynsec-client' });
    client.on('message', (topic, payload) => {
      if (topic === DYNSEC_RESPONSE_TOPIC) this.#answer(payload);
    });
  }

  /** Connects as the plugin's administrator and subscribes to the answers. */
  static async connect(options: DynsecClientOptions): Promise<DynsecClient> {
    const clientOptions: IClientOptions = {
      clientId: options.clientId ?? `hw-dynsec-${randomBytes(4).toString('hex')}`,
      username: options.username,
      password: options.password,
      clean: true,
      reconnectPeriod: options.reconnectPeriodMs ?? 1000,
      // The client lives as long as the API and reconnects after a broker restart; a login refused
      // on one of those reconnections (its admin disabled for a while, a broker file set right a
      // moment later) is tried again, backing off (below) so the broker's owner does not see a
      // brute-force attack: mqtt.js gives up at the first refusal otherwise, and no credential
      // change reached the broker until the API was restarted. A refusal at the first connection
      // still fails connect() (its 'error' rejects).
      reconnectOnConnackError: true,
      connectTimeout: options.timeoutMs ?? 10_000,
      ...(options.ca !== undefined ? { ca: options.ca } : {}),
    };
    const client = mqtt.connect(options.url, clientOptions);
    backOffOnConnackRefusal(client, { log: options.logger.child({ component: 'dynsec-client' }) });
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(unavailable(options.logger, 'connect timed out')),
          options.timeoutMs ?? 10_000,
        );
        client.once('connect', () => {
          clearTimeout(timer);
          resolve();
        });
        client.once('error', (error) => {
          clearTimeout(timer);
          reject(unavailable(options.logger, error.message));
        });
      });
      const dynsec = new DynsecClient(client, options, clientOptions);
      const granted = await client.subscribeAsync(DYNSEC_RESPONSE_TOPIC, { qos: 1 });
      if (granted.some((g) => g.qos === 128))
        throw unavailable(
          options.logger,
          `the login may not subscribe to ${DYNSEC_RESPONSE_TOPIC}: no dynsec admin role`,
        );
      client.on('error', (error) => dynsec.#log.warn({ err: error.message }, 'dynsec connection error'));
      return dynsec;
    } catch (error) {
      await client.endAsync(true).catch(() => undefined);
      throw error;
    }
  }

  /**
   * Called on every reconnection (the connection made by `connect` precedes any listener): the
   * plugin may have missed changes meanwhile.
   */
  onReconnect(listener: () => void): () => void {
    this.#client.on('connect', listener);
    return () => this.#client.off('connect', listener);
  }

  /**
   * Whether the broker accepts `username`/`password` (a separate, short connection to the same
   * url): false when refused (CONNACK not authorised), an error when the broker is not reached.
   */
  loginWorks(username: string, password: string): Promise<boolean> {
    const probe = mqtt.connect(this.#url, {
      ...this.#connectOptions,
      clientId: `hw-dynsec-probe-${randomBytes(4).toString('hex')}`,
      username,
      password,
      reconnectPeriod: 0,
      reconnectOnConnackError: false,
    });
    return new Promise<boolean>((resolve, reject) => {
      const done = (outcome: () => void): void => {
        clearTimeout(timer);
        probe.removeAllListeners('connect');
        probe.removeAllListeners('error');
        probe.on('error', () => undefined);
        void probe.endAsync(true).catch(() => undefined);
        outcome();
      };
      const timer = setTimeout(
        () => done(() => reject(unavailable(this.#log, 'login probe timed out'))),
        this.#timeoutMs,
      );
      probe.once('connect', () => done(() => resolve(true)));
      probe.once('error', (error: Error & { code?: unknown }) =>
        // CONNACK 4/5 (MQTT 3.1.1) or 134/135 (MQTT 5): bad login, not authorised.
        done(() =>
          [4, 5, 134, 135].includes(Number(error.code))
            ? resolve(false)
            : reject(unavailable(this.#log, error.message)),
        ),
      );
    });
  }

  get connected(): boolean {
    return this.#client.connected;
  }

  /**
   * Sends one command and resolves with its answer, whether or not it carries an `error` (the
   * caller decides which errors are benign, e.g. "Client already exists").
   */
  send(command: DynsecCommand): Promise<DynsecResponse> {
    const correlationData = `${this.#prefix}-${++this.#next}`;
    return new Promise<DynsecResponse>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(correlationData);
        reject(unavailable(this.#log, `no answer to ${command.command} within ${this.#timeoutMs} ms`));
      }, this.#timeoutMs);
      this.#pending.set(correlationData, { resolve, reject, timer });
      this.#client.publish(
        DYNSEC_COMMAND_TOPIC,
        JSON.stringify({ commands: [{ ...command, correlationData }] }),
        { qos: 1 },
        (error) => {
          if (!error) return;
          clearTimeout(timer);
          this.#pending.delete(correlationData);
          reject(unavailable(this.#log, error.message));
        },
      );
    });
  }

  /** Sends a command and throws HW_API_DYNSEC_REFUSED unless it succeeded or failed with one of `benign`. */
  async run(command: DynsecCommand, benign: readonly string[] = []): Promise<DynsecResponse> {
    const response = await this.send(command);
    if (response.error !== undefined && !benign.includes(response.error))
      throw apiErrors.create('HW_API_DYNSEC_REFUSED', { command: command.command, error: response.error });
    return response;
  }

  createClient(username: string, password: string, roles: readonly string[] = []): Promise<DynsecResponse> {
    return this.send({
      command: 'createClient',
      username,
      password,
      roles: roles.map((rolename) => ({ rolename })),
    });
  }

  /** Also disconnects every session of that username (Mosquitto kicks it). */
  deleteClient(username: string): Promise<DynsecResponse> {
    return this.send({ command: 'deleteClient', username });
  }

  /** Also disconnects every session of that username, so an old password's sessions end. */
  setClientPassword(username: string, password: string): Promise<DynsecResponse> {
    return this.send({ command: 'setClientPassword', username, password });
  }

  /** Refuses further logins and disconnects the username's sessions. */
  disableClient(username: string): Promise<DynsecResponse> {
    return this.send({ command: 'disableClient', username });
  }

  enableClient(username: string): Promise<DynsecResponse> {
    return this.send({ command: 'enableClient', username });
  }

  getClient(username: string): Promise<DynsecResponse> {
    return this.send({ command: 'getClient', username });
  }

  /** Every client's username (`listClients`, not verbose). */
  async listClients(): Promise<string[]> {
    const response = await this.run({ command: 'listClients', verbose: false, count: -1, offset: 0 });
    const data = response.data as { clients?: unknown[] } | undefined;
    return (data?.clients ?? []).filter((c): c is string => typeof c === 'string');
  }

  createRole(rolename: string, acls: readonly DynsecAcl[] = []): Promise<DynsecResponse> {
    return this.send({ command: 'createRole', rolename, acls });
  }

  deleteRole(rolename: string): Promise<DynsecResponse> {
    return this.send({ command: 'deleteRole', rolename });
  }

  addRoleACL(rolename: string, acl: DynsecAcl): Promise<DynsecResponse> {
    return this.send({ command: 'addRoleACL', rolename, ...acl });
  }

  addClientRole(username: string, rolename: string, priority?: number): Promise<DynsecResponse> {
    return this.send({
      command: 'addClientRole',
      username,
      rolename,
      ...(priority !== undefined ? { priority } : {}),
    });
  }

  async close(): Promise<void> {
    for (const [id, pending] of this.#pending) {
      clearTimeout(pending.timer);
      pending.reject(unavailable(this.#log, 'dynsec client closed'));
      this.#pending.delete(id);
    }
    await this.#client.endAsync(true);
  }

  #answer(payload: Buffer): void {
    let parsed: { responses?: DynsecResponse[] };
    try {
      parsed = JSON.parse(payload.toString('utf8')) as typeof parsed;
    } catch {
      this.#log.warn({ bytes: payload.length }, 'dynsec answer is not JSON');
      return;
    }
    for (const response of parsed.responses ?? []) {
      const id = response.correlationData;
      const pending = id === undefined ? undefined : this.#pending.get(id);
      if (!pending || id === undefined) continue;
      clearTimeout(pending.timer);
      this.#pending.delete(id);
      pending.resolve(response);
    }
  }
}
