/**
 * A region whose enterprises are evaluated by different workers (docs/operations.md §5, §5.1
 * item 5): each worker's roll-up sees only its own enterprises' alarms, yet the region colour
 * stored and pushed live must be the roll-up over all of them. Two `hazardwatch serve` workers,
 * each pinned to one enterprise of one park, on one PostgreSQL, one broker and one Redis; a
 * regulator's socket.io client on worker A hears both workers' pushes through the Redis adapter.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt, { type MqttClient } from 'mqtt';
import pg from 'pg';
import { pino } from 'pino';
import { io as connectSocket, type Socket } from 'socket.io-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  colourRank,
  telemetryTopic,
  type LiveColourChange,
  type WarningColour,
} from '@hazardwatch/contracts';
import { parseSiteDocument, pointKey, SiteIndex } from '@hazardwatch/core';
import type { ApiServer } from '@hazardwatch/api';
import { LiveValueTap } from '@hazardwatch/ingest';
import {
  createTestDatabase,
  providedServices,
  tcpOpen,
  type TestDatabase,
  waitFor,
} from '@hazardwatch/testkit';
import {
  ensureUsers,
  loadRuntimeConfig,
  startApiBeside,
  startIngestService,
  type IngestService,
} from 'hazardwatch';

const logger = pino({ level: 'silent' });
const EXAMPLE = fileURLToPath(new URL('../../core/examples/site.example.yaml', import.meta.url));
const PASSWORD = 'region-colour-test-password';
const REDIS_URL = 'redis://127.0.0.1:6379';
const redisUp = await tcpOpen('127.0.0.1', 6379);

type Colour = WarningColour | null;

const code = (prefix: string): string =>
  `91320623${prefix}${randomBytes(5).toString('hex').toUpperCase()}`.slice(0, 18);

/** The colour a dashboard shows from the frames it received (its ColourBook's rule). */
function shown(frames: readonly LiveColourChange[]): Colour | undefined {
  let held: LiveColourChange | undefined;
  for (const f of frames)
    if (held === undefined || f.seq === undefined || held.seq === undefined || f.seq >= held.seq) held = f;
  return held?.to;
}

const highest = (a: Colour, b: Colour): Colour => (colourRank(a) >= colourRank(b) ? a : b);

