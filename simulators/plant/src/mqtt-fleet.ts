/**
 * A fleet of simulated gateways that speak the platform's MQTT contract, exactly as field devices
 * do: one MQTT connection per gateway, a retained `birth` on every connect, the broker-held last
 * will `death`, one QoS 1 telemetry batch per tick and a retained `heartbeat` every N ticks.
 *
 *   hw/v1/{enterprise}/{gateway}/status      {type:'birth'|'heartbeat'|'death', ts, …}  QoS 1, retained
 *                                            {type:'data_loss', ts, dropped}             QoS 1
 *   hw/v1/{enterprise}/{gateway}/telemetry   {seq, readings:[{tag, ts, value}]}         QoS 1
 *
 * Heartbeats list the gateway's one simulated source and its state (a source outage reports it
 * degraded); a bounded spool reports what it dropped, like the edge collector.
 *
 * Time comes from the injected clock and ticks from the injected timers (STYLE rule 10), so tests
 * and scenario runs drive the fleet tick by tick.
 */
import { backOffOnConnackRefusal } from '@hazardwatch/kit';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import {
  statusTopic,
  telemetryTopic,
  type GatewayStatus,
  type Reading,
  type SpoolDropReport,
  type TelemetryPayload,
} from '@hazardwatch/contracts';
import { SimulatorError } from './errors.js';
import { parseFleetOptions, type FleetOptions, type FleetOptionsInput } from './fleet-options.js';
import { systemClock, type Clock, type TimerHandle } from '@hazardwatch/kit';
import { firstConnect } from './mqtt-connect.js';
import { NormalOperation, type PointValueSource } from './signal.js';
import type { SimulatedPoint, SimulatedSite } from './site-points.js';

/** The interval timer the fleet ticks on; systemClock by default, a manual clock in tests. */
export type FleetTimers = Pick<Clock, 'setInterval' | 'clearInterval'>;

export interface FleetDeps {
  readonly site: SimulatedSite;
  /** Parent logger; the fleet logs through `child({ component: 'sim-mqtt-fleet' })`. */
  readonly logger: Logger;
  /** Simulated time, ms since the Unix epoch (UTC). @default Date.now */
  readonly clock?: () => number;
  /** @default systemClock */
  readonly timers?: FleetTimers;
  /** Values of the points. @default NormalOperation seeded with `options.seed` */
  readonly values?: PointValueSource;
  /**
   * Each gateway's own MQTT login, as a broker with device authentication requires (one
   * credential per gateway). Where it gives none, `options.username`/`password` are used.
   */
  readonly credentials?: (gateway: {
    readonly enterprise: string;
    readonly gateway: string;
  }) => { readonly username: string; readonly password: string } | undefined;
}

export interface FleetCounters {
  /** Ticks run while the fleet was running. */
  readonly ticks: number;
  /** Messages the broker acknowledged (telemetry and status). */
  readonly messages: number;
  readonly telemetryMessages: number;
  /** Readings in acknowledged telemetry batches. */
  readonly readings: number;
  /** Publishes that failed (the batch is not retried: a simulator has no spool). */
  readonly publishErrors: number;
  /** Batches not sent because `maxPendingBatches` were still unacknowledged. */
  readonly batchesDropped: number;
  /** Batches kept in a gateway spool during a network outage, and later dropped or replayed. */
  readonly batchesSpooled: number;
  readonly batchesReplayed: number;
  /** Raw payloads sent with `publishRaw` (fault injection). */
  readonly rawMessages: number;
}

export interface FleetGatewayState {
  readonly enterprise: string;
  readonly gateway: string;
  readonly clientId: string;
  readonly connected: boolean;
  /** Sequence number of the last telemetry batch sent. */
  readonly seq: number;
  /** Telemetry batches sent and not yet acknowledged. */
  readonly pendingBatches: number;
}

type FleetState = 'idle' | 'starting' | 'running' | 'stopping' | 'stopped';

