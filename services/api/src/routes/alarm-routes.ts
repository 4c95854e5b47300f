import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import {
  ALARM_CONDITIONS,
  AlarmActionBodySchemas,
  AlarmActionResultSchema,
  AlarmDetailSchema,
  AlarmPageSchema,
  HornSilenceBodySchema,
  HornSilenceResultSchema,
  SiteEditPendingSchema,
  type AlarmAction,
  type AlarmActionVerb,
  type AlarmActionOutcome,
  type AlarmState,
  type WarningColour,
} from '@hazardwatch/contracts';
import { HazardWatchError } from '@hazardwatch/kit';
import { alarmById, alarmEvents, deliveriesOf, queryAlarms } from '@hazardwatch/store';
import { verdictOf } from '../access/authority.js';
import { alarmChangeKind, alarmChangeLine, type AlarmChangeEdit } from '../alarm-changes.js';
import type { AlarmActionRequest, AlarmControl } from '../alarm-control.js';
import { apiErrors } from '../errors.js';
import { defineRoute } from '../http/route.js';
import {
  AlarmStateFilter,
  checkListFilters,
  closed,
  Code,
  ColourFilter,
  EpochMs,
  IdParams,
  NoQuery,
  Pagination,
} from '../http/schemas.js';
import { API, type RouteContext } from './context.js';

/** REST verb → ISA-18.2 operator action; the body each takes is the contract's. */
const ACTIONS: ReadonlyArray<{ path: AlarmActionVerb; action: AlarmAction; summary: string }> = [
  { path: 'ack', action: 'ack', summary: 'Acknowledge' },
  {
    path: 'shelve',
    action: 'shelve',
    summary: 'Shelve with a reason and an expiry (REFERENCE §8 item 16)',
  },
  { path: 'unshelve', action: 'unshelve', summary: 'Unshelve' },
  {
    path: 'oos',
    action: 'remove_from_service',
    summary: 'Take out of service (maintenance), with a reason',
  },
  { path: 'return', action: 'return_to_service', summary: 'Return to service' },
  { path: 'comment', action: 'comment', summary: 'Add a comment to the alarm journal' },
];

const AlarmFilters = {
  region: Type.Optional(Code),
  enterprise: Type.Optional(Code),
  hazard: Type.Optional(Code),
  colour: Type.Optional(Type.Array(ColourFilter, { maxItems: 4 })),
  state: Type.Optional(Type.Array(AlarmStateFilter, { maxItems: 7 })),
  condition: Type.Optional(
    Type.Array(Type.Union(ALARM_CONDITIONS.map((c) => Type.Literal(c))), {
      maxItems: ALARM_CONDITIONS.length,
    }),
  ),
  ...Pagination,
};

/** The alarm engine's control, or HW_API_ALARM_CONTROL_UNAVAILABLE where this API has none. */
export function alarmControlOf(ctx: RouteContext): AlarmControl {
  if (!ctx.alarmControl) throw apiErrors.create('HW_API_ALARM_CONTROL_UNAVAILABLE', {});
  return ctx.alarmControl;
}

/** Replies with the engine's coded refusal, or audits the action and returns the new record. */
export async function answerControl(
  ctx: RouteContext,
  request: FastifyRequest,
  outcome: AlarmActionOutcome,
  audit: { action: string; targetType: string; targetId: string; detail?: Record<string, unknown> },
): Promise<{ ok: true; after: unknown }> {
  if (!outcome.ok) {
    const status = outcome.error.status ?? 409;
    // The engine's own code and message (bad input, wrong state), never an internal error.
    throw new HazardWatchError(outcome.error.code, outcome.error.message, {}, false, status);
  }
  await ctx.auditor.record(request, {
    action: audit.action,
    targetType: audit.targetType,
    targetId: audit.targetId,
    before: outcome.before,
    after: audit.detail ? { record: outcome.after, ...audit.detail } : outcome.after,
  });
  return { ok: true, after: outcome.after };
}

