import type { MonitoringChange } from '@hazardwatch/contracts';

/**
 * Change records as the API writes and decides them (issue #19 item 2: "shown to the enterprise's
 * regulator at once"), for the live gateway to push as `change` events. In process: the instance
 * that writes a record sends it, through the socket.io adapter (with Redis, every instance's
 * sockets hear it).
 */
export interface ChangeFeed {
  /** Starts delivering to `listener`; the returned function stops it. */
  subscribe(listener: (change: MonitoringChange) => void): () => void;
}

export class ChangeBroadcast implements ChangeFeed {
  readonly #listeners = new Set<(change: MonitoringChange) => void>();

  subscribe(listener: (change: MonitoringChange) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  publish(change: MonitoringChange): void {
    for (const listener of this.#listeners) listener(change);
  }
}

/**
 * The feed of the app serving an HTTP server: the gateway is attached to the API's server from
 * outside the app (STYLE rule 7), and finds the app's change records through the server it serves.
 */
const FEEDS = new WeakMap<object, ChangeFeed>();

export function registerChangeFeed(server: object, feed: ChangeFeed): void {
  FEEDS.set(server, feed);
}

export function changeFeedOf(server: object): ChangeFeed | undefined {
  return FEEDS.get(server);
}
