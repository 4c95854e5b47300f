import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import mqtt, { type MqttClient } from 'mqtt';
import { pino } from 'pino';
import { parseTopic } from '@hazardwatch/contracts';
import { providedServices } from '@hazardwatch/testkit';
import { loadScenarioFile, runScenario, type IncidentEvent, type RunTimeline } from '@hazardwatch/simulators';
import { CHLOR_ALKALI, EXAMPLE_SITE_YAML, FINE_CHEM } from './example-site.js';

const logger = pino({ level: 'silent' });
const EPOCH = Date.now() - 3_600_000;
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

interface Message {
  readonly topic: string;
  readonly kind: string;
  readonly text: string;
}

/** Writes the example site with fresh enterprise codes (the broker is shared) and a scenario on it. */
async function fixture(): Promise<{ file: string; e1: string; e2: string }> {
  const tag = randomBytes(4).toString('hex').toUpperCase();
  const e1 = `E1${tag}`;
  const e2 = `E2${tag}`;
  const dir = await mkdtemp(join(tmpdir(), 'hw-scn-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  await writeFile(
    join(dir, 'site.yaml'),
    EXAMPLE_SITE_YAML.replaceAll(CHLOR_ALKALI, e1).replaceAll(FINE_CHEM, e2),
  );
  const file = join(dir, 'scenario.yaml');
  await writeFile(
    file,
    `
name: runner-int
site: site.yaml
seed: 77
durationSec: 30
plant:
  - enterprise: ${e1}
    tanks: [{ id: V, medium: chlorine, kind: pressure, capacityM3: 40, levelPct: 55, feedM3PerH: 4, interlock: { hhPct: 85 }, tags: { level: LT-1101, pressure: PT-1101 } }]
timeline:
  - { id: pwr, type: gateway_power_loss, atSec: 5, durationSec: 5, enterprise: ${e2}, gateway: GW01 }
  - { id: net, type: network_outage, atSec: 12, durationSec: 4, enterprise: ${e1}, gateway: GW01, spool: replay }
  - { id: junk, type: bad_payloads, atSec: 20, enterprise: ${e2}, gateway: GW01, count: 4, kinds: [malformed_json, unknown_tag, bad_envelope, non_finite] }
  - { id: fill, type: overfill, atSec: 1, enterprise: ${e1}, tank: V }
expectations:
  - { id: quiet, type: no_alarm, alarm: { condition: HH } }
`,
  );
  return { file, e1, e2 };
}

async function listen(
  url: string,
  enterprises: string[],
): Promise<{ client: MqttClient; messages: Message[] }> {
  const client = await mqtt.connectAsync(url, {
    clientId: `hw-scn-sub-${randomBytes(4).toString('hex')}`,
    reconnectPeriod: 0,
  });
  cleanups.push(() => client.endAsync(true));
  const messages: Message[] = [];
  client.on('message', (topic, payload, packet) => {
    const parsed = parseTopic(topic);
    if (parsed !== undefined && !packet.retain)
      messages.push({ topic, kind: parsed.kind, text: payload.toString('utf8') });
  });
  await client.subscribeAsync(
    enterprises.map((e) => `hw/v1/${e}/+/#`),
    { qos: 1 },
  );
  return { client, messages };
}

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Telemetry per topic in arrival order (QoS 1 keeps a client's order), hashed topic by topic. */
function telemetryHash(messages: Message[], rename: (t: string) => string): string {
  const hash = createHash('sha256');
  for (const m of messages
    .filter((x) => x.kind === 'telemetry')
    .sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : 0))) {
    hash.update(`${rename(m.topic)} ${rename(m.text)}\n`);
  }
  return hash.digest('hex');
}

