import { Type, type Static } from '@sinclair/typebox';
import { parseConfig } from '@hazardwatch/kit';
import { isIP } from 'node:net';
import { compileAuthorityTable, type AuthorityTable } from './access/authority.js';
import type { LoginBackoffSettings } from './auth/login-backoff.js';
import { apiErrors } from './errors.js';

const closed = { additionalProperties: false } as const;

/**
 * API configuration as written (seconds, human units). Validated once by `compileApiConfig`
 * (STYLE rules 5, 6): unknown keys are refused by name, defaults applied, result frozen.
 */
export const ApiConfigSchema = Type.Object(
  {
    /** Interface to listen on. @default '0.0.0.0' */
    host: Type.String({ minLength: 1, default: '0.0.0.0' }),
    /** TCP port; 0 picks a free one. @default 3000 */
    port: Type.Integer({ minimum: 0, maximum: 65_535, default: 3000 }),
    /**
     * Reverse proxies whose X-Forwarded-For is believed, so the audit log and the login backoff
     * see the client's address: addresses or CIDRs (`['10.0.0.5', '172.16.0.0/12']`, also
     * `loopback`, `linklocal`, `uniquelocal`), as fastify's `trustProxy` takes them; `true`
     * trusts every peer (only where nothing but the proxy can reach the port). No hop count:
     * fastify 5 ignores one (fails closed: it cannot tell a proxy from a client that sends the
     * header itself). @default false (none)
     */
    trustProxy: Type.Union(
      [
        Type.Boolean(),
        Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { minItems: 1, maxItems: 64 }),
      ],
      { default: false },
    ),
    auth: Type.Object(
      {
        /** HS256 key for access tokens; ≥ 32 characters (RFC 7518 §3.2: key ≥ hash output size). */
        jwtSecret: Type.String({ minLength: 32 }),
        /** Access token lifetime, seconds. @default 900 (15 min) */
        accessTokenTtlSec: Type.Integer({ minimum: 30, maximum: 86_400, default: 900 }),
        /** Refresh token lifetime, seconds. @default 604800 (7 days) */
        refreshTokenTtlSec: Type.Integer({ minimum: 300, maximum: 90 * 86_400, default: 604_800 }),
        /** `iss` claim written and required. @default 'hazardwatch' */
        issuer: Type.String({ minLength: 1, default: 'hazardwatch' }),
      },
      closed,
    ),
    /**
     * Exponential backoff on failed logins, per username and per client address (only failures
     * count; a successful login resets both): past the threshold an attempt waits `baseSec`,
     * doubling with each further failure up to `maxSec`, answered 429 with Retry-After.
     */
    loginBackoff: Type.Object(
      {
        /** Failures of one username (from anywhere) before it waits. @default 5 */
        usernameFailures: Type.Integer({ minimum: 1, maximum: 1000, default: 5 }),
        /** Failures from one address (any username; a control room shares one) before it waits. @default 20 */
        addressFailures: Type.Integer({ minimum: 1, maximum: 100_000, default: 20 }),
        /** First wait, seconds. @default 30 */
        baseSec: Type.Integer({ minimum: 1, maximum: 3600, default: 30 }),
        /** Longest wait, seconds: the longest anyone can hold a username back. @default 900 */
        maxSec: Type.Integer({ minimum: 1, maximum: 86_400, default: 900 }),
        /** No failure for this long: the count starts afresh, seconds. @default 3600 */
        forgetAfterSec: Type.Integer({ minimum: 60, maximum: 30 * 86_400, default: 3600 }),
      },
      { ...closed, default: {} },
    ),
    /**
     * Shelving an alarm for longer than this is a monitoring change kept on record and shown to
     * the regulator (`monitoring.shelve.long`, issue #19), seconds. @default 28800 (one 8-h shift)
     */
    shelveNoticeAfterSec: Type.Integer({ minimum: 60, maximum: 30 * 86_400, default: 28_800 }),
    /** Serve OpenAPI (JSON at /docs/json) and Swagger UI at /docs. @default true */
    docs: Type.Boolean({ default: true }),
    /** Largest accepted request body, bytes (a site file fits). @default 8 MiB */
    bodyLimitBytes: Type.Integer({ minimum: 1024, default: 8 * 1024 * 1024 }),
    /**
     * Shared secret the MQTT broker presents (header `x-hw-hook-token`) on the HTTP authentication
     * and authorisation hooks `/mqtt/auth` and `/mqtt/acl`. Without it the hooks answer 503.
     */
    mqttHookToken: Type.Optional(Type.String({ minLength: 16 })),
    /**
     * Origins allowed to call the API from a browser (CORS), e.g. a dashboard on another host.
     * Empty: same origin only (the dashboard served by this API needs nothing). @default []
     */
    corsOrigins: Type.Array(Type.String({ pattern: '^https?://[^/]+$' }), { default: [] }),
    /**
     * Origins the dashboard may load map tiles from (its Content-Security-Policy `img-src`), e.g.
     * `https://t0.tianditu.gov.cn`. Empty: the offline basemap only. @default []
     */
    tileOrigins: Type.Array(Type.String({ pattern: '^https?://[^/\\s;,\'"]+$' }), { default: [] }),
    /**
     * Overrides of the authority table (who may do what, issue #19; docs/authority.md):
     * `{ "<action>": { "<role>": "allow" | "refuse" | "approval" } }`, roles `operator`,
     * `safety_manager`, `regulator_county`, `regulator_city`, `regulator_province`, `viewer`,
     * `admin`; `approval` only for the `monitoring.*` kinds. Unnamed entries keep the defaults.
     * @default {} (the defaults)
     */
    authority: Type.Optional(
      Type.Record(Type.String({ minLength: 1 }), Type.Record(Type.String({ minLength: 1 }), Type.String())),
    ),
  },
  closed,
);

