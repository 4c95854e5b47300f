/**
 * The scenario file (YAML): a site, a seed, a duration, the plant models bound to the site's
 * tags, a timeline of incidents and faults, and the alarms expected (or forbidden) as a result.
 * One TypeBox schema per object gives type and check together (STYLE rule 5); every object
 * rejects unknown keys, and the loader names them (scenario-parse.ts).
 *
 * Units are in the key: …Sec (s), …Ms (ms), …M3PerH (m³/h), …KgPerS (kg/s), …Pct (%), …MPa
 * (MPa gauge), …C (°C), …KPerMin (K/min), …Deg (° from north, where the wind comes from).
 */
import { ALARM_CONDITIONS, TOPIC_SEGMENT_PATTERN, WARNING_COLOURS } from '@hazardwatch/contracts';
import { Type, type Static, type TProperties, type TSchema } from '@sinclair/typebox';
import { MEDIA } from '../plant/media.js';

const closed = { additionalProperties: false } as const;
const Code = Type.String({ pattern: TOPIC_SEGMENT_PATTERN });
const Tag = Type.String({ minLength: 1, maxLength: 64 });
const Id = Type.String({ pattern: '^[A-Za-z0-9_.-]{1,64}$' });
const Tags = Type.Union([Tag, Type.Array(Tag, { minItems: 1 })]);
const Positive = Type.Number({ exclusiveMinimum: 0 });
const NonNegative = Type.Number({ minimum: 0 });
const literals = <T extends string>(values: readonly T[]) => Type.Union(values.map((v) => Type.Literal(v)));
const Medium = literals(MEDIA);
const Position = Type.Object({ x: Type.Number(), y: Type.Number() }, closed);

export const GenerateSiteSchema = Type.Object(
  {
    cities: Type.Integer({ minimum: 1 }),
    enterprises: Type.Integer({ minimum: 1 }),
    points: Type.Integer({ minimum: 1 }),
    /** @default the scenario seed */
    seed: Type.Optional(Type.Union([Type.Integer({ minimum: 0 }), Type.String({ minLength: 1 })])),
  },
  closed,
);

const WeatherTags = Type.Object(
  {
    windSpeed: Type.Optional(Tags),
    windDirection: Type.Optional(Tags),
    airTemperature: Type.Optional(Tags),
    humidity: Type.Optional(Tags),
  },
  closed,
);

export const WeatherSpecSchema = Type.Object(
  {
    windSpeedMs: NonNegative,
    windFromDeg: Type.Number({ minimum: 0, maximum: 360 }),
    /** @default 15 */
    windWanderDeg: Type.Optional(NonNegative),
    airTempC: Type.Number(),
    /** @default 4 */
    diurnalAmplitudeK: Type.Optional(NonNegative),
    humidityPct: Type.Number({ minimum: 0, maximum: 100 }),
    tags: Type.Optional(WeatherTags),
  },
  closed,
);

export const TankSchema = Type.Object(
  {
    id: Id,
    medium: Medium,
    kind: literals(['pressure', 'atmospheric'] as const),
    capacityM3: Positive,
    /** @default 10 */
    heightM: Type.Optional(Positive),
    levelPct: Type.Number({ minimum: 0, maximum: 100 }),
    feedM3PerH: NonNegative,
    /** GB 17681-2024 §6.3.3.1: HH closes the inlet shut-off valve; LL closes the outlet. */
    interlock: Type.Optional(
      Type.Object({ hhPct: Type.Optional(Type.Number()), llPct: Type.Optional(Type.Number()) }, closed),
    ),
    /** Full stroke time of the shut-off valves. @default 20 */
    valveStrokeSec: Type.Optional(Positive),
    /** @default 0 (pressure tanks), 0.015 LNG, 0.0005 atmospheric */
    padMPa: Type.Optional(NonNegative),
    /** @default 1.77 pressure tanks, 0.029 LNG, 0.006 atmospheric */
    reliefSetMPa: Type.Optional(Positive),
    /** @default 24 */
    thermalTimeConstantH: Type.Optional(Positive),
    tags: Type.Object(
      {
        level: Type.Optional(Tags),
        pressure: Type.Optional(Tags),
        temperature: Type.Optional(Tags),
        feedFlow: Type.Optional(Tags),
        drawFlow: Type.Optional(Tags),
        feedValve: Type.Optional(Tags),
        drawValve: Type.Optional(Tags),
      },
      closed,
    ),
  },
  closed,
);

