import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type, type TSchema } from '@sinclair/typebox';
import {
  WARNING_STATES,
  WarningActionBodySchemas,
  WarningActionResultSchema,
  WarningDetailSchema,
  WarningPageSchema,
  WarningRecordPageSchema,
  type AlarmActionOutcome,
  type WarningAction,
  type WarningActionBodies,
  type WarningCause,
  type WarningDetail,
  type WarningRow,
} from '@hazardwatch/contracts';
import { warningDeadlines, warningStepsFor, type WarningPolicy } from '@hazardwatch/core';
import { deliveriesOf, queryWarnings, warningById, warningCauses } from '@hazardwatch/store';
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
import type { WarningCaller } from '../alarm-control.js';
import { API, type RouteContext } from './context.js';
import { verdictOf } from '../access/authority.js';
import { partyOfRole, warningPartyOf } from './warning-party.js';

/** The caller as the desk sees it: username and side. */
const callerOf = (request: FastifyRequest) => ({
  actor: request.principal!.username,
  party: warningPartyOf(request.access!),
});

/**
 * The actions this caller may take on the 预警 now: the desk's rule for the caller's side (core
 * warningStepsFor, the rule the desk refuses by) and the authority table's `allow` on
 * warning.<action> — the two checks a POST passes through.
 */
function stepsOf(
  request: FastifyRequest,
  ctx: RouteContext,
  policy: WarningPolicy,
  w: WarningRow,
): WarningAction[] {
  const role = request.access!.authorityRole;
  const party = partyOfRole(role);
  if (party === null || w.state === 'closed') return [];
  const record = { id: w.id, state: w.state, colour: w.colour, level: w.level ?? 'enterprise' };
  return warningStepsFor(record, party, policy).filter(
    (action) => verdictOf(ctx.authority, `warning.${action}`, role) === 'allow',
  );
}

/** Whole 预警 records answered in one list (GET /warnings/records). */
const RECORDS_MAX = 50;

/**
 * The whole record of one 预警 for this caller: its causes (value, limit, the point's tag, name and
 * unit), deadlines per step, deliveries, events, the colour's closing rule and the caller's steps.
 */
async function recordOf(
  request: FastifyRequest,
  ctx: RouteContext,
  warning: WarningRow,
): Promise<WarningDetail> {
  const [events, deliveries] = await Promise.all([
    ctx.warnings.events(warning.id),
    deliveriesOf(ctx.client, { warningId: warning.id }),
  ]);
  const causeIds = [...new Set(events.flatMap((e) => e.causeAlarmIds))];
  const site = ctx.site();
  const causes: WarningCause[] = (await warningCauses(ctx.client, causeIds)).map((c) => {
    const point = c.pointId === null ? undefined : site?.pointById(c.pointId);
    return { ...c, tag: point?.tag ?? null, name: point?.name ?? null, unit: point?.unit ?? null };
  });
  const policy = ctx.warningPolicy;
  const deadlines = warningDeadlines(events, warning.colour, policy, warning.closedAt ?? ctx.now());
  return {
    ...warning,
    closing: policy.closing[warning.colour],
    steps: stepsOf(request, ctx, policy, warning),
    causes,
    deadlines,
    deliveries,
    events,
  };
}

/**
 * 预警: lists of open and closed ones, the whole record of one (causes, deadlines, deliveries,
 * events), and the loop 签收 → 处置反馈 → 督办 / 核查 → 消警 (docs/warnings.md).
 */
