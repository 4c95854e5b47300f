/**
 * Options of the OPC-UA source and their normal form (STYLE rule 6): every optional field has a
 * documented default and compiles to a unit-suffixed value; impossible combinations are refused
 * with every problem named, before anything connects.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import { systemClock, type Clock } from '@hazardwatch/kit';
import { EdgeError } from '../errors.js';
import { IDENTITY_SCALE, type LinearScale } from '../tag-mapping.js';

/** Client PKI folder when the configuration names none (security mode None needs no certificates). */
export const DEFAULT_OPCUA_PKI_DIR: string = join(tmpdir(), 'hazardwatch-edge-opcua-pki');

export type OpcuaSecurityMode = 'None' | 'Sign' | 'SignAndEncrypt';
/** Policies that work on Node 20 without `--security-revert=CVE-2023-46809` (no RSA PKCS#1 v1.5 encryption). */
export type OpcuaSecurityPolicy =
  'None' | 'Basic256Sha256' | 'Aes128_Sha256_RsaOaep' | 'Aes256_Sha256_RsaPss';

/** A tag is addressed by NodeId, or by a browse path resolved on every (re)connect. */
export type OpcuaTagAddress =
  | { readonly nodeId: string; readonly browsePath?: undefined }
  /** OPC UA relative path text (Part 4 §A.2) from the Root folder, e.g. `/Objects/1:SITE/1:TF01/1:PT-1101`. */
  | { readonly browsePath: string; readonly nodeId?: undefined };

export type OpcuaTagOptions = OpcuaTagAddress & {
  /** Point tag the reading carries. */
  readonly tag: string;
  /** @default IDENTITY_SCALE */
  readonly scale?: LinearScale;
};

export interface OpcuaSourceOptions {
  readonly name: string;
  readonly endpointUrl: string;
  readonly tags: readonly OpcuaTagOptions[];
  /** @default 'None' */
  readonly securityMode?: OpcuaSecurityMode;
  /** @default 'None' when securityMode is None, else 'Basic256Sha256' */
  readonly securityPolicy?: OpcuaSecurityPolicy;
  /** Client PKI folder (own certificate, trusted server certificates). Required unless securityMode is None. @default <os tmp>/hazardwatch-edge-opcua-pki */
  readonly pkiDir?: string;
  /** Accept a server certificate not in `pkiDir/trusted/certs` (commissioning, tests). @default false */
  readonly acceptUnknownServerCertificate?: boolean;
  /** User identity; anonymous when omitted. */
  readonly userName?: string;
  readonly password?: string;
  /** @default 1000 */
  readonly samplingIntervalMs?: number;
  /** @default 1000 */
  readonly publishingIntervalMs?: number;
  /** Publishing intervals without data before the server sends a keep-alive. @default 10 */
  readonly maxKeepAliveCount?: number;
  /** Monitored items per subscription; more tags are split over several subscriptions. @default 1000 */
  readonly maxItemsPerSubscription?: number;
  /** Items per CreateMonitoredItems call, lowered to the server's MaxMonitoredItemsPerCall. @default 500 */
  readonly maxItemsPerCall?: number;
  /** Reconnect backoff: doubles from initial to max after each failed attempt. @default 1000 / 30000 */
  readonly reconnectInitialMs?: number;
  readonly reconnectMaxMs?: number;
  /** How often unavailable tags (BadNodeIdUnknown, unresolved browse path) are tried again. @default 30000 */
  readonly retryUnavailableMs?: number;
  /** Rebuild when a subscription is silent this long. @default 3 × keep-alive period (publishing × maxKeepAliveCount) */
  readonly watchdogMs?: number;
  /** Connect + session + subscriptions must finish within this. @default 20000 */
  readonly connectTimeoutMs?: number;
  /** @default 60000 */
  readonly sessionTimeoutMs?: number;
  /** @default silent */
  readonly logger?: Logger;
  /** Wall clock, ms UTC. @default Date.now */
  readonly clock?: () => number;
  /** @default setTimeout / clearTimeout of globalThis */
  /** One-shot delays (watchdog, retries). @default systemClock */
  readonly timers?: Pick<Clock, 'setTimeout' | 'clearTimeout'>;
}

export interface CompiledOpcuaTag {
  readonly index: number;
  readonly tag: string;
  readonly nodeId?: string;
  readonly browsePath?: string;
  readonly scale: LinearScale;
}

export interface CompiledOpcuaOptions {
  readonly name: string;
  readonly endpointUrl: string;
  readonly tags: readonly CompiledOpcuaTag[];
  readonly securityMode: OpcuaSecurityMode;
  readonly securityPolicy: OpcuaSecurityPolicy;
  readonly pkiDir: string;
  readonly acceptUnknownServerCertificate: boolean;
  readonly userName: string | undefined;
  readonly password: string | undefined;
  readonly samplingIntervalMs: number;
  readonly publishingIntervalMs: number;
  readonly maxKeepAliveCount: number;
  readonly maxItemsPerSubscription: number;
  readonly maxItemsPerCall: number;
  readonly reconnectInitialMs: number;
  readonly reconnectMaxMs: number;
  readonly retryUnavailableMs: number;
  readonly watchdogMs: number;
  readonly connectTimeoutMs: number;
  readonly sessionTimeoutMs: number;
  readonly logger: Logger;
  readonly clock: () => number;
  readonly timers: Pick<Clock, 'setTimeout' | 'clearTimeout'>;
}

