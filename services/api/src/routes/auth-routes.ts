import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { apiErrors } from '../errors.js';
import { defineRoute } from '../http/route.js';
import { closed, NoQuery } from '../http/schemas.js';
import { API, type RouteContext } from './context.js';

const UserSchema = Type.Object({
  id: Type.String(),
  username: Type.String(),
  role: Type.String(),
  regionCode: Type.Union([Type.String(), Type.Null()]),
  enterpriseCode: Type.Union([Type.String(), Type.Null()]),
  disabled: Type.Boolean(),
});
const TokenPairSchema = Type.Object({
  accessToken: Type.String(),
  tokenType: Type.Literal('Bearer'),
  expiresIn: Type.Integer({ description: 'seconds' }),
  refreshToken: Type.String(),
  refreshExpiresIn: Type.Integer({ description: 'seconds' }),
  user: UserSchema,
});
const RefreshBody = Type.Object({ refreshToken: Type.String({ minLength: 1, maxLength: 256 }) }, closed);

export { UserSchema };

/** Login (rate-limited per address and username), refresh rotation, logout, and who am I. */
export function authRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { max, windowMs } = ctx.settings.loginRateLimit;
  defineRoute(app, {
    method: 'POST',
    url: `${API}/auth/login`,
    scope: { kind: 'public' },
    summary: 'Exchange username and password for an access token and a refresh token',
    tags: ['auth'],
    config: {
      rateLimit: {
        max,
        timeWindow: windowMs,
        // Per address and username: one user's lockout does not lock out a whole control room.
        keyGenerator: (request: { ip: string; body?: unknown }) => {
          const username = (request.body as { username?: unknown } | undefined)?.username;
          return `${request.ip}|${typeof username === 'string' ? username : ''}`;
        },
      },
    },
    schema: {
      querystring: NoQuery,
      body: Type.Object(
        {
          username: Type.String({ minLength: 1, maxLength: 64 }),
          password: Type.String({ minLength: 1, maxLength: 1024 }),
        },
        closed,
      ),
      response: { 200: TokenPairSchema },
    },
    handler: async (request) => {
      const { username, password } = request.body;
      try {
        const { user, tokens } = await ctx.auth.login(username, password);
        await ctx.auditor.record(request, {
          action: 'auth.login',
          targetType: 'user',
          targetId: user.id,
          actor: user.username,
          enterprise: user.enterpriseCode,
          region: user.regionCode,
        });
        return tokens;
      } catch (error) {
        if (apiErrors.is(error, 'HW_API_LOGIN_FAILED')) {
          await ctx.auditor.record(request, {
            action: 'auth.login_failed',
            targetType: 'user',
            targetId: null,
            actor: username,
            enterprise: null,
            region: null,
          });
        }
        throw error;
      }
    },
  });

  defineRoute(app, {
    method: 'POST',
    url: `${API}/auth/refresh`,
    scope: { kind: 'public' },
    summary: 'Rotate a refresh token: the old one is spent, a new pair is returned',
    tags: ['auth'],
    schema: { querystring: NoQuery, body: RefreshBody, response: { 200: TokenPairSchema } },
    handler: async (request) => (await ctx.auth.refresh(request.body.refreshToken)).tokens,
  });

  defineRoute(app, {
    method: 'POST',
    url: `${API}/auth/logout`,
    scope: { kind: 'public' },
    summary: 'Revoke a refresh token and every token rotated from the same login',
    tags: ['auth'],
    schema: { querystring: NoQuery, body: RefreshBody },
    handler: async (request, reply) => {
      const userId = await ctx.auth.logout(request.body.refreshToken);
      if (userId !== undefined) {
        const user = await ctx.users.byId(userId);
        await ctx.auditor.record(request, {
          action: 'auth.logout',
          targetType: 'user',
          targetId: userId,
          actor: user?.username ?? userId,
          enterprise: user?.enterpriseCode ?? null,
          region: user?.regionCode ?? null,
        });
      }
      return reply.status(204).send();
    },
  });

  defineRoute(app, {
    method: 'GET',
    url: `${API}/auth/me`,
    scope: { kind: 'any' },
    summary: 'The caller as the access token describes them',
    tags: ['auth'],
    schema: { querystring: NoQuery },
    handler: (request) => request.principal,
  });
}
