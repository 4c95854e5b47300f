import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import {
  MqttFleet,
  SIMULATOR_VERSION,
  parseFleetOptions,
  type SimulatorError,
} from '@hazardwatch/simulators';

function issues(input: unknown): string[] {
  try {
    parseFleetOptions(input);
  } catch (err) {
    expect((err as SimulatorError).code).toBe('HW_SIM_OPTIONS_INVALID');
    return (err as SimulatorError).data.issues as string[];
  }
  throw new Error('expected invalid options');
}

describe('fleet options', () => {
  it('fills documented defaults and freezes the result', () => {
    const options = parseFleetOptions({ url: 'mqtt://127.0.0.1:1883' });
    expect(options).toEqual({
      url: 'mqtt://127.0.0.1:1883',
      protocolVersion: 4,
      clientIdPrefix: 'hw-sim',
      tickIntervalMs: 1000,
      heartbeatEveryTicks: 30,
      seed: 1,
      version: SIMULATOR_VERSION,
      keepaliveSec: 30,
      connectTimeoutMs: 10_000,
      reconnectPeriodMs: 1000,
      maxPendingBatches: 100,
    });
    expect(Object.isFrozen(options)).toBe(true);
  });

  it('does not change the caller object', () => {
    const input = { url: 'mqtt://x' };
    parseFleetOptions(input);
    expect(input).toEqual({ url: 'mqtt://x' });
  });

  it('accepts a text seed', () => {
    expect(parseFleetOptions({ url: 'mqtt://x', seed: 'scenario-7' }).seed).toBe('scenario-7');
  });

  it.each([
    [{ url: 'mqtt://x', tickIntervalMS: 500 }, 'unknown option(s): tickIntervalMS'],
    [{}, 'url'],
    [{ url: 'mqtt://x', tickIntervalMs: 1 }, 'tickIntervalMs'],
    [{ url: 'mqtt://x', heartbeatEveryTicks: 0 }, 'heartbeatEveryTicks'],
    [{ url: 'mqtt://x', clientIdPrefix: 'a/b' }, 'clientIdPrefix'],
    [{ url: 'mqtt://x', protocolVersion: 3 }, 'protocolVersion'],
    [{ url: 'mqtt://x', seed: -1 }, 'seed'],
    ['mqtt://x', 'options must be an object'],
  ])('refuses %j, naming %s', (input, key) => {
    expect(issues(input).join('\n')).toContain(key);
  });

  it('are checked when a fleet is built', () => {
    const site = { enterprises: [], gateways: [], points: [] };
    expect(() => new MqttFleet({ url: '' }, { site, logger: pino({ level: 'silent' }) })).toThrow(
      expect.objectContaining({ code: 'HW_SIM_OPTIONS_INVALID' }) as Error,
    );
  });
});
