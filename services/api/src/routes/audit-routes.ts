import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { AuditPageSchema } from '@hazardwatch/contracts';
import { defineRoute } from '../http/route.js';
import { checkRange, closed, EpochMs, Pagination } from '../http/schemas.js';
import { API, type RouteContext } from './context.js';

/** The audit log: admins read everything, regulators the entries of their subtree. */
export function auditRoutes(app: FastifyInstance, ctx: RouteContext): void {
  defineRoute(app, {
    method: 'GET',
    url: `${API}/audit`,
    scope: { kind: 'any', action: 'audit.read' },
    summary: 'Audit entries, newest first',
    tags: ['audit'],
    schema: {
      querystring: Type.Object(
        {
          from: Type.Optional(EpochMs('from')),
          to: Type.Optional(EpochMs('to')),
          actor: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
          action: Type.Optional(
            Type.String({
              minLength: 1,
              maxLength: 64,
              description: 'exact action, or a prefix ending in "." (alarm.)',
            }),
          ),
          targetType: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })),
          targetId: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
          ...Pagination,
        },
        closed,
      ),
      response: { 200: AuditPageSchema },
    },
    handler: async (request) => {
      const q = request.query;
      const access = request.access!;
      checkRange(q.from, q.to);
      const { items, total } = await ctx.auditRepository.query({
        ...(q.from !== undefined ? { fromMs: q.from } : {}),
        ...(q.to !== undefined ? { toMs: q.to } : {}),
        ...(q.actor !== undefined ? { actor: q.actor } : {}),
        ...(q.action !== undefined ? { action: q.action } : {}),
        ...(q.targetType !== undefined ? { targetType: q.targetType } : {}),
        ...(q.targetId !== undefined ? { targetId: q.targetId } : {}),
        ...(access.isAdmin
          ? {}
          : { within: { regions: access.regions(), enterprises: access.enterprises() } }),
        limit: q.limit,
        offset: q.offset,
      });
      return { items, total, limit: q.limit, offset: q.offset };
    },
  });
}
