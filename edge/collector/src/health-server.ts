import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ExceptionFilter } from './exception-filter.js';
import type { Source } from './source.js';
import type { FileSpool } from './spool/file-spool.js';
import type { Forwarder } from './uplink/forwarder.js';
import type { MqttUplink } from './uplink/mqtt-uplink.js';

export interface EdgeHealthServer {
  readonly port: number;
  close(): Promise<void>;
}

interface Parts {
  readonly uplink: Pick<MqttUplink, 'connected' | 'unackedForMs' | 'refusal'>;
  /** A publish unacknowledged this long counts the uplink as not connected. */
  readonly ackTimeoutMs: number;
  readonly spool: Pick<FileSpool, 'depth'>;
  readonly forwarder: Pick<Forwarder, 'stats'>;
  readonly sources: readonly Source[];
  readonly filter: Pick<ExceptionFilter, 'passed' | 'suppressed'>;
  readonly gateway: { readonly enterprise: string; readonly gateway: string };
}

/**
 * The gateway's local health endpoints, for the plant's own monitoring:
 * `GET /healthz` — 200 while the collector runs (JSON detail: uplink, spool, sources; `degraded`
 * when the uplink is down or a source is not connected, still 200: the process is alive and
 * spooling), `GET /metrics` — Prometheus text format.
 *
 * The uplink counts as connected only while the MQTT client is connected and no publish has
 * waited longer than `ackTimeoutMs` for its PUBACK: a black-holed link keeps TCP and the client
 * "connected" until the keepalive expires (up to 1.5 × keepaliveSec) while readings pile up.
 */
export async function startHealthServer(
  listen: { readonly host: string; readonly port: number },
  parts: Parts,
): Promise<EdgeHealthServer> {
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const url = request.url?.split('?')[0];
    if (request.method !== 'GET' || (url !== '/healthz' && url !== '/metrics')) {
      response.writeHead(404, { 'content-type': 'application/json' }).end('{"code":"not_found"}');
      return;
    }
    if (url === '/healthz') {
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(health(parts)));
      return;
    }
    response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(metricsText(parts));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function uplinkUp(p: Parts): { connected: boolean; unackedForMs: number } {
  const unackedForMs = p.uplink.unackedForMs();
  return { connected: p.uplink.connected && unackedForMs <= p.ackTimeoutMs, unackedForMs };
}

/** `uplink.refused` in /healthz: present only while the broker refuses the login. */
function uplinkRefused(p: Parts): Record<string, unknown> | undefined {
  const r = p.uplink.refusal();
  if (!r) return undefined;
  const now = Date.now();
  return {
    reason: r.reason,
    code: r.code,
    since: new Date(r.sinceMs).toISOString(),
    forSec: Math.max(0, (now - r.sinceMs) / 1000),
    attempts: r.attempts,
    ...(r.nextAttemptAtMs === undefined
      ? {}
      : { nextAttemptInSec: Math.max(0, (r.nextAttemptAtMs - now) / 1000) }),
  };
}

function health(p: Parts): Record<string, unknown> {
  const sources = p.sources.map((s) => s.status());
  const uplink = uplinkUp(p);
  const refused = uplinkRefused(p);
  const degraded = !uplink.connected || sources.some((s) => s.state !== 'connected');
  return {
    status: degraded ? 'degraded' : 'ok',
    gateway: p.gateway,
    uplink: refused ? { ...uplink, refused } : uplink,
    spool: p.spool.depth(),
    forwarder: p.forwarder.stats(),
    sources,
  };
}

const esc = (v: string): string => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

function metricsText(p: Parts): string {
  const lines: string[] = [];
  const metric = (
    name: string,
    type: 'gauge' | 'counter',
    help: string,
    samples: Array<[string, number]>,
  ): void => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of samples) lines.push(`${name}${labels} ${value}`);
  };
  const depth = p.spool.depth();
  const stats = p.forwarder.stats();
  const uplink = uplinkUp(p);
  metric(
    'hw_edge_uplink_connected',
    'gauge',
    'Uplink to the central broker connected, publishes acknowledged within the ack timeout (1) or not (0)',
    [['', uplink.connected ? 1 : 0]],
  );
  metric(
    'hw_edge_uplink_login_refused',
    'gauge',
    'The central broker refuses the gateway login (1: credential revoked, rotated or wrong) or not (0)',
    [['', p.uplink.refusal() ? 1 : 0]],
  );
  metric('hw_edge_uplink_unacked_seconds', 'gauge', 'Age of the oldest publish waiting for its PUBACK', [
    ['', uplink.unackedForMs / 1000],
  ]);
  metric('hw_edge_spool_readings', 'gauge', 'Readings waiting in the disk spool', [['', depth.readings]]);
  metric('hw_edge_spool_bytes', 'gauge', 'Bytes of spooled records', [['', depth.bytes]]);
  metric('hw_edge_spool_oldest_age_seconds', 'gauge', 'Age of the oldest spooled reading', [
    ['', depth.oldestTs === undefined ? 0 : Math.max(0, (Date.now() - depth.oldestTs) / 1000)],
  ]);
  const counters: Array<[string, keyof typeof stats, string]> = [
    ['hw_edge_readings_submitted_total', 'submitted', 'Readings handed to the forwarder'],
    ['hw_edge_readings_published_total', 'published', 'Readings published live'],
    ['hw_edge_readings_replayed_total', 'replayed', 'Readings replayed from the backlog'],
    ['hw_edge_readings_acknowledged_total', 'acknowledged', 'Readings acknowledged by the broker'],
    [
      'hw_edge_readings_dropped_total',
      'dropped',
      'Readings dropped by the spool bounds (reported as data_loss)',
    ],
  ];
  for (const [name, key, help] of counters) metric(name, 'counter', help, [['', stats[key]]]);
  metric('hw_edge_readings_suppressed_total', 'counter', 'Samples held back by report by exception', [
    ['', p.filter.suppressed],
  ]);
  const sources = p.sources.map((s) => s.status());
  const label = (s: { name: string; kind: string }) => `{source="${esc(s.name)}",kind="${s.kind}"}`;
  metric(
    'hw_edge_source_connected',
    'gauge',
    'Source connected and every tag read (1), else 0',
    sources.map((s) => [label(s), s.state === 'connected' ? 1 : 0]),
  );
  metric(
    'hw_edge_source_readings_total',
    'counter',
    'Readings a source produced',
    sources.map((s) => [label(s), s.readings]),
  );
  metric(
    'hw_edge_source_errors_total',
    'counter',
    'Read and connect errors of a source',
    sources.map((s) => [label(s), s.errors]),
  );
  metric(
    'hw_edge_source_reconnects_total',
    'counter',
    'Re-connections of a source',
    sources.map((s) => [label(s), s.reconnects]),
  );
  return `${lines.join('\n')}\n`;
}
