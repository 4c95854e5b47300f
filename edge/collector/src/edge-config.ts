import { readFileSync } from 'node:fs';
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { parse as parseYaml } from 'yaml';
import { TOPIC_SEGMENT_PATTERN } from '@hazardwatch/contracts';
import { deepFreeze, schemaProblems } from '@hazardwatch/kit';
import { EdgeError } from './errors.js';

/**
 * The collector's configuration file (`hazardwatch edge --config edge.yaml`), read once at start,
 * validated with this schema (unknown keys refused, every problem named with its path) and frozen.
 * Durations carry their unit in the key (`…Ms`, `…Sec`, `…Hours`); scales are either a factor and
 * offset or the instrument's raw and engineering ranges.
 */
const closed = { additionalProperties: false } as const;
const Code = Type.String({ pattern: TOPIC_SEGMENT_PATTERN });
const Ms = (description: string, min = 1) => Type.Integer({ minimum: min, description });

const ScaleSchema = Type.Union([
  Type.Object({ factor: Type.Number(), offset: Type.Optional(Type.Number()) }, closed),
  Type.Object(
    { rawMin: Type.Number(), rawMax: Type.Number(), engMin: Type.Number(), engMax: Type.Number() },
    closed,
  ),
]);

/** Report by exception: a value is sent when it moved more than the deadband, or the heartbeat is due. */
const ExceptionFields = {
  /** Absolute deadband in engineering units; 0 sends every sample. @default the source's, else 0 */
  deadband: Type.Optional(Type.Number({ minimum: 0 })),
  /** A steady value is still sent this often (OPC-UA: repeated while the subscription is healthy). @default the source's, else 10 */
  heartbeatSec: Type.Optional(Type.Integer({ minimum: 1 })),
};
const TagBase = {
  tag: Type.String({ minLength: 1, maxLength: 64 }),
  scale: Type.Optional(ScaleSchema),
  ...ExceptionFields,
};

const OpcuaSourceSchema = Type.Object(
  {
    kind: Type.Literal('opcua'),
    name: Type.String({ minLength: 1 }),
    endpointUrl: Type.String({ pattern: '^opc\\.tcp://' }),
    securityMode: Type.Optional(
      Type.Union([Type.Literal('None'), Type.Literal('Sign'), Type.Literal('SignAndEncrypt')]),
    ),
    securityPolicy: Type.Optional(
      Type.Union([
        Type.Literal('None'),
        Type.Literal('Basic256Sha256'),
        Type.Literal('Aes128_Sha256_RsaOaep'),
        Type.Literal('Aes256_Sha256_RsaPss'),
      ]),
    ),
    pkiDir: Type.Optional(Type.String({ minLength: 1 })),
    acceptUnknownServerCertificate: Type.Optional(Type.Boolean()),
    userName: Type.Optional(Type.String({ minLength: 1 })),
    password: Type.Optional(Type.String()),
    samplingIntervalMs: Type.Optional(Ms('OPC UA sampling interval')),
    publishingIntervalMs: Type.Optional(Ms('OPC UA publishing interval')),
    maxItemsPerSubscription: Type.Optional(Type.Integer({ minimum: 1 })),
    ...ExceptionFields,
    tags: Type.Array(
      Type.Union([
        Type.Object({ nodeId: Type.String({ minLength: 1 }), ...TagBase }, closed),
        Type.Object({ browsePath: Type.String({ minLength: 1 }), ...TagBase }, closed),
      ]),
      { minItems: 1 },
    ),
  },
  closed,
);

