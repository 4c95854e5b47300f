import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { RoleSchema, UserPageSchema, UserSchema } from '@hazardwatch/contracts';
import type { StoredUser } from '@hazardwatch/store';
import { publicUser } from '../auth/auth-service.js';
import { createUser, grantProblem, USERNAME_PATTERN } from '../auth/create-user.js';
import type { SessionEnd } from '../auth/user-sessions.js';
import { apiErrors } from '../errors.js';
import { defineRoute } from '../http/route.js';
import { closed, Code, NoQuery, Pagination, UserIdParams } from '../http/schemas.js';
import { API, type RouteContext } from './context.js';

/**
 * User administration (admins only); every change is audited. A change that shrinks or moves a
 * user's grant (disable, delete, new role or scope) also ends the user's sessions: refresh tokens
 * revoked, access tokens refused (this process at once, others within SESSION_CHECK_TTL_MS), live
 * sockets disconnected by the gateways' session sweep — audited as `session.revoke`.
 */
export function userRoutes(app: FastifyInstance, ctx: RouteContext): void {
  defineRoute(app, {
    method: 'GET',
    url: `${API}/users`,
    scope: { kind: 'any', action: 'user.read' },
    summary: 'List users',
    tags: ['users'],
    schema: { querystring: Type.Object(Pagination, closed), response: { 200: UserPageSchema } },
    handler: async (request) => {
      const { limit, offset } = request.query;
      const { items, total } = await ctx.users.list({ limit, offset });
      return { items: items.map(publicUser), total, limit, offset };
    },
  });

  defineRoute(app, {
    method: 'POST',
    url: `${API}/users`,
    scope: { kind: 'any', action: 'user.write' },
    summary: 'Create a user with a role and scope',
    tags: ['users'],
    schema: {
      querystring: NoQuery,
      body: Type.Object(
        {
          username: Type.String({ pattern: USERNAME_PATTERN }),
          password: Type.String({ minLength: 1, maxLength: 1024 }),
          role: RoleSchema,
          regionCode: Type.Optional(Code),
          enterpriseCode: Type.Optional(Code),
        },
        closed,
      ),
      response: { 201: UserSchema },
    },
    handler: async (request, reply) => {
      const user = await createUser(ctx.client, request.body);
      await ctx.auditor.record(request, {
        action: 'user.create',
        targetType: 'user',
        targetId: user.id,
        after: user,
        enterprise: user.enterpriseCode,
        region: user.regionCode,
      });
      return reply.status(201).send(user);
    },
  });

  const notFound = (id: string) => apiErrors.create('HW_API_NOT_FOUND', { kind: 'user', id });
  /** The forced logout: access tokens of `user` are refused from now on (issue 17 item 2). */
  const ended = async (request: FastifyRequest, user: StoredUser, reason: SessionEnd): Promise<void> => {
    ctx.auth.sessions.invalidate(user.id);
    request.log.info({ userId: user.id, username: user.username, reason }, 'user sessions ended');
    await ctx.auditor.record(request, {
      action: 'session.revoke',
      targetType: 'user',
      targetId: user.id,
      after: { username: user.username, reason },
      enterprise: user.enterpriseCode,
      region: user.regionCode,
    });
  };

  defineRoute(app, {
    method: 'PATCH',
    url: `${API}/users/:id`,
    scope: { kind: 'any', action: 'user.write' },
    summary:
      'Disable or re-enable a user, or change their role and scope (a role takes only the scope given with it); disabling and a new role or scope end their sessions (401 HW_API_SESSION_ENDED)',
    tags: ['users'],
    schema: {
      params: UserIdParams,
      querystring: NoQuery,
      body: Type.Object(
        {
          disabled: Type.Optional(Type.Boolean()),
          role: Type.Optional(RoleSchema),
          regionCode: Type.Optional(Type.Union([Code, Type.Null()])),
          enterpriseCode: Type.Optional(Type.Union([Code, Type.Null()])),
        },
        { ...closed, minProperties: 1 },
      ),
      response: { 200: UserSchema },
    },
    handler: async (request) => {
      const { id } = request.params;
      const body = request.body;
      const before = await ctx.users.byId(id);
      if (!before) throw notFound(id);
      let after: StoredUser = before;
      const regrants =
        body.role !== undefined || body.regionCode !== undefined || body.enterpriseCode !== undefined;
      if (regrants) {
        // A new role takes exactly the scope given with it; a scope alone keeps the role.
        const scope = (given: string | null | undefined, kept: string | null) =>
          given !== undefined ? given : body.role !== undefined ? null : kept;
        const grant = {
          role: body.role ?? before.role,
          regionCode: scope(body.regionCode, before.regionCode),
          enterpriseCode: scope(body.enterpriseCode, before.enterpriseCode),
        };
        const problem = grantProblem(grant.role, grant.regionCode, grant.enterpriseCode);
        if (problem !== undefined)
          throw apiErrors.create('HW_API_USER_INVALID', { username: before.username, problem });
        const changed =
          grant.role !== before.role ||
          grant.regionCode !== before.regionCode ||
          grant.enterpriseCode !== before.enterpriseCode;
        if (changed) {
          after = (await ctx.users.setGrant(id, grant, ctx.now())) ?? throwNotFound(id);
          await ctx.auditor.record(request, {
            action: 'user.update',
            targetType: 'user',
            targetId: id,
            before: publicUser(before),
            after: publicUser(after),
            enterprise: before.enterpriseCode,
            region: before.regionCode,
          });
          await ended(request, before, 'grant_changed');
        }
      }
      if (body.disabled !== undefined && body.disabled !== after.disabled) {
        const prior = after;
        after = (await ctx.users.setDisabled(id, body.disabled, ctx.now())) ?? throwNotFound(id);
        await ctx.auditor.record(request, {
          action: body.disabled ? 'user.disable' : 'user.enable',
          targetType: 'user',
          targetId: id,
          before: publicUser(prior),
          after: publicUser(after),
          enterprise: after.enterpriseCode,
          region: after.regionCode,
        });
        if (body.disabled) await ended(request, after, 'user_disabled');
      }
      return publicUser(after);
    },
  });

  defineRoute(app, {
    method: 'DELETE',
    url: `${API}/users/:id`,
    scope: { kind: 'any', action: 'user.write' },
    summary: 'Delete a user (their refresh tokens with them); their sessions end within seconds',
    tags: ['users'],
    schema: { params: UserIdParams, querystring: NoQuery, response: { 200: UserSchema } },
    handler: async (request) => {
      const { id } = request.params;
      const gone = await ctx.users.delete(id);
      if (!gone) throw notFound(id);
      await ctx.auditor.record(request, {
        action: 'user.delete',
        targetType: 'user',
        targetId: id,
        before: publicUser(gone),
        enterprise: gone.enterpriseCode,
        region: gone.regionCode,
      });
      await ended(request, gone, 'user_deleted');
      return publicUser(gone);
    },
  });
}

function throwNotFound(id: string): never {
  throw apiErrors.create('HW_API_NOT_FOUND', { kind: 'user', id });
}