describe.skipIf(!redisUp)('region colours when its enterprises are evaluated by two workers', () => {
  const { postgresAdminUrl, mqttUrl } = providedServices();
  let db: TestDatabase;
  let check: pg.Client;
  let pub: MqttClient;
  let services: IngestService[];
  let apis: ApiServer[];
  let sockets: Socket[];
  let clientIds: string[];
  let x: string;
  let y: string;
  let park: string;
  let sitePath: string;

  beforeEach(async () => {
    db = await createTestDatabase(postgresAdminUrl);
    check = new pg.Client({ connectionString: db.url });
    await check.connect();
    pub = await mqtt.connectAsync(mqttUrl, { clientId: `hw-test-pub-${randomBytes(3).toString('hex')}` });
    // Fresh enterprise and park codes: nothing another test publishes (broker, Redis) reaches here.
    x = code('RX');
    y = code('RY');
    park = `P${randomBytes(5).toString('hex').toUpperCase()}`;
    sitePath = join(mkdtempSync(join(tmpdir(), 'hw-region-colour-')), 'site.yaml');
    writeFileSync(
      sitePath,
      readFileSync(EXAMPLE, 'utf8')
        .replaceAll('91320623MA1W000001', x)
        .replaceAll('91320623MA1W000002', y)
        .replaceAll('P32062301', park),
    );
    services = [];
    apis = [];
    sockets = [];
    clientIds = [];
  });

  afterEach(async () => {
    for (const s of sockets) s.disconnect();
    for (const a of apis) await a.close().catch(() => undefined);
    for (const s of services) await s.close().catch(() => undefined);
    await pub.endAsync();
    for (const id of clientIds)
      await (await mqtt.connectAsync(mqttUrl, { clientId: id, clean: true })).endAsync();
    await check.end();
    await db.drop();
  });

  /** `hazardwatch serve` pinned to `enterprise`: ingest, API and live push through Redis. */
  async function worker(enterprise: string): Promise<{ service: IngestService; api: ApiServer }> {
    const clientId = `hw-region-${enterprise.slice(-4)}-${randomBytes(3).toString('hex')}`;
    clientIds.push(clientId);
    const config = loadRuntimeConfig({
      DATABASE_URL: db.url,
      MQTT_URL: mqttUrl,
      REDIS_URL,
      HW_SITE_FILE: sitePath,
      HW_HEALTH_PORT: '0',
      HW_INGEST_CLIENT_ID: clientId,
      HW_INGEST_ENTERPRISES: enterprise,
      HW_JWT_SECRET: 'a-test-secret-that-is-at-least-32-chars',
    });
    const tap = new LiveValueTap();
    const service = await startIngestService(config, logger, { observers: [tap] });
    services.push(service);
    const api = await startApiBeside(service, config, logger, 0, tap);
    apis.push(api);
    return { service, api };
  }

  /** A regulator's client subscribed to `region`; collects that region's colour frames. */
  async function regulator(api: ApiServer, region = park): Promise<LiveColourChange[]> {
    const res = await fetch(`http://127.0.0.1:${api.port}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'regulator', password: PASSWORD }),
    });
    expect(res.status).toBe(200);
    const { accessToken } = (await res.json()) as { accessToken: string };
    const socket = connectSocket(`http://127.0.0.1:${api.port}`, {
      auth: { token: accessToken },
      transports: ['websocket'],
    });
    sockets.push(socket);
    const frames: LiveColourChange[] = [];
    socket.on('colour', (c: LiveColourChange) => {
      if (c.level === 'region' && c.code === region) frames.push(c);
    });
    const joined: unknown = await socket
      .timeout(5000)
      .emitWithAck('subscribe', { scopes: [{ type: 'region', code: region }] });
    expect(joined).toMatchObject({ ok: true });
    return frames;
  }

  const publish = (enterprise: string, tag: string, readings: ReadonlyArray<readonly [number, number]>) =>
    pub.publishAsync(
      telemetryTopic({ enterprise, gateway: 'GW01' }),
      JSON.stringify({ readings: readings.map(([ts, value]) => ({ tag, ts, value })) }),
      { qos: 1 },
    );

  /**
   * The site edited as the API would put it in force on every worker: enterprise X moved from the
   * park to a new park `to` in the same county (point ids as stored).
   */
  function moveX(service: IngestService, to: string): { index: SiteIndex; version: number } {
    const text = readFileSync(sitePath, 'utf8')
      .replace(
        `  - code: ${park}\n`,
        `  - { code: ${to}, name: 新园区, kind: park, parent: '320623' }\n  - code: ${park}\n`,
      )
      .replace(new RegExp(`(code: ${x}\\n(?:    .*\\n)*?    region: )${park}`), `$1${to}`);
    const parsed = parseSiteDocument(text, 'yaml');
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    const ids = new Map(service.site!.points().map((p) => [pointKey(p.enterprise, p.tag), p.id]));
    const index = new SiteIndex(parsed.site, { ids });
    expect(index.enterprise(x)?.region).toBe(to);
    return { index, version: service.siteVersion! + 1 };
  }

  /** Latest stored colour per (level, code), as the engine stored it. */
  async function stored(level: 'enterprise' | 'region', node: string): Promise<Colour> {
    const { rows } = await check.query<{ to_colour: Colour }>(
      'SELECT to_colour FROM colour_events WHERE level = $1 AND code = $2 ORDER BY id DESC LIMIT 1',
      [level, node],
    );
    return rows[0]?.to_colour ?? null;
  }

  /**
   * X's LT-1101 (CL-TF01, 一级) in HH is red; Y's AT-2101 (combustible gas, HYD-U01, 四级) at
   * level 1 is yellow. Each drives its condition in or out, past its on-delay (10 s, 5 s) or
   * off-delay (5 s), with readings from `t` on in source time.
   */
  const driveX = (red: boolean, t: number) =>
    publish(x, 'LT-1101', [
      [t, red ? 90 : 50],
      [t + 12_000, red ? 90 : 50],
    ]);
  const driveY = (yellow: boolean, t: number) =>
    publish(y, 'AT-2101', [
      [t, yellow ? 25 : 5],
      [t + 6_000, yellow ? 25 : 5],
    ]);

  /**
   * Waits until both enterprises' stored colours are as driven, then until the park's stored
   * colour and the colour the regulator's client shows are the roll-up over both.
   */
  async function settle(frames: readonly LiveColourChange[], xColour: Colour, yColour: Colour, step: string) {
    await waitFor(
      async () => [await stored('enterprise', x), await stored('enterprise', y)],
      ([cx, cy]) => cx === xColour && cy === yColour,
      `${step}: enterprise colours stored`,
    );
    for (const s of services) await s.app.pipeline.drain();
    const want = highest(xColour, yColour);
    const region = await waitFor(
      () => stored('region', park),
      (c) => c === want,
      `${step}: park stored ${String(want)}`,
      5_000,
    ).catch(async () => stored('region', park));
    expect(region, `${step}: park's stored colour`).toBe(want);
    const live = await waitFor(
      () => Promise.resolve(shown(frames)),
      (c) => c === want,
      `${step}: park shown ${String(want)}`,
      5_000,
    ).catch(() => shown(frames));
    expect(live, `${step}: park's colour on the regulator's screen`).toBe(want);
  }

  it('stores and pushes the roll-up over both workers, one after the other and at the same moment', async () => {
    const a = await worker(x);
    await worker(y);
    await ensureUsers(a.service, [
      { username: 'regulator', password: PASSWORD, role: 'regulator', regionCode: park },
    ]);
    const frames = await regulator(a.api);
    let t = Date.now() - 150_000;

    // X red on A, then Y yellow on B: the park stays red (B's own view would say yellow).
    await driveX(true, t);
    await settle(frames, 'red', null, 'X red');
    await driveY(true, (t += 15_000));
    await settle(frames, 'red', 'yellow', 'Y yellow');
    // X returns: the park follows Y (A's own view would say normal).
    await driveX(false, (t += 15_000));
    await settle(frames, null, 'yellow', 'X returned');

    // Both change at the same moment, each on its worker, in a random order: the last stored and
    // the last pushed park colour is the roll-up over both, every round.
    let [xRed, yYellow] = [false, true];
    for (let round = 0; round < 6; round++) {
      [xRed, yYellow] = [!xRed, !yYellow];
      t += 15_000;
      const drives = [() => driveX(xRed, t), () => driveY(yYellow, t)];
      if (Math.random() < 0.5) drives.reverse();
      await Promise.all(drives.map((drive) => drive()));
      await settle(frames, xRed ? 'red' : null, yYellow ? 'yellow' : null, `round ${round}`);
    }

    // Each stored park change was pushed once, by the worker that stored it, and nothing else.
    const { rows } = await check.query<{ id: string; to_colour: Colour }>(
      "SELECT id, to_colour FROM colour_events WHERE level = 'region' AND code = $1 ORDER BY id",
      [park],
    );
    await waitFor(
      () => Promise.resolve(frames.length),
      (n) => n >= rows.length,
      'every stored park change pushed',
    );
    expect(frames.map((f) => [f.seq, f.to]).sort((p, q) => Number(p[0]) - Number(q[0]))).toEqual(
      rows.map((r) => [Number(r.id), r.to_colour]),
    );
    const { rows: current } = await check.query<{ colour: Colour }>(
      'SELECT colour FROM region_colours WHERE code = $1',
      [park],
    );
    expect(current).toEqual([{ colour: highest(xRed ? 'red' : null, yYellow ? 'yellow' : null) }]);
  });

  it('a site edit moving a red enterprise to another park moves its colour there, on both workers', async () => {
    const a = await worker(x);
    const b = await worker(y);
    await ensureUsers(a.service, [
      { username: 'regulator', password: PASSWORD, role: 'regulator', regionCode: '320623' },
    ]);
    const other = `P${randomBytes(5).toString('hex').toUpperCase()}`;
    const parkFrames = await regulator(a.api);
    const t = Date.now() - 60_000;
    await driveX(true, t);
    await driveY(true, t);
    await settle(parkFrames, 'red', 'yellow', 'before the edit');
    const county = async () =>
      (
        await check.query<{ to_colour: Colour }>(
          "SELECT to_colour FROM colour_events WHERE level = 'region' AND code = '320623' ORDER BY id",
        )
      ).rows.map((r) => r.to_colour);
    const countyBefore = await county();
    expect(countyBefore.at(-1)).toBe('red');

    // Put in force on B first (its own roll-up knows nothing of X's alarms), then on A.
    b.service.applySite(moveX(b.service, other));
    a.service.applySite(moveX(a.service, other));
    const otherFrames = await regulator(b.api, other);
    for (const s of services) await s.app.pipeline.drain();
    await waitFor(
      async () => [await stored('region', park), await stored('region', other)],
      ([p, o]) => p === 'yellow' && o === 'red',
      'the park left with Y (yellow), the new park red with X',
    );
    await waitFor(
      () => Promise.resolve(shown(parkFrames)),
      (p) => p === 'yellow',
      'the park shown as stored',
    );
    // The county holds both parks: red all along, no change stored by the edit.
    expect(await county()).toEqual(countyBefore);
    expect(otherFrames.every((f) => f.to === 'red')).toBe(true);
  });
});
