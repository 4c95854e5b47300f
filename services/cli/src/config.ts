import { readFileSync } from 'node:fs';
import { Type, type Static } from '@sinclair/typebox';
import { parse as parseYaml } from 'yaml';
import { topicFilter, WARNING_COLOURS } from '@hazardwatch/contracts';
import { compileAuthorityTable } from '@hazardwatch/api';
import { compileAlarmSettings, type AlarmSettings } from '@hazardwatch/core';
import { parseConfig } from '@hazardwatch/kit';
import { ConfigError } from './errors.js';
import { notificationProblems, NotificationsConfigSchema } from './notifications-config.js';

export { ConfigError } from './errors.js';
export * from './notifications-config.js';

/** Runtime configuration shared by the commands. Read once, at start-up, from a file and the environment. */
export const RuntimeConfigSchema = Type.Object(
  {
    /** Directory for embedded PostgreSQL data and other local state. @default .data */
    dataDir: Type.String({ minLength: 1, default: '.data' }),
    database: Type.Object(
      {
        /** postgres://… ; absent → embedded PostgreSQL under dataDir. */
        url: Type.Optional(Type.String({ minLength: 1 })),
        /** @default auto */
        dialect: Type.Union([Type.Literal('auto'), Type.Literal('postgres'), Type.Literal('timescaledb')], {
          default: 'auto',
        }),
        /** @default 8 */
        poolSize: Type.Integer({ minimum: 1, maximum: 200, default: 8 }),
        /** Raw readings kept, days (Order 40: ≥ 30). @default 30 */
        rawRetentionDays: Type.Integer({ minimum: 30, default: 30 }),
        /** 1-minute rollups kept, days; ≥ rawRetentionDays. @default 180 */
        rollup1mRetentionDays: Type.Integer({ minimum: 1, default: 180 }),
        /** 1-hour rollups kept, days; ≥ rollup1mRetentionDays. @default 1826 (5 years) */
        rollup1hRetentionDays: Type.Integer({ minimum: 1, default: 1826 }),
        /** Closed alarms, their events and 预警 kept, days (REFERENCE §8 item 17: ≥ 30). @default 365 */
        alarmRetentionDays: Type.Integer({ minimum: 30, default: 365 }),
        /**
         * Audit log entries kept, days; older ones are pruned daily. Minimum 180: the Cybersecurity
         * Law of the PRC, art. 21(3), requires network logs to be kept for at least six months.
         * @default 365
         */
        auditRetentionDays: Type.Integer({ minimum: 180, default: 365 }),
        /** TimescaleDB: compress raw chunks older than this, days. @default 7 */
        compressAfterDays: Type.Integer({ minimum: 1, default: 7 }),
      },
      { additionalProperties: false, default: {} },
    ),
    mqtt: Type.Object(
      {
        /** mqtt://… ; absent → in-process broker on mqtt.embeddedPort. */
        url: Type.Optional(Type.String({ minLength: 1 })),
        /** @default 1883 */
        embeddedPort: Type.Integer({ minimum: 0, maximum: 65_535, default: 1883 }),
        /**
         * Address the in-process broker listens on: loopback, unless gateways on other machines
         * must reach it (`0.0.0.0`; the demo's `--host`). @default 127.0.0.1
         */
        embeddedHost: Type.String({ minLength: 1, default: '127.0.0.1' }),
        /**
         * The embedded broker requires gateway credentials (issued through the API) and enforces
         * the topic ACL. Production brokers enforce the same through the API's /mqtt hooks.
         * @default false
         */
        deviceAuth: Type.Boolean({ default: false }),
        /** The platform's own MQTT login (ingestion workers); allowed everything by the ACL. */
        serviceUsername: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
        servicePassword: Type.Optional(Type.String({ minLength: 16 })),
        /** Shared secret a production broker presents on the API's /mqtt/auth and /mqtt/acl hooks. */
        hookToken: Type.Optional(Type.String({ minLength: 16 })),
      },
      { additionalProperties: false, default: {} },
    ),
    /**
     * The production broker's account store (docs/broker.md). `dynsec`: Mosquitto 2's
     * dynamic-security plugin, to which `serve` and `api` apply gateway credentials, their ACLs and
     * the service account (mqtt.serviceUsername); absent: the broker checks logins itself (EMQX
     * through the /mqtt hooks) or not at all.
     */
    broker: Type.Object(
      {
        dynsec: Type.Optional(
          Type.Object(
            {
              /** mqtt:// or mqtts:// of the Mosquitto with the plugin (its internal listener). */
              url: Type.String({ pattern: '^mqtts?://' }),
              /** A dynsec client with the plugin's admin role (`mosquitto_ctrl dynsec init`). */
              username: Type.String({ minLength: 1, maxLength: 256 }),
              password: Type.String({ minLength: 12 }),
              /** PEM CA file for an mqtts:// url signed by a private CA. */
              caFile: Type.Optional(Type.String({ minLength: 1 })),
              /** How long one plugin command may take, ms. @default 10000 */
              timeoutMs: Type.Integer({ minimum: 100, maximum: 120_000, default: 10_000 }),
            },
            { additionalProperties: false },
          ),
        ),
      },
      { additionalProperties: false, default: {} },
    ),
    site: Type.Object(
      {
        /** Site file (YAML or JSON) loaded at start and stored in the database. */
        file: Type.Optional(Type.String({ minLength: 1 })),
      },
      { additionalProperties: false, default: {} },
    ),
    /**
     * Alarm engine policies, as data (docs/operations.md): `policy` (re-alarm, latching, shelving
     * limits, chattering), `colours` (the four-colour rules), `warnings` (预警 timeouts and
     * escalation, closing rules and recipients per colour and step: docs/warnings.md),
     * `openWarningsFrom` (lowest hazard colour that pushes a 预警). Compiled once by
     * `runtimeAlarmSettings` for the engine and the API alike; omitted ⇒ the documented defaults.
     */
    alarms: Type.Object(
      {
        policy: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
        colours: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
        warnings: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
        openWarningsFrom: Type.Union(
          WARNING_COLOURS.map((c) => Type.Literal(c)),
          { default: 'yellow' },
        ),
      },
      { additionalProperties: false, default: {} },
    ),
    notifications: NotificationsConfigSchema,
    redis: Type.Object(
      {
        /** redis://… : socket.io instances share rooms through it (Redis streams adapter). Absent: one instance. */
        url: Type.Optional(Type.String({ pattern: '^rediss?://' })),
      },
      { additionalProperties: false, default: {} },
    ),
    api: Type.Object(
      {
        /** @default 0.0.0.0 */
        host: Type.String({ minLength: 1, default: '0.0.0.0' }),
        /** REST API port (`serve`, `demo`). @default 8080 */
        port: Type.Integer({ minimum: 0, maximum: 65_535, default: 8080 }),
        /** HMAC secret of access tokens, ≥ 32 characters; random per process when unset (sessions end on restart). */
        jwtSecret: Type.Optional(Type.String({ minLength: 32 })),
        /** Built dashboard served at `/`. @default dashboards/control-room/dist of this checkout */
        dashboardDir: Type.Optional(Type.String({ minLength: 1 })),
        /** Browser origins allowed to call the API from elsewhere (CORS). @default [] */
        corsOrigins: Type.Array(Type.String({ pattern: '^https?://[^/]+$' }), { default: [] }),
        /** Reverse proxies whose X-Forwarded-For is believed: addresses or CIDRs (checked by the API). @default none */
        trustProxy: Type.Array(Type.String({ minLength: 1 }), { default: [] }),
        /** Origins the dashboard may load map tiles from (its CSP img-src). @default [] */
        tileOrigins: Type.Array(Type.String({ minLength: 1 }), { default: [] }),
        /**
         * OpenAPI at /docs/json and Swagger UI at /docs (public, no login). Production: off, unless
         * integrators need it there (docs/operations.md §10). @default true
         */
        docs: Type.Boolean({ default: true }),
        /**
         * Overrides of the authority table, `{ "<action>": { "<role>": "allow" | "refuse" | "approval" } }`
         * (docs/authority.md); checked here, naming the bad key. @default {} (the defaults)
         */
        authority: Type.Optional(
          Type.Record(
            Type.String({ minLength: 1 }),
            Type.Record(Type.String({ minLength: 1 }), Type.String()),
          ),
        ),
      },
      { additionalProperties: false, default: {} },
    ),
    /**
     * Internal HTTP port of a long-running command (`ingest`, `serve`, `api`, `demo`): /healthz,
     * /readyz and /metrics (ingest and API metrics; never on the public API port). 0 disables.
     * @default 9464
     */
    healthPort: Type.Integer({ minimum: 0, maximum: 65_535, default: 9464 }),
    /**
     * Address the health port binds: loopback by default, as metrics name every enterprise and
     * count logins; `0.0.0.0` where only a scraper can reach it (a compose or cluster network).
     * @default 127.0.0.1
     */
    healthHost: Type.String({ minLength: 1, default: '127.0.0.1' }),
    /** Ingest settings, as in @hazardwatch/ingest's IngestConfigSchema (mqtt.url comes from mqtt.url). */
    ingest: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  },
  { additionalProperties: false },
);
export type RuntimeConfig = Static<typeof RuntimeConfigSchema>;

