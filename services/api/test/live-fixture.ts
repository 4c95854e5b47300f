import type { AddressInfo } from 'node:net';
import { createClient } from 'redis';
import { io as connectClient, type Socket as ClientSocket } from 'socket.io-client';
import {
  decodeLiveValues,
  type AlarmEvent,
  type ClientToServerEvents,
  type LiveValue,
  type ServerToClientEvents,
} from '@hazardwatch/contracts';
import type { AlarmRecord } from '@hazardwatch/core';
import {
  attachLiveGateway,
  compileApiConfig,
  type LiveGateway,
  type LiveGatewayOptions,
  type LiveSink,
  type LiveSource,
} from '@hazardwatch/api';
import { systemClock } from '@hazardwatch/kit';
import { AlarmRepository } from '@hazardwatch/store';
import { NOW, silentLogger, type TestApi, type TestUser } from './support/api-fixture.js';

export type LiveClient = ClientSocket<ServerToClientEvents, ClientToServerEvents>;

/** Our own seam, driven by the test: what the ingest's alarm host and presence would deliver. */
export class TestLiveSource implements LiveSource {
  sink: LiveSink | undefined;
  subscribe(sink: LiveSink): () => void {
    this.sink = sink;
    return () => (this.sink = undefined);
  }
  get live(): LiveSink {
    if (!this.sink) throw new Error('live source not subscribed');
    return this.sink;
  }
}

/** Tokens are signed at the fixture's NOW: the gateway's clock runs from there. */
export function fixtureClock(): LiveGatewayOptions['clock'] {
  const start = systemClock.now();
  return {
    now: () => NOW + (systemClock.now() - start),
    setTimeout: (fn, ms) => systemClock.setTimeout(fn, ms),
    clearTimeout: (h) => systemClock.clearTimeout(h),
  };
}

export const SETTINGS = compileApiConfig({
  port: 0,
  auth: { jwtSecret: 'test-secret-test-secret-test-secret-0123' },
});

export async function attachTo(
  api: TestApi,
  httpServer: LiveGatewayOptions['httpServer'],
  over: Partial<LiveGatewayOptions> = {},
): Promise<LiveGateway> {
  return attachLiveGateway({
    httpServer,
    settings: SETTINGS,
    site: { current: () => api.site },
    client: api.client,
    logger: silentLogger,
    clock: fixtureClock(),
    ...over,
  });
}

export const urlOf = (server: { address(): unknown }): string =>
  `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

/** A client; connected unless the handshake is refused. Closed by `closeClients`. */
export function client(
  url: string,
  token: string | undefined,
  options: { reconnection?: boolean } = {},
): LiveClient {
  return connectClient(url, {
    auth: token === undefined ? {} : { token },
    transports: ['websocket'],
    forceNew: true,
    reconnection: options.reconnection ?? false,
    reconnectionDelay: 20,
    reconnectionDelayMax: 50,
    randomizationFactor: 0,
  });
}

export async function connected(socket: LiveClient, timeoutMs = 5000): Promise<LiveClient> {
  if (socket.connected) return socket;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('connect timed out')), timeoutMs);
    socket.once('connect', () => (clearTimeout(timer), resolve()));
    socket.once('connect_error', (err) => (clearTimeout(timer), reject(err)));
  });
  return socket;
}

/** The next `event` matching `accept`, or a timeout. */
export function next<E extends keyof ServerToClientEvents>(
  socket: LiveClient,
  event: E,
  accept: (payload: Parameters<ServerToClientEvents[E]>[0]) => boolean = () => true,
  timeoutMs = 5000,
): Promise<Parameters<ServerToClientEvents[E]>[0]> {
  return new Promise((resolve, reject) => {
    const listener = ((payload: Parameters<ServerToClientEvents[E]>[0]) => {
      if (!accept(payload)) return;
      clearTimeout(timer);
      socket.off(event, listener);
      resolve(payload);
    }) as never;
    const timer = setTimeout(() => {
      socket.off(event, listener);
      reject(new Error(`no ${String(event)} within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on(event, listener);
  });
}

/** Records every payload of `event` from now on. */
export function record<E extends keyof ServerToClientEvents>(
  socket: LiveClient,
  event: E,
): Array<Parameters<ServerToClientEvents[E]>[0]> {
  const seen: Array<Parameters<ServerToClientEvents[E]>[0]> = [];
  socket.on(event, ((payload: Parameters<ServerToClientEvents[E]>[0]) => seen.push(payload)) as never);
  return seen;
}

