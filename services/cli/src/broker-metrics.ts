import { Counter, Registry } from 'prom-client';
import { registerMqttAccessMetrics } from '@hazardwatch/api';
import type { Infrastructure } from './infrastructure.js';

/**
 * The embedded broker's refusals, for the health port of the process hosting it (`ingest`,
 * `serve`, the demo): publishes refused for a U+0000 in the topic (MQTT-1.5.3-2), and with device
 * auth the logins refused, publishes and subscriptions denied and sessions ended of its access
 * control. An API in the same process shares that access control and leaves these families out
 * of its own metrics (startApiBeside), so each is exported once. Undefined without an embedded
 * broker (MQTT_URL set): then nothing here refuses anything.
 */
export function embeddedBrokerMetrics(
  infrastructure: Pick<Infrastructure, 'brokerCounters' | 'mqttAccess'>,
): Registry | undefined {
  const counters = infrastructure.brokerCounters;
  if (!counters) return undefined;
  const registry = new Registry();
  new Counter({
    name: 'hazardwatch_mqtt_nul_topics_refused_total',
    help: 'MQTT publishes the embedded broker refused for a U+0000 in the topic (connection closed)',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(counters.nulTopicsRefused);
    },
  });
  if (infrastructure.mqttAccess)
    registerMqttAccessMetrics(registry, infrastructure.mqttAccess.control.counters);
  return registry;
}