export type ApiConfig = Static<typeof ApiConfigSchema>;

/** The normal form the app runs on: durations in ms. */
export interface ApiSettings {
  readonly host: string;
  readonly port: number;
  /** As fastify's `trustProxy` takes it: false (none), true (all), or addresses and CIDRs. */
  readonly trustProxy: boolean | readonly string[];
  readonly auth: {
    readonly jwtSecret: string;
    readonly accessTokenTtlMs: number;
    readonly refreshTokenTtlMs: number;
    readonly issuer: string;
  };
  readonly loginBackoff: LoginBackoffSettings;
  /** Shelving longer than this is recorded as `monitoring.shelve.long`, ms. */
  readonly shelveNoticeAfterMs: number;
  readonly docs: boolean;
  readonly bodyLimitBytes: number;
  readonly mqttHookToken: string | undefined;
  readonly corsOrigins: readonly string[];
  readonly tileOrigins: readonly string[];
  /** Who may do what: the default authority table with the configured overrides, frozen. */
  readonly authority: AuthorityTable;
}

/** Validates and compiles; throws HW_API_CONFIG_INVALID naming every bad or unknown key. */
export function compileApiConfig(input: unknown): ApiSettings {
  const parsed = parseConfig(ApiConfigSchema, input);
  const authority = parsed.ok ? compileAuthorityTable(parsed.value.authority) : undefined;
  const errors = parsed.ok
    ? [...proxyProblems(parsed.value.trustProxy), ...(authority?.ok === false ? authority.errors : [])]
    : parsed.errors;
  if (!parsed.ok || errors.length > 0 || authority?.ok !== true)
    throw apiErrors.create('HW_API_CONFIG_INVALID', { problems: errors.join('; '), errors });
  const c = parsed.value;
  return Object.freeze({
    host: c.host,
    port: c.port,
    trustProxy: typeof c.trustProxy === 'boolean' ? c.trustProxy : Object.freeze([...c.trustProxy]),
    auth: Object.freeze({
      jwtSecret: c.auth.jwtSecret,
      accessTokenTtlMs: c.auth.accessTokenTtlSec * 1000,
      refreshTokenTtlMs: c.auth.refreshTokenTtlSec * 1000,
      issuer: c.auth.issuer,
    }),
    loginBackoff: Object.freeze({
      usernameFailures: c.loginBackoff.usernameFailures,
      addressFailures: c.loginBackoff.addressFailures,
      baseMs: c.loginBackoff.baseSec * 1000,
      maxMs: c.loginBackoff.maxSec * 1000,
      forgetAfterMs: c.loginBackoff.forgetAfterSec * 1000,
    }),
    shelveNoticeAfterMs: c.shelveNoticeAfterSec * 1000,
    docs: c.docs,
    mqttHookToken: c.mqttHookToken,
    corsOrigins: Object.freeze([...c.corsOrigins]),
    tileOrigins: Object.freeze([...c.tileOrigins]),
    bodyLimitBytes: c.bodyLimitBytes,
    authority: authority.table,
  });
}

/** proxy-addr's names for address ranges (fastify passes the list to it). */
const PROXY_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** Each trusted proxy must be an address, a CIDR or a named range: proxy-addr would throw later. */
function proxyProblems(trustProxy: boolean | readonly string[]): string[] {
  if (typeof trustProxy === 'boolean') return [];
  return trustProxy.flatMap((entry, i) => {
    if (PROXY_RANGES.has(entry)) return [];
    const [address = '', prefix, ...rest] = entry.split('/');
    const family = isIP(address);
    const bits = family === 4 ? 32 : 128;
    const prefixOk = prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= bits);
    return family !== 0 && prefixOk && rest.length === 0
      ? []
      : [`trustProxy/${i}: '${entry}' is not an IP address, a CIDR or ${[...PROXY_RANGES].join('/')}`];
  });
}