export const ReactorSchema = Type.Object(
  {
    id: Id,
    /** @default 120 */
    setpointC: Type.Optional(Type.Number()),
    /** @default 2.5 */
    pressureMPa: Type.Optional(NonNegative),
    /** @default 0.02 */
    rateAtSetpointPerMin: Type.Optional(Positive),
    /** @default 150 */
    adiabaticRiseK: Type.Optional(Positive),
    /** @default 160 */
    decompositionOnsetC: Type.Optional(Type.Number()),
    /** @default 5.5 */
    reliefSetMPa: Type.Optional(Positive),
    tags: Type.Object(
      {
        temperature: Type.Optional(Tags),
        pressure: Type.Optional(Tags),
        jacketTemperature: Type.Optional(Tags),
        coolantFlow: Type.Optional(Tags),
      },
      closed,
    ),
  },
  closed,
);

export const DetectorSchema = Type.Object(
  {
    x: Type.Number(),
    y: Type.Number(),
    gas: Medium,
    /** Detector response time to 90 % (GB/T 50493-2019 definition). @default 30 */
    t90Sec: Type.Optional(Positive),
    /** Open-path detectors: beam length (m), reading in LEL·m. @default 50 */
    pathM: Type.Optional(Positive),
  },
  closed,
);

export const EnterprisePlantSchema = Type.Object(
  {
    enterprise: Code,
    weather: Type.Optional(WeatherSpecSchema),
    tanks: Type.Optional(Type.Array(TankSchema)),
    reactors: Type.Optional(Type.Array(ReactorSchema)),
    /** Gas detectors by tag, with their position on the plant grid (m east/north). */
    detectors: Type.Optional(Type.Record(Type.String({ minLength: 1 }), DetectorSchema)),
  },
  closed,
);

const timing = {
  id: Id,
  /** Start, seconds after the scenario start. */
  atSec: NonNegative,
  /** How long it lasts. @default until the end of the scenario */
  durationSec: Type.Optional(Positive),
  note: Type.Optional(Type.String()),
};
const atEnterprise = { ...timing, enterprise: Code };
const atTag = { ...atEnterprise, tag: Tag };
const atGateway = { ...atEnterprise, gateway: Code };
const incident = <K extends string, T extends TProperties>(type: K, fields: T) =>
  Type.Object({ type: Type.Literal(type), ...fields }, closed);

export const BAD_PAYLOAD_KINDS = ['malformed_json', 'unknown_tag', 'bad_envelope', 'non_finite'] as const;
export type BadPayloadKind = (typeof BAD_PAYLOAD_KINDS)[number];