const ModbusSourceSchema = Type.Object(
  {
    kind: Type.Literal('modbus'),
    name: Type.String({ minLength: 1 }),
    host: Type.String({ minLength: 1 }),
    port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65_535 })),
    unitId: Type.Optional(Type.Integer({ minimum: 0, maximum: 255 })),
    pollIntervalMs: Type.Optional(Ms('time between polls', 10)),
    timeoutMs: Type.Optional(Ms('request timeout', 10)),
    retries: Type.Optional(Type.Integer({ minimum: 0, maximum: 10 })),
    ...ExceptionFields,
    tags: Type.Array(
      Type.Union([
        Type.Object(
          {
            ...TagBase,
            table: Type.Union([Type.Literal('holding'), Type.Literal('input')]),
            address: Type.Integer({ minimum: 0, maximum: 65_535 }),
            type: Type.Optional(
              Type.Union(['int16', 'uint16', 'int32', 'uint32', 'float32'].map((t) => Type.Literal(t))),
            ),
            wordOrder: Type.Optional(
              Type.Union(['ABCD', 'CDAB', 'BADC', 'DCBA'].map((t) => Type.Literal(t))),
            ),
          },
          closed,
        ),
        Type.Object(
          {
            ...TagBase,
            table: Type.Union([Type.Literal('coil'), Type.Literal('discrete')]),
            address: Type.Integer({ minimum: 0, maximum: 65_535 }),
          },
          closed,
        ),
      ]),
      { minItems: 1 },
    ),
  },
  closed,
);

const MqttSourceSchema = Type.Object(
  {
    kind: Type.Literal('mqtt'),
    name: Type.String({ minLength: 1 }),
    url: Type.String({ pattern: '^mqtts?://' }),
    clientId: Type.Optional(Type.String({ minLength: 1 })),
    username: Type.Optional(Type.String()),
    password: Type.Optional(Type.String()),
    ...ExceptionFields,
    subscriptions: Type.Array(
      Type.Object(
        {
          topic: Type.String({ minLength: 1 }),
          qos: Type.Optional(Type.Union([Type.Literal(0), Type.Literal(1), Type.Literal(2)])),
          fields: Type.Array(
            Type.Object(
              {
                path: Type.String({ minLength: 1 }),
                ...TagBase,
                timestampPath: Type.Optional(Type.String({ minLength: 1 })),
                qualityPath: Type.Optional(Type.String({ minLength: 1 })),
              },
              closed,
            ),
            { minItems: 1 },
          ),
        },
        closed,
      ),
      { minItems: 1 },
    ),
  },
  closed,
);

export const EdgeConfigSchema = Type.Object(
  {
    /** The gateway this collector is: its enterprise code and gateway code (as in the site model). */
    gateway: Type.Object({ enterprise: Code, code: Code }, closed),
    uplink: Type.Object(
      {
        /** The central broker, e.g. mqtts://mqtt.example.gov.cn:8883 */
        url: Type.String({ pattern: '^mqtts?://' }),
        /** The credential issued through the API (POST …/gateways/{code}/credentials). */
        username: Type.Optional(Type.String({ minLength: 1 })),
        password: Type.Optional(Type.String({ minLength: 1 })),
        /** @default hw-edge-{enterprise}-{gateway} */
        clientId: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
        /** @default 30 */
        heartbeatSec: Type.Integer({ minimum: 1, default: 30 }),
        /**
         * MQTT keepalive: the client pings after this much idle time and takes the link for dead
         * when no answer comes within half as long again. @default 30
         */
        keepaliveSec: Type.Integer({ minimum: 1, maximum: 65_535, default: 30 }),
        /**
         * A publish unacknowledged (no PUBACK) this long reports the uplink as not connected in
         * /healthz and /metrics — a black-holed link the keepalive has not noticed yet. @default 10
         */
        ackTimeoutSec: Type.Integer({ minimum: 1, default: 10 }),
        /** Backlog replay rate after an outage (live data always goes first). @default 50000 */
        replayReadingsPerSec: Type.Integer({ minimum: 100, default: 50_000 }),
      },
      closed,
    ),
    spool: Type.Object(
      {
        /** Directory of the disk spool (one collector per directory). */
        dir: Type.String({ minLength: 1 }),
        /** Largest backlog kept; the oldest is dropped (and reported) beyond it. @default 1024 */
        maxMb: Type.Integer({ minimum: 1, default: 1024 }),
        /** Readings older than this are dropped (and reported). @default 168 (7 days) */
        maxAgeHours: Type.Integer({ minimum: 1, default: 168 }),
        /** 'always': appends fsynced (group commit), power-loss safe; 'none': page cache only. @default always */
        fsync: Type.Union([Type.Literal('always'), Type.Literal('none')], { default: 'always' }),
      },
      closed,
    ),
    /** Local /healthz and /metrics; 0 disables. @default 9465 */
    healthPort: Type.Integer({ minimum: 0, maximum: 65_535, default: 9465 }),
    /** Interface the health server binds. @default 127.0.0.1 */
    healthHost: Type.String({ minLength: 1, default: '127.0.0.1' }),
    sources: Type.Array(Type.Union([OpcuaSourceSchema, ModbusSourceSchema, MqttSourceSchema]), {
      minItems: 1,
    }),
  },
  closed,
);

