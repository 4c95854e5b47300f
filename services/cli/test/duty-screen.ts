import { Agent, request } from 'node:http';
import { io, type Socket } from 'socket.io-client';
import type {
  ClientToServerEvents,
  LiveAlarmEvent,
  LiveScope,
  ServerToClientEvents,
} from '@hazardwatch/contracts';

/**
 * A duty-centre screen for tests through a load balancer (issue #23): a socket.io client that
 * behaves as the dashboard's live client (dashboards/control-room/src/live/live-client.ts) —
 * token in `auth`, the same reconnection delays, after a reconnect socket.io could not recover a
 * `subscribe` with `sinceEventId` and then the REST snapshot reloaded — and the alarms it would
 * show. The dashboard cannot be imported here (STYLE rule 2); its transport choice is passed in
 * and compared with the dashboard's source by the test.
 */
export type LiveTransport = 'websocket' | 'polling';

export interface ShownAlarm {
  readonly condition: string;
  readonly state: string;
  readonly pointId: number | null;
}

export interface Rest {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

/**
 * One HTTP request on a connection of its own (no keep-alive), so a layer-4 balancer picks a
 * backend for each request, as it does for a browser's separate connections.
 */
export function restCall(
  port: number,
  method: 'GET' | 'POST',
  path: string,
  options: { token?: string; body?: unknown; localAddress?: string } = {},
): Promise<Rest> {
  const body = options.body === undefined && method === 'POST' ? {} : options.body;
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method,
        path: `/api/v1${path}`,
        agent: false,
        ...(options.localAddress !== undefined ? { localAddress: options.localAddress } : {}),
        headers: {
          ...(options.token !== undefined ? { authorization: `Bearer ${options.token}` } : {}),
          ...(payload !== undefined ? { 'content-type': 'application/json' } : {}),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (s: string) => (text += s));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

export interface DutyScreenOptions {
  /** The balancer's port: socket.io and the REST snapshot both go through it. */
  readonly port: number;
  readonly token: string;
  readonly scopes: readonly LiveScope[];
  readonly transports: readonly LiveTransport[];
  /** A loopback address of its own (127.0.0.x), so `source-hash` tells screens apart. */
  readonly localAddress?: string;
  /** The enterprise whose active alarms the REST snapshot loads. */
  readonly enterprise: string;
}

export class DutyScreen {
  readonly socket: Socket<ServerToClientEvents, ClientToServerEvents>;
  /** Every alarm event received, live and replayed, in order. */
  readonly received: LiveAlarmEvent[] = [];
  /** What the screen shows: open alarms by id. */
  readonly shown = new Map<string, ShownAlarm>();
  /** Why the connection failed or dropped, in order (`connect_error` messages, disconnect reasons). */
  readonly troubles: string[] = [];
  /** Subscriptions answered ok (first connect and every unrecovered reconnect). */
  subscribed = 0;
  /** REST snapshots loaded. */
  snapshots = 0;
  #lastEventId: number | null = null;

  constructor(private readonly options: DutyScreenOptions) {
    const agent =
      options.localAddress !== undefined ? new Agent({ localAddress: options.localAddress }) : undefined;
    this.socket = io(`http://127.0.0.1:${options.port}`, {
      auth: { token: options.token },
      transports: [...options.transports],
      reconnectionDelay: 1000,
      reconnectionDelayMax: 10_000,
      forceNew: true,
      // engine.io-client hands `agent` to the polling transport's requests and `localAddress`
      // (not in its option types) to the websocket.
      ...(agent !== undefined ? { agent: agent as unknown as string } : {}),
      ...(options.localAddress !== undefined ? { localAddress: options.localAddress } : {}),
    });
    this.socket.on('connect', () => {
      if (!this.socket.recovered) this.#subscribe();
    });
    this.socket.on('connect_error', (err) =>
      this.troubles.push(`${Date.now()} connect_error: ${err.message}`),
    );
    this.socket.on('disconnect', (reason) => this.troubles.push(`${Date.now()} disconnect: ${reason}`));
    this.socket.on('alarm', (e) => {
      this.received.push(e);
      this.#lastEventId = Math.max(this.#lastEventId ?? 0, e.id);
      if (e.to === 'NORM') this.shown.delete(e.alarmId);
      else this.shown.set(e.alarmId, { condition: e.condition, state: e.to, pointId: e.pointId });
    });
  }

  /** The live events of one alarm in one state, however they came (live or replayed). */
  eventsOf(alarmId: string, to: string): LiveAlarmEvent[] {
    return this.received.filter((e) => e.alarmId === alarmId && e.to === to);
  }

  close(): void {
    this.socket.disconnect();
  }

  #subscribe(): void {
    const since = this.#lastEventId;
    this.socket
      .timeout(10_000)
      .emit(
        'subscribe',
        { scopes: [...this.options.scopes], ...(since !== null ? { sinceEventId: since } : {}) },
        (err, result) => {
          if (err || !result.ok) {
            this.troubles.push(`subscribe: ${err ? String(err) : result.ok ? '' : result.error.code}`);
            return;
          }
          this.subscribed += 1;
          // The dashboard reloads its REST snapshots after an unrecovered (re)connect.
          this.#snapshot().catch((e: unknown) => this.troubles.push(`snapshot: ${String(e)}`));
        },
      );
  }

  async #snapshot(): Promise<void> {
    const res = await restCall(
      this.options.port,
      'GET',
      `/alarms/active?enterprise=${this.options.enterprise}`,
      {
        token: this.options.token,
        ...(this.options.localAddress !== undefined ? { localAddress: this.options.localAddress } : {}),
      },
    );
    if (res.status !== 200) throw new Error(`snapshot answered ${res.status}`);
    const items = res.body['items'] as Array<{
      id: string;
      condition: string;
      state: string;
      pointId: number | null;
    }>;
    this.shown.clear();
    for (const a of items)
      this.shown.set(a.id, { condition: a.condition, state: a.state, pointId: a.pointId });
    this.snapshots += 1;
  }
}
