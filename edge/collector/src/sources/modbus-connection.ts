import modbusSerial from 'modbus-serial';
import { EdgeError, isEdgeError } from '../errors.js';
import type { ModbusTable } from './modbus-plan.js';

// modbus-serial is CommonJS and declares `export default`; under NodeNext the class is `.default`
// (the package sets `module.exports.default = module.exports`, so this holds at run time too).
const ModbusRTU = modbusSerial.default;
type ModbusRTU = InstanceType<typeof ModbusRTU>;

/** Modbus Application Protocol V1.1b3 §7: exception codes. */
const EXCEPTION_NAMES: Readonly<Record<number, string>> = {
  1: 'illegal function',
  2: 'illegal data address',
  3: 'illegal data value',
  4: 'server device failure',
  5: 'acknowledge',
  6: 'server device busy',
  8: 'memory parity error',
  10: 'gateway path unavailable',
  11: 'gateway target device failed to respond',
};

/**
 * Exceptions 1–3 say the request itself is wrong for this device (unsupported function code,
 * unmapped address, too long a range): asking again cannot help, the tag configuration must change.
 */
const ILLEGAL_REQUEST = new Set([1, 2, 3]);

export interface ModbusEndpoint {
  readonly source: string;
  readonly host: string;
  readonly port: number;
  readonly unitId: number;
  readonly timeoutMs: number;
}

export interface ModbusReadResult {
  /** Registers (0…65535) for register tables, 0/1 for bit tables; exactly `count` entries. */
  readonly values: readonly number[];
}

interface ModbusLibError {
  readonly errno?: unknown;
  readonly modbusCode?: unknown;
  readonly message?: unknown;
}

/**
 * One TCP connection to a Modbus server (modbus-serial's client), made once and never re-opened:
 * after a loss the source makes a new one, so no listener or half-finished transaction of the old
 * socket can leak into the new session.
 */
export class ModbusConnection {
  readonly #client: ModbusRTU;
  readonly #endpoint: ModbusEndpoint;
  #lostReason: EdgeError | undefined;
  readonly #lostWaiters = new Set<(err: EdgeError) => void>();

  private constructor(client: ModbusRTU, endpoint: ModbusEndpoint) {
    this.#client = client;
    this.#endpoint = endpoint;
    const onLost = (): void => this.#markLost();
    client.on('close', onLost);
    // Without an 'error' listener an EventEmitter error would be thrown and crash the gateway.
    client.on('error', onLost);
  }

  static async open(endpoint: ModbusEndpoint): Promise<ModbusConnection> {
    const client = new ModbusRTU();
    client.setID(endpoint.unitId);
    client.setTimeout(endpoint.timeoutMs);
    const peer = `${endpoint.host}:${endpoint.port}`;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        client.connectTCP(endpoint.host, { port: endpoint.port }),
        // The socket's own timeout only covers inactivity; a SYN that is never answered (device
        // unplugged behind a switch) must not hold the reconnect loop for the OS connect timeout.
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`connect timed out after ${endpoint.timeoutMs} ms`)),
            endpoint.timeoutMs,
          );
        }),
      ]);
    } catch (err) {
      client.destroy(() => undefined);
      throw new EdgeError(
        'HW_EDGE_SOURCE_CONNECT',
        { source: endpoint.source, peer, reason: describe(err) },
        { cause: err },
      );
    } finally {
      clearTimeout(timer);
    }
    return new ModbusConnection(client, endpoint);
  }

  get isLost(): boolean {
    return this.#lostReason !== undefined;
  }

  /**
   * Reads `count` registers or bits. Rejects with `HW_EDGE_MODBUS_TIMEOUT`,
   * `HW_EDGE_MODBUS_ILLEGAL_REQUEST`, `HW_EDGE_MODBUS_DEVICE_FAILURE` or, as soon as the socket
   * closes, `HW_EDGE_SOURCE_DISCONNECTED` (a read never waits for its timeout on a dead socket).
   */
  async read(table: ModbusTable, start: number, count: number): Promise<ModbusReadResult> {
    if (this.#lostReason) throw this.#lostReason;
    const pending = this.#request(table, start, count).then(
      (values): ModbusReadResult => ({ values: values.slice(0, count) }),
      (err: unknown) => {
        throw this.#classify(err, table, start, count);
      },
    );
    let onLost: ((err: EdgeError) => void) | undefined;
    const lost = new Promise<never>((_, reject) => {
      onLost = reject;
      this.#lostWaiters.add(reject);
    });
    // The losing side of the race must not surface as an unhandled rejection.
    pending.catch(() => undefined);
    lost.catch(() => undefined);
    try {
      return await Promise.race([pending, lost]);
    } finally {
      if (onLost) this.#lostWaiters.delete(onLost);
    }
  }

  /** Drops the socket at once; pending reads reject with `HW_EDGE_SOURCE_DISCONNECTED`. */
  destroy(): void {
    this.#markLost();
    // The typings omit that the client is an EventEmitter.
    (this.#client as unknown as NodeJS.EventEmitter).removeAllListeners();
    // Keep a listener: a late socket error after destroy must not become an uncaught exception.
    this.#client.on('error', () => undefined);
    this.#client.destroy(() => undefined);
  }

  #markLost(): void {
    if (this.#lostReason) return;
    const { source, host, port } = this.#endpoint;
    this.#lostReason = new EdgeError('HW_EDGE_SOURCE_DISCONNECTED', { source, peer: `${host}:${port}` });
    for (const waiter of this.#lostWaiters) waiter(this.#lostReason);
    this.#lostWaiters.clear();
  }

  async #request(table: ModbusTable, start: number, count: number): Promise<number[]> {
    switch (table) {
      case 'holding':
        return (await this.#client.readHoldingRegisters(start, count)).data;
      case 'input':
        return (await this.#client.readInputRegisters(start, count)).data;
      case 'coil':
        return (await this.#client.readCoils(start, count)).data.map(Number);
      case 'discrete':
        return (await this.#client.readDiscreteInputs(start, count)).data.map(Number);
    }
  }

  #classify(err: unknown, table: ModbusTable, start: number, count: number): EdgeError {
    if (isEdgeError(err)) return err;
    const e = (typeof err === 'object' && err !== null ? err : {}) as ModbusLibError;
    const { source, host, port, unitId, timeoutMs } = this.#endpoint;
    const peer = `${host}:${port}`;
    if (typeof e.modbusCode === 'number') {
      const exceptionCode = e.modbusCode;
      const data = {
        source,
        peer,
        unitId,
        table,
        start,
        count,
        exceptionCode,
        exceptionName: EXCEPTION_NAMES[exceptionCode] ?? 'unknown exception',
      };
      return ILLEGAL_REQUEST.has(exceptionCode)
        ? new EdgeError('HW_EDGE_MODBUS_ILLEGAL_REQUEST', data, { cause: err })
        : new EdgeError('HW_EDGE_MODBUS_DEVICE_FAILURE', data, { cause: err });
    }
    if (e.errno === 'ETIMEDOUT') {
      return new EdgeError(
        'HW_EDGE_MODBUS_TIMEOUT',
        { source, peer, unitId, table, start, count, timeoutMs },
        { cause: err },
      );
    }
    // "Port Not Open", socket errors, malformed answers: the session is no longer trustworthy.
    this.#markLost();
    return new EdgeError('HW_EDGE_SOURCE_DISCONNECTED', { source, peer }, { cause: err });
  }
}

function describe(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (typeof err === 'object' && err !== null && 'message' in err) return String(err.message);
  return String(err);
}