/**
 * The `alarms` section compiled into the one set of alarm settings a process hands to its alarm
 * engine and to its API (issue #18); a bad key is a ConfigError naming it (`alarms.colours.…`).
 */
export function runtimeAlarmSettings(config: RuntimeConfig): AlarmSettings {
  const compiled = compileAlarmSettings(config.alarms, { path: 'alarms' });
  if (!compiled.ok) throw new ConfigError(compiled.errors);
  return compiled.value;
}

/** Environment variables we read, and where each lands in the configuration. */
const ENV_KEYS: Record<string, (config: Record<string, Record<string, unknown>>, value: string) => void> = {
  DATABASE_URL: (c, v) => (section(c, 'database').url = v),
  MQTT_URL: (c, v) => (section(c, 'mqtt').url = v),
  HW_DATA_DIR: (c, v) => (c['dataDir'] = v as never),
  HW_SITE_FILE: (c, v) => (section(c, 'site').file = v),
  HW_DB_DIALECT: (c, v) => (section(c, 'database').dialect = v),
  HW_DB_POOL_SIZE: (c, v) => (section(c, 'database').poolSize = Number(v)),
  HW_RAW_RETENTION_DAYS: (c, v) => (section(c, 'database').rawRetentionDays = Number(v)),
  HW_ROLLUP_1M_RETENTION_DAYS: (c, v) => (section(c, 'database').rollup1mRetentionDays = Number(v)),
  HW_ROLLUP_1H_RETENTION_DAYS: (c, v) => (section(c, 'database').rollup1hRetentionDays = Number(v)),
  HW_COMPRESS_AFTER_DAYS: (c, v) => (section(c, 'database').compressAfterDays = Number(v)),
  HW_MQTT_EMBEDDED_PORT: (c, v) => (section(c, 'mqtt').embeddedPort = Number(v)),
  HW_MQTT_EMBEDDED_HOST: (c, v) => (section(c, 'mqtt').embeddedHost = v),
  HW_MQTT_DEVICE_AUTH: (c, v) => (section(c, 'mqtt').deviceAuth = booleanEnv(v)),
  HW_MQTT_SERVICE_USERNAME: (c, v) => (section(c, 'mqtt').serviceUsername = v),
  HW_MQTT_SERVICE_PASSWORD: (c, v) => (section(c, 'mqtt').servicePassword = v),
  HW_MQTT_HOOK_TOKEN: (c, v) => (section(c, 'mqtt').hookToken = v),
  // Mosquitto dynamic security (docs/broker.md): the plugin's admin login.
  HW_DYNSEC_URL: (c, v) => (dynsec(c).url = v),
  HW_DYNSEC_USERNAME: (c, v) => (dynsec(c).username = v),
  HW_DYNSEC_PASSWORD: (c, v) => (dynsec(c).password = v),
  HW_DYNSEC_CA_FILE: (c, v) => (dynsec(c).caFile = v),
  HW_HEALTH_PORT: (c, v) => (c['healthPort'] = Number(v) as never),
  HW_HEALTH_HOST: (c, v) => (c['healthHost'] = v as never),
  HW_INGEST_CLIENT_ID: (c, v) => (ingestMqtt(c).clientId = v),
  // Comma-separated enterprise codes this worker owns (its partition); all when unset.
  HW_INGEST_ENTERPRISES: (c, v) =>
    (ingestMqtt(c).subscriptions = v
      .split(',')
      .map((e) => e.trim())
      .filter(Boolean)
      .flatMap((e) => [topicFilter('telemetry', e), topicFilter('status', e)])),
  // Leased partitions (docs/operations.md §5.1): single (default) or leased, and the lease timing.
  HW_INGEST_PARTITIONS: (c, v) => (ingestPartitions(c).mode = v),
  HW_INGEST_LEASE_MS: (c, v) => (ingestPartitions(c).leaseMs = Number(v)),
  HW_INGEST_HEARTBEAT_MS: (c, v) => (ingestPartitions(c).heartbeatMs = Number(v)),
  HW_INGEST_LEASE_MARGIN_MS: (c, v) => (ingestPartitions(c).marginMs = Number(v)),
  HW_INGEST_WORKER_ID: (c, v) => (ingestPartitions(c).workerId = v),
  HW_ALARM_RETENTION_DAYS: (c, v) => (section(c, 'database').alarmRetentionDays = Number(v)),
  HW_AUDIT_RETENTION_DAYS: (c, v) => (section(c, 'database').auditRetentionDays = Number(v)),
  // One webhook from the environment; more in the config file (notifications.webhooks).
  HW_WEBHOOK_URL: (c, v) => (webhook(c).url = v),
  HW_WEBHOOK_SECRET: (c, v) => (webhook(c).secret = v),
  // Links in notifications; the SMTP server and the SMS provider (docs/notifications.md).
  HW_PUBLIC_URL: (c, v) => (section(c, 'notifications').publicUrl = v),
  HW_SMTP_HOST: (c, v) => (notifier(c, 'email').host = v),
  HW_SMTP_PORT: (c, v) => (notifier(c, 'email').port = Number(v)),
  HW_SMTP_SECURE: (c, v) => (notifier(c, 'email').secure = booleanEnv(v)),
  HW_SMTP_REQUIRE_TLS: (c, v) => (notifier(c, 'email').requireTls = booleanEnv(v)),
  HW_SMTP_USER: (c, v) => (notifier(c, 'email').user = v),
  HW_SMTP_PASS: (c, v) => (notifier(c, 'email').pass = v),
  HW_SMTP_FROM: (c, v) => (notifier(c, 'email').from = v),
  HW_SMS_ENDPOINT: (c, v) => (notifier(c, 'sms').endpoint = v),
  HW_SMS_ACCESS_KEY_ID: (c, v) => (notifier(c, 'sms').accessKeyId = v),
  HW_SMS_ACCESS_KEY_SECRET: (c, v) => (notifier(c, 'sms').accessKeySecret = v),
  HW_SMS_SIGN_NAME: (c, v) => (notifier(c, 'sms').signName = v),
  HW_SMS_TEMPLATE_CODE: (c, v) => (notifier(c, 'sms').templateCode = v),
  REDIS_URL: (c, v) => (section(c, 'redis').url = v),
  HW_API_PORT: (c, v) => (section(c, 'api').port = Number(v)),
  HW_API_DOCS: (c, v) => (section(c, 'api').docs = booleanEnv(v)),
  HW_JWT_SECRET: (c, v) => (section(c, 'api').jwtSecret = v),
  HW_DASHBOARD_DIR: (c, v) => (section(c, 'api').dashboardDir = v),
  // Comma-separated origins, e.g. https://screen.example.gov.cn
  HW_CORS_ORIGINS: (c, v) =>
    (section(c, 'api').corsOrigins = v
      .split(',')
      .map((o) => o.trim())
      .filter(Boolean)),
  // Comma-separated addresses or CIDRs of the reverse proxies in front of the API.
  HW_TRUST_PROXY: (c, v) => (section(c, 'api').trustProxy = commaList(v)),
  // Comma-separated tile origins, e.g. https://t0.tianditu.gov.cn
  HW_TILE_ORIGINS: (c, v) => (section(c, 'api').tileOrigins = commaList(v)),
  HW_CONFIG_FILE: () => undefined,
  // Read by `hazardwatch edge` only.
  HW_EDGE_CONFIG: () => undefined,
};

