import { Type, type Static } from '@sinclair/typebox';
import { parseConfig } from '@hazardwatch/core';
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
     * Trust X-Forwarded-For from a reverse proxy, so the audit log and the login rate limit see
     * the client's address. Only behind a proxy you control. @default false
     */
    trustProxy: Type.Boolean({ default: false }),
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
    loginRateLimit: Type.Object(
      {
        /** Login attempts allowed per client address and username per window. @default 5 */
        max: Type.Integer({ minimum: 1, default: 5 }),
        /** @default 60 */
        windowSec: Type.Integer({ minimum: 1, default: 60 }),
      },
      { ...closed, default: {} },
    ),
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
  },
  closed,
);

export type ApiConfig = Static<typeof ApiConfigSchema>;

/** The normal form the app runs on: durations in ms. */
export interface ApiSettings {
  readonly host: string;
  readonly port: number;
  readonly trustProxy: boolean;
  readonly auth: {
    readonly jwtSecret: string;
    readonly accessTokenTtlMs: number;
    readonly refreshTokenTtlMs: number;
    readonly issuer: string;
  };
  readonly loginRateLimit: { readonly max: number; readonly windowMs: number };
  readonly docs: boolean;
  readonly bodyLimitBytes: number;
  readonly mqttHookToken: string | undefined;
  readonly corsOrigins: readonly string[];
  readonly tileOrigins: readonly string[];
}

/** Validates and compiles; throws HW_API_CONFIG_INVALID naming every bad or unknown key. */
export function compileApiConfig(input: unknown): ApiSettings {
  const parsed = parseConfig(ApiConfigSchema, input);
  if (!parsed.ok)
    throw apiErrors.create('HW_API_CONFIG_INVALID', {
      problems: parsed.errors.join('; '),
      errors: parsed.errors,
    });
  const c = parsed.value;
  return Object.freeze({
    host: c.host,
    port: c.port,
    trustProxy: c.trustProxy,
    auth: Object.freeze({
      jwtSecret: c.auth.jwtSecret,
      accessTokenTtlMs: c.auth.accessTokenTtlSec * 1000,
      refreshTokenTtlMs: c.auth.refreshTokenTtlSec * 1000,
      issuer: c.auth.issuer,
    }),
    loginRateLimit: Object.freeze({ max: c.loginRateLimit.max, windowMs: c.loginRateLimit.windowSec * 1000 }),
    docs: c.docs,
    mqttHookToken: c.mqttHookToken,
    corsOrigins: Object.freeze([...c.corsOrigins]),
    tileOrigins: Object.freeze([...c.tileOrigins]),
    bodyLimitBytes: c.bodyLimitBytes,
  });
}
