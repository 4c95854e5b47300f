import { createServer, type AddressInfo } from 'node:net';
import { ServerTCP, type FCallback, type FCallbackVal, type IServiceVector } from 'modbus-serial';
import type { ModbusTable } from '../src/sources/modbus-plan.js';

/**
 * A Modbus TCP peer for tests (modbus-serial's ServerTCP): register tables in maps, addresses that
 * answer "illegal data address", an answer delay, and a count of requests in flight at once.
 * Stopping destroys the client sockets (what a device reboot looks like) and starting again binds
 * the same port.
 */
export class ModbusTestServer {
  readonly registers: Record<'holding' | 'input', Map<number, number>> = {
    holding: new Map(),
    input: new Map(),
  };
  readonly bits: Record<'coil' | 'discrete', Map<number, boolean>> = { coil: new Map(), discrete: new Map() };
  /** `${table}:${address}` entries answered with exception 2 (illegal data address). */
  readonly illegal = new Set<string>();
  /** Delay before each answer (ms). */
  delayMs = 0;
  /** Register read requests received, and how many were unanswered at once (bit reads are not counted). */
  requests = 0;
  inFlight = 0;
  maxInFlight = 0;
  #server: ServerTCP | undefined;

  private constructor(readonly port: number) {}

  /** Reserves a free port (ServerTCP cannot listen on port 0: it treats 0 as "use 502"). */
  static async create(): Promise<ModbusTestServer> {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    return new ModbusTestServer(port);
  }

  get running(): boolean {
    return this.#server !== undefined;
  }

  async start(): Promise<void> {
    if (this.#server) return;
    const server = new ServerTCP(this.#vector(), { host: '127.0.0.1', port: this.port, unitID: 255 });
    // Answers due after a stop are written to destroyed sockets; those errors are expected.
    server.on('error', () => undefined);
    server.on('socketError', () => undefined);
    await new Promise<void>((resolve, reject) => {
      server.on('initialized', () => resolve());
      server.on('serverError', (err) => reject(err ?? new Error('modbus test server failed to listen')));
    });
    this.#server = server;
  }

  /** Abrupt stop: every client socket is destroyed, no FIN/ACK dance per request. */
  async stop(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  setRegisters(table: 'holding' | 'input', address: number, words: readonly number[]): void {
    words.forEach((w, i) => this.registers[table].set(address + i, w));
  }

  #answer<T>(table: ModbusTable, addresses: readonly number[], read: () => T, cb: FCallbackVal<T>): void {
    // ServerTCP asks for coils one bit at a time, so only register reads map to requests.
    const counted = table === 'holding' || table === 'input';
    if (counted) {
      this.requests += 1;
      this.inFlight += 1;
      this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    }
    setTimeout(() => {
      if (counted) this.inFlight -= 1;
      if (addresses.some((a) => this.illegal.has(`${table}:${a}`))) {
        cb(Object.assign(new Error('illegal data address'), { modbusErrorCode: 2 }), undefined as T);
      } else {
        cb(null, read());
      }
    }, this.delayMs);
  }

  #vector(): IServiceVector {
    const range = (addr: number, length: number): number[] => Array.from({ length }, (_, i) => addr + i);
    const regs = (table: 'holding' | 'input') => ({
      one: (addr: number, _unit: number, cb: FCallbackVal<number>): void =>
        this.#answer(table, [addr], () => this.registers[table].get(addr) ?? 0, cb),
      many: (addr: number, length: number, _unit: number, cb: FCallbackVal<number[]>): void =>
        this.#answer(
          table,
          range(addr, length),
          () => range(addr, length).map((a) => this.registers[table].get(a) ?? 0),
          cb,
        ),
    });
    const bit =
      (table: 'coil' | 'discrete') =>
      (addr: number, _unit: number, cb: FCallbackVal<boolean>): void =>
        this.#answer(table, [addr], () => this.bits[table].get(addr) ?? false, cb);
    const noWrite = (_addr: number, _value: unknown, _unit: number, cb: FCallback): void => cb(null);
    return {
      getHoldingRegister: regs('holding').one,
      getMultipleHoldingRegisters: regs('holding').many,
      getInputRegister: regs('input').one,
      getMultipleInputRegisters: regs('input').many,
      getCoil: bit('coil'),
      getDiscreteInput: bit('discrete'),
      setRegister: noWrite,
      setCoil: noWrite,
    };
  }
}
