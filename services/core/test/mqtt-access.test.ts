import { describe, expect, it } from 'vitest';
import { deviceMayPublish, deviceMaySubscribe, deviceUsername } from '@hazardwatch/core';

const gw = { enterprise: 'E1', gateway: 'GW01' };

describe('device topic ACL', () => {
  it.each([
    ['hw/v1/E1/GW01/telemetry', true],
    ['hw/v1/E1/GW01/status', true],
    ['hw/v1/E1/GW01/cmd', false],
    ['hw/v1/E1/GW02/telemetry', false],
    ['hw/v1/E2/GW01/telemetry', false],
    ['hw/v1/E1/+/telemetry', false],
    ['hw/v1/E1/GW01/telemetry/extra', false],
    ['hw/v2/E1/GW01/telemetry', false],
    ['other/topic', false],
    ['', false],
  ])('publish %s → %s', (topic, allowed) => {
    expect(deviceMayPublish(gw, topic)).toBe(allowed);
  });

  it.each([
    ['hw/v1/E1/GW01/cmd', true],
    ['hw/v1/E1/GW01/#', false],
    ['hw/v1/E1/+/cmd', false],
    ['hw/v1/+/+/telemetry', false],
    ['#', false],
    ['hw/v1/E2/GW01/cmd', false],
    ['hw/v1/E1/GW01/telemetry', false],
  ])('subscribe %s → %s', (filter, allowed) => {
    expect(deviceMaySubscribe(gw, filter)).toBe(allowed);
  });

  it('names a gateway unambiguously (codes cannot contain a dot)', () => {
    expect(deviceUsername(gw)).toBe('E1.GW01');
  });
});
