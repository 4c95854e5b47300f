import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { LoginBodySchema, MeSchema, RefreshBodySchema, TokenPairSchema } from '@hazardwatch/contracts';
import { LoginBackoff } from '../auth/login-backoff.js';
import { apiErrors } from '../errors.js';
import { defineRoute } from '../http/route.js';
import { NoQuery } from '../http/schemas.js';
import { permissionsOf } from '../access/authority.js';
import { API, type RouteContext } from './context.js';

/** Login (failures backed off per username and per address), refresh rotation, logout, and who am I. */
export function authRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const backoff = new LoginBackoff(ctx.settings.loginBackoff);
  defineRoute(app, {
    method: 'POST',
    url: `${API}/auth/login`,
    scope: { kind: 'public' },
    summary: 'Exchange username and password for an access token and a refresh token',
    tags: ['auth'],
    schema: {
      querystring: NoQuery,
      body: LoginBodySchema,
      response: { 200: TokenPairSchema },
    },
    handler: async (request) => {
      const { username, password } = request.body;
      const attempt = backoff.begin(username, request.ip, ctx.now());
      if (!attempt.ok) {
        request.log.warn({ username, by: attempt.by, retryAfterMs: attempt.retryAfterMs }, 'login held back');
        throw apiErrors.create('HW_API_RATE_LIMITED', {
          retryAfterSec: Math.ceil(attempt.retryAfterMs / 1000),
        });
      }
      try {
        const { user, tokens } = await ctx.auth.login(username, password);
        attempt.succeeded();
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
    schema: { querystring: NoQuery, body: RefreshBodySchema, response: { 200: TokenPairSchema } },
    handler: async (request) => {
      try {
        return (await ctx.auth.refresh(request.body.refreshToken)).tokens;
      } catch (error) {
        // A spent token presented again: stolen, or a client that lost an answer. The whole
        // family is revoked already; the log says whose, from where.
        if (apiErrors.is(error, 'HW_API_REFRESH_INVALID') && error.data['outcome'] === 'reused') {
          const userId = String(error.data['userId']);
          const user = await ctx.users.byId(userId);
          await ctx.auditor.record(request, {
            action: 'auth.refresh_reused',
            targetType: 'user',
            targetId: userId,
            actor: user?.username ?? userId,
            enterprise: user?.enterpriseCode ?? null,
            region: user?.regionCode ?? null,
          });
        }
        throw error;
      }
    },
  });

  defineRoute(app, {
    method: 'POST',
    url: `${API}/auth/logout`,
    scope: { kind: 'public' },
    summary: 'Revoke a refresh token and every token rotated from the same login',
    tags: ['auth'],
    schema: {
      querystring: NoQuery,
      body: RefreshBodySchema,
      response: { 204: Type.Unsafe<void>({ description: 'no content' }) },
    },
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
    scope: { kind: 'any', action: 'session.self' },
    summary:
      'The caller as the access token describes them, with its role in the authority table and its verdict on every action (permissions)',
    tags: ['auth'],
    schema: { querystring: NoQuery, response: { 200: MeSchema } },
    handler: (request) => {
      const access = request.access!;
      const authorityRole = access.authorityRole;
      return {
        ...access.principal,
        authorityRole,
        permissions: permissionsOf(ctx.authority, authorityRole),
      };
    },
  });
}
