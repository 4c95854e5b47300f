import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import {
  HANDOVER_STATUSES,
  HandoverAcceptBodySchema,
  HandoverCreateBodySchema,
  HandoverPageSchema,
  HandoverPreviewSchema,
  HandoverSchema,
  type Handover,
  type HandoverDesk,
} from '@hazardwatch/contracts';
import { HandoverRepository } from '@hazardwatch/store';
import { apiErrors } from '../errors.js';
import { deskName, deskOf, deskRegion, sameDesk, seesHandover, takeSnapshot } from '../handover-desk.js';
import { defineRoute } from '../http/route.js';
import { checkRange, closed, Code, EpochMs, Pagination } from '../http/schemas.js';
import { API, type RouteContext } from './context.js';

const HandoverParams = Type.Object({ id: Type.String({ pattern: '^[0-9]{1,18}$' }) }, closed);

/**
 * The shift handover log, 交接班记录 (issue #21; docs/handover.md). The outgoing person on duty
 * hands the own desk over with notes, and the server records what is open in the desk's scope;
 * another person of the same desk accepts it. Records are scoped like their desk: an enterprise
 * desk's by its enterprise (and the region stored on it), a region desk's by the region subtree —
 * checked here (scope `any`), the same rule for the list and for one record.
 */
export function handoverRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const tags = ['handovers'];
  const repository = new HandoverRepository(ctx.client);

  /** The caller's desk, or 403 for a role that keeps none (the administrator, if a table override allows it). */
  const ownDesk = (request: FastifyRequest): HandoverDesk => {
    const desk = deskOf(request.principal!);
    if (desk === null)
      throw apiErrors.create('HW_API_HANDOVER_NO_DESK', { role: request.access!.authorityRole });
    return desk;
  };

  /** A record the caller may see: 404 when there is none, 403 (audited) outside the scope. */
  const load = async (request: FastifyRequest, id: string): Promise<Handover> => {
    const h = await repository.byId(id);
    if (!h) throw apiErrors.create('HW_API_NOT_FOUND', { kind: 'handover', id });
    if (!seesHandover(request.access!, h))
      throw apiErrors.create('HW_API_FORBIDDEN', {
        reason: `handover ${id} is outside your scope`,
        kind: 'handover',
        id,
      });
    return h;
  };

  const auditScope = (h: Handover) => ({
    enterprise: h.desk.kind === 'enterprise' ? h.desk.code : null,
    region: h.region,
  });

  defineRoute(app, {
    method: 'GET',
    url: `${API}/handovers`,
    scope: { kind: 'any', action: 'handover.read' },
    summary: 'Shift handover records (交接班记录) in the caller’s scope, newest first',
    tags,
    schema: {
      querystring: Type.Object(
        {
          /** One desk's records: an enterprise's or a region's code. */
          desk: Type.Optional(Code),
          /** Handed over or taken over by this user. */
          user: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
          /** Text in the notes or the acceptance note (case-insensitive, literal). */
          q: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
          status: Type.Optional(
            Type.Array(Type.Union(HANDOVER_STATUSES.map((s) => Type.Literal(s))), {
              maxItems: HANDOVER_STATUSES.length,
            }),
          ),
          from: Type.Optional(EpochMs('handed over from')),
          to: Type.Optional(EpochMs('handed over before')),
          ...Pagination,
        },
        closed,
      ),
      response: { 200: HandoverPageSchema },
    },
    handler: async (request) => {
      const q = request.query;
      checkRange(q.from, q.to);
      const access = request.access!;
      const { items, total } = await repository.query({
        ...(access.isAdmin
          ? {}
          : { within: { enterprises: access.enterprises(), regions: access.regions() } }),
        ...(q.desk !== undefined ? { desk: q.desk } : {}),
        ...(q.user !== undefined ? { user: q.user } : {}),
        ...(q.q !== undefined ? { text: q.q } : {}),
        ...(q.status !== undefined ? { statuses: q.status } : {}),
        ...(q.from !== undefined ? { fromMs: q.from } : {}),
        ...(q.to !== undefined ? { toMs: q.to } : {}),
        limit: q.limit,
        offset: q.offset,
      });
      return { items, total, limit: q.limit, offset: q.offset };
    },
  });

  defineRoute(app, {
    method: 'GET',
    url: `${API}/handovers/snapshot`,
    scope: { kind: 'any', action: 'handover.create' },
    summary: 'The caller’s duty desk and what a handover now would record as open',
    tags,
    schema: { querystring: Type.Object({}, closed), response: { 200: HandoverPreviewSchema } },
    handler: async (request) => {
      const desk = ownDesk(request);
      const snapshot = await takeSnapshot(ctx.client, ctx.site(), desk, request.access!, ctx.now());
      return { desk, snapshot };
    },
  });

  defineRoute(app, {
    method: 'GET',
    url: `${API}/handovers/:id`,
    scope: { kind: 'any', action: 'handover.read' },
    summary: 'One shift handover record',
    tags,
    schema: {
      params: HandoverParams,
      querystring: Type.Object({}, closed),
      response: { 200: HandoverSchema },
    },
    handler: async (request) => load(request, request.params.id),
  });

  defineRoute(app, {
    method: 'POST',
    url: `${API}/handovers`,
    scope: { kind: 'any', action: 'handover.create' },
    summary:
      '交班: hand the own duty desk over with notes; the open alarms and 预警 of its scope are recorded (409 while one is pending)',
    tags,
    schema: {
      querystring: Type.Object({}, closed),
      body: HandoverCreateBodySchema,
      response: { 201: HandoverSchema },
    },
    handler: async (request, reply) => {
      const desk = ownDesk(request);
      const site = ctx.site();
      const now = ctx.now();
      const outcome = await repository.record({
        desk,
        region: deskRegion(desk, site),
        outgoingUser: request.principal!.username,
        outgoingRole: request.access!.authorityRole,
        notes: request.body.notes,
        createdAt: now,
        snapshot: await takeSnapshot(ctx.client, site, desk, request.access!, now),
      });
      if (!outcome.ok)
        throw apiErrors.create('HW_API_HANDOVER_PENDING', { desk: deskName(desk), id: outcome.pendingId });
      const h = outcome.handover;
      await ctx.auditor.record(request, {
        action: 'handover.create',
        targetType: 'handover',
        targetId: h.id,
        after: {
          desk: h.desk,
          notes: h.notes,
          alarms: h.snapshot.alarmTotal,
          warnings: h.snapshot.warningTotal,
        },
        ...auditScope(h),
      });
      return reply.status(201).send(h);
    },
  });

  defineRoute(app, {
    method: 'POST',
    url: `${API}/handovers/:id/accept`,
    scope: { kind: 'any', action: 'handover.accept' },
    summary:
      '接班: take over a pending handover of the own duty desk (another person than the one who handed over)',
    tags,
    schema: {
      params: HandoverParams,
      querystring: Type.Object({}, closed),
      body: HandoverAcceptBodySchema,
      response: { 200: HandoverSchema },
    },
    handler: async (request) => {
      const { id } = request.params;
      const h = await load(request, id);
      const mine = deskOf(request.principal!);
      if (!sameDesk(h.desk, mine))
        throw apiErrors.create('HW_API_HANDOVER_OTHER_DESK', {
          id,
          desk: deskName(h.desk),
          yours: mine === null ? 'none' : deskName(mine),
        });
      const refuse = (current: Handover): never => {
        if (current.status !== 'pending')
          throw apiErrors.create('HW_API_HANDOVER_NOT_PENDING', { id, by: current.incomingUser ?? '' });
        throw apiErrors.create('HW_API_HANDOVER_OWN', { id });
      };
      if (h.status !== 'pending' || h.outgoingUser === request.principal!.username) refuse(h);
      const accepted = await repository.accept(id, {
        incomingUser: request.principal!.username,
        incomingRole: request.access!.authorityRole,
        acceptedAt: ctx.now(),
        note: request.body.note ?? null,
      });
      // Someone else accepted it meanwhile.
      if (!accepted) return refuse((await repository.byId(id)) ?? h);
      await ctx.auditor.record(request, {
        action: 'handover.accept',
        targetType: 'handover',
        targetId: id,
        before: { status: h.status },
        after: { status: accepted.status, note: accepted.acceptNote },
        ...auditScope(accepted),
      });
      return accepted;
    },
  });
}