/** The `values` frames a socket receives, decoded (LiveValueFrame → LiveValue[]). */
export function recordValues(socket: LiveClient): LiveValue[][] {
  const seen: LiveValue[][] = [];
  socket.on('values', (frame) => seen.push(decodeLiveValues(frame)));
  return seen;
}

export async function nextValues(
  socket: LiveClient,
  accept: (values: LiveValue[]) => boolean = () => true,
): Promise<LiveValue[]> {
  return decodeLiveValues(await next(socket, 'values', (frame) => accept(decodeLiveValues(frame))));
}

export async function connectAs(
  url: string,
  api: TestApi,
  user: TestUser,
  options: { reconnection?: boolean } = {},
): Promise<LiveClient> {
  return connected(client(url, api.tokens[user], options));
}

type RedisCommandMethod = (this: { isReady: boolean }, ...args: unknown[]) => unknown;

/**
 * Counts, by name, the commands any node-redis client of this test process is asked for while
 * its connection is not ready: what its offline queue holds until Redis answers. node-redis 4
 * attaches each command to the client's prototype as a method calling its executor
 * (commander.js attachCommands); those methods are wrapped.
 */
export function countOfflineCommands(): { counts: Map<string, number>; restore(): void } {
  let proto = Object.getPrototypeOf(createClient()) as Record<string, unknown> | null;
  while (proto !== null && !Object.hasOwn(proto, 'xAdd'))
    proto = Object.getPrototypeOf(proto) as Record<string, unknown> | null;
  if (proto === null) throw new Error('node-redis command methods not found');
  const owner = proto;
  const counts = new Map<string, number>();
  const originals = new Map<string, RedisCommandMethod>();
  for (const name of Object.getOwnPropertyNames(owner)) {
    // Getters (isReady, isOpen) read private state: only plain function values.
    const method: unknown = Object.getOwnPropertyDescriptor(owner, name)?.value;
    if (typeof method !== 'function' || !String(method).includes('executor.call')) continue;
    originals.set(name, method as RedisCommandMethod);
    owner[name] = function (this: { isReady: boolean }, ...args: unknown[]) {
      if (!this.isReady) counts.set(name.toUpperCase(), (counts.get(name.toUpperCase()) ?? 0) + 1);
      return (method as RedisCommandMethod).apply(this, args);
    } satisfies RedisCommandMethod;
  }
  return {
    counts,
    restore: () => {
      for (const [name, method] of originals) owner[name] = method;
    },
  };
}

/**
 * One alarm raise on a point as the alarm host stores it: the record, stored closed so a test may
 * raise the same point and condition again (one open alarm per key), and its NORM → UNACK event.
 */
export function pointRaise(
  id: string,
  pointId: number,
  ts: number,
  over: Partial<AlarmEvent> = {},
): { record: AlarmRecord; event: AlarmEvent } {
  const record: AlarmRecord = {
    id,
    source: { kind: 'point', pointId },
    sourceKey: `point:${pointId}`,
    condition: 'H',
    state: 'NORM',
    active: false,
    latched: false,
    colour: 'yellow',
    raisedAt: ts,
    stateSinceMs: ts,
    lastActivationMs: ts,
    ackedAt: null,
    ackedBy: null,
    value: 90,
    limit: 85,
    shelvedUntilMs: null,
    shelveReason: null,
    suppressReason: null,
    suppressedBy: null,
    outOfServiceReason: null,
    chattering: false,
  };
  const event: AlarmEvent = {
    alarmId: id,
    sourceKey: `point:${pointId}`,
    pointId,
    condition: 'H',
    from: 'NORM',
    to: 'UNACK',
    ts,
    actor: 'system',
    reason: null,
    value: 90,
    ...over,
  };
  return { record, event };
}

let seq = 0;

/** Stores one alarm raise (record + event) for a point, as the alarm host would, and returns the event. */
export async function storeAlarm(
  api: TestApi,
  pointId: number,
  over: Partial<AlarmEvent> = {},
): Promise<AlarmEvent> {
  seq += 1;
  const { record, event } = pointRaise(`live-${seq}-${pointId}`, pointId, NOW + seq, over);
  await new AlarmRepository(api.client).write({ alarms: [record], events: [event], colourChanges: [] });
  return event;
}
