import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import {
  BrokerHookVerdictSchema,
  DeviceCredentialSchema,
  IssuedDeviceCredentialSchema,
  type BrokerHookVerdict,
  type DeviceCredential,
} from '@hazardwatch/contracts';
import { deviceUsername, type MqttPrincipal } from '@hazardwatch/core';
import { DeviceCredentialRepository, newDeviceSecret, type MqttAccessControl } from '@hazardwatch/store';
import type { BrokerAccounts } from '../broker/broker-accounts.js';
import { apiErrors } from '../errors.js';
import { registerMqttAccessMetrics } from '../http/mqtt-access-metrics.js';
import { defineRoute } from '../http/route.js';
import { closed, Code, NoQuery } from '../http/schemas.js';
import { API, type RouteContext } from './context.js';

const GatewayParams = Type.Object({ enterprise: Code, gateway: Code }, closed);
/** A request that takes nothing but its path: no body, `null` or `{}`. */
const NoBody = Type.Union([Type.Object({}, closed), Type.Null()]);

/** What a broker sends to the hooks: EMQX 5 (body template) and mosquitto-go-auth field names. */
const HookAuthBody = Type.Object(
  {
    username: Type.Optional(Type.String({ maxLength: 256 })),
    password: Type.Optional(Type.String({ maxLength: 1024 })),
    clientid: Type.Optional(Type.String({ maxLength: 256 })),
    peerhost: Type.Optional(Type.String({ maxLength: 64 })),
  },
  closed,
);
const HookAclBody = Type.Object(
  {
    username: Type.String({ maxLength: 256 }),
    topic: Type.String({ minLength: 1, maxLength: 1024 }),
    /** EMQX: publish | subscribe. */
    action: Type.Optional(Type.Union([Type.Literal('publish'), Type.Literal('subscribe')])),
    /** mosquitto-go-auth: 1 read, 2 write, 3 read-write, 4 subscribe. */
    acc: Type.Optional(Type.Integer({ minimum: 1, maximum: 4 })),
    clientid: Type.Optional(Type.String({ maxLength: 256 })),
    peerhost: Type.Optional(Type.String({ maxLength: 64 })),
    qos: Type.Optional(Type.Integer({ minimum: 0, maximum: 2 })),
    retain: Type.Optional(Type.Union([Type.Boolean(), Type.String({ maxLength: 8 })])),
  },
  closed,
);

/**
 * Both broker families read the answer from one body with status 200: EMQX 5 looks at `result`
 * (and `is_superuser`); mosquitto-go-auth (response_mode json) at `ok` and `error`.
 */
const verdict = (allow: boolean, error = '', superuser = false): BrokerHookVerdict => ({
  result: allow ? 'allow' : 'deny',
  is_superuser: superuser,
  ok: allow,
  error,
});

/**
 * Gateway MQTT credentials (issue or rotate, shown once; revoke) and the HTTP authentication and
 * authorisation hooks production brokers call, applying the same rules as the embedded broker.
 * With `accessMetrics`, the access control's refusal counts are in `app.metrics`.
 */
