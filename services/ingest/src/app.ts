import { parseTopic } from '@hazardwatch/contracts';
import type { Logger } from 'pino';
import type { IngestConfig } from './config.js';
import {
  DurableAckSubscriber,
  type AckTicket,
  type DurableMessageHandler,
} from './durable-ack-subscriber.js';
import { GatewayFaultRelay, type DataLossStore, type GatewayEvaluator } from './gateway-fault-relay.js';
import { GatewayPresence, parseGatewayStatus } from './gateway-presence.js';
import { GatewayStatusRecorder, type GatewayStatusStore } from './gateway-status-recorder.js';
import { IngestCounters } from './ingest-counters.js';
import { IngestPipeline, type BatchWriter, type ReadingObserver } from './ingest-pipeline.js';
import type { PointDirectory } from './point-directory.js';
import { stopSteps, systemClock, type Clock } from '@hazardwatch/kit';
import { TelemetryDecoder } from './telemetry-decoder.js';

export interface IngestDeps {
  readonly logger: Logger;
  readonly writer: BatchWriter;
  /** Current site directory; read per message, so a site change takes effect without a restart. */
  readonly directory: () => PointDirectory;
  readonly observers?: readonly ReadingObserver[];
  readonly now?: () => number;
  readonly timers?: Pick<Clock, 'setTimeout'>;
  /**
   * Where gateway presence (online, last seen, spool depth) is persisted for the REST API;
   * without it presence is kept in memory only. Either way only for gateways the site has.
   */
  readonly gatewayStatus?: GatewayStatusStore;
  /**
   * The alarm engine, told of every status message: signs of life (birth, heartbeat, data_loss),
   * death, source states and data loss (gateway-fault-relay.ts). Without it gateway status only
   * updates presence.
   */
  readonly gateways?: GatewayEvaluator;
  /** Where `data_loss` reports are stored; the message is acknowledged once stored. */
  readonly dataLoss?: DataLossStore;
  /**
   * The gateway's silence timeout in the site in force (0 = only status messages decide). A
   * retained `death` is not taken for a gateway heard from within it (see onMessage).
   */
  readonly gatewayOfflineAfterMs?: (enterprise: string, gateway: string) => number | undefined;
  /** @default LAST_SEEN_REFRESH_MS */
  readonly lastSeenRefreshMs?: number;
}

/** How often a gateway that only sends telemetry has its last-seen time stored (gateway_status). */
export const LAST_SEEN_REFRESH_MS = 10_000;

/**
 * Where the app's messages come from: by default its one DurableAckSubscriber; a leased worker's
 * PartitionSessions (one persistent session per partition it holds, issue #23).
 */
export interface MessageIntake {
  start(): Promise<void>;
  /** Disconnects; messages not yet durable stay unacknowledged. */
  close(): Promise<void>;
  /** Stops taking packets off the socket(s) until `resume()` (the pipeline's backpressure). */
  pause(): void;
  resume(): void;
  readonly connected: boolean;
  readonly unacknowledged: number;
}

export interface IngestApp<S extends MessageIntake = DurableAckSubscriber> {
  readonly pipeline: IngestPipeline;
  readonly counters: IngestCounters;
  readonly presence: GatewayPresence;
  readonly subscriber: S;
  start(): Promise<void>;
  /** Flushes what is buffered, then disconnects; unwritten messages stay unacknowledged. */
  close(): Promise<void>;
}

/**
 * Builds the ingest service from validated config and injected dependencies (no I/O until start).
 * With `intake`, messages come from what it builds instead of a subscriber of `config.mqtt`.
 */
