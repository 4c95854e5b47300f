import { describe, expect, it } from 'vitest';
import { E1, GW1, engineWith, gateway, point } from './evaluation-fixture.js';

const up = (name = 'opcua-1') => ({ name, state: 'connected' });
const down = (name = 'opcua-1', state = 'degraded') => ({ name, state });
const gatewayLog = (sink: ReturnType<typeof engineWith>['sink']) =>
  sink.log((c) => c.source.kind === 'gateway' && c.condition !== 'GATEWAY_OFFLINE');

describe('source faults and data loss are gateway conditions (issue #16 items 3, 4)', () => {
  it('issue #16 item 3: heartbeats keep the gateway online through a 93 s source outage; its points go STALE', () => {
    const { engine, sink } = engineWith(
      [
        point({ limits: { h: 50 }, staleAfterMs: 30_000 }),
        point({ id: 2, limits: { h: 50 }, staleAfterMs: 30_000 }),
      ],
      [gateway(GW1, 60_000)],
    );
    engine.tick(0);
    engine.observe(1, 1_000, 40, 0);
    engine.observe(2, 1_000, 40, 0);
    sink.clear();
    // OPC-UA down: no readings for 93 s, the collector's heartbeat every 10 s still arrives.
    for (let now = 1000; now <= 94_000; now += 1000) {
      if (now % 10_000 === 0) {
        engine.gatewayOnline(E1, GW1, now);
        engine.gatewaySources(E1, GW1, [down()], now);
      }
      engine.tick(now);
    }
    expect(sink.log((c) => c.active)).toEqual(['GW1:SOURCE_DOWN+@20000', 'STALE+@30000', '#2:STALE+@30000']);
    expect(engine.isGatewayOffline(E1, GW1)).toBe(false);
  });

  it('SOURCE_DOWN needs two reports in a row (a source still connecting at start-up is not down) and clears when all are connected', () => {
    const { engine, sink } = engineWith([point()], [gateway(GW1)]);
    engine.gatewaySources(E1, GW1, [down('a', 'connecting'), up('b')], 1000);
    engine.gatewaySources(E1, GW1, [up('a'), up('b')], 2000);
    expect(gatewayLog(sink)).toEqual(['GW1:SOURCE_DOWN-@2000']);
    engine.gatewaySources(E1, GW1, [down('a', 'stopped'), up('b')], 3000);
    engine.gatewaySources(E1, GW1, [down('a', 'stopped'), down('b')], 4000);
    engine.gatewaySources(E1, GW1, [down('a', 'stopped'), down('b')], 5000);
    engine.gatewaySources(E1, GW1, [up('a'), up('b')], 6000);
    expect(gatewayLog(sink)).toEqual([
      'GW1:SOURCE_DOWN-@2000',
      'GW1:SOURCE_DOWN+@4000',
      'GW1:SOURCE_DOWN-@6000',
    ]);
    expect(sink.changes.find((c) => c.condition === 'SOURCE_DOWN' && c.active)?.value).toBe(2);
    expect(engine.gatewaySources(E1, 'GW9', [down()], 7000)).toBe(false);
  });

  it('a data_loss report raises and at once clears DATA_LOSS on the gateway (a fact to acknowledge), with the readings lost as value', () => {
    const { engine, sink } = engineWith([point()], [gateway(GW1)]);
    expect(engine.gatewayDataLoss(E1, GW1, 11_297, 60_000)).toBe(true);
    expect(gatewayLog(sink)).toEqual(['GW1:DATA_LOSS+@60000', 'GW1:DATA_LOSS-@60000']);
    expect(sink.changes[0]?.value).toBe(11_297);
    expect(engine.gatewayDataLoss(E1, 'GW9', 1, 60_000)).toBe(false);
  });

  it('a gateway removed by reconfiguration has its SOURCE_DOWN cleared', () => {
    const { engine, sink } = engineWith([point()], [gateway(GW1)]);
    engine.tick(0);
    engine.gatewaySources(E1, GW1, [down()], 1000);
    engine.gatewaySources(E1, GW1, [down()], 2000);
    engine.tick(5000);
    engine.reconfigure([point({ gateway: 'GW2' })], [gateway('GW2')]);
    expect(gatewayLog(sink)).toEqual(['GW1:SOURCE_DOWN+@2000', 'GW1:SOURCE_DOWN-@5000']);
  });
});