interface GatewayLink {
  readonly enterprise: string;
  readonly gateway: string;
  readonly clientId: string;
  /** Enabled points only: a disabled point (是否停用) sends nothing. */
  readonly points: readonly SimulatedPoint[];
  readonly log: Logger;
  client: MqttClient | undefined;
  /** The `birth` sent on the latest connect. */
  birth: Promise<boolean>;
  seq: number;
  pendingBatches: number;
  /** Readings of spooled batches being replayed, not yet acknowledged (still in the spool). */
  replayingReadings: number;
  /** False after `powerOff`: no client, nothing sent, until `powerOn`. */
  powered: boolean;
  /** During a network outage (`holdTelemetry`): the batches the gateway keeps in its spool. */
  spool: Reading[][] | undefined;
  /** Most batches the spool keeps; older ones are dropped and reported (`data_loss`). */
  spoolMaxBatches: number;
  /** What the spool dropped during this outage, reported when the link returns. */
  dropped: SpoolDropReport | undefined;
  /** Spooled batches to replay right after the next live batch (collector order: live first). */
  replayAfterLive: Reading[][] | undefined;
  /** A source outage (`setSourceDown`): nothing is read, heartbeats report the source degraded. */
  sourceDown: boolean;
}

export class MqttFleet {
  readonly options: Readonly<FleetOptions>;
  private readonly log: Logger;
  private readonly clock: () => number;
  private readonly timers: FleetTimers;
  private readonly values: PointValueSource;
  private readonly credentials: FleetDeps['credentials'];
  private readonly links: GatewayLink[];
  private readonly inFlight = new Set<Promise<void>>();
  private state: FleetState = 'idle';
  private starting: Promise<void> | undefined;
  private interval: TimerHandle | undefined;
  private count = {
    ticks: 0,
    messages: 0,
    telemetryMessages: 0,
    readings: 0,
    publishErrors: 0,
    batchesDropped: 0,
    batchesSpooled: 0,
    batchesReplayed: 0,
    rawMessages: 0,
  };

  /** @throws SimulatorError HW_SIM_OPTIONS_INVALID */
  constructor(options: FleetOptionsInput, deps: FleetDeps) {
    this.options = parseFleetOptions(options);
    this.log = deps.logger.child({ component: 'sim-mqtt-fleet' });
    this.clock = deps.clock ?? Date.now;
    this.timers = deps.timers ?? systemClock;
    this.values = deps.values ?? new NormalOperation(this.options.seed);
    this.credentials = deps.credentials;
    this.links = deps.site.gateways.map((g) => {
      const clientId = `${this.options.clientIdPrefix}-${g.enterprise}-${g.code}`;
      return {
        enterprise: g.enterprise,
        gateway: g.code,
        clientId,
        points: g.points.filter((p) => p.enabled),
        log: this.log.child({ enterprise: g.enterprise, gateway: g.code }),
        client: undefined,
        birth: Promise.resolve(false),
        seq: 0,
        pendingBatches: 0,
        replayingReadings: 0,
        powered: true,
        spool: undefined,
        spoolMaxBatches: Infinity,
        dropped: undefined,
        replayAfterLive: undefined,
        sourceDown: false,
      };
    });
  }

  get counters(): FleetCounters {
    return { ...this.count };
  }

  get gateways(): FleetGatewayState[] {
    return this.links.map((l) => ({
      enterprise: l.enterprise,
      gateway: l.gateway,
      clientId: l.clientId,
      connected: l.client?.connected ?? false,
      seq: l.seq,
      pendingBatches: l.pendingBatches,
    }));
  }