/** Active and historical alarms, one alarm with its journal, and operator actions. */
export function alarmRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const tags = ['alarms'];
  const list = async (openOnly: boolean, request: FastifyRequest) => {
    const q = request.query as {
      region?: string;
      enterprise?: string;
      hazard?: string;
      colour?: WarningColour[];
      state?: AlarmState[];
      condition?: (typeof ALARM_CONDITIONS)[number][];
      from?: number;
      to?: number;
      limit: number;
      offset: number;
    };
    checkListFilters(q);
    const site = ctx.site();
    const enterprises = request.access!.enterpriseFilter({ region: q.region, enterprise: q.enterprise });
    const pointIds =
      q.hazard !== undefined && q.enterprise !== undefined
        ? (site?.pointsOfHazard(q.enterprise, q.hazard).map((p) => p.id) ?? [])
        : null;
    const { items, total } = await queryAlarms(ctx.client, site, {
      openOnly,
      enterprises,
      pointIds,
      colours: q.colour,
      states: q.state,
      conditions: q.condition,
      fromMs: q.from,
      toMs: q.to,
      limit: q.limit,
      offset: q.offset,
    });
    return { items, total, limit: q.limit, offset: q.offset };
  };

  defineRoute(app, {
    method: 'GET',
    url: `${API}/alarms/active`,
    scope: { kind: 'any', action: 'alarm.read' },
    summary:
      'Open alarms in the caller’s scope, filtered by region subtree, enterprise, hazard, colour, state, condition',
    tags,
    schema: { querystring: Type.Object(AlarmFilters, closed), response: { 200: AlarmPageSchema } },
    handler: (request) => list(true, request),
  });

  defineRoute(app, {
    method: 'GET',
    url: `${API}/alarms`,
    scope: { kind: 'any', action: 'alarm.read' },
    summary: 'Alarms (open and closed) standing at some time in [from, to)',
    tags,
    schema: {
      querystring: Type.Object(
        { ...AlarmFilters, from: Type.Optional(EpochMs('from')), to: Type.Optional(EpochMs('to')) },
        closed,
      ),
      response: { 200: AlarmPageSchema },
    },
    handler: (request) => list(false, request),
  });

  defineRoute(app, {
    method: 'GET',
    url: `${API}/alarms/:id`,
    scope: { kind: 'alarm', param: 'id', action: 'alarm.read' },
    summary: 'One alarm with its append-only journal',
    tags,
    schema: { params: IdParams, querystring: NoQuery, response: { 200: AlarmDetailSchema } },
    handler: async (request) => {
      const alarm = await alarmById(ctx.client, ctx.site(), request.params.id);
      if (!alarm) throw apiErrors.create('HW_API_NOT_FOUND', { kind: 'alarm', id: request.params.id });
      const [events, deliveries] = await Promise.all([
        alarmEvents(ctx.client, request.params.id),
        deliveriesOf(ctx.client, { alarmId: request.params.id }),
      ]);
      return { ...alarm, events, fireControl: deliveries.some((d) => d.kind === 'fire_control'), deliveries };
    },
  });

  // Static, so it is never taken for the alarm id `horn` of /alarms/:id/<verb>.
  defineRoute(app, {
    method: 'POST',
    url: `${API}/alarms/horn/silence`,
    scope: { kind: 'any', action: 'alarm.horn.silence' },
    summary:
      'The console’s horn was silenced over the red/orange alarms awaiting acknowledgement: audited with user and time; acknowledges nothing (issue #21)',
    tags,
    schema: { querystring: NoQuery, body: HornSilenceBodySchema, response: { 200: HornSilenceResultSchema } },
    handler: async (request) => {
      const { sounding, alarms } = request.body;
      const at = ctx.now();
      // Scoped as the caller (its enterprise, or its region for a regulator): the horn is a console's.
      await ctx.auditor.record(request, {
        action: 'alarm.horn.silence',
        targetType: 'horn',
        targetId: null,
        after: { sounding, alarms: alarms ?? [] },
      });
      return { at, sounding };
    },
  });

  for (const a of ACTIONS) {
    defineRoute(app, {
      method: 'POST',
      url: `${API}/alarms/:id/${a.path}`,
      scope: { kind: 'alarm', param: 'id', action: `alarm.${a.path}` },
      summary: a.summary,
      tags,
      schema: {
        params: IdParams,
        querystring: NoQuery,
        body: AlarmActionBodySchemas[a.path],
        response: { 200: AlarmActionResultSchema, 202: SiteEditPendingSchema },
      },
      handler: async (request, reply) => {
        const control = alarmControlOf(ctx);
        const body = request.body as { comment?: string; reason?: string; text?: string; until?: number };
        const reason = body.reason ?? body.text ?? body.comment;
        const req: AlarmActionRequest = {
          action: a.action,
          actor: request.principal!.username,
          ...(reason !== undefined ? { reason } : {}),
          ...(body.until !== undefined ? { untilMs: body.until } : {}),
        };
        // Long shelving and out-of-service weaken monitoring (issue #19): decided per kind, kept
        // on record for the regulator. An alarm outside the site model (admins only) has no
        // enterprise to record it under.
        const kind = alarmChangeKind(a.action, body.until, ctx.now(), ctx.settings.shelveNoticeAfterMs);
        const enterprise = request.target?.enterprise ?? null;
        const role = request.access!.authorityRole;
        const verdict = kind === null ? 'allow' : verdictOf(ctx.authority, kind, role);
        if (verdict === 'refuse')
          throw apiErrors.create('HW_API_FORBIDDEN', {
            reason: `${role} may not ${kind}`,
            action: kind,
            role,
          });
        const record = (status: 'applied' | 'pending', before: unknown, after: unknown) =>
          ctx.changes.record({
            enterprise: enterprise!,
            region: request.target?.region ?? null,
            targetType: 'alarm',
            targetId: request.params.id,
            lines: [alarmChangeLine(kind!, before, body.until)],
            before,
            after,
            edit:
              status === 'pending'
                ? ({ alarm: request.params.id, request: req } satisfies AlarmChangeEdit)
                : null,
            reason: reason ?? '',
            requestedBy: request.principal!.username,
            requestedRole: role,
            requestedAt: ctx.now(),
            status,
            siteVersion: null,
          });
        if (kind !== null && verdict === 'approval' && enterprise !== null) {
          const current = await alarmById(ctx.client, ctx.site(), request.params.id);
          const change = await record('pending', current ?? null, null);
          await ctx.auditor.record(request, {
            action: 'change.request',
            targetType: 'change',
            targetId: change.id,
            after: change,
          });
          return reply.status(202).send({ change });
        }
        const outcome = await control.act(request.params.id, req);
        const { after } = await answerControl(ctx, request, outcome, {
          action: `alarm.${a.path}`,
          targetType: 'alarm',
          targetId: request.params.id,
          ...(reason !== undefined ? { detail: { reason } } : {}),
        });
        if (kind !== null && enterprise !== null && outcome.ok)
          await record('applied', outcome.before, after);
        return reply.status(200).send({ id: request.params.id, action: a.action, alarm: after });
      },
    });
  }
}
