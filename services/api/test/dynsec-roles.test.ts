import { describe, expect, it } from 'vitest';
import { commandTopic, statusTopic, telemetryTopic } from '@hazardwatch/contracts';
import { deviceMayPublish, deviceMaySubscribe } from '@hazardwatch/core';
import { gatewayAcls, gatewayRole, SERVICE_ACLS } from '@hazardwatch/api';

/** The plugin's role for a gateway says what core/mqtt-access.ts says, no more. */
describe('dynamic-security roles', () => {
  const device = { enterprise: '91320623MA1W000001', gateway: 'GW01' };
  const acls = gatewayAcls(device);

  it('allows exactly what the embedded broker and the hooks allow a gateway', () => {
    const publish = acls.filter((a) => a.acltype === 'publishClientSend').map((a) => a.topic);
    const subscribe = acls.filter((a) => a.acltype === 'subscribeLiteral').map((a) => a.topic);
    expect(publish.sort()).toEqual([statusTopic(device), telemetryTopic(device)].sort());
    expect(subscribe).toEqual([commandTopic(device)]);
    for (const topic of publish) expect(deviceMayPublish(device, topic), topic).toBe(true);
    for (const filter of subscribe) expect(deviceMaySubscribe(device, filter), filter).toBe(true);
    // No pattern ACL (a wildcard would reach other gateways), nothing denied (the defaults deny).
    expect(acls.every((a) => a.allow && !/[#+]/.test(a.topic))).toBe(true);
    expect(deviceMayPublish(device, commandTopic(device))).toBe(false);
  });

  it('names one role per gateway and keeps the service role off $CONTROL', () => {
    expect(gatewayRole('91320623MA1W000001.GW01')).toBe('hw-gateway-91320623MA1W000001.GW01');
    const control = SERVICE_ACLS.filter((a) => a.topic.startsWith('$CONTROL'));
    expect(control.map((a) => [a.acltype, a.allow])).toEqual([
      ['publishClientSend', false],
      ['subscribePattern', false],
    ]);
    const top = Math.max(...SERVICE_ACLS.map((a) => a.priority ?? 0));
    expect(control.every((a) => a.priority === top)).toBe(true);
  });
});