  /**
   * Connects every gateway, waits until each `birth` is acknowledged, then ticks every
   * `tickIntervalMs`. If any gateway cannot connect, all connections are dropped.
   * @throws SimulatorError HW_SIM_FLEET_CONNECT (retryable) or HW_SIM_FLEET_STATE
   */
  async start(): Promise<void> {
    if (this.state !== 'idle')
      throw new SimulatorError('HW_SIM_FLEET_STATE', { action: 'start', state: this.state });
    this.state = 'starting';
    this.starting = this.connectAll();
    try {
      await this.starting;
    } catch (err) {
      this.state = 'idle';
      throw err;
    }
    this.state = 'running';
    this.interval = this.timers.setInterval(() => {
      this.tick().catch((err: unknown) => this.log.error({ err }, 'tick failed'));
    }, this.options.tickIntervalMs);
    this.log.info(
      { gateways: this.links.length, points: this.links.reduce((n, l) => n + l.points.length, 0) },
      'fleet started',
    );
  }

  /**
   * One tick at the clock's time: a telemetry batch from each gateway with the value of each of
   * its enabled points, and a heartbeat every `heartbeatEveryTicks`. Resolves when the broker has
   * answered every publish; never rejects (failures are counted and logged).
   */
  async tick(): Promise<void> {
    if (this.state !== 'running') return; // a timer callback that raced `stop()`
    this.count.ticks++;
    const ts = Math.floor(this.clock());
    const heartbeat = this.count.ticks % this.options.heartbeatEveryTicks === 0;
    const work = Promise.all(this.links.map((link) => this.tickGateway(link, ts, heartbeat))).then(
      () => undefined,
    );
    this.inFlight.add(work);
    try {
      await work;
    } finally {
      this.inFlight.delete(work);
    }
  }

  /**
   * Stops ticking, waits for in-flight publishes, then each gateway publishes its own retained
   * `death` and disconnects cleanly. A clean DISCONNECT makes the broker discard the last will,
   * so without that explicit `death` the platform would go on seeing the gateways online.
   */
  async stop(): Promise<void> {
    if (this.state === 'starting') await this.starting?.catch(() => undefined);
    if (this.state !== 'running') return;
    this.state = 'stopping';
    this.timers.clearInterval(this.interval);
    await Promise.allSettled([...this.inFlight]);
    await Promise.all(this.links.map((link) => this.disconnect(link)));
    this.state = 'stopped';
    this.log.info({ counters: this.counters }, 'fleet stopped');
  }

  private async connectAll(): Promise<void> {
    const results = await Promise.allSettled(this.links.map((link) => this.connect(link)));
    const failed = results.findIndex((r) => r.status === 'rejected');
    if (failed === -1) return;
    const clients = this.links.flatMap((link) => (link.client === undefined ? [] : [link.client]));
    await Promise.all(clients.map((client) => client.endAsync(true).catch(() => undefined)));
    for (const link of this.links) link.client = undefined;
    const link = this.links[failed]!;
    const reason = (results[failed] as PromiseRejectedResult).reason as unknown;
    throw new SimulatorError(
      'HW_SIM_FLEET_CONNECT',
      {
        enterprise: link.enterprise,
        gateway: link.gateway,
        url: this.options.url,
        reason: reason instanceof Error ? reason.message : String(reason),
      },
      { cause: reason },
    );
  }

