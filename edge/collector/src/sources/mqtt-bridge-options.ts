import { pino, type Logger } from 'pino';
import { EdgeError } from '../errors.js';
import { IDENTITY_SCALE, type LinearScale } from '../tag-mapping.js';
import { parsePath, type PathSegment } from './mqtt-bridge-path.js';
import { compileTagTemplate, topicFilterProblem, type TagTemplate } from './mqtt-bridge-topic.js';
import { systemClock, type Clock } from '@hazardwatch/kit';

export interface MqttBridgeFieldOptions {
  /** Path-lite into the JSON payload (syntax in `mqtt-bridge-path.ts`), e.g. `data.readings[0].v`. */
  readonly path: string;
  /**
   * Point tag, or a template where `{n}` is level n (0-based) of the topic the message arrived on:
   * with topic `plant/+/state` and tag `{1}-PT`, a message on `plant/U101/state` maps to `U101-PT`.
   */
  readonly tag: string;
  /** Raw → engineering units. @default IDENTITY_SCALE */
  readonly scale?: LinearScale;
  /**
   * Path of the measurement time: a number of ms since the epoch, or an ISO 8601 string with a
   * zone. @default the arrival time (from the injected clock)
   */
  readonly timestampPath?: string;
  /**
   * Path of the quality: "good" | "uncertain" | "bad" (any case), 0 | 1 | 2 (the contract's codes),
   * or a boolean (true = good, false = bad); anything else is "uncertain". @default good
   */
  readonly qualityPath?: string;
}

export interface MqttBridgeSubscriptionOptions {
  /** Topic filter; `+` and `#` wildcards allowed (MQTT 3.1.1 §4.7). */
  readonly topic: string;
  /** @default 0 */
  readonly qos?: 0 | 1 | 2;
  readonly fields: readonly MqttBridgeFieldOptions[];
}

export interface MqttBridgeSourceOptions {
  readonly name: string;
  /** Local broker, e.g. `mqtt://192.168.10.5:1883`. */
  readonly url: string;
  /** @default mqtt.js's random id */
  readonly clientId?: string;
  readonly username?: string;
  readonly password?: string;
  readonly subscriptions: readonly MqttBridgeSubscriptionOptions[];
  /** @default 5000 */
  readonly connectTimeoutMs?: number;
  /** Delay between re-connect attempts. @default 1000 */
  readonly reconnectPeriodMs?: number;
  /** At most one debug log per subscription and rejection reason in this period. @default 10000 */
  readonly rejectLogIntervalMs?: number;
  /** @default silent */
  readonly logger?: Logger;
  /** Arrival timestamps (STYLE rule 10). @default systemClock */
  readonly clock?: Pick<Clock, 'now'>;
}

export interface CompiledField {
  readonly path: string;
  readonly segments: readonly PathSegment[];
  readonly tagTemplate: string;
  readonly renderTag: TagTemplate;
  readonly scale: LinearScale;
  readonly timestampSegments: readonly PathSegment[] | undefined;
  readonly qualitySegments: readonly PathSegment[] | undefined;
}

export interface CompiledSubscription {
  readonly topic: string;
  readonly qos: 0 | 1 | 2;
  readonly fields: readonly CompiledField[];
}

export interface CompiledMqttBridgeOptions {
  readonly name: string;
  readonly url: string;
  readonly clientId: string | undefined;
  readonly username: string | undefined;
  readonly password: string | undefined;
  readonly subscriptions: readonly CompiledSubscription[];
  readonly connectTimeoutMs: number;
  readonly reconnectPeriodMs: number;
  readonly rejectLogIntervalMs: number;
  readonly logger: Logger;
  readonly clock: Pick<Clock, 'now'>;
}

/** Validates and applies defaults; throws `HW_EDGE_SOURCE_CONFIG` naming the first problem. */
export function compileMqttBridgeOptions(options: MqttBridgeSourceOptions): CompiledMqttBridgeOptions {
  const fail = (reason: string): never => {
    throw new EdgeError('HW_EDGE_SOURCE_CONFIG', { source: options.name, reason });
  };
  const int = (
    key: string,
    value: number | undefined,
    fallback: number,
    min: number,
    max: number,
  ): number => {
    const v = value ?? fallback;
    if (!Number.isInteger(v) || v < min || v > max)
      fail(`${key} must be an integer in ${min}…${max}, got ${v}`);
    return v;
  };
  const path = (where: string, p: string): PathSegment[] => {
    try {
      return parsePath(p);
    } catch (err) {
      return fail(`${where}: ${err instanceof Error ? err.message : String(err)}`);
    }
  };
  if (!/^(mqtts?|wss?|tcp|ssl):\/\//.test(options.url)) fail(`url ${options.url} is not an MQTT url`);
  if (options.subscriptions.length === 0) fail('no subscriptions configured');
  const subscriptions = options.subscriptions.map((sub): CompiledSubscription => {
    const problem = topicFilterProblem(sub.topic);
    if (problem) fail(problem);
    const qos = sub.qos ?? 0;
    if (qos !== 0 && qos !== 1 && qos !== 2) fail(`${sub.topic}: qos must be 0, 1 or 2`);
    if (sub.fields.length === 0) fail(`${sub.topic}: no fields configured`);
    const levels = sub.topic.split('/');
    const multiLevel = levels.at(-1) === '#';
    const fields = sub.fields.map((field): CompiledField => {
      const where = `${sub.topic} field ${field.path}`;
      let template: ReturnType<typeof compileTagTemplate>;
      try {
        template = compileTagTemplate(field.tag);
      } catch (err) {
        return fail(`${where}: ${err instanceof Error ? err.message : String(err)}`);
      }
      // Without `#` every matching topic has exactly the filter's levels; a template reaching past
      // them can never render, which is a configuration mistake to name now, not at run time.
      if (!multiLevel && template.maxLevel >= levels.length) {
        fail(
          `${where}: tag ${field.tag} uses level {${template.maxLevel}} but ${sub.topic} has ${levels.length}`,
        );
      }
      if (field.tag.length === 0) fail(`${where}: tag is empty`);
      const scale = field.scale ?? IDENTITY_SCALE;
      if (!Number.isFinite(scale.factor) || !Number.isFinite(scale.offset) || scale.factor === 0) {
        fail(`${where}: scale factor must be finite and non-zero, offset finite`);
      }
      return Object.freeze({
        path: field.path,
        segments: path(where, field.path),
        tagTemplate: field.tag,
        renderTag: template.render,
        scale,
        timestampSegments: field.timestampPath === undefined ? undefined : path(where, field.timestampPath),
        qualitySegments: field.qualityPath === undefined ? undefined : path(where, field.qualityPath),
      });
    });
    return Object.freeze({ topic: sub.topic, qos, fields });
  });
  return Object.freeze({
    name: options.name,
    url: options.url,
    clientId: options.clientId,
    username: options.username,
    password: options.password,
    subscriptions,
    connectTimeoutMs: int('connectTimeoutMs', options.connectTimeoutMs, 5000, 10, 600_000),
    reconnectPeriodMs: int('reconnectPeriodMs', options.reconnectPeriodMs, 1000, 10, 3_600_000),
    rejectLogIntervalMs: int('rejectLogIntervalMs', options.rejectLogIntervalMs, 10_000, 0, 86_400_000),
    logger: options.logger ?? pino({ level: 'silent' }),
    clock: options.clock ?? systemClock,
  });
}