/** @throws EdgeError HW_EDGE_SOURCE_CONFIG naming every problem */
export function compileOpcuaOptions(o: OpcuaSourceOptions): CompiledOpcuaOptions {
  const issues: string[] = [];
  const securityMode = o.securityMode ?? 'None';
  const securityPolicy = o.securityPolicy ?? (securityMode === 'None' ? 'None' : 'Basic256Sha256');
  if ((securityMode === 'None') !== (securityPolicy === 'None')) {
    issues.push(`securityMode ${securityMode} cannot use securityPolicy ${securityPolicy}`);
  }
  if (securityMode !== 'None' && o.pkiDir === undefined) issues.push('pkiDir is required with a secure mode');
  if ((o.userName === undefined) !== (o.password === undefined))
    issues.push('userName and password go together');
  if (!/^opc\.tcp:\/\/.+/.test(o.endpointUrl)) issues.push(`endpointUrl ${o.endpointUrl} is not opc.tcp://…`);
  if (o.tags.length === 0) issues.push('no tags');
  const seen = new Set<string>();
  const tags = o.tags.map((t, index): CompiledOpcuaTag => {
    if (seen.has(t.tag)) issues.push(`tag ${t.tag}: duplicate`);
    seen.add(t.tag);
    if ((t.nodeId === undefined) === (t.browsePath === undefined)) {
      issues.push(`tag ${t.tag}: give exactly one of nodeId and browsePath`);
    }
    const scale = t.scale ?? IDENTITY_SCALE;
    if (!Number.isFinite(scale.factor) || !Number.isFinite(scale.offset))
      issues.push(`tag ${t.tag}: scale not finite`);
    return t.nodeId !== undefined
      ? { index, tag: t.tag, nodeId: t.nodeId, scale }
      : { index, tag: t.tag, browsePath: t.browsePath ?? '', scale };
  });
  const positive = (name: string, value: number | undefined, fallback: number): number => {
    const v = value ?? fallback;
    if (!(Number.isFinite(v) && v > 0)) issues.push(`${name} must be > 0`);
    return v;
  };
  const samplingIntervalMs = o.samplingIntervalMs ?? 1000;
  // 0 asks the server for event-driven sampling (Part 4 §5.12.1.2), which is legal.
  if (!(Number.isFinite(samplingIntervalMs) && samplingIntervalMs >= 0))
    issues.push('samplingIntervalMs must be ≥ 0');
  const publishingIntervalMs = positive('publishingIntervalMs', o.publishingIntervalMs, 1000);
  const maxKeepAliveCount = positive('maxKeepAliveCount', o.maxKeepAliveCount, 10);
  const reconnectInitialMs = positive('reconnectInitialMs', o.reconnectInitialMs, 1000);
  const reconnectMaxMs = positive('reconnectMaxMs', o.reconnectMaxMs, 30_000);
  if (reconnectMaxMs < reconnectInitialMs) issues.push('reconnectMaxMs must be ≥ reconnectInitialMs');
  const compiled: CompiledOpcuaOptions = {
    name: o.name,
    endpointUrl: o.endpointUrl,
    tags,
    securityMode,
    securityPolicy,
    pkiDir: o.pkiDir ?? DEFAULT_OPCUA_PKI_DIR,
    acceptUnknownServerCertificate: o.acceptUnknownServerCertificate ?? false,
    userName: o.userName,
    password: o.password,
    samplingIntervalMs,
    publishingIntervalMs,
    maxKeepAliveCount,
    maxItemsPerSubscription: positive('maxItemsPerSubscription', o.maxItemsPerSubscription, 1000),
    maxItemsPerCall: positive('maxItemsPerCall', o.maxItemsPerCall, 500),
    reconnectInitialMs,
    reconnectMaxMs,
    retryUnavailableMs: positive('retryUnavailableMs', o.retryUnavailableMs, 30_000),
    // Derived from already checked fields when not given, so one mistake is reported once.
    watchdogMs:
      o.watchdogMs === undefined
        ? 3 * publishingIntervalMs * maxKeepAliveCount
        : positive('watchdogMs', o.watchdogMs, 0),
    connectTimeoutMs: positive('connectTimeoutMs', o.connectTimeoutMs, 20_000),
    sessionTimeoutMs: positive('sessionTimeoutMs', o.sessionTimeoutMs, 60_000),
    logger: (o.logger ?? pino({ level: 'silent' })).child({ component: 'opcua-source', source: o.name }),
    clock: o.clock ?? Date.now,
    timers: o.timers ?? systemClock,
  };
  if (issues.length > 0) {
    throw new EdgeError('HW_EDGE_SOURCE_CONFIG', { source: o.name, reason: issues.join('; '), issues });
  }
  return Object.freeze(compiled);
}