/** One schema per incident type; the parser picks the schema by `type` for precise messages. */
export const INCIDENT_SCHEMAS = {
  leak: incident('leak', { ...atEnterprise, substance: Medium, rateKgPerS: Positive, location: Position }),
  loss_of_cooling: incident('loss_of_cooling', {
    ...atEnterprise,
    reactor: Id,
    /** @default 0 */
    remainingCoolingPct: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })),
  }),
  overfill: incident('overfill', { ...atEnterprise, tank: Id, feedM3PerH: Type.Optional(Positive) }),
  overpressure: incident('overpressure', {
    ...atEnterprise,
    tank: Id,
    heatingKPerMin: Type.Optional(NonNegative),
    padRiseMPaPerMin: Type.Optional(NonNegative),
  }),
  sensor_drift: incident('sensor_drift', { ...atTag, ratePerMin: Type.Number() }),
  sensor_stuck: incident('sensor_stuck', { ...atTag, value: Type.Optional(Type.Number()) }),
  sensor_spike: incident('sensor_spike', {
    ...atTag,
    value: Type.Number(),
    /** @default 1 */
    samples: Type.Optional(Type.Integer({ minimum: 1 })),
  }),
  noise_burst: incident('noise_burst', { ...atTag, stdDev: Positive }),
  flapping: incident('flapping', {
    ...atTag,
    /** A number in the point unit, or the name of one of the point's limits. */
    around: Type.Union([Type.Number(), literals(['ll', 'l', 'h', 'hh'] as const)]),
    amplitude: Positive,
    periodSec: Positive,
  }),
  gateway_power_loss: incident('gateway_power_loss', atGateway),
  network_outage: incident('network_outage', {
    ...atGateway,
    /** replay: the spooled data is sent after the outage; drop: it is lost. */
    spool: literals(['replay', 'drop'] as const),
    /**
     * oldest_first: the backlog is replayed before live data resumes; live_first: as the edge
     * collector does, the first live batch goes first and the backlog after it (the platform then
     * sees readings older than the newest: late alarms). @default oldest_first
     */
    replayOrder: Type.Optional(literals(['oldest_first', 'live_first'] as const)),
    /**
     * A bounded spool: it keeps at most this many batches (one per tick), drops the oldest beyond
     * and reports them in a `data_loss` status message when the link returns. @default unbounded
     */
    spoolMaxBatches: Type.Optional(Type.Integer({ minimum: 1 })),
  }),
  /**
   * The gateway's field source (OPC-UA, Modbus) stops delivering while the gateway stays connected:
   * no readings, heartbeats go on reporting the source degraded (issue #16 item 3).
   */
  source_outage: incident('source_outage', atGateway),
  clock_skew: incident('clock_skew', { ...atGateway, offsetSec: Type.Number() }),
  bad_payloads: incident('bad_payloads', {
    ...atGateway,
    count: Type.Integer({ minimum: 1, maximum: 10_000 }),
    kinds: Type.Array(literals(BAD_PAYLOAD_KINDS), { minItems: 1, uniqueItems: true }),
  }),
  wind_shift: incident('wind_shift', {
    ...atEnterprise,
    windFromDeg: Type.Optional(Type.Number({ minimum: 0, maximum: 360 })),
    windSpeedMs: Type.Optional(NonNegative),
  }),
} as const;

export type IncidentType = keyof typeof INCIDENT_SCHEMAS;
export type Incident = { [K in IncidentType]: Static<(typeof INCIDENT_SCHEMAS)[K]> }[IncidentType];
export type IncidentOf<K extends IncidentType> = Static<(typeof INCIDENT_SCHEMAS)[K]>;
export const INCIDENT_TYPES = Object.keys(INCIDENT_SCHEMAS) as IncidentType[];

const Condition = literals(ALARM_CONDITIONS);
const Colour = literals(WARNING_COLOURS);
const oneOrMany = <T extends TSchema>(s: T) => Type.Union([s, Type.Array(s, { minItems: 1 })]);
export const RUN_MODES = ['realtime', 'fast'] as const;
export type RunMode = (typeof RUN_MODES)[number];

/** Which alarms match: a field left out matches anything. Gateway alarms carry the gateway code as `tag`. */
export const AlarmMatcherSchema = Type.Object(
  {
    enterprise: Type.Optional(Code),
    tag: Type.Optional(Tag),
    condition: Type.Optional(oneOrMany(Condition)),
    colour: Type.Optional(oneOrMany(Colour)),
    /**
     * true: only alarms raised from replayed readings (late alarms, dated with their source time);
     * false: only live ones. @default either
     */
    late: Type.Optional(Type.Boolean()),
  },
  closed,
);

