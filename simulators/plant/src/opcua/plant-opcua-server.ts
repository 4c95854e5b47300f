/**
 * The simulated plant's OPC-UA server: the second transport of the same plant the MQTT fleet
 * plays (a DCS's OPC-UA server instead of field gateways). Edge collectors subscribe to it exactly
 * as they would to a real plant, so hardware-in-the-loop tests go through the real protocol.
 *
 * Security: None always; Sign and SignAndEncrypt with Basic256Sha256 and Aes128_Sha256_RsaOaep
 * (neither needs Node's `--security-revert=CVE-2023-46809`, which only RSA PKCS#1 v1.5
 * encryption, i.e. Basic128Rsa15, does). node-opcua makes a self-signed server certificate in
 * `pkiDir` on first start; client certificates are accepted automatically (a simulator trusts
 * every collector). Anonymous and user/password identities.
 *
 * Values live in `TagValue` records updated in place and are pushed to the existing nodes with
 * `setValueFromSource`, so 10,000 tags at 1 Hz cost one DataValue per tag per tick and no node churn.
 * `stop()` drops every connection; `start()` listens again on the same port with the same nodes
 * and the last values (a DCS server restart), which is how tests provoke reconnects.
 */
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MessageSecurityMode, OPCUACertificateManager, OPCUAServer, SecurityPolicy } from 'node-opcua';
import type { Logger } from 'pino';
import type { Quality, Reading } from '@hazardwatch/contracts';
import {
  PlantAddressSpace,
  checkPlantTags,
  newTagValue,
  plantBrowsePath,
  publish,
  type PlantOpcuaTag,
  type TagValue,
} from './address-space.js';

export interface PlantOpcuaUser {
  readonly userName: string;
  readonly password: string;
}

export interface PlantOpcuaServerOptions {
  readonly tags: readonly PlantOpcuaTag[];
  readonly logger: Logger;
  /** TCP port; 0 picks a free one at first start, kept for restarts. @default 0 */
  readonly port?: number;
  /** Host name in the endpoint URL and the certificate. @default 'localhost' */
  readonly hostname?: string;
  /**
   * Address the TCP server listens on: loopback, unless OPC-UA clients on other machines must
   * reach it (`0.0.0.0`). node-opcua alone would listen on every interface. @default '127.0.0.1'
   */
  readonly host?: string;
  /** PKI folder (own certificate, trusted/rejected client certificates). @default <os tmp>/hazardwatch-sim-opcua-pki */
  readonly pkiDir?: string;
  /** User/password identities accepted besides anonymous. @default none */
  readonly users?: readonly PlantOpcuaUser[];
  /** @default true */
  readonly allowAnonymous?: boolean;
  /** Server limits, to exercise clients' batching and subscription splitting. @default node-opcua's */
  readonly limits?: {
    readonly maxMonitoredItemsPerCall?: number;
    readonly maxMonitoredItemsPerSubscription?: number;
    readonly maxSubscriptionsPerSession?: number;
    readonly maxSessions?: number;
  };
  /** Source timestamps when `setValue` gets none, ms UTC. @default Date.now */
  readonly clock?: () => number;
}

export interface PlantOpcuaServer {
  /** `opc.tcp://<hostname>:<port>` */
  readonly endpointUrl: string;
  readonly port: number;
  readonly running: boolean;
  /** `ns=1;s=<site>.<unit>.<tag>`, or undefined for an unknown tag. */
  nodeIdOf(tag: string): string | undefined;
  /** `/Objects/1:<site>/1:<unit>/1:<tag>` for `translateBrowsePath` from the Root folder. */
  browsePathOf(tag: string): string | undefined;
  /**
   * Sets a tag's value with its source timestamp (ms UTC, default the clock) and status class.
   * Values set while stopped are kept and served after `start()`. @returns false for an unknown tag
   */
  setValue(tag: string, value: number, quality?: Quality, tsMs?: number): boolean;
  /** Many at once (one simulator tick). @returns how many tags were known */
  setValues(readings: readonly Reading[]): number;
  /** Adds tags while running (a plant reconfiguration); their nodes appear at once. */
  addTags(tags: readonly PlantOpcuaTag[]): void;
  /** Deletes tags' nodes (subscribed clients get BadNodeIdInvalid / BadNodeIdUnknown). */
  removeTags(tags: readonly string[]): void;
  /** Shuts down at once: every session and connection is dropped. Idempotent. */
  stop(): Promise<void>;
  /** Listens again on the same port with the same nodes and values. */
  start(): Promise<void>;
  restart(): Promise<void>;
}

/** @throws SimulatorError HW_SIM_OPTIONS_INVALID (tags); node-opcua errors (port in use, PKI) */
export async function startPlantOpcuaServer(options: PlantOpcuaServerOptions): Promise<PlantOpcuaServer> {
  const server = new PlantOpcuaServerImpl(options);
  await server.start();
  return server;
}

class PlantOpcuaServerImpl implements PlantOpcuaServer {
  private readonly log: Logger;
  private readonly clock: () => number;
  private readonly values = new Map<string, TagValue>();
  private server: OPCUAServer | undefined;
  private certificates: OPCUACertificateManager | undefined;
  private space: PlantAddressSpace | undefined;
  private boundPort: number;
  private readonly hostname: string;
  private transition: Promise<void> = Promise.resolve();

  constructor(private readonly options: PlantOpcuaServerOptions) {
    this.log = options.logger.child({ component: 'sim-opcua-server' });
    this.clock = options.clock ?? Date.now;
    this.boundPort = options.port ?? 0;
    this.hostname = options.hostname ?? 'localhost';
    checkPlantTags(options.tags, new Set());
    const now = this.clock();
    for (const spec of options.tags) this.values.set(spec.tag, newTagValue(spec, now));
  }