function commaList(value: string): string[] {
  return value
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
}

/** "true"/"1" and "false"/"0"; anything else stays text, so validation names the variable's key. */
function booleanEnv(value: string): boolean | string {
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  return value;
}

function webhook(config: Record<string, Record<string, unknown>>): Record<string, unknown> {
  const notifications = section(config, 'notifications');
  const hooks = (notifications['webhooks'] ??= [{ name: 'default' }]) as Array<Record<string, unknown>>;
  return hooks[0]!;
}

function notifier(
  config: Record<string, Record<string, unknown>>,
  key: 'email' | 'sms',
): Record<string, unknown> {
  return (section(config, 'notifications')[key] ??= {}) as Record<string, unknown>;
}

function dynsec(config: Record<string, Record<string, unknown>>): Record<string, unknown> {
  return (section(config, 'broker')['dynsec'] ??= {}) as Record<string, unknown>;
}

function ingestPartitions(config: Record<string, Record<string, unknown>>): Record<string, unknown> {
  const ingest = section(config, 'ingest');
  return (ingest['partitions'] ??= {}) as Record<string, unknown>;
}

function ingestMqtt(config: Record<string, Record<string, unknown>>): Record<string, unknown> {
  const ingest = section(config, 'ingest');
  return (ingest['mqtt'] ??= {}) as Record<string, unknown>;
}

