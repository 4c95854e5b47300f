import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import mqtt from 'mqtt';
import type { GatewayStatus, TelemetryPayload } from '@hazardwatch/contracts';

/** Unique enough for client ids and enterprise codes of concurrently running suites. */
export function uid(prefix: string): string {
  return `${prefix}${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
}

export interface Received {
  readonly topic: string;
  readonly retain: boolean;
  readonly body: unknown;
}

export interface Collector {
  readonly messages: Received[];
  telemetry(): TelemetryPayload[];
  statuses(): Array<GatewayStatus & { retain: boolean }>;
  close(): Promise<void>;
}

/** A plain subscriber recording every message on `filters`, in arrival order. */
export async function collect(url: string, filters: string[]): Promise<Collector> {
  const client = await mqtt.connectAsync(url, { clientId: uid('sub-'), clean: true, reconnectPeriod: 200 });
  const messages: Received[] = [];
  client.on('message', (topic, payload, packet) => {
    messages.push({ topic, retain: packet.retain, body: JSON.parse(payload.toString('utf8')) as unknown });
  });
  await client.subscribeAsync(filters, { qos: 1 });
  return {
    messages,
    telemetry: () =>
      messages.filter((m) => m.topic.endsWith('/telemetry')).map((m) => m.body as TelemetryPayload),
    statuses: () =>
      messages
        .filter((m) => m.topic.endsWith('/status'))
        .map((m) => ({ ...(m.body as GatewayStatus), retain: m.retain })),
    close: () => client.endAsync(true),
  };
}

/** Clears a retained status so the next test on the broker starts clean. */
export async function clearRetained(url: string, topic: string): Promise<void> {
  const client = await mqtt.connectAsync(url, { clientId: uid('clr-'), clean: true });
  await client.publishAsync(topic, '', { qos: 1, retain: true });
  await client.endAsync();
}

export function hostPort(url: string): { host: string; port: number } {
  const u = new URL(url);
  return { host: u.hostname, port: Number(u.port || 1883) };
}

/**
 * A TCP forwarder like testkit's, which can also stall: the broker's answers (CONNACK, PUBACK,
 * PINGRESP) are swallowed while what the client sends still reaches the broker — the "PUBACK
 * never arrives" case of a half-dead link.
 */
export interface StallProxy {
  readonly url: string;
  cut(): void;
  restore(): void;
  stall(): void;
  close(): Promise<void>;
}

export async function startStallProxy(target: string): Promise<StallProxy> {
  const { host, port } = hostPort(target);
  const sockets = new Set<Socket>();
  let open = true;
  let stalled = false;
  const server = createServer((client) => {
    if (!open) {
      client.destroy();
      return;
    }
    const upstream = connect({ host, port });
    sockets.add(client).add(upstream);
    const teardown = (): void => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', teardown).on('close', teardown);
    upstream.on('error', teardown).on('close', teardown);
    client.pipe(upstream);
    upstream.on('data', (chunk: Buffer) => {
      if (!stalled) client.write(chunk);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const cut = (): void => {
    open = false;
    for (const socket of sockets) socket.destroy();
    sockets.clear();
  };
  return {
    url: `mqtt://127.0.0.1:${(server.address() as AddressInfo).port}`,
    cut,
    restore: () => {
      open = true;
      stalled = false;
    },
    stall: () => {
      stalled = true;
    },
    close: async () => {
      cut();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
