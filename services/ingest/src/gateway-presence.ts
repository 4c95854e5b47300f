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
    let body: unknown;
    try {
      body = JSON.parse(payload.toString('utf8'));
    } catch {
      return undefined;
    }
    if (!checkStatus.Check(body)) return undefined;
    const status: GatewayStatus = body;
    // A death (the broker's last will, composed at connect) or data_loss report carries no depth:
    // the last reported one still says what the gateway holds.
    const spoolDepth = status.spoolDepth ?? this.get(enterprise, gateway)?.spoolDepth;
    this.set(enterprise, gateway, status.type !== 'death', nowMs, spoolDepth);
    return status;
  }

  seen(enterprise: string, gateway: string, nowMs: number): void {
    const key = `${enterprise}/${gateway}`;
    const state = this.states.get(key);
    if (state?.online && nowMs - state.lastSeenMs < 1000) return;
    this.set(enterprise, gateway, true, nowMs, state?.spoolDepth);
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
