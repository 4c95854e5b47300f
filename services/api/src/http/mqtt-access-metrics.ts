import { Counter, type Registry } from 'prom-client';
import { MQTT_AUTH_FAILURES } from '@hazardwatch/core';
import type { MqttAccessCounters } from '@hazardwatch/store';

/**
 * The refusal families of one MQTT access control (logins, topics, sessions ended), mirrored from
 * its counters at scrape time. Registered once per access control, by whoever exports it: the
 * API over its own (the HTTP hooks of EMQX or go-auth), or the process hosting the embedded broker
 * over the one the broker (and an API in that process) shares, so no family is exported twice.
 */
export function registerMqttAccessMetrics(registry: Registry, counters: Readonly<MqttAccessCounters>): void {
  new Counter({
    name: 'hazardwatch_mqtt_auth_failures_total',
    help: 'MQTT logins refused (embedded broker or hook), by reason',
    labelNames: ['reason'],
    registers: [registry],
    collect() {
      this.reset();
      for (const reason of MQTT_AUTH_FAILURES) this.inc({ reason }, counters.authFailures[reason]);
    },
  });
  new Counter({
    name: 'hazardwatch_mqtt_denied_total',
    help: 'MQTT publishes and subscriptions refused by the topic ACL',
    labelNames: ['action'],
    registers: [registry],
    collect() {
      this.reset();
      this.inc({ action: 'publish' }, counters.publishDenied);
      this.inc({ action: 'subscribe' }, counters.subscribeDenied);
    },
  });
  new Counter({
    name: 'hazardwatch_mqtt_sessions_ended_total',
    help: 'Live MQTT sessions the embedded broker closed because their credential was revoked or rotated',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(counters.sessionsEnded);
    },
  });
}