  private async connect(link: GatewayLink): Promise<void> {
    const { options } = this;
    const clientOptions: IClientOptions = {
      clientId: link.clientId,
      clean: true,
      protocolVersion: options.protocolVersion,
      keepalive: options.keepaliveSec,
      connectTimeout: options.connectTimeoutMs,
      reconnectPeriod: options.reconnectPeriodMs,
      // As a real gateway's uplink: a refused login (its account removed and restored, a broker
      // still loading its accounts) is tried again, backing off (below) as the uplink does;
      // mqtt.js gives up at the first refusal otherwise and the simulated gateway stayed offline
      // for good. A refusal at the first connection still fails start() (firstConnect), whose
      // failure ends every client.
      reconnectOnConnackError: true,
      username: options.username,
      password: options.password,
      ...this.credentials?.({ enterprise: link.enterprise, gateway: link.gateway }),
      will: this.will(link),
    };
    const client = mqtt.connect(options.url, clientOptions);
    backOffOnConnackRefusal(client, { log: link.log });
    link.client = client;
    // The broker publishes the will if the connection is lost: refresh its timestamp per attempt.
    client.on('reconnect', () => {
      client.options.will = this.will(link);
    });
    client.on('connect', () => {
      link.log.debug({ clientId: link.clientId }, 'gateway connected');
      link.birth = this.publishStatus(link, { type: 'birth', ts: this.now(), version: options.version });
    });
    client.on('offline', () => link.log.warn({ clientId: link.clientId }, 'gateway offline'));
    client.on('error', (err) => link.log.warn({ err, clientId: link.clientId }, 'gateway connection error'));
    await firstConnect(client);
    if (!(await link.birth)) throw new Error('birth was not acknowledged');
  }

  /**
   * Power loss (fault injection): the gateway's connection drops without a DISCONNECT, so the
   * broker publishes its last will (`death`); nothing is sent until `powerOn`. Readings taken
   * meanwhile are lost, as on a real dead gateway.
   */
  async powerOff(enterprise: string, gateway: string): Promise<void> {
    const link = this.link(enterprise, gateway);
    if (!link.powered) return;
    link.powered = false;
    link.spool = undefined;
    const client = link.client;
    link.client = undefined;
    // end(true) destroys the socket without DISCONNECT: the broker treats it as a lost connection.
    if (client !== undefined) await client.endAsync(true).catch(() => undefined);
    link.log.info('gateway power off');
  }

  /** Power back: a fresh connection with a new `birth`. @throws SimulatorError HW_SIM_FLEET_CONNECT */
  async powerOn(enterprise: string, gateway: string): Promise<void> {
    const link = this.link(enterprise, gateway);
    if (link.powered) return;
    link.powered = true;
    try {
      await this.connect(link);
    } catch (err) {
      const client = link.client;
      link.client = undefined;
      link.powered = false;
      await client?.endAsync(true).catch(() => undefined);
      throw new SimulatorError(
        'HW_SIM_FLEET_CONNECT',
        {
          enterprise,
          gateway,
          url: this.options.url,
          reason: err instanceof Error ? err.message : String(err),
        },
        { cause: err },
      );
    }
    link.log.info('gateway power on');
  }

  /**
   * Network outage seen from the gateway (fault injection): the connection stays (no `death`),
   * but telemetry goes to the gateway's spool and heartbeats stop, until `releaseTelemetry`.
   */
  holdTelemetry(enterprise: string, gateway: string, options: { maxBatches?: number } = {}): void {
    const link = this.link(enterprise, gateway);
    link.spool ??= [];
    link.spoolMaxBatches = options.maxBatches ?? Infinity;
    link.dropped = undefined;
  }

  /**
   * A source outage seen from a live gateway (fault injection, issue #16 item 3): its OPC-UA or
   * Modbus source stops delivering, so no readings are sent or spooled, while the connection and
   * the heartbeats go on, reporting the source `degraded`.
   */
  setSourceDown(enterprise: string, gateway: string, down: boolean): void {
    this.link(enterprise, gateway).sourceDown = down;
  }

  /**
   * End of a network outage: the spooled batches are replayed in order (`replay`), or dropped
   * (a gateway without a disk spool, or one that lost it). Resolves when replayed batches are
   * acknowledged. @returns the number of spooled batches
   */
  async releaseTelemetry(
    enterprise: string,
    gateway: string,
    replay: boolean,
    options: { liveFirst?: boolean } = {},
  ): Promise<number> {
    const link = this.link(enterprise, gateway);
    const spool = link.spool ?? [];
    link.spool = undefined;
    link.spoolMaxBatches = Infinity;
    // What a bounded spool dropped is reported, never silent (edge collector: `data_loss`).
    const dropped = link.dropped;
    link.dropped = undefined;
    if (dropped !== undefined)
      await this.publishStatus(link, { type: 'data_loss', ts: this.now(), dropped }, false);
    if (replay && options.liveFirst === true) link.replayAfterLive = spool;
    else if (replay) await this.replay(link, spool);
    link.log.info({ batches: spool.length, replay }, 'telemetry released after outage');
    return spool.length;
  }