export function warningRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const tags = ['warnings'];
  const control = () => alarmControlOf(ctx);

  defineRoute(app, {
    method: 'GET',
    url: `${API}/warnings`,
    scope: { kind: 'any', action: 'warning.read' },
    summary:
      '预警 in the caller’s scope, newest first: open (default), closed or all; filtered by region, enterprise, hazard, colour, state, time',
    tags,
    schema: {
      querystring: Type.Object(
        {
          /** Kept for older callers: false = open and closed. `status` decides when given. */
          open: Type.Optional(Type.Boolean()),
          status: Type.Optional(
            Type.Union([Type.Literal('open'), Type.Literal('closed'), Type.Literal('all')]),
          ),
          region: Type.Optional(Code),
          enterprise: Type.Optional(Code),
          hazard: Type.Optional(Code),
          colour: Type.Optional(Type.Array(ColourFilter, { maxItems: 4 })),
          state: Type.Optional(
            Type.Array(Type.Union(WARNING_STATES.map((s) => Type.Literal(s))), {
              maxItems: WARNING_STATES.length,
            }),
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
      // A state filter decides by itself (state=closed lists the closed ones: issue #19, "closed
      // 预警 disappear from the lists"); otherwise open only unless asked.
      const status =
        q.status ?? (q.open === false || (q.open === undefined && q.state !== undefined) ? 'all' : 'open');
      const { items, total } = await queryWarnings(ctx.client, {
        status,
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
    url: `${API}/warnings/records`,
    scope: { kind: 'any', action: 'warning.read' },
    summary:
      'The whole records of the 预警 in the caller’s scope, newest first (open by default): what GET /warnings/:id answers, for a list in one request',
    tags,
    schema: {
      querystring: Type.Object(
        {
          status: Type.Optional(
            Type.Union([Type.Literal('open'), Type.Literal('closed'), Type.Literal('all')]),
          ),
          region: Type.Optional(Code),
          enterprise: Type.Optional(Code),
          /** Whole records are heavier than rows: at most RECORDS_MAX a page. @default 20 */
          limit: Type.Integer({ minimum: 1, maximum: RECORDS_MAX, default: 20 }),
          offset: Pagination.offset,
        },
        closed,
      ),
      response: { 200: WarningRecordPageSchema },
    },
    handler: async (request) => {
      const q = request.query;
      const { items, total } = await queryWarnings(ctx.client, {
        status: q.status ?? 'open',
        enterprises: request.access!.enterpriseFilter({ region: q.region, enterprise: q.enterprise }),
        limit: q.limit,
        offset: q.offset,
      });
      const records = await Promise.all(items.map((w) => recordOf(request, ctx, w)));
      return { items: records, total, limit: q.limit, offset: q.offset };
    },
  });

  defineRoute(app, {
    method: 'GET',
    url: `${API}/warnings/:id`,
    scope: { kind: 'warning', param: 'id', action: 'warning.read' },
    summary:
      'The whole 预警 record: causes (value, limit), deadlines per step, deliveries per recipient and channel, every event',
    tags,
    schema: { params: IdParams, querystring: NoQuery, response: { 200: WarningDetailSchema } },
    handler: async (request): Promise<WarningDetail> => {
      const id = request.params.id;
      const warning = await warningById(ctx.client, id);
      if (!warning) throw apiErrors.create('HW_API_NOT_FOUND', { kind: 'warning', id });
      return recordOf(request, ctx, warning);
    },
  });

  /**
   * One POST /warnings/:id/<action>: the engine takes the step for the caller (username, side);
   * its answer is audited as warning.<action> with what the caller sent (the body, when any).
   */
  const step = <A extends WarningAction>(
    action: A,
    summary: string,
    take: (id: string, caller: WarningCaller, body: WarningActionBodies[A]) => Promise<AlarmActionOutcome>,
  ): void => {
    // Widened: the generic schema's Static is too deep for tsc; the handler types the body.
    const body: TSchema = WarningActionBodySchemas[action];
    defineRoute(app, {
      method: 'POST',
      url: `${API}/warnings/:id/${action}`,
      scope: { kind: 'warning', param: 'id', action: `warning.${action}` },
      summary,
      tags,
      schema: {
        params: IdParams,
        querystring: NoQuery,
        body,
        response: { 200: WarningActionResultSchema },
      },
      handler: async (request) => {
        const id = request.params.id;
        // Validated by the action's closed body schema: exactly its fields.
        const sent = request.body as WarningActionBodies[A];
        const outcome = await take(id, callerOf(request), sent);
        const { after } = await answerControl(ctx, request, outcome, {
          action: `warning.${action}`,
          targetType: 'warning',
          targetId: id,
          ...(Object.keys(sent).length > 0 ? { detail: { ...sent } } : {}),
        });
        return { id, warning: after };
      },
    });
  };

  step('sign', '签收: sign for a 预警', (id, caller) => control().signWarning(id, caller));
  step('feedback', '处置反馈: handling feedback (text required)', (id, caller, b) =>
    control().feedbackWarning(id, caller, b.text),
  );
  step(
    'urge',
    '督办: a regulator’s note and deadline (ms UTC, in the future); overdue without new feedback',
    (id, caller, b) => control().urgeWarning(id, caller, b.text, b.deadline),
  );
  step('verify', '核查: a regulator verifies the enterprise’s handling feedback', (id, caller, b) =>
    control().verifyWarning(id, caller, b.text),
  );
  step(
    'close',
    '消警 by the colour’s closing rule (red/orange: a regulator after verification; yellow/blue: the enterprise after feedback); a reason is needed while the cause is active',
    (id, caller, b) => control().closeWarning(id, caller, b.reason),
  );
}
