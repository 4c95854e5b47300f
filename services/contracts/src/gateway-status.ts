import { Type, type Static } from '@sinclair/typebox';

/**
 * Gateway status payload (topic `hw/v1/{enterprise}/{gateway}/status`, retained, QoS 1).
 * `birth` on connect, `death` as the MQTT last will (the broker publishes it when the gateway's
 * connection is lost), `heartbeat` periodically with backlog and counters.
 */
export const GatewayStatusSchema = Type.Object(
  {
    type: Type.Union([Type.Literal('birth'), Type.Literal('death'), Type.Literal('heartbeat')]),
    /** Gateway clock, ms UTC. */
    ts: Type.Integer({ minimum: 0 }),
    /** Readings waiting in the gateway's disk spool. */
    spoolDepth: Type.Optional(Type.Integer({ minimum: 0 })),
    /** Collector software version. */
    version: Type.Optional(Type.String({ maxLength: 64 })),
  },
  { additionalProperties: true },
);
export type GatewayStatus = Static<typeof GatewayStatusSchema>;
