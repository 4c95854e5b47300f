import mqtt from 'mqtt';
import { generateSite, type GenerateSiteOptions } from '@hazardwatch/simulators';
import { telemetryTopic } from '@hazardwatch/contracts';

/**
 * A lean background load at a set rate: every point of a generated site reports `readingsPerSec /
 * points` times a second, each gateway on its own phase spread over the period (as real gateways
 * do), with values inside the point's normal band so the load itself raises no alarm. Unlike the
 * plant fleet it models no physics, so it costs little CPU and the machine's cores go to the
 * system under test. Back-pressure: at most `windowMessages` publishes unacknowledged by the
 * broker; a gateway that would exceed it skips the rest of its turn and the skip is counted (the
 * figure reports the rate actually published).
 */
export interface PacedLoadOptions {
  readonly mqttUrl: string;
  readonly site: GenerateSiteOptions;
  /** Readings per second in all; the period of a gateway's turn is points / readingsPerSec s. */
  readonly readingsPerSec: number;
  readonly clientId: string;
  /** Readings per MQTT message (a gateway with more points sends several). */
  readonly readingsPerMessage: number;
  readonly windowMessages: number;
}

export interface PacedLoadFigures {
  readonly readingsPublished: number;
  /** Readings in messages the broker acknowledged (PUBACK): what it owes the subscribers. */
  readonly readingsAcked: number;
  readonly readingsPerSec: number;
  readonly turnsSkipped: number;
  readonly publishErrors: number;
}

interface GatewayLoad {
  readonly topic: string;
  readonly tags: readonly string[];
  readonly centre: Float64Array;
  readonly wiggle: Float64Array;
  /** Offset in the period at which this gateway reports, as a fraction of the period. */
  readonly phase: number;
}

interface LoadPoint {
  readonly enterprise: string;
  readonly gateway: string;
  readonly tag: string;
  readonly range: { min: number; max: number };
  readonly limits?: { ll?: number; l?: number; h?: number; hh?: number };
}

/** The middle of the band between the point's low and high limits (or its range). */
export function normalValue(p: Pick<LoadPoint, 'range' | 'limits'>): number {
  const lo = p.limits?.l ?? p.limits?.ll ?? p.range.min;
  const hi = p.limits?.h ?? p.limits?.hh ?? p.range.max;
  return (lo + hi) / 2;
}

export function gatewayLoads(site: Record<string, unknown>): GatewayLoad[] {
  const byGateway = new Map<string, LoadPoint[]>();
  for (const p of site['points'] as LoadPoint[]) {
    const key = `${p.enterprise}/${p.gateway}`;
    let list = byGateway.get(key);
    if (!list) byGateway.set(key, (list = []));
    list.push(p);
  }
  const loads: GatewayLoad[] = [];
  let i = 0;
  for (const points of byGateway.values()) {
    const { enterprise, gateway } = points[0]!;
    loads.push({
      topic: telemetryTopic({ enterprise, gateway }),
      tags: points.map((p) => JSON.stringify(p.tag)),
      centre: Float64Array.from(points, normalValue),
      wiggle: Float64Array.from(points, (p) => (p.range.max - p.range.min) * 0.001),
      phase: i++ / byGateway.size,
    });
  }
  return loads;
}

/** Runs until `stop` resolves; returns what was published. */
export async function runPacedLoad(
  options: PacedLoadOptions,
  stop: Promise<void>,
): Promise<PacedLoadFigures> {
  const loads = gatewayLoads(generateSite(options.site));
  const periodMs = (options.site.points / options.readingsPerSec) * 1000;
  const client = await mqtt.connectAsync(options.mqttUrl, { clientId: options.clientId, clean: true });
  let outstanding = 0;
  let published = 0;
  let acked = 0;
  let skipped = 0;
  let errors = 0;
  let stopped = false;
  void stop.then(() => (stopped = true));
  const t0 = performance.now();
  const publishTurn = (load: GatewayLoad, turn: number): void => {
    const ts = Date.now();
    const phase = Math.sin(turn / 7);
    for (let off = 0; off < load.tags.length; off += options.readingsPerMessage) {
      if (outstanding >= options.windowMessages) {
        skipped++;
        return;
      }
      const end = Math.min(load.tags.length, off + options.readingsPerMessage);
      let body = '{"readings":[';
      for (let i = off; i < end; i++) {
        const value = load.centre[i]! + load.wiggle[i]! * phase;
        body += `${i > off ? ',' : ''}{"tag":${load.tags[i]!},"ts":${ts},"value":${value}}`;
      }
      body += ']}';
      outstanding++;
      const readings = end - off;
      published += readings;
      client.publish(load.topic, body, { qos: 1 }, (error) => {
        outstanding--;
        if (error) errors++;
        else acked += readings;
      });
    }
  };
  // A 2 ms clock: each gateway reports when the period passes its phase.
  let next = 0;
  let turn = 0;
  while (!stopped) {
    const into = (performance.now() - t0) / periodMs - turn;
    while (next < loads.length && loads[next]!.phase <= into) publishTurn(loads[next++]!, turn);
    if (next >= loads.length) {
      next = 0;
      turn++;
      continue;
    }
    await new Promise((r) => setTimeout(r, 2));
  }
  const elapsedMs = performance.now() - t0;
  await client.endAsync();
  return {
    readingsPublished: published,
    readingsAcked: acked,
    readingsPerSec: Math.round((published / elapsedMs) * 1000),
    turnsSkipped: skipped,
    publishErrors: errors,
  };
}