export type EdgeConfig = Static<typeof EdgeConfigSchema>;
export type EdgeSourceConfig = EdgeConfig['sources'][number];

/** Validates (defaults applied, unknown keys refused) and freezes; throws HW_EDGE_CONFIG_INVALID naming every problem. */
export function parseEdgeConfig(input: unknown): EdgeConfig {
  const candidate: unknown = Value.Default(EdgeConfigSchema, Value.Clone(input ?? {}));
  if (!Value.Check(EdgeConfigSchema, candidate)) {
    const issues = problems(EdgeConfigSchema, candidate);
    throw new EdgeError('HW_EDGE_CONFIG_INVALID', { count: issues.length, issues });
  }
  const config = candidate;
  const tags = new Set<string>();
  const duplicates: string[] = [];
  for (const source of config.sources) {
    const names =
      source.kind === 'mqtt'
        ? source.subscriptions.flatMap((s) => s.fields.map((f) => f.tag)).filter((t) => !t.includes('{'))
        : source.tags.map((t) => t.tag);
    for (const tag of names) {
      if (tags.has(tag))
        duplicates.push(`sources.${source.name}: tag ${tag} is read by more than one source or twice`);
      tags.add(tag);
    }
  }
  const names = config.sources.map((s) => s.name);
  for (const name of new Set(names.filter((n, i) => names.indexOf(n) !== i)))
    duplicates.push(`sources: name ${name} is used twice`);
  if (duplicates.length > 0)
    throw new EdgeError('HW_EDGE_CONFIG_INVALID', { count: duplicates.length, issues: duplicates });
  return deepFreeze(config);
}

export function loadEdgeConfig(file: string): EdgeConfig {
  let parsed: unknown;
  try {
    parsed = parseYaml(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new EdgeError('HW_EDGE_CONFIG_PARSE', { file, reason: (error as Error).message });
  }
  return parseEdgeConfig(parsed);
}

const SOURCE_SCHEMAS: Readonly<Record<string, TSchema>> = {
  opcua: OpcuaSourceSchema,
  modbus: ModbusSourceSchema,
  mqtt: MqttSourceSchema,
};

/**
 * One line per problem, with the key path. A source is checked against the schema its `kind`
 * names, so a typo inside it is reported at its own key rather than as "no union branch matched";
 * elsewhere a union that matches no branch is reported at the branch that came closest.
 */
function problems(schema: TSchema, value: unknown): string[] {
  const out: string[] = [];
  const add = (s: TSchema, v: unknown, path?: string): void => {
    const found = schemaProblems(s, v, { closestUnionBranch: true, ...(path ? { path } : {}) });
    for (const { message } of found) if (!out.includes(message)) out.push(message);
  };
  const sources = (value as { sources?: unknown } | null)?.sources;
  if (Array.isArray(sources)) {
    sources.forEach((source: unknown, i) => {
      const kind = (source as { kind?: unknown } | null)?.kind;
      const own = typeof kind === 'string' ? SOURCE_SCHEMAS[kind] : undefined;
      if (own === undefined) {
        out.push(`sources.${i}.kind: must be one of ${Object.keys(SOURCE_SCHEMAS).join(', ')}`);
        return;
      }
      add(own, source, `sources.${i}`);
    });
  }
  if (out.length > 0) return out.slice(0, 20);
  add(schema, value);
  return out.slice(0, 20);
}