const expectationCommon = {
  id: Id,
  /** Only checked in these run modes (STALE needs wall time: realtime only). @default both */
  modes: Type.Optional(Type.Array(literals(RUN_MODES), { minItems: 1, uniqueItems: true })),
  note: Type.Optional(Type.String()),
};

export const EXPECTATION_SCHEMAS = {
  alarm: Type.Object(
    {
      type: Type.Literal('alarm'),
      ...expectationCommon,
      alarm: AlarmMatcherSchema,
      /** The incident whose start the window is measured from. */
      after: Id,
      withinSec: Positive,
      /** @default 0 */
      notBeforeSec: Type.Optional(NonNegative),
      /** At most this many matching alarms raised in the window (chattering check). */
      maxCount: Type.Optional(Type.Integer({ minimum: 1 })),
    },
    closed,
  ),
  no_alarm: Type.Object(
    {
      type: Type.Literal('no_alarm'),
      ...expectationCommon,
      alarm: AlarmMatcherSchema,
      /** Window start: this incident's start. @default the scenario start */
      after: Type.Optional(Id),
      /** Window length. @default to the end of the run plus `graceSec` */
      forSec: Type.Optional(Positive),
    },
    closed,
  ),
} as const;

export type ExpectationType = keyof typeof EXPECTATION_SCHEMAS;
export type Expectation = {
  [K in ExpectationType]: Static<(typeof EXPECTATION_SCHEMAS)[K]>;
}[ExpectationType];
export type AlarmMatcher = Static<typeof AlarmMatcherSchema>;

/** Top level; `timeline` and `expectations` items are checked one by one by type. */
export const ScenarioHeadSchema = Type.Object(
  {
    name: Id,
    description: Type.Optional(Type.String()),
    /** A site file path (relative to the scenario file), or parameters for the site generator. */
    site: Type.Union([Type.String({ minLength: 1 }), Type.Object({ generate: GenerateSiteSchema }, closed)]),
    seed: Type.Union([Type.Integer({ minimum: 0 }), Type.String({ minLength: 1 })]),
    durationSec: Type.Number({ exclusiveMinimum: 0, maximum: 7 * 86_400 }),
    /** @default 1 */
    tickSec: Type.Optional(Type.Number({ minimum: 0.01, maximum: 3600 })),
    /** Local hour of day at the start (weather's diurnal cycle). @default 10 */
    startHour: Type.Optional(Type.Number({ minimum: 0, maximum: 24 })),
    /** Each sample's timestamp lags its tick by up to this (ms), per point. @default 150 */
    sampleJitterMs: Type.Optional(Type.Integer({ minimum: 0 })),
    /** @default 30 */
    heartbeatEverySec: Type.Optional(Positive),
    /** Time after the end allowed for alarms still on their way (verifier). @default 30 */
    graceSec: Type.Optional(NonNegative),
    plant: Type.Optional(Type.Array(EnterprisePlantSchema)),
    timeline: Type.Array(Type.Unknown()),
    expectations: Type.Array(Type.Unknown()),
  },
  closed,
);

export type ScenarioHead = Static<typeof ScenarioHeadSchema>;
export type TankFile = Static<typeof TankSchema>;
export type ReactorFile = Static<typeof ReactorSchema>;
export type DetectorFile = Static<typeof DetectorSchema>;
export type WeatherFile = Static<typeof WeatherSpecSchema>;
export type EnterprisePlantFile = Static<typeof EnterprisePlantSchema>;
export type GenerateSiteParams = Static<typeof GenerateSiteSchema>;

/** A checked scenario: the head with typed timeline and expectations, defaults applied. */
export interface Scenario extends Omit<ScenarioHead, 'timeline' | 'expectations' | 'plant'> {
  readonly tickSec: number;
  readonly startHour: number;
  readonly sampleJitterMs: number;
  readonly heartbeatEverySec: number;
  readonly graceSec: number;
  readonly plant: readonly EnterprisePlantFile[];
  readonly timeline: readonly Incident[];
  readonly expectations: readonly Expectation[];
}
