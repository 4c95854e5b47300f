import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { USER_ROLES } from '@hazardwatch/store';
import { publicUser } from '../auth/auth-service.js';
import { createUser, USERNAME_PATTERN } from '../auth/create-user.js';
import { apiErrors } from '../errors.js';
import { defineRoute } from '../http/route.js';
import { closed, Code, NoQuery, Page, Pagination, UserIdParams } from '../http/schemas.js';
import { UserSchema } from './auth-routes.js';
import { API, type RouteContext } from './context.js';

/** User administration (admins only); every change is audited. */
export function userRoutes(app: FastifyInstance, ctx: RouteContext): void {
  defineRoute(app, {
    method: 'GET',
    url: `${API}/users`,
    scope: { kind: 'admin' },
    summary: 'List users',
    tags: ['users'],
    schema: { querystring: Type.Object(Pagination, closed), response: { 200: Page(UserSchema) } },
    handler: async (request) => {
      const { limit, offset } = request.query;
      const { items, total } = await ctx.users.list({ limit, offset });
      return { items: items.map(publicUser), total, limit, offset };
    },
  });

  defineRoute(app, {
    method: 'POST',
    url: `${API}/users`,
    scope: { kind: 'admin', write: true },
    summary: 'Create a user with a role and scope',
    tags: ['users'],
    schema: {
      querystring: NoQuery,
      body: Type.Object(
        {
          username: Type.String({ pattern: USERNAME_PATTERN }),
          password: Type.String({ minLength: 1, maxLength: 1024 }),
          role: Type.Union(USER_ROLES.map((r) => Type.Literal(r))),
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

  defineRoute(app, {
    method: 'PATCH',
    url: `${API}/users/:id`,
    scope: { kind: 'admin', write: true },
    summary: 'Disable or re-enable a user (disabling revokes their refresh tokens)',
    tags: ['users'],
    schema: {
      params: UserIdParams,
      querystring: NoQuery,
      body: Type.Object({ disabled: Type.Boolean() }, closed),
      response: { 200: UserSchema },
    },
    handler: async (request) => {
      const before = await ctx.users.byId(request.params.id);
      const after = await ctx.users.setDisabled(request.params.id, request.body.disabled, ctx.now());
      if (!before || !after)
        throw apiErrors.create('HW_API_NOT_FOUND', { kind: 'user', id: request.params.id });
      await ctx.auditor.record(request, {
        action: request.body.disabled ? 'user.disable' : 'user.enable',
        targetType: 'user',
        targetId: after.id,
        before: publicUser(before),
        after: publicUser(after),
        enterprise: after.enterpriseCode,
        region: after.regionCode,
      });
      return publicUser(after);
    },
  });
}
