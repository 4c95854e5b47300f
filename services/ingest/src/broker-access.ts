import type { Aedes, AedesOptions, Client } from 'aedes';
import type { MqttPrincipal } from '@hazardwatch/core';
import type { MqttAccessControl } from '@hazardwatch/store';
import type { Logger } from 'pino';

type Hooks = Required<Pick<AedesOptions, 'authenticate' | 'authorizePublish' | 'authorizeSubscribe'>>;

/** The hooks, and what ties them to the broker they run in (startEmbeddedBroker calls it). */
export type BrokerAccessHooks = Hooks & {
  /**
   * From now on, when the access control hears that a credential changed, the broker's live
   * sessions logged in with a credential that is no longer current are closed.
   * @returns a function that stops it.
   */
  readonly attach: (broker: Aedes) => () => void;
};

/**
 * The MQTT access rules as aedes hooks for the embedded broker: a connect without valid
 * credentials is refused (CONNACK "bad username or password"), a publish outside the gateway's
 * own topics disconnects it (MQTT 3.1.1 has no negative PUBACK, and aedes closes MQTT 5 clients
 * too), a subscription outside its command topic gets a failure return code. Every refusal is
 * counted in `access.counters` and logged. A gateway's own topics are exactly its well-formed
 * telemetry and status topics, so a malformed topic is refused here, counted as a denied publish,
 * and never reaches the ingest's `bad_topic` count (docs/mqtt-telemetry.md §2).
 *
 * A session lasts only as long as the credential it logged in with (issue #17 item 1): every
 * publish and subscription asks `access.isCurrent` (cached, forgotten on each change), and on a
 * change the sessions of the old credential are closed at once (`attach`). Its last will is not
 * published: nothing is, under a revoked or replaced credential.
 */
export function brokerAccessHooks(access: MqttAccessControl, logger: Logger): BrokerAccessHooks {
  const log = logger.child({ component: 'broker-access' });
  const principals = new WeakMap<Client, MqttPrincipal>();
  const deviceOf = (client: Client | null): Extract<MqttPrincipal, { kind: 'device' }> | undefined => {
    const principal = client ? principals.get(client) : undefined;
    return principal?.kind === 'device' ? principal : undefined;
  };
  /** Closes the session unless its credential is still current. */
  const endIfStale = (client: Client, principal: MqttPrincipal): void => {
    access.isCurrent(principal).then(
      (current) => {
        if (current || client.closed) return;
        access.counters.sessionsEnded++;
        log.warn(
          { clientId: client.id, username: principal.username },
          'MQTT session ended: credential revoked or replaced',
        );
        client.close();
      },
      (err: unknown) => log.error({ err, clientId: client.id }, 'MQTT session credential check failed'),
    );
  };
  const refusePublish = (client: Client | null, topic: string, callback: (error?: Error | null) => void) => {
    log.warn({ clientId: client?.id, topic }, 'MQTT publish refused');
    callback(new Error(`publish to ${topic} not allowed`));
  };
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
      if (!principal) {
        access.counters.publishDenied++;
        refusePublish(client, packet.topic, callback);
        return;
      }
      if (!access.mayPublish(principal, packet.topic)) {
        refusePublish(client, packet.topic, callback);
        return;
      }
      access.isCurrent(principal).then(
        (current) => {
          if (current) {
            callback(null);
            return;
          }
          access.counters.publishDenied++;
          log.warn(
            { clientId: client?.id, username: principal.username },
            'MQTT credential no longer current',
          );
          refusePublish(client, packet.topic, callback);
        },
        (err: unknown) => {
          log.error({ err, clientId: client?.id }, 'MQTT publish credential check failed');
          callback(new Error('credential store unavailable'));
        },
      );
    },
    authorizeSubscribe: (client, subscription, callback) => {
      const principal = principals.get(client);
      const refuse = (): void => {
        log.warn({ clientId: client.id, topic: subscription.topic }, 'MQTT subscription refused');
        callback(null, null);
      };
      if (!principal) {
        access.counters.subscribeDenied++;
        refuse();
        return;
      }
      if (!access.maySubscribe(principal, subscription.topic)) {
        refuse();
        return;
      }
      access.isCurrent(principal).then(
        (current) => {
          if (current) callback(null, subscription);
          else {
            access.counters.subscribeDenied++;
            refuse();
          }
        },
        (err: unknown) => {
          log.error({ err, clientId: client.id }, 'MQTT subscription credential check failed');
          refuse();
        },
      );
    },
    attach: (broker) => {
      // Device sessions the broker has registered (logged in, CONNACK sent).
      const live = new Set<Client>();
      const onClient = (client: Client): void => {
        const principal = deviceOf(client);
        if (!principal) return;
        live.add(client);
        // A change heard between its login and now would have missed it (a cached answer, else a read).
        endIfStale(client, principal);
      };
      const onGone = (client: Client): void => void live.delete(client);
      broker.on('client', onClient);
      broker.on('clientDisconnect', onGone);
      const stop = access.onCredentialChanged((username) => {
        for (const client of live) {
          if (client.closed) {
            live.delete(client);
            continue;
          }
          const principal = deviceOf(client);
          if (principal && (username === undefined || principal.username === username))
            endIfStale(client, principal);
        }
      });
      return () => {
        stop();
        broker.removeListener('client', onClient);
        broker.removeListener('clientDisconnect', onGone);
        live.clear();
      };
    },
  };
}
