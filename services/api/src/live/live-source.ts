import type { AlarmEvent, LiveGatewayPresence, LiveValue } from '@hazardwatch/contracts';
import type { ColourChange, WarningEvent } from '@hazardwatch/core';

/** What the alarm engine stored in one unit (the ingest's `AlarmEngine.onStored` payload). */
export interface LiveStoredEvents {
  readonly alarmEvents: readonly AlarmEvent[];
  readonly colourChanges: readonly ColourChange[];
  readonly warningEvents: readonly WarningEvent[];
}

/** Where the gateway pushes what a source delivers. */
export interface LiveSink {
  /** After the events are durable (never before: a pushed alarm must be replayable). */
  stored(events: LiveStoredEvents): void;
  /** Fresh readings, in any batch size; conflated per client by the gateway. */
  values(values: readonly LiveValue[]): void;
  gateway(presence: LiveGatewayPresence): void;
}

/**
 * The narrow seam between the live gateway and whatever produces events (STYLE rule 8): the CLI
 * implements it over the in-process ingest (alarm host, latest values, gateway presence), so the
 * API never imports ingestion.
 */
export interface LiveSource {
  /** Starts delivering to `sink`; the returned function stops it. */
  subscribe(sink: LiveSink): () => void;
}