export function buildIngestApp(config: IngestConfig, deps: IngestDeps): IngestApp;
export function buildIngestApp<S extends MessageIntake>(
  config: IngestConfig,
  deps: IngestDeps,
  intake: (onMessage: DurableMessageHandler) => S,
): IngestApp<S>;
export function buildIngestApp(
  config: IngestConfig,
  deps: IngestDeps,
  intake?: (onMessage: DurableMessageHandler) => MessageIntake,
): IngestApp<MessageIntake> {
  const log = deps.logger.child({ component: 'ingest' });
  const now = deps.now ?? Date.now;
  const counters = new IngestCounters();
  const presence = new GatewayPresence();
  const lastSeenRefreshMs = deps.lastSeenRefreshMs ?? LAST_SEEN_REFRESH_MS;
  const timers = deps.timers ?? systemClock;
  // Presence is kept (in memory and in gateway_status) only for gateways the site in force has:
  // every code a device makes up would otherwise add an entry and a row for good (issue #16 item 7).
  const known = (enterprise: string, gateway: string): boolean =>
    deps.directory().enterprise(enterprise)?.gateways.has(gateway) === true;
  const statusRecorder = deps.gatewayStatus
    ? new GatewayStatusRecorder({
        store: deps.gatewayStatus,
        known,
        counters,
        logger: deps.logger,
        now,
        timers,
      })
    : undefined;
  // State changes (including telemetry bringing a gateway back) and, below, every status message.
  if (statusRecorder) presence.onChange((state) => statusRecorder.record(state));
  const faults = deps.gateways
    ? new GatewayFaultRelay({
        evaluator: deps.gateways,
        ...(deps.dataLoss ? { store: deps.dataLoss } : {}),
        counters,
        logger: deps.logger,
        timers,
      })
    : undefined;
  const decoder = new TelemetryDecoder(deps.directory, config.limits);
  const pipeline = new IngestPipeline(
    {
      decoder,
      writer: deps.writer,
      counters,
      observers: deps.observers ?? [],
      logger: deps.logger,
      now,
      timers,
      // The subscriber is created below; intake is only used once messages flow.
      intake: { pause: () => subscriber.pause(), resume: () => subscriber.resume() },
    },
    {
      maxBatchRows: config.batching.maxBatchRows,
      maxInFlightWrites: config.batching.maxInFlightWrites,
      maxBufferedRows: config.batching.maxBufferedRows,
      maxDeadLettersQueued: config.deadLetters.maxQueued,
      maxDeadLetterQueuedBytes: config.deadLetters.maxQueuedBytes,
      maxDeadLetterRawBytes: config.deadLetters.maxRawBytes,
      deadLetterRatePerSec: config.deadLetters.perGatewayPerSec,
      deadLetterBurst: config.deadLetters.perGatewayBurst,
      retryInitialDelayMs: config.retry.initialDelayMs,
      retryMaxDelayMs: config.retry.maxDelayMs,
    },
  );

  // The site can change at run time (an API edit): a new directory is a new object, so the first
  // message after a change drops the presence and rows of gateways the site no longer has.
  let siteSeen = deps.directory();
  const followSite = (): void => {
    const site = deps.directory();
    if (site === siteSeen) return;
    siteSeen = site;
    const gone = presence.retain(known);
    if (gone.length > 0)
      log.info({ gateways: gone.length }, 'presence of gateways not in the site forgotten');
    statusRecorder?.prune();
  };

  const onMessage = (topicName: string, payload: Buffer, ack: AckTicket, retained = false): void => {
    const topic = parseTopic(topicName);
    if (!topic) {
      pipeline.rejectMessage(topicName, payload, 'bad_topic', 'not a hw/v1 gateway topic', ack);
      return;
    }
    followSite();
    if (topic.kind === 'telemetry') {
      // Telemetry of a gateway the site lacks is refused (and counted) by the pipeline.
      if (known(topic.enterprise, topic.gateway)) {
        const refreshed = presence.seen(topic.enterprise, topic.gateway, now(), lastSeenRefreshMs);
        if (refreshed !== undefined) statusRecorder?.record(refreshed);
      }
      pipeline.acceptTelemetry(topic, topicName, payload, ack);
    } else if (topic.kind === 'status') {
      if (!known(topic.enterprise, topic.gateway)) {
        // Counted only: no presence, no row, no data_loss_events row, nothing told to the engine.
        counters.unknownGatewayStatus++;
        ack.done();
        return;
      }
      const at = now();
      const status = parseGatewayStatus(payload);
      if (status === undefined) {
        log.warn({ topic: topicName }, 'status payload rejected');
        ack.done();
        return;
      }
      // A retained death is the broker's last word on the gateway, of unknown age: the death of a
      // session long gone stays retained while the gateway (or a device publishing under its
      // code without status messages) keeps sending. At every start and partition takeover it
      // raised GATEWAY_OFFLINE for a gateway seen alive seconds before, cleared by its next
      // reading. It is not taken when the gateway was heard from within its silence timeout
      // (here, or by the worker that stored its state): a gateway that really died while no one
      // was subscribed then goes offline by that timeout. A death sent while we are subscribed
      // (live, or queued in our session) is not retained on delivery and is always taken.
      if (retained && status.type === 'death') {
        const after = deps.gatewayOfflineAfterMs?.(topic.enterprise, topic.gateway) ?? 0;
        if (after > 0 && presence.aliveWithin(topic.enterprise, topic.gateway, at, after)) {
          counters.retainedDeathsIgnored++;
          log.info(
            { enterprise: topic.enterprise, gateway: topic.gateway, deathTs: status.ts },
            'retained death of a gateway heard from within its offline timeout: not taken',
          );
          ack.done();
          return;
        }
      }
      presence.apply(topic.enterprise, topic.gateway, status, at);
      if (statusRecorder) statusRecorder.record(presence.get(topic.enterprise, topic.gateway)!);
      const stored = faults?.status(topic.enterprise, topic.gateway, status, at);
      if (stored === undefined) ack.done();
      else void stored.finally(() => ack.done());
    } else {
      ack.done();
    }
  };
  const subscriber: MessageIntake = intake
    ? intake(onMessage)
    : new DurableAckSubscriber(
        {
          url: config.mqtt.url,
          clientId: config.mqtt.clientId,
          username: config.mqtt.username,
          password: config.mqtt.password,
          protocolVersion: config.mqtt.protocolVersion,
          keepaliveSec: config.mqtt.keepaliveSec,
          reconnectPeriodMs: config.mqtt.reconnectPeriodMs,
          connectTimeoutMs: config.mqtt.connectTimeoutMs,
          receiveMaximum: config.mqtt.receiveMaximum,
          sessionExpirySec: config.mqtt.sessionExpirySec,
          subscriptions: config.mqtt.subscriptions,
          logger: deps.logger,
        },
        onMessage,
      );

  return {
    pipeline,
    counters,
    presence,
    subscriber,
    start: async () => {
      // Rows left by gateways the site lacks (removed while the ingest was down, or written before
      // presence was bounded) go with the first write.
      statusRecorder?.prune();
      await subscriber.start();
      log.info('ingest started');
    },
    close: async () => {
      await stopSteps(log, [
        ['pipeline', () => pipeline.close()],
        ['subscriber', () => subscriber.close()],
        ['gateway status', () => statusRecorder?.close()],
      ]);
      log.info({ counters: counters.snapshot() }, 'ingest stopped');
    },
  };
}