  /**
   * Publishes an arbitrary payload on a gateway's topic (fault injection: malformed JSON, unknown
   * tags). @returns whether the broker acknowledged it
   */
  async publishRaw(
    enterprise: string,
    gateway: string,
    kind: 'telemetry' | 'status',
    payload: string,
  ): Promise<boolean> {
    const link = this.link(enterprise, gateway);
    const client = link.client;
    if (client === undefined || link.spool !== undefined) return false;
    const topic = kind === 'telemetry' ? telemetryTopic(link) : statusTopic(link);
    try {
      await client.publishAsync(topic, payload, { qos: 1 });
      this.count.messages++;
      this.count.rawMessages++;
      return true;
    } catch (err) {
      this.count.publishErrors++;
      link.log.warn({ err, topic }, 'raw publish failed');
      return false;
    }
  }

  private link(enterprise: string, gateway: string): GatewayLink {
    const link = this.links.find((l) => l.enterprise === enterprise && l.gateway === gateway);
    if (link === undefined) {
      throw new SimulatorError('HW_SIM_FLEET_UNKNOWN_GATEWAY', { enterprise, gateway });
    }
    return link;
  }

  private readingsAt(link: GatewayLink, ts: number): Reading[] {
    const values = this.values;
    if (values.sampleAt === undefined) {
      return link.points.map((p) => ({ tag: p.tag, ts, value: values.valueAt(p, ts) }));
    }
    const readings: Reading[] = [];
    for (const p of link.points) {
      const reading = values.sampleAt(p, ts);
      if (reading !== undefined) readings.push(reading);
    }
    return readings;
  }

  private async replay(link: GatewayLink, batches: readonly Reading[][]): Promise<void> {
    let left = readingsIn(batches);
    link.replayingReadings += left;
    try {
      for (const batch of batches) {
        await this.publishTelemetry(link, batch);
        this.count.batchesReplayed++;
        link.replayingReadings -= batch.length;
        left -= batch.length;
      }
    } finally {
      link.replayingReadings -= left;
    }
  }

  /**
   * Readings waiting in the gateway's spool, as a heartbeat reports them (`spoolDepth`, like the
   * edge collector's spool depth): those an outage spooled, until replayed. A batch on its way to
   * the broker is not in the spool — counting it made every live gateway report one batch
   * (its point count) of backlog on every heartbeat (issue #21).
   */
  private spoolDepth(link: GatewayLink): number {
    return readingsIn(link.spool ?? []) + readingsIn(link.replayAfterLive ?? []) + link.replayingReadings;
  }

  private async tickGateway(link: GatewayLink, ts: number, heartbeat: boolean): Promise<void> {
    // Values advance whether or not the batch can go out, so the process does not depend on the link.
    const sampled = this.readingsAt(link, ts);
    const readings = link.sourceDown ? [] : sampled;
    if (!link.powered) return;
    if (link.spool !== undefined) {
      if (readings.length > 0) {
        link.spool.push(readings);
        this.count.batchesSpooled++;
        if (link.spool.length > link.spoolMaxBatches) this.drop(link, link.spool.shift()!);
      }
      return;
    }
    const jobs: Promise<unknown>[] = [];
    if (readings.length > 0) jobs.push(this.publishTelemetry(link, readings));
    // A heartbeat queued while offline would only arrive stale after the reconnect's birth.
    if (heartbeat && link.client?.connected === true) {
      jobs.push(
        this.publishStatus(link, {
          type: 'heartbeat',
          ts,
          version: this.options.version,
          spoolDepth: this.spoolDepth(link),
          sources: [
            {
              name: 'plant',
              kind: 'simulated',
              state: link.sourceDown ? 'degraded' : 'connected',
              readings: 0,
              errors: 0,
              reconnects: 0,
            },
          ],
        }),
      );
    }
    await Promise.all(jobs);
    const backlog = link.replayAfterLive;
    if (backlog !== undefined) {
      link.replayAfterLive = undefined;
      await this.replay(link, backlog);
    }
  }

