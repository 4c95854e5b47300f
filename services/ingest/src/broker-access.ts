import type { AedesOptions, Client } from 'aedes';
import type { MqttPrincipal } from '@hazardwatch/core';
import type { MqttAccessControl } from '@hazardwatch/store';
import type { Logger } from 'pino';

type Hooks = Required<Pick<AedesOptions, 'authenticate' | 'authorizePublish' | 'authorizeSubscribe'>>;

/**
 * The MQTT access rules as aedes hooks for the embedded broker: a connect without valid
 * credentials is refused (CONNACK "bad username or password"), a publish outside the gateway's
 * own topics disconnects it (MQTT 3.1.1 has no negative PUBACK, and aedes closes MQTT 5 clients
 * too), a subscription outside its command topic gets a failure return code. Every refusal is
 * counted in `access.counters` and logged. A gateway's own topics are exactly its well-formed
 * telemetry and status topics, so a malformed topic is refused here, counted as a denied publish,
 * and never reaches the ingest's `bad_topic` count (docs/mqtt-telemetry.md §2).
 */
export function brokerAccessHooks(access: MqttAccessControl, logger: Logger): Hooks {
  const log = logger.child({ component: 'broker-access' });
  const principals = new WeakMap<Client, MqttPrincipal>();
  return {
    authenticate: (client, username, password, callback) => {
      access.authenticate(username, password).then(
        (result) => {
          if (result.ok) {
            principals.set(client, result.principal);
            callback(null, true);
            return;
          }
          log.warn({ clientId: client.id, username, reason: result.reason }, 'MQTT login refused');
          const error = Object.assign(new Error(`login refused: ${result.reason}`), { returnCode: 4 });
          callback(error, false);
        },
        (err: unknown) => {
          log.error({ err, clientId: client.id }, 'MQTT login check failed');
          // 3 = server unavailable: the device retries later, rather than believing its secret is wrong.
          callback(Object.assign(new Error('credential store unavailable'), { returnCode: 3 }), false);
        },
      );
    },
    authorizePublish: (client, packet, callback) => {
      const principal = client ? principals.get(client) : undefined;
      if (principal && access.mayPublish(principal, packet.topic)) {
        callback(null);
        return;
      }
      if (!principal) access.counters.publishDenied++;
      log.warn({ clientId: client?.id, topic: packet.topic }, 'MQTT publish refused');
      callback(new Error(`publish to ${packet.topic} not allowed`));
    },
    authorizeSubscribe: (client, subscription, callback) => {
      const principal = principals.get(client);
      if (principal && access.maySubscribe(principal, subscription.topic)) {
        callback(null, subscription);
        return;
      }
      if (!principal) access.counters.subscribeDenied++;
      log.warn({ clientId: client.id, topic: subscription.topic }, 'MQTT subscription refused');
      callback(null, null);
    },
  };
}
