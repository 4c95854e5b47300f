import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterEach, describe, expect, it } from 'vitest';
import { MqttClient } from 'mqtt';
import { DurableAckSubscriber, ingestErrors } from '@hazardwatch/ingest';
import { logger } from './support.js';

const require = createRequire(import.meta.url);

/**
 * The durable subscriber holds PUBACK/PUBREC in mqtt.js's private `_sendPacket`. Private methods
 * change without notice, so the ingest pins the one mqtt version these tests guard and the
 * subscriber refuses to start without the method (it would acknowledge before storing).
 */
describe('DurableAckSubscriber and the mqtt.js internals it relies on', () => {
  const options = {
    url: 'mqtt://127.0.0.1:1',
    clientId: 'hw-t-hook',
    protocolVersion: 4 as const,
    keepaliveSec: 30,
    reconnectPeriodMs: 1000,
    connectTimeoutMs: 1000,
    receiveMaximum: 10,
    sessionExpirySec: 60,
    subscriptions: ['hw/#'],
    logger,
  };
  const proto = MqttClient.prototype as unknown as Record<string, unknown>;
  const original = proto['_sendPacket'];
  afterEach(() => {
    proto['_sendPacket'] = original;
  });

  it('is installed with exactly the mqtt version the ingest pins', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    const installed = (require('mqtt/package.json') as { version: string }).version;
    expect(pkg.dependencies['mqtt']).toMatch(/^\d+\.\d+\.\d+$/);
    expect(installed).toBe(pkg.dependencies['mqtt']);
  });

  it('every workspace that depends on mqtt pins that same exact version (one mqtt.js in the tree)', () => {
    const root = new URL('../../../', import.meta.url);
    const readJson = (url: URL) =>
      JSON.parse(readFileSync(url, 'utf8')) as {
        workspaces?: string[];
        dependencies?: Record<string, string>;
        devDependencies?: Record<string, string>;
      };
    const pinned = readJson(new URL('../package.json', import.meta.url)).dependencies!['mqtt'];
    const ranges = readJson(new URL('package.json', root)).workspaces!.flatMap((dir) => {
      const pkg = readJson(new URL(`${dir}/package.json`, root));
      const range = pkg.dependencies?.['mqtt'] ?? pkg.devDependencies?.['mqtt'];
      return range === undefined ? [] : [[dir, range] as const];
    });
    expect(ranges.length).toBeGreaterThan(1);
    expect(ranges.filter(([, range]) => range !== pinned)).toEqual([]);
  });

  it('finds the private _sendPacket it holds acknowledgements in', () => {
    expect(typeof original).toBe('function');
    // No I/O: the subscriber connects only on start().
    expect(() => new DurableAckSubscriber(options, () => undefined)).not.toThrow();
  });

  it('refuses to run without it instead of acknowledging before storing', () => {
    proto['_sendPacket'] = undefined;
    let error: unknown;
    try {
      new DurableAckSubscriber(options, () => undefined);
    } catch (e) {
      error = e;
    }
    expect(ingestErrors.is(error, 'HW_INGEST_MQTT_HOOK_MISSING')).toBe(true);
  });

  it('registry: HW_INGEST_ codes whose templates render every placeholder', () => {
    for (const code of ingestErrors.codes) {
      expect(code).toMatch(/^HW_INGEST_[A-Z_]+$/);
      const names = [...ingestErrors.specs[code].template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
      const data = Object.fromEntries(names.map((n) => [n, `<${n}>`]));
      expect(ingestErrors.create(code, data as never).message).not.toMatch(/\{\w+\}/);
    }
  });
});