  /** The spool is full: its oldest batch goes, and is counted for the `data_loss` report. */
  private drop(link: GatewayLink, batch: readonly Reading[]): void {
    const d = link.dropped ?? { reason: 'max_entries', entries: 0, readings: 0 };
    let oldest = d.oldestTs;
    let newest = d.newestTs;
    for (const r of batch) {
      oldest = oldest === undefined ? r.ts : Math.min(oldest, r.ts);
      newest = newest === undefined ? r.ts : Math.max(newest, r.ts);
    }
    link.dropped = {
      reason: d.reason,
      entries: d.entries + 1,
      readings: d.readings + batch.length,
      ...(oldest !== undefined ? { oldestTs: oldest } : {}),
      ...(newest !== undefined ? { newestTs: newest } : {}),
    };
  }

  private async publishTelemetry(link: GatewayLink, readings: Reading[]): Promise<void> {
    const client = link.client;
    if (client === undefined) return;
    if (link.pendingBatches >= this.options.maxPendingBatches) {
      this.count.batchesDropped++;
      link.log.warn(
        { pendingBatches: link.pendingBatches },
        'telemetry batch dropped: broker not acknowledging',
      );
      return;
    }
    link.seq++;
    const payload: TelemetryPayload = { seq: link.seq, readings };
    const topic = telemetryTopic(link);
    link.pendingBatches++;
    try {
      await client.publishAsync(topic, JSON.stringify(payload), { qos: 1 });
      this.count.messages++;
      this.count.telemetryMessages++;
      this.count.readings += readings.length;
    } catch (err) {
      this.count.publishErrors++;
      link.log.warn({ err, topic, seq: payload.seq }, 'telemetry publish failed');
    } finally {
      link.pendingBatches--;
    }
  }

  /** @returns whether the broker acknowledged the status message. */
  private async publishStatus(link: GatewayLink, status: GatewayStatus, retain = true): Promise<boolean> {
    const client = link.client;
    if (client === undefined) return false;
    const topic = statusTopic(link);
    try {
      await client.publishAsync(topic, JSON.stringify(status), { qos: 1, retain });
      this.count.messages++;
      return true;
    } catch (err) {
      this.count.publishErrors++;
      link.log.warn({ err, topic, type: status.type }, 'status publish failed');
      return false;
    }
  }

  private async disconnect(link: GatewayLink): Promise<void> {
    const client = link.client;
    if (client === undefined) return;
    if (client.connected) {
      await this.publishStatus(link, { type: 'death', ts: this.now() });
      await client.endAsync().catch((err: unknown) => link.log.warn({ err }, 'clean disconnect failed'));
    } else {
      // Not connected: the broker has already published the will; stop reconnecting.
      await client.endAsync(true).catch(() => undefined);
    }
    link.log.debug({ clientId: link.clientId }, 'gateway disconnected');
  }

  private will(link: GatewayLink): NonNullable<IClientOptions['will']> {
    const death: GatewayStatus = { type: 'death', ts: this.now() };
    return { topic: statusTopic(link), payload: Buffer.from(JSON.stringify(death)), qos: 1, retain: true };
  }

  private now(): number {
    return Math.floor(this.clock());
  }
}

const readingsIn = (batches: readonly (readonly Reading[])[]): number =>
  batches.reduce((sum, b) => sum + b.length, 0);