  get endpointUrl(): string {
    return `opc.tcp://${this.hostname}:${this.boundPort}`;
  }

  get port(): number {
    return this.boundPort;
  }

  get running(): boolean {
    return this.server !== undefined;
  }

  nodeIdOf(tag: string): string | undefined {
    return this.values.get(tag)?.nodeId;
  }

  browsePathOf(tag: string): string | undefined {
    const spec = this.values.get(tag)?.spec;
    return spec === undefined ? undefined : plantBrowsePath(spec.site, spec.unit, spec.tag);
  }

  setValue(tag: string, value: number, quality: Quality = 'good', tsMs?: number): boolean {
    const tv = this.values.get(tag);
    if (tv === undefined) return false;
    tv.value = value;
    tv.quality = quality;
    tv.ts = Math.floor(tsMs ?? this.clock());
    publish(tv);
    return true;
  }

  setValues(readings: readonly Reading[]): number {
    let known = 0;
    for (const r of readings) if (this.setValue(r.tag, r.value, r.quality ?? 'good', r.ts)) known++;
    return known;
  }

  addTags(tags: readonly PlantOpcuaTag[]): void {
    checkPlantTags(tags, new Set(this.values.keys()));
    const now = this.clock();
    for (const spec of tags) {
      const tv = newTagValue(spec, now);
      this.values.set(spec.tag, tv);
      this.space?.addTag(tv);
    }
  }

  removeTags(tags: readonly string[]): void {
    for (const tag of tags) {
      const tv = this.values.get(tag);
      if (tv === undefined) continue;
      this.space?.removeTag(tv);
      this.values.delete(tag);
    }
  }

  start(): Promise<void> {
    return this.serialised(() => this.doStart());
  }

  stop(): Promise<void> {
    return this.serialised(() => this.doStop());
  }

  restart(): Promise<void> {
    return this.serialised(async () => {
      await this.doStop();
      await this.doStart();
    });
  }

  /** Start and stop never interleave (a test may stop while a restart is under way). */
  private serialised(step: () => Promise<void>): Promise<void> {
    const next = this.transition.then(step);
    this.transition = next.catch(() => undefined);
    return next;
  }

  private async doStart(): Promise<void> {
    if (this.server !== undefined) return;
    const { options } = this;
    const pkiDir = options.pkiDir ?? join(tmpdir(), 'hazardwatch-sim-opcua-pki');
    mkdirSync(pkiDir, { recursive: true });
    // A simulator trusts every collector: unknown client certificates are accepted, not rejected.
    const certificates = new OPCUACertificateManager({
      rootFolder: pkiDir,
      automaticallyAcceptUnknownCertificate: true,
      disableFileWatchers: true,
    });
    const users = options.users ?? [];
    const limits = options.limits ?? {};
    const server = new OPCUAServer({
      port: this.boundPort,
      hostname: this.hostname,
      host: options.host ?? '127.0.0.1',
      serverCertificateManager: certificates,
      securityModes: [MessageSecurityMode.None, MessageSecurityMode.Sign, MessageSecurityMode.SignAndEncrypt],
      securityPolicies: [
        SecurityPolicy.None,
        SecurityPolicy.Basic256Sha256,
        SecurityPolicy.Aes128_Sha256_RsaOaep,
      ],
      allowAnonymous: options.allowAnonymous ?? true,
      userManager: {
        isValidUser: (userName: string, password: string) =>
          users.some((u) => u.userName === userName && u.password === password),
      },
      isAuditing: false,
      maxConnectionsPerEndpoint: Math.max(20, limits.maxSessions ?? 0),
      serverCapabilities: {
        maxSessions: limits.maxSessions ?? 50,
        ...(limits.maxMonitoredItemsPerSubscription === undefined
          ? {}
          : { maxMonitoredItemsPerSubscription: limits.maxMonitoredItemsPerSubscription }),
        ...(limits.maxSubscriptionsPerSession === undefined
          ? {}
          : { maxSubscriptionsPerSession: limits.maxSubscriptionsPerSession }),
        ...(limits.maxMonitoredItemsPerCall === undefined
          ? {}
          : { operationLimits: { maxMonitoredItemsPerCall: limits.maxMonitoredItemsPerCall } }),
      },
      buildInfo: { productName: 'HazardWatch plant simulator', manufacturerName: 'HazardWatch' },
    });
    try {
      await server.initialize();
      const addressSpace = server.engine.addressSpace;
      if (addressSpace === null) throw new Error('node-opcua server has no address space after initialize');
      const space = new PlantAddressSpace(addressSpace.getOwnNamespace(), addressSpace.rootFolder.objects);
      for (const tv of this.values.values()) space.addTag(tv);
      await server.start();
      this.boundPort = server.endpoints[0]?.port ?? this.boundPort;
      this.server = server;
      this.certificates = certificates;
      this.space = space;
    } catch (err) {
      await server.shutdown(0).catch(() => undefined);
      await certificates.dispose().catch(() => undefined);
      throw err;
    }
    this.log.info({ endpointUrl: this.endpointUrl, tags: this.values.size }, 'opcua server started');
  }

  private async doStop(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    this.server = undefined;
    this.space = undefined;
    for (const tv of this.values.values()) tv.variable = undefined;
    await server.shutdown(0);
    await this.certificates?.dispose();
    this.certificates = undefined;
    this.log.info({ endpointUrl: this.endpointUrl }, 'opcua server stopped');
  }
}
