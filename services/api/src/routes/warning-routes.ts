import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import {
  WARNING_STATES,
  WarningActionBodySchemas,
  WarningActionResultSchema,
  WarningDetailSchema,
  WarningPageSchema,
  type WarningEvent,
} from '@hazardwatch/contracts';
import { queryWarnings, warningById } from '@hazardwatch/store';
import { apiErrors } from '../errors.js';
import { defineRoute } from '../http/route.js';
import {
  checkListFilters,
  closed,
  Code,
  ColourFilter,
  EpochMs,
  IdParams,
  NoQuery,
  Pagination,
} from '../http/schemas.js';
import { alarmControlOf, answerControl } from './alarm-routes.js';
import { API, type RouteContext } from './context.js';

/** 预警: lists, one warning with its events, and the handling loop sign → feedback → close. */
export function warningRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const tags = ['warnings'];
  const control = () => alarmControlOf(ctx);

  defineRoute(app, {
    method: 'GET',
    url: `${API}/warnings`,
    scope: { kind: 'any', action: 'warning.read' },
    summary:
      '预警 in the caller’s scope (open only by default), filtered by region, enterprise, hazard, colour, state, time',
    tags,
    schema: {
      querystring: Type.Object(
        {
          open: Type.Boolean({ default: true }),
          region: Type.Optional(Code),
          enterprise: Type.Optional(Code),
          hazard: Type.Optional(Code),
          colour: Type.Optional(Type.Array(ColourFilter, { maxItems: 4 })),
          state: Type.Optional(
            Type.Array(Type.Union(WARNING_STATES.map((s) => Type.Literal(s))), { maxItems: 4 }),
          ),
          from: Type.Optional(EpochMs('from')),
          to: Type.Optional(EpochMs('to')),
          ...Pagination,
        },
        closed,
      ),
      response: { 200: WarningPageSchema },
    },
    handler: async (request) => {
      const q = request.query;
      checkListFilters(q);
      const { items, total } = await queryWarnings(ctx.client, {
        openOnly: q.open,
        enterprises: request.access!.enterpriseFilter({ region: q.region, enterprise: q.enterprise }),
        hazard: q.hazard,
        colours: q.colour,
        states: q.state,
        fromMs: q.from,
        toMs: q.to,
        limit: q.limit,
        offset: q.offset,
      });
      return { items, total, limit: q.limit, offset: q.offset };
    },
  });

  defineRoute(app, {
    method: 'GET',
    url: `${API}/warnings/:id`,
    scope: { kind: 'warning', param: 'id', action: 'warning.read' },
    summary: 'One 预警 with its append-only events',
    tags,
    schema: { params: IdParams, querystring: NoQuery, response: { 200: WarningDetailSchema } },
    handler: async (request) => {
      const warning = await warningById(ctx.client, request.params.id);
      if (!warning) throw apiErrors.create('HW_API_NOT_FOUND', { kind: 'warning', id: request.params.id });
      const events: WarningEvent[] = await ctx.warnings.events(request.params.id);
      return { ...warning, events };
    },
  });

  defineRoute(app, {
    method: 'POST',
    url: `${API}/warnings/:id/sign`,
    scope: { kind: 'warning', param: 'id', action: 'warning.sign' },
    summary: '签收: sign for a 预警',
    tags,
    schema: {
      params: IdParams,
      querystring: NoQuery,
      body: WarningActionBodySchemas.sign,
      response: { 200: WarningActionResultSchema },
    },
    handler: async (request) => {
      const outcome = await control().signWarning(request.params.id, request.principal!.username);
      const { after } = await answerControl(ctx, request, outcome, {
        action: 'warning.sign',
        targetType: 'warning',
        targetId: request.params.id,
      });
      return { id: request.params.id, warning: after };
    },
  });

  defineRoute(app, {
    method: 'POST',
    url: `${API}/warnings/:id/feedback`,
    scope: { kind: 'warning', param: 'id', action: 'warning.feedback' },
    summary: '处置反馈: handling feedback (text required)',
    tags,
    schema: {
      params: IdParams,
      querystring: NoQuery,
      body: WarningActionBodySchemas.feedback,
      response: { 200: WarningActionResultSchema },
    },
    handler: async (request) => {
      const outcome = await control().feedbackWarning(
        request.params.id,
        request.principal!.username,
        request.body.text,
      );
      const { after } = await answerControl(ctx, request, outcome, {
        action: 'warning.feedback',
        targetType: 'warning',
        targetId: request.params.id,
        detail: { text: request.body.text },
      });
      return { id: request.params.id, warning: after };
    },
  });

  defineRoute(app, {
    method: 'POST',
    url: `${API}/warnings/:id/close`,
    scope: { kind: 'warning', param: 'id', action: 'warning.close' },
    summary: '消警: close; with a reason it may be forced while the cause is active',
    tags,
    schema: {
      params: IdParams,
      querystring: NoQuery,
      body: WarningActionBodySchemas.close,
      response: { 200: WarningActionResultSchema },
    },
    handler: async (request) => {
      const outcome = await control().closeWarning(
        request.params.id,
        request.principal!.username,
        request.body.reason,
      );
      const { after } = await answerControl(ctx, request, outcome, {
        action: 'warning.close',
        targetType: 'warning',
        targetId: request.params.id,
        ...(request.body.reason !== undefined ? { detail: { reason: request.body.reason } } : {}),
      });
      return { id: request.params.id, warning: after };
    },
  });
}
