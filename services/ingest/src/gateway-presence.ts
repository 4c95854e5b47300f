import { TypeCompiler } from '@sinclair/typebox/compiler';
import { GatewayStatusSchema, type GatewayStatus } from '@hazardwatch/contracts';

export interface GatewayState {
  readonly enterprise: string;
  readonly gateway: string;
  readonly online: boolean;
  /** Our clock when the last status arrived, ms. */
  readonly lastSeenMs: number;
  readonly spoolDepth: number | undefined;
  /**
   * Our clock when the gateway entered this state (online or offline), ms; for a gateway first
   * heard of in this state, when it was first heard of (the state may be older: the stored
   * `gateway_status.since` keeps it).
   */
  readonly sinceMs: number;
}

const checkStatus = TypeCompiler.Compile(GatewayStatusSchema);

/** @returns the status message, or undefined when the payload is not a valid one. */
export function parseGatewayStatus(payload: Buffer): GatewayStatus | undefined {
  let body: unknown;
  try {
    body = JSON.parse(payload.toString('utf8'));
  } catch {
    return undefined;
  }
  return checkStatus.Check(body) ? body : undefined;
}

/**
 * Gateway online/offline from birth, death (MQTT last will) and heartbeat messages. Telemetry
 * also counts as a sign of life. Listeners hear of changes only; the alarm engine hears of every
 * status message (gateway-fault-relay.ts) and turns "offline" into one gateway alarm.
 *
 * It keeps one entry per gateway it is told about, so the caller tells it only of gateways the
 * site knows (app.ts) and calls `retain` when the site changes: codes a device makes up must not
 * grow it (issue #16 item 7).
 */
export class GatewayPresence {
  private readonly states = new Map<string, GatewayState>();
  /** When `seen` last returned each gateway's state to be stored. */
  private readonly refreshed = new Map<string, number>();
  private readonly listeners: Array<(state: GatewayState) => void> = [];

  /** Returns a function that stops listening. */
  onChange(listener: (state: GatewayState) => void): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  /** @returns the status message, or undefined when the payload is not a valid one. */
  status(enterprise: string, gateway: string, payload: Buffer, nowMs: number): GatewayStatus | undefined {
    const status = parseGatewayStatus(payload);
    if (status !== undefined) this.apply(enterprise, gateway, status, nowMs);
    return status;
  }

  /** Takes a valid status message. */
  apply(enterprise: string, gateway: string, status: GatewayStatus, nowMs: number): void {
    // A death (the broker's last will, composed at connect) or data_loss report carries no depth:
    // the last reported one still says what the gateway holds.
    const spoolDepth = status.spoolDepth ?? this.get(enterprise, gateway)?.spoolDepth;
    this.set(enterprise, gateway, status.type !== 'death', nowMs, spoolDepth);
  }

  /**
   * Telemetry arrived. @returns the state when it is worth storing: changed, or its last-seen time
   * `refreshMs` past the one last returned (a gateway that sends telemetry and no status messages
   * would otherwise keep the gateway_status.last_seen of the moment it came online, and a worker
   * taking its partition over would read it as silent for that long).
   */
  seen(enterprise: string, gateway: string, nowMs: number, refreshMs = Infinity): GatewayState | undefined {
    const key = `${enterprise}/${gateway}`;
    const state = this.states.get(key);
    if (state?.online && nowMs - state.lastSeenMs < 1000) return undefined;
    this.set(enterprise, gateway, true, nowMs, state?.spoolDepth);
    const next = this.states.get(key)!;
    const refreshed = this.refreshed.get(key);
    if (state?.online !== true || refreshed === undefined || nowMs - refreshed >= refreshMs) {
      this.refreshed.set(key, nowMs);
      return next;
    }
    return undefined;
  }

  /**
   * The states stored by a previous owner of these gateways (gateway_status, read at start or at a
   * partition takeover), taken where nothing newer is known here. Listeners are not told: nothing
   * changed, this only says what was last known.
   */
  seed(
    stored: ReadonlyArray<{
      enterprise: string;
      gateway: string;
      online: boolean;
      lastSeenMs: number;
      spoolDepth: number | null;
      sinceMs?: number | null;
    }>,
  ): void {
    for (const r of stored) {
      const key = `${r.enterprise}/${r.gateway}`;
      const known = this.states.get(key);
      if (known !== undefined && known.lastSeenMs >= r.lastSeenMs) continue;
      this.states.set(key, {
        enterprise: r.enterprise,
        gateway: r.gateway,
        online: r.online,
        lastSeenMs: r.lastSeenMs,
        spoolDepth: r.spoolDepth ?? undefined,
        sinceMs: r.sinceMs ?? r.lastSeenMs,
      });
    }
  }

  /** Whether the gateway is online and was heard from within `windowMs` before `nowMs`. */
  aliveWithin(enterprise: string, gateway: string, nowMs: number, windowMs: number): boolean {
    const state = this.states.get(`${enterprise}/${gateway}`);
    return state !== undefined && state.online && nowMs - state.lastSeenMs < windowMs;
  }

  get(enterprise: string, gateway: string): GatewayState | undefined {
    return this.states.get(`${enterprise}/${gateway}`);
  }

  /**
   * Forgets every gateway `known` refuses (removed from the site), without telling listeners: a
   * gateway that is no longer configured is neither online nor offline.
   * @returns the states forgotten.
   */
  retain(known: (enterprise: string, gateway: string) => boolean): GatewayState[] {
    const gone: GatewayState[] = [];
    for (const [key, state] of this.states)
      if (!known(state.enterprise, state.gateway)) {
        this.states.delete(key);
        this.refreshed.delete(key);
        gone.push(state);
      }
    return gone;
  }

  all(): GatewayState[] {
    return [...this.states.values()];
  }

  private set(
    enterprise: string,
    gateway: string,
    online: boolean,
    nowMs: number,
    spoolDepth: number | undefined,
  ): void {
    const key = `${enterprise}/${gateway}`;
    const previous = this.states.get(key);
    const sinceMs = previous !== undefined && previous.online === online ? previous.sinceMs : nowMs;
    const next: GatewayState = { enterprise, gateway, online, lastSeenMs: nowMs, spoolDepth, sinceMs };
    this.states.set(key, next);
    // Listeners hear of online/offline changes and of a new spool depth (the backlog shown live).
    if (previous?.online !== online || previous.spoolDepth !== spoolDepth)
      for (const l of this.listeners) l(next);
  }
}