export function deviceRoutes(
  app: FastifyInstance,
  ctx: RouteContext,
  access: MqttAccessControl,
  options: { readonly accessMetrics: boolean; readonly brokerAccounts?: BrokerAccounts },
): void {
  const tags = ['devices'];
  const credentials = new DeviceCredentialRepository(ctx.client);
  const knownGateway = (enterprise: string, gateway: string): void => {
    if (!ctx.site()?.gateway(enterprise, gateway))
      throw apiErrors.create('HW_API_NOT_FOUND', { kind: 'gateway', id: `${enterprise}/${gateway}` });
  };
  const scopeOf = (enterprise: string) => ({
    enterprise,
    region: ctx.site()?.enterprise(enterprise)?.region ?? null,
  });
  const credentialDto = (
    c: Awaited<ReturnType<DeviceCredentialRepository['forGateway']>> & object,
  ): DeviceCredential => ({
    username: c.username,
    enterprise: c.enterprise,
    gateway: c.gateway,
    createdAt: c.createdAt,
    createdBy: c.createdBy,
    rotatedAt: c.rotatedAt,
    revokedAt: c.revokedAt,
    revokedBy: c.revokedBy,
    state: c.revokedAt === null ? 'active' : 'revoked',
  });
  const url = `${API}/enterprises/:enterprise/gateways/:gateway/credentials`;
  const writeScope = { kind: 'enterprise', action: 'device.write' } as const;

  defineRoute(app, {
    method: 'GET',
    url,
    scope: { kind: 'enterprise', action: 'device.read' },
    summary: "A gateway's MQTT credential (never the secret)",
    tags,
    schema: { params: GatewayParams, querystring: NoQuery, response: { 200: DeviceCredentialSchema } },
    handler: async (request) => {
      const { enterprise, gateway } = request.params;
      const found = await credentials.forGateway(enterprise, gateway);
      if (!found)
        throw apiErrors.create('HW_API_NOT_FOUND', { kind: 'credential', id: `${enterprise}/${gateway}` });
      return credentialDto(found);
    },
  });

  defineRoute(app, {
    method: 'POST',
    url,
    scope: writeScope,
    summary:
      'Issue or rotate the MQTT credential of a gateway (the old secret stops working, its sessions closed); the secret is in this answer only',
    tags,
    // Nothing to send: no body at all (fastify validates a missing body as null), or `{}`.
    schema: {
      params: GatewayParams,
      querystring: NoQuery,
      body: NoBody,
      response: { 201: IssuedDeviceCredentialSchema },
    },
    handler: async (request, reply) => {
      const { enterprise, gateway } = request.params;
      knownGateway(enterprise, gateway);
      const before = await credentials.forGateway(enterprise, gateway);
      const { secret, salt, secretHash } = newDeviceSecret();
      const username = deviceUsername({ enterprise, gateway });
      // The production broker (Mosquitto dynamic security) takes the secret before it is stored:
      // if it cannot, nothing changed anywhere and the caller tries again (503). Stored first, a
      // failure would leave the old secret working on the broker while the table says rotated.
      // Only here is the secret ever in clear, so only here can the broker be given it.
      if (options.brokerAccounts)
        await options.brokerAccounts.issued({ username, enterprise, gateway }, secret);
      const actor = request.access!.principal.username;
      const stored = await credentials.issue(
        { username, enterprise, gateway, salt, secretHash },
        actor,
        ctx.now(),
      );
      // The old secret's live sessions end now on a broker in this process (any other process
      // hears of it through the repository's NOTIFY); its next publish is already refused.
      if (before) access.credentialChanged(username);
      await ctx.auditor.record(request, {
        action: before ? 'device.credential.rotate' : 'device.credential.issue',
        targetType: 'gateway',
        targetId: `${enterprise}/${gateway}`,
        before: before ? credentialDto(before) : null,
        after: credentialDto(stored),
        ...scopeOf(enterprise),
      });
      return reply.status(201).send({ ...credentialDto(stored), secret });
    },
  });

  defineRoute(app, {
    method: 'DELETE',
    url,
    scope: writeScope,
    summary:
      'Revoke the MQTT credential of a gateway (logins refused, live sessions on the embedded broker closed)',
    tags,
    schema: { params: GatewayParams, querystring: NoQuery, response: { 200: DeviceCredentialSchema } },
    handler: async (request) => {
      const { enterprise, gateway } = request.params;
      const before = await credentials.forGateway(enterprise, gateway);
      const actor = request.access!.principal.username;
      if (!before || !(await credentials.revoke(enterprise, gateway, actor, ctx.now())))
        throw apiErrors.create('HW_API_NOT_FOUND', { kind: 'credential', id: `${enterprise}/${gateway}` });
      access.credentialChanged(before.username);
      // Deleting the broker account also disconnects its sessions. The revocation is stored
      // already: if the broker is away, its account is deleted when the reconciler next reaches it
      // (every process following the table does so on the NOTIFY and on reconnecting).
      await options.brokerAccounts?.revoked(before.username).catch((err: unknown) => {
        request.log.error({ err, username: before.username }, 'broker account not deleted yet');
      });
      const after = (await credentials.forGateway(enterprise, gateway))!;
      await ctx.auditor.record(request, {
        action: 'device.credential.revoke',
        targetType: 'gateway',
        targetId: `${enterprise}/${gateway}`,
        before: credentialDto(before),
        after: credentialDto(after),
        ...scopeOf(enterprise),
      });
      return credentialDto(after);
    },
  });

  // ---- Broker hooks (EMQX HTTP authn/authz, mosquitto-go-auth HTTP backend) ----
  const checkHookToken = (request: FastifyRequest): void => {
    const expected = ctx.settings.mqttHookToken;
    if (expected === undefined) throw apiErrors.create('HW_API_HOOK_DISABLED', {});
    const given = Buffer.from(String(request.headers['x-hw-hook-token'] ?? ''));
    const want = Buffer.from(expected);
    if (given.length !== want.length || !timingSafeEqual(given, want))
      throw apiErrors.create('HW_API_HOOK_TOKEN', {});
  };

  defineRoute(app, {
    method: 'POST',
    url: '/mqtt/auth',
    scope: { kind: 'public' },
    summary: 'Broker hook: may this username/secret connect? (EMQX HTTP authentication, go-auth)',
    tags,
    schema: { querystring: NoQuery, body: HookAuthBody, response: { 200: BrokerHookVerdictSchema } },
    handler: async (request) => {
      checkHookToken(request);
      const result = await access.authenticate(request.body.username, request.body.password);
      if (!result.ok) {
        request.log.warn({ username: request.body.username, reason: result.reason }, 'MQTT login refused');
        return verdict(false, result.reason);
      }
      return verdict(true, '', result.principal.kind === 'service');
    },
  });

  defineRoute(app, {
    method: 'POST',
    url: '/mqtt/acl',
    scope: { kind: 'public' },
    summary:
      'Broker hook: may this user publish to / subscribe to this topic? (EMQX HTTP authorisation, go-auth)',
    tags,
    schema: { querystring: NoQuery, body: HookAclBody, response: { 200: BrokerHookVerdictSchema } },
    handler: async (request) => {
      checkHookToken(request);
      const { username, topic, action, acc } = request.body;
      const principal = await principalOf(username);
      const subscribe = action === 'subscribe' || acc === 4 || acc === 1;
      if (!principal) {
        if (subscribe) access.counters.subscribeDenied++;
        else access.counters.publishDenied++;
        return verdict(false, 'unknown or revoked user');
      }
      const allow = subscribe ? access.maySubscribe(principal, topic) : access.mayPublish(principal, topic);
      if (!allow) request.log.warn({ username, topic, subscribe }, 'MQTT topic refused');
      return verdict(allow, allow ? '' : 'topic not allowed');
    },
  });

  /** The ACL hook carries no secret: the username names the principal (the broker authenticated it). */
  const principalOf = async (username: string): Promise<MqttPrincipal | undefined> => {
    if (access.isServiceUser(username)) return { kind: 'service', username };
    const c = await credentials.byUsername(username);
    if (!c || c.revokedAt !== null) return undefined;
    return { kind: 'device', username, device: { enterprise: c.enterprise, gateway: c.gateway } };
  };

  // The counts live in the access control; exported here unless the process hosting the embedded
  // broker that shares it exports them (one owner of each family).
  if (options.accessMetrics) registerMqttAccessMetrics(ctx.metrics.registry, access.counters);
}
