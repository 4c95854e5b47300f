import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { Aedes, type AedesOptions } from 'aedes';
import mqtt, { type MqttClient } from 'mqtt';

/**
 * A local MQTT broker for bridge tests (aedes on a net server). Every start makes a fresh broker,
 * as a restarted plant broker would be: no sessions, no subscriptions, no retained messages, so a
 * source that does not subscribe again after a restart receives nothing. Stopping destroys the
 * client sockets without DISCONNECT.
 */
export class MqttTestBroker {
  #server: Server | undefined;
  #broker: Aedes | undefined;
  readonly #sockets = new Set<Socket>();

  private constructor(
    readonly port: number,
    private readonly hooks: Pick<AedesOptions, 'authorizeSubscribe'>,
  ) {}

  /** Reserves a free port up front, so a source can be configured before the broker runs. */
  static async create(hooks: Pick<AedesOptions, 'authorizeSubscribe'> = {}): Promise<MqttTestBroker> {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    return new MqttTestBroker(port, hooks);
  }

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    if (this.#server) return;
    const broker = await Aedes.createBroker({ ...this.hooks });
    const server = createServer((socket) => {
      this.#sockets.add(socket);
      socket.once('close', () => this.#sockets.delete(socket));
      broker.handle(socket);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.#server = server;
    this.#broker = broker;
  }

  async stop(): Promise<void> {
    const server = this.#server;
    const broker = this.#broker;
    this.#server = undefined;
    this.#broker = undefined;
    for (const socket of this.#sockets) socket.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    if (broker) await new Promise<void>((resolve) => broker.close(() => resolve()));
  }

  /** A publisher standing in for a sensor; it reconnects by itself after a broker restart. */
  async connectPublisher(): Promise<MqttClient> {
    // Nothing is queued while offline: a sensor's value belongs to its moment.
    const client = mqtt.connect(this.url, { reconnectPeriod: 50, connectTimeout: 2000, queueQoSZero: false });
    client.on('error', () => undefined);
    await new Promise<void>((resolve) => client.once('connect', () => resolve()));
    return client;
  }
}
