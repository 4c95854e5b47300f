/**
 * Back off on a refused MQTT login. A long-running client that tries a refused login again
 * (mqtt.js `reconnectOnConnackError`) at its fixed reconnect period fails a login every second,
 * day and night — what a brute-force attack looks like to the broker's owner: fail2ban or EMQX's
 * flapping detection bans the address or client id, Mosquitto logs a line per attempt. After a
 * CONNACK refusal the delay before the next attempt doubles from the client's own period up to a
 * cap, with a little jitter; a successful connect brings the normal period back. Ordinary losses
 * (network, broker restart) keep the normal period, so readings resume fast.
 *
 * Written against mqtt.js 5 (`build/lib/handlers/connack.js`, `client.js`): a refusal emits
 * 'error' with the reason code as a number in `code` (MQTT 3.1.1 §3.2.2.3 return codes 1–5,
 * MQTT 5 §3.2.2.2 reason codes ≥ 0x80) while the client is not connected, and then schedules the
 * next attempt with `_setupReconnect`, which reads `options.reconnectPeriod` anew each time (each
 * `connect()` clears the previous timer). So the delay is set on the client's options in the
 * 'error' handler, and put back at each attempt ('reconnect') and on 'connect'. Structural types
 * only: the kit depends on no MQTT library.
 */

/** @default 60 000 ms. */
export const CONNACK_BACKOFF_MAX_MS = 60_000;
/** @default 0.1: each delay is uniform in [0.9 × d, d]. */
export const CONNACK_BACKOFF_JITTER = 0.1;

export interface ConnackBackoffOptions {
  /** The client's own reconnect period, ms: the delay after a first refusal, and the normal one. */
  readonly periodMs: number;
  /** Largest delay, ms; never below `periodMs`. @default 60 000 */
  readonly maxMs?: number;
  /** Fraction of a delay taken off at random, in [0, 1). @default 0.1 */
  readonly jitter?: number;
  /** Uniform in [0, 1), injected so tests are deterministic. @default Math.random */
  readonly random?: () => number;
}

/** The schedule, pure: `refused()` after each refusal, `accepted()` after a successful connect. */
export class ConnackBackoff {
  readonly periodMs: number;
  readonly maxMs: number;
  readonly #jitter: number;
  readonly #random: () => number;
  #refusals = 0;

  constructor(options: ConnackBackoffOptions) {
    const { periodMs, maxMs = CONNACK_BACKOFF_MAX_MS, jitter = CONNACK_BACKOFF_JITTER } = options;
    if (!(periodMs > 0) || !(maxMs > 0) || !(jitter >= 0 && jitter < 1)) {
      throw new RangeError(
        `connack backoff: periodMs ${periodMs} and maxMs ${maxMs} must be > 0, jitter ${jitter} in [0, 1)`,
      );
    }
    this.periodMs = periodMs;
    this.maxMs = Math.max(maxMs, periodMs);
    this.#jitter = jitter;
    this.#random = options.random ?? Math.random;
  }

  /** Refusals since the last accepted login. */
  get refusals(): number {
    return this.#refusals;
  }

  /** The delay before the next attempt without jitter, ms: the normal period when not refused. */
  get capMs(): number {
    if (this.#refusals === 0) return this.periodMs;
    // 2^n overflows to Infinity long before it matters; min() keeps the cap.
    return Math.min(this.maxMs, this.periodMs * 2 ** (this.#refusals - 1));
  }

  /** A login was refused: the delay before the next attempt, ms (period, 2×, 4×, … up to max). */
  refused(): number {
    this.#refusals += 1;
    const cap = this.capMs;
    return Math.max(1, Math.round(cap * (1 - this.#jitter * this.#random())));
  }

  /** A login was accepted: back to the normal period. True when it had been backing off. */
  accepted(): boolean {
    const was = this.#refusals > 0;
    this.#refusals = 0;
    return was;
  }
}

/** The part of an mqtt.js 5 `MqttClient` used here. */
export interface ConnackRefusableClient {
  readonly connected: boolean;
  readonly options: { reconnectPeriod?: number };
  on(event: 'connect', listener: () => void): unknown;
  on(event: 'reconnect', listener: () => void): unknown;
  on(event: 'error', listener: (err: Error) => void): unknown;
}

/** A pino logger fits. */
export interface ConnackBackoffLog {
  warn(data: object, msg: string): void;
  info(data: object, msg: string): void;
}

export interface ConnackBackoffAttachOptions extends Omit<ConnackBackoffOptions, 'periodMs'> {
  /** Where the backoff is logged: at warn once per change of delay, at info when it ends. */
  readonly log?: ConnackBackoffLog;
}

/**
 * The refusal's reason code, or undefined for any other error. Node's socket errors carry a
 * string `code` ('ECONNREFUSED'); errors while connected (receive maximum exceeded) are no
 * refusal of the login.
 */
export function connackRefusalCode(err: unknown, connected: boolean): number | undefined {
  if (connected || err === null || typeof err !== 'object') return undefined;
  const code = (err as { code?: unknown }).code;
  return typeof code === 'number' && Number.isInteger(code) && code > 0 ? code : undefined;
}

/**
 * Make `client` back off on CONNACK refusals, from its own `reconnectPeriod` (set it, and
 * `reconnectOnConnackError: true`, when creating the client). Attach before the first attempt's
 * answer can arrive, i.e. right after `mqtt.connect`. Returns the schedule, for status views.
 */
export function backOffOnConnackRefusal(
  client: ConnackRefusableClient,
  options: ConnackBackoffAttachOptions = {},
): ConnackBackoff {
  const { log, ...schedule } = options;
  const periodMs = client.options.reconnectPeriod ?? 1000;
  const backoff = new ConnackBackoff({ ...schedule, periodMs });
  const options_ = client.options;
  /** The undelayed delay last logged; undefined while not backing off. */
  let loggedCapMs: number | undefined;
  client.on('error', (err) => {
    const code = connackRefusalCode(err, client.connected);
    if (code === undefined) return;
    const delayMs = backoff.refused();
    options_.reconnectPeriod = delayMs;
    if (backoff.capMs !== loggedCapMs) {
      loggedCapMs = backoff.capMs;
      log?.warn(
        { code, refusals: backoff.refusals, delayMs, maxMs: backoff.maxMs, periodMs },
        'login refused: backing off before the next attempt',
      );
    }
  });
  // Each attempt starts from the normal period: if it fails for another reason (network, broker
  // down) the next one comes after the period; a refusal sets the longer delay again.
  client.on('reconnect', () => {
    options_.reconnectPeriod = periodMs;
  });
  client.on('connect', () => {
    options_.reconnectPeriod = periodMs;
    const refusals = backoff.refusals;
    if (backoff.accepted()) {
      loggedCapMs = undefined;
      log?.info({ refusals, periodMs }, 'login accepted: reconnect period back to normal');
    }
  });
  return backoff;
}
