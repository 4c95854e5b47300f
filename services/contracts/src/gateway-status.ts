import { Type, type Static } from '@sinclair/typebox';

/** State of one collector source (OPC-UA, Modbus, MQTT bridge) as reported in a heartbeat. */
export const GatewaySourceStatusSchema = Type.Object(
  {
    name: Type.String({ maxLength: 128 }),
    kind: Type.String({ maxLength: 32 }),
    state: Type.String({ maxLength: 32 }),
    readings: Type.Integer({ minimum: 0 }),
    errors: Type.Integer({ minimum: 0 }),
    reconnects: Type.Integer({ minimum: 0 }),
    detail: Type.Optional(Type.String({ maxLength: 512 })),
  },
  { additionalProperties: true },
);

/** What a gateway's spool dropped to stay within its bounds (never silent: see `data_loss`). */
export const SpoolDropSchema = Type.Object(
  {
    reason: Type.String({ maxLength: 32 }),
    entries: Type.Integer({ minimum: 0 }),
    readings: Type.Integer({ minimum: 0 }),
    oldestTs: Type.Optional(Type.Integer({ minimum: 0 })),
    newestTs: Type.Optional(Type.Integer({ minimum: 0 })),
  },
  { additionalProperties: true },
);

/**
 * Gateway status payload (topic `hw/v1/{enterprise}/{gateway}/status`, QoS 1).
 * `birth` on connect and `death` as the MQTT last will (the broker publishes it when the gateway's
 * connection is lost) are retained; `heartbeat` (retained) periodically carries backlog, source
 * states and counters; `data_loss` (not retained) reports readings the spool had to drop.
 */
export const GatewayStatusSchema = Type.Object(
  {
    type: Type.Union([
      Type.Literal('birth'),
      Type.Literal('death'),
      Type.Literal('heartbeat'),
      Type.Literal('data_loss'),
    ]),
    /** Gateway clock, ms UTC. */
    ts: Type.Integer({ minimum: 0 }),
    /** Readings waiting in the gateway's disk spool. */
    spoolDepth: Type.Optional(Type.Integer({ minimum: 0 })),
    /** Collector software version. */
    version: Type.Optional(Type.String({ maxLength: 64 })),
    /** Bytes the spool holds. */
    spoolBytes: Type.Optional(Type.Integer({ minimum: 0 })),
    /** Source timestamp (ms) of the oldest spooled reading. */
    spoolOldestTs: Type.Optional(Type.Integer({ minimum: 0 })),
    sources: Type.Optional(Type.Array(GatewaySourceStatusSchema, { maxItems: 256 })),
    /** `data_loss` only: what was dropped. */
    dropped: Type.Optional(SpoolDropSchema),
  },
  { additionalProperties: true },
);
export type GatewayStatus = Static<typeof GatewayStatusSchema>;
export type GatewaySourceStatus = Static<typeof GatewaySourceStatusSchema>;
export type SpoolDropReport = Static<typeof SpoolDropSchema>;