async function play(fx?: { file: string; e1: string; e2: string }, mode: 'fast' | 'realtime' = 'fast') {
  const { mqttUrl } = providedServices();
  const { file, e1, e2 } = fx ?? (await fixture());
  const { messages } = await listen(mqttUrl, [e1, e2]);
  const events: IncidentEvent[] = [];
  const loaded = await loadScenarioFile(file);
  const timeline = await runScenario(loaded, {
    mqttUrl,
    mode,
    logger,
    startEpochMs: EPOCH,
    onIncident: (e) => events.push(e),
    fleet: { clientIdPrefix: `hwscn${randomBytes(3).toString('hex')}` },
  });
  const expected = timeline.counters.telemetryMessages + timeline.counters.rawMessages;
  await until(() => messages.filter((m) => m.kind === 'telemetry').length >= expected, 'telemetry');
  const rename = (t: string) => t.replaceAll(e1, 'E1').replaceAll(e2, 'E2');
  return { timeline, events, messages, e1, e2, hash: telemetryHash(messages, rename) };
}

describe('ScenarioRunner (fast-forward, real broker)', () => {
  it('publishes the same stream for the same scenario and seed', async () => {
    // Streams are seeded per enterprise/tag: replay on the same codes.
    const fx = await fixture();
    const a = await play(fx);
    const b = await play(fx);
    expect(a.hash).toBe(b.hash);
    expect(a.timeline.ticks).toBe(31);
  });

  it('puts every fault into effect and records the timeline in simulated time', async () => {
    const { timeline, events, messages, e2 } = await play();
    const at = (id: string) => timeline.incidents.find((i) => i.id === id)!;
    expect(at('pwr').startMs).toBe(EPOCH + 5000);
    expect(at('pwr').endMs).toBe(EPOCH + 10_000);
    expect(at('net').endMs).toBe(EPOCH + 16_000);
    expect(events.map((e) => `${e.id}:${e.phase}`)).toEqual([
      'fill:start',
      'pwr:start',
      'pwr:end',
      'net:start',
      'net:end',
      'junk:start',
    ]);

    // Power loss: the broker published the last will (death), then a new birth came.
    const status = messages
      .filter((m) => m.topic === `hw/v1/${e2}/GW01/status`)
      .map((m) => JSON.parse(m.text) as { type: string });
    expect(status.map((s) => s.type)).toEqual(expect.arrayContaining(['death', 'birth']));
    // Outage with replay: 4 batches spooled and all sent afterwards.
    expect(timeline.counters.batchesSpooled).toBe(4);
    expect(timeline.counters.batchesReplayed).toBe(4);
    // Bad payloads reached the broker.
    expect(timeline.counters.rawMessages).toBe(4);
    const raw = messages.filter((m) => m.topic === `hw/v1/${e2}/GW01/telemetry`).map((m) => m.text);
    expect(raw.some((t) => t.includes('NO-SUCH-TAG'))).toBe(true);
    expect(raw.some((t) => t.includes('1e999'))).toBe(true);
    // Timestamps are simulated, inside the run's window.
    const ts = messages
      .filter((m) => m.kind === 'telemetry' && m.text.startsWith('{"seq"') && m.text.endsWith('}'))
      .flatMap((m) => (JSON.parse(m.text) as { readings: { ts: number }[] }).readings.map((r) => r.ts));
    expect(Math.min(...ts)).toBeGreaterThanOrEqual(EPOCH);
    expect(Math.max(...ts)).toBeLessThan(EPOCH + 31_000);
  });

  it('real-time mode paces ticks on the injected clock and sleep', async () => {
    const { mqttUrl } = providedServices();
    const { file } = await fixture();
    const loaded = await loadScenarioFile(file);
    let now = 1_000;
    const sleeps: number[] = [];
    const timeline: RunTimeline = await runScenario(loaded, {
      mqttUrl,
      mode: 'realtime',
      logger,
      wallClock: () => now,
      sleep: (ms) => {
        sleeps.push(ms);
        now += Math.max(0, ms);
        return Promise.resolve();
      },
      fleet: { clientIdPrefix: `hwscn${randomBytes(3).toString('hex')}` },
    });
    expect(timeline.epochMs).toBe(1_000);
    expect(sleeps.filter((ms) => ms > 0)).toHaveLength(30);
    expect(timeline.endedWallMs - timeline.startedWallMs).toBe(30_000);
  });
});
