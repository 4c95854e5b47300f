import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import {
  DeviceBodySchema,
  DeviceTokenPairSchema,
  LoginBodySchema,
  MeSchema,
  RefreshBodySchema,
  TokenPairSchema,
  type LoginBody,
} from '@hazardwatch/contracts';
import type { TokenPair } from '../auth/auth-service.js';
import { clearDeviceToken, deviceTokenOf, setDeviceToken } from '../auth/device-cookie.js';
import { LoginBackoff } from '../auth/login-backoff.js';
import { apiErrors } from '../errors.js';
import { defineRoute } from '../http/route.js';
import { NoQuery } from '../http/schemas.js';
import { permissionsOf } from '../access/authority.js';
import { API, type RouteContext } from './context.js';

/**
 * Login (failures backed off per username and per address), refresh rotation, logout, and who am I;
 * the same three for a session kept on a device, its refresh token in an HttpOnly cookie
 * (auth/device-cookie.ts, docs/mobile.md §7).
 */
export function authRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const backoff = new LoginBackoff(ctx.settings.loginBackoff);
  /** A login, held back after failures, audited either way. */
  const signIn = async (request: FastifyRequest, { username, password }: LoginBody) => {
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
  };
  /** A rotation; a spent token presented again is audited (its family is revoked already). */
  const rotate = async (request: FastifyRequest, refreshToken: string) => {
    try {
      return (await ctx.auth.refresh(refreshToken)).tokens;
    } catch (error) {
      // A spent token presented again: stolen, or a client that lost an answer. The whole
      // family is revoked already; the log says whose, from where.
      if (apiErrors.is(error, 'HW_API_REFRESH_INVALID') && error.data['outcome'] === 'reused') {
        const userId = String(error.data['userId']);
        await recordFor(request, 'auth.refresh_reused', userId);
      }
      throw error;
    }
  };
  const signOut = async (request: FastifyRequest, refreshToken: string): Promise<void> => {
    const userId = await ctx.auth.logout(refreshToken);
    if (userId !== undefined) await recordFor(request, 'auth.logout', userId);
  };
  const recordFor = async (request: FastifyRequest, action: string, userId: string): Promise<void> => {
    const user = await ctx.users.byId(userId);
    await ctx.auditor.record(request, {
      action,
      targetType: 'user',
      targetId: userId,
      actor: user?.username ?? userId,
      enterprise: user?.enterpriseCode ?? null,
      region: user?.regionCode ?? null,
    });
  };

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
    handler: (request) => signIn(request, request.body),
  });

  defineRoute(app, {
    method: 'POST',
    url: `${API}/auth/refresh`,
    scope: { kind: 'public' },
    summary: 'Rotate a refresh token: the old one is spent, a new pair is returned',
    tags: ['auth'],
    schema: { querystring: NoQuery, body: RefreshBodySchema, response: { 200: TokenPairSchema } },
    handler: (request) => rotate(request, request.body.refreshToken),
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
      await signOut(request, request.body.refreshToken);
      return reply.status(204).send();
    },
  });

  /** The pair without its refresh token, which goes into the device's cookie instead. */
  const kept = (request: FastifyRequest, reply: FastifyReply, tokens: TokenPair) => {
    const { refreshToken, ...rest } = tokens;
    setDeviceToken(request, reply, refreshToken, tokens.refreshExpiresIn);
    return rest;
  };
  defineRoute(app, {
    method: 'POST',
    url: `${API}/auth/device/login`,
    scope: { kind: 'public' },
    summary:
      'Log in and keep the session on this device: the refresh token is set as an HttpOnly SameSite=Strict cookie, not answered',
    tags: ['auth'],
    schema: {
      querystring: NoQuery,
      body: LoginBodySchema,
      response: { 200: DeviceTokenPairSchema },
    },
    handler: async (request, reply) => kept(request, reply, await signIn(request, request.body)),
  });

  defineRoute(app, {
    method: 'POST',
    url: `${API}/auth/device/refresh`,
    scope: { kind: 'public' },
    summary: "Rotate the device's refresh token (its cookie): a new access token, the cookie replaced",
    tags: ['auth'],
    schema: { querystring: NoQuery, body: DeviceBodySchema, response: { 200: DeviceTokenPairSchema } },
    handler: async (request, reply) => {
      const token = deviceTokenOf(request);
      try {
        if (token === undefined) throw apiErrors.create('HW_API_REFRESH_INVALID', { outcome: 'no_cookie' });
        return kept(request, reply, await rotate(request, token));
      } catch (error) {
        // A refused token is dead for good (spent, revoked, expired, its user disabled): the
        // device forgets it. A server error keeps it for the next try.
        if (apiErrors.is(error, 'HW_API_REFRESH_INVALID')) clearDeviceToken(request, reply);
        throw error;
      }
    },
  });

  defineRoute(app, {
    method: 'POST',
    url: `${API}/auth/device/logout`,
    scope: { kind: 'public' },
    summary: "Sign out on this device: its cookie's refresh token family is revoked and the cookie cleared",
    tags: ['auth'],
    schema: {
      querystring: NoQuery,
      body: DeviceBodySchema,
      response: { 204: Type.Unsafe<void>({ description: 'no content' }) },
    },
    handler: async (request, reply) => {
      const token = deviceTokenOf(request);
      if (token !== undefined) await signOut(request, token);
      clearDeviceToken(request, reply);
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
