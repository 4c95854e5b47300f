import { Type, type Static } from '@sinclair/typebox';
import { ALARM_ACTIONS } from '../alarms.js';
import {
  AlarmConditionSchema,
  AlarmStateSchema,
  AnyJson,
  closed,
  MAX_EPOCH_MS,
  Ms,
  Nullable,
  OneOf,
  PageSchema,
  WarningColourSchema,
} from './shapes.js';
import { NotificationDeliverySchema } from './notifications.js';

/** GET /alarms, /alarms/active: one alarm record as a row (ISA-18.2 state, 预警 colour, source). */
export const AlarmRowSchema = Type.Object({
  id: Type.String(),
  condition: AlarmConditionSchema,
  state: AlarmStateSchema,
  colour: Nullable(WarningColourSchema),
  active: Type.Boolean(),
  enterprise: Nullable(Type.String()),
  /** null for a gateway alarm. */
  pointId: Nullable(Type.Integer()),
  tag: Nullable(Type.String()),
  hazard: Nullable(Type.String()),
  gateway: Nullable(Type.String()),
  raisedAt: Ms(),
  updatedAt: Ms(),
  closedAt: Nullable(Ms()),
  value: Nullable(Type.Number()),
  limit: Nullable(Type.Number()),
  ackedAt: Nullable(Ms()),
  ackedBy: Nullable(Type.String()),
  shelvedUntilMs: Nullable(Ms()),
  shelveReason: Nullable(Type.String()),
  outOfServiceReason: Nullable(Type.String()),
  /**
   * Raised from replayed readings (a gateway's spool after an uplink outage) and not confirmed
   * by live ones: shown and acknowledged, never sounded (docs/operations.md §8).
   */
  late: Type.Boolean(),
});
export type AlarmRow = Static<typeof AlarmRowSchema>;
export const AlarmPageSchema = PageSchema(AlarmRowSchema);
export type AlarmPage = Static<typeof AlarmPageSchema>;

/** One append-only entry of an alarm's journal. */
export const AlarmJournalEntrySchema = Type.Object({
  from: AlarmStateSchema,
  to: AlarmStateSchema,
  ts: Ms(),
  actor: Type.String(),
  reason: Nullable(Type.String()),
  value: Nullable(Type.Number()),
  /** Decided from replayed readings: `ts` is the source time it happened. */
  late: Type.Boolean(),
});
export type AlarmJournalEntry = Static<typeof AlarmJournalEntrySchema>;

/** GET /alarms/:id */
export const AlarmDetailSchema = Type.Object({
  ...AlarmRowSchema.properties,
  events: Type.Array(AlarmJournalEntrySchema),
  /**
   * GB/T 50493-2019 §5.1.2: the alarm was sent to the fire-control room (a delivery of kind
   * `fire_control` exists, whatever its state).
   */
  fireControl: Type.Boolean(),
  /** The alarm's own deliveries (the fire-control-room channel), oldest first. */
  deliveries: Type.Array(NotificationDeliverySchema),
});
export type AlarmDetail = Static<typeof AlarmDetailSchema>;

/** POST /alarms/:id/{ack,shelve,unshelve,oos,return,comment}: the engine's new record. */
export const AlarmActionResultSchema = Type.Object({
  id: Type.String(),
  action: OneOf(ALARM_ACTIONS),
  alarm: AnyJson("the alarm engine's record after the action"),
});
export type AlarmActionResult = Static<typeof AlarmActionResultSchema>;

const Reason = Type.String({ minLength: 1, maxLength: 2000 });

/** Bodies of POST /alarms/:id/<verb>, by REST verb (ISA-18.2 operator actions). */
export const AlarmActionBodySchemas = {
  ack: Type.Object({ comment: Type.Optional(Reason) }, closed),
  /** A reason and an expiry (REFERENCE §8 item 16). */
  shelve: Type.Object(
    {
      reason: Reason,
      until: Type.Integer({
        minimum: 0,
        maximum: MAX_EPOCH_MS,
        description: 'shelve expiry (ms since epoch, UTC)',
      }),
    },
    closed,
  ),
  unshelve: Type.Object({ comment: Type.Optional(Reason) }, closed),
  /** Out of service (maintenance), with a reason. */
  oos: Type.Object({ reason: Reason }, closed),
  return: Type.Object({ comment: Type.Optional(Reason) }, closed),
  comment: Type.Object({ text: Reason }, closed),
};
export type AlarmActionVerb = keyof typeof AlarmActionBodySchemas;
export type AlarmActionBodies = {
  [V in AlarmActionVerb]: Static<(typeof AlarmActionBodySchemas)[V]>;
};

/**
 * POST /alarms/horn/silence: a console's horn was silenced over the red/orange alarms awaiting
 * acknowledgement (issue #21). Audited (`alarm.horn.silence`, user and time); changes no alarm.
 */
export const HornSilenceBodySchema = Type.Object(
  {
    /** Red and orange alarms sounding when the operator silenced the horn. */
    sounding: Type.Integer({ minimum: 1, maximum: 100_000 }),
    /** Their ids, as far as the console lists them (at most 500). */
    alarms: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 128 }), { maxItems: 500 })),
  },
  closed,
);
export type HornSilenceBody = Static<typeof HornSilenceBodySchema>;

export const HornSilenceResultSchema = Type.Object({
  /** Server time of the audited silence (ms since epoch, UTC). */
  at: Ms(),
  sounding: Type.Integer(),
});
export type HornSilenceResult = Static<typeof HornSilenceResultSchema>;