function section(config: Record<string, Record<string, unknown>>, key: string): Record<string, unknown> {
  return (config[key] ??= {});
}

/**
 * Builds the runtime configuration: the YAML/JSON file named by HW_CONFIG_FILE (or --config),
 * overlaid with the environment. An unknown HW_* variable or file key is an error that names it.
 */
export function loadRuntimeConfig(env: NodeJS.ProcessEnv, configFile?: string): RuntimeConfig {
  const problems: string[] = [];
  const file = configFile ?? env['HW_CONFIG_FILE'];
  let base: Record<string, Record<string, unknown>> = {};
  if (file) {
    try {
      base = (parseYaml(readFileSync(file, 'utf8')) ?? {}) as typeof base;
    } catch (error) {
      throw new ConfigError([`config file ${file}: ${(error as Error).message}`]);
    }
  }
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined) continue;
    const apply = ENV_KEYS[key];
    if (apply) apply(base, value);
    else if (key.startsWith('HW_')) problems.push(`unknown environment variable ${key}`);
  }
  const parsed = parseConfig(RuntimeConfigSchema, base);
  if (!parsed.ok) problems.push(...parsed.errors);
  else problems.push(...notificationProblems(parsed.value.notifications));
  if (parsed.ok) problems.push(...brokerProblems(parsed.value));
  if (parsed.ok) {
    const authority = compileAuthorityTable(parsed.value.api.authority, 'api.authority');
    if (!authority.ok) problems.push(...authority.errors);
  }
  if (problems.length > 0 || !parsed.ok) throw new ConfigError(problems);
  return parsed.value;
}

/** broker.dynsec manages an external Mosquitto, and the ingest's account there. */
function brokerProblems(config: RuntimeConfig): string[] {
  if (!config.broker.dynsec) return [];
  const problems: string[] = [];
  if (config.mqtt.url === undefined)
    problems.push('broker.dynsec: set mqtt.url (MQTT_URL), the Mosquitto whose plugin it manages');
  if (config.database.url === undefined)
    problems.push('broker.dynsec: set database.url (DATABASE_URL); the credential table is followed there');
  if (config.mqtt.serviceUsername === undefined || config.mqtt.servicePassword === undefined)
    problems.push(
      'broker.dynsec: set mqtt.serviceUsername and mqtt.servicePassword (HW_MQTT_SERVICE_USERNAME, HW_MQTT_SERVICE_PASSWORD), the ingest account it creates on the broker',
    );
  return problems;
}
