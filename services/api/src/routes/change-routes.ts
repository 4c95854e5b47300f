import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import {
  ChangeDenyBodySchema,
  ChangeNoteBodySchema,
  MONITORING_CHANGE_KINDS,
  MONITORING_CHANGE_STATUSES,
  MonitoringChangePageSchema,
  MonitoringChangeSchema,
  type MonitoringChange,
} from '@hazardwatch/contracts';
import type { ChangeScope, StoredMonitoringChange } from '@hazardwatch/store';
import { HazardWatchError } from '@hazardwatch/kit';
import { isAlarmChangeEdit } from '../alarm-changes.js';
import { apiErrors } from '../errors.js';
import { defineRoute } from '../http/route.js';
import { checkRange, closed, Code, EpochMs, Pagination } from '../http/schemas.js';
import type { SiteEdit } from '../site-edit.js';
import { API, type RouteContext } from './context.js';

const ChangeParams = Type.Object({ id: Type.String({ pattern: '^[0-9]{1,18}$' }) }, closed);

/**
 * Monitoring-change records and their decision (issue #19 item 2; docs/monitoring-changes.md).
 * Visible to the enterprise's own users and to the regulators whose subtree holds the
 * enterprise's current region or the region stored on the change (a regulator keeps the changes
 * made while it supervised an enterprise that moved away); the scope guard's `change` kind.
 */
export function changeRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const tags = ['changes'];

  defineRoute(app, {
    method: 'GET',
    url: `${API}/changes`,
    scope: { kind: 'any', action: 'change.read' },
    summary: 'Monitoring-change records in the caller’s scope, newest first',
    tags,
    schema: {
      querystring: Type.Object(
        {
          enterprise: Type.Optional(Code),
          region: Type.Optional(Code),
          /** One point's changes (its 停用 history, like the provinces' WC_PROD_HIS). */
          point: Type.Optional(Type.Integer({ minimum: 1, maximum: 2_147_483_647 })),
          status: Type.Optional(
            Type.Array(Type.Union(MONITORING_CHANGE_STATUSES.map((s) => Type.Literal(s))), {
              maxItems: MONITORING_CHANGE_STATUSES.length,
            }),
          ),
          kind: Type.Optional(
            Type.Array(Type.Union(MONITORING_CHANGE_KINDS.map((k) => Type.Literal(k))), {
              maxItems: MONITORING_CHANGE_KINDS.length,
            }),
          ),
          from: Type.Optional(EpochMs('requested from')),
          to: Type.Optional(EpochMs('requested before')),
          ...Pagination,
        },
        closed,
      ),
      response: { 200: MonitoringChangePageSchema },
    },
    handler: async (request) => {
      const q = request.query;
      checkRange(q.from, q.to);
      const access = request.access!;
      const site = ctx.site();
      // A point the site model does not have (any more) matches nothing.
      const pointTarget = (id: number): string => {
        const p = site?.pointById(id);
        return p === undefined ? '' : `${p.enterprise}/${p.tag}`;
      };
      let match: ChangeScope | undefined;
      if (q.region !== undefined) {
        // The subtree's regions (a change stored there) and its enterprises now.
        const regions = (site?.site.regions ?? [])
          .filter((r) => site!.regionChain(r.code).some((c) => c.code === q.region))
          .map((r) => r.code);
        const enterprises = (site?.site.enterprises ?? [])
          .filter((e) => regions.includes(e.region))
          .map((e) => e.code);
        match = { regions, enterprises };
      }
      const { items, total } = await ctx.changes.repository.query({
        ...(access.isAdmin
          ? {}
          : { within: { regions: access.regions(), enterprises: access.enterprises() } }),
        ...(match ? { match } : {}),
        ...(q.enterprise !== undefined ? { enterprise: q.enterprise } : {}),
        ...(q.point !== undefined ? { target: { type: 'point' as const, id: pointTarget(q.point) } } : {}),
        ...(q.status !== undefined ? { statuses: q.status } : {}),
        ...(q.kind !== undefined ? { kinds: q.kind } : {}),
        ...(q.from !== undefined ? { fromMs: q.from } : {}),
        ...(q.to !== undefined ? { toMs: q.to } : {}),
        limit: q.limit,
        offset: q.offset,
      });
      return { items: items.map((c) => ctx.changes.dto(c)), total, limit: q.limit, offset: q.offset };
    },
  });

  const load = async (id: string): Promise<StoredMonitoringChange> => {
    const stored = await ctx.changes.repository.byId(id);
    if (!stored) throw apiErrors.create('HW_API_NOT_FOUND', { kind: 'change', id });
    return stored;
  };

  defineRoute(app, {
    method: 'GET',
    url: `${API}/changes/:id`,
    scope: { kind: 'change', action: 'change.read' },
    summary: 'One monitoring-change record',
    tags,
    schema: {
      params: ChangeParams,
      querystring: Type.Object({}, closed),
      response: { 200: MonitoringChangeSchema },
    },
    handler: async (request) => ctx.changes.dto(await load(request.params.id)),
  });

  /** Decides a pending change or answers 409 naming its status; audits and returns it. */
  const decide = async (
    request: FastifyRequest,
    id: string,
    status: 'approved' | 'denied' | 'withdrawn' | 'failed',
    note: string | null,
    siteVersion: number | null,
  ): Promise<MonitoringChange> => {
    const decided = await ctx.changes.decide(id, {
      status,
      decidedBy: request.principal!.username,
      decidedAt: ctx.now(),
      note,
      siteVersion,
    });
    if (!decided) {
      const now = await load(id);
      throw apiErrors.create('HW_API_CHANGE_NOT_PENDING', { id, status: now.status });
    }
    await ctx.auditor.record(request, {
      action: `change.${status === 'approved' ? 'approve' : status === 'denied' ? 'deny' : status === 'withdrawn' ? 'withdraw' : 'fail'}`,
      targetType: 'change',
      targetId: id,
      after: decided,
      enterprise: decided.enterprise,
      region: decided.region,
    });
    return decided;
  };

  const pendingOrConflict = async (id: string): Promise<StoredMonitoringChange> => {
    const stored = await load(id);
    if (stored.status !== 'pending')
      throw apiErrors.create('HW_API_CHANGE_NOT_PENDING', { id, status: stored.status });
    return stored;
  };

  defineRoute(app, {
    method: 'POST',
    url: `${API}/changes/:id/approve`,
    scope: { kind: 'change', action: 'change.decide' },
    summary:
      'Approve a pending change: applied to the latest site like a direct edit (re-validated); a change that no longer applies is marked failed (409)',
    tags,
    schema: {
      params: ChangeParams,
      querystring: Type.Object({}, closed),
      body: ChangeNoteBodySchema,
      response: { 200: MonitoringChangeSchema },
    },
    handler: async (request) => {
      const { id } = request.params;
      const note = request.body.note ?? null;
      return ctx.siteWriter.serial(async () => {
        const stored = await pendingOrConflict(id);
        const storedEdit = await ctx.changes.repository.editOf(id);
        const fail = async (reason: string): Promise<never> => {
          await decide(request, id, 'failed', reason, null);
          throw apiErrors.create('HW_API_CHANGE_FAILED', { id, reason });
        };
        if (storedEdit === undefined) return fail('no edit stored with the change');
        if (isAlarmChangeEdit(storedEdit)) {
          // A long shelve or an out-of-service that waited: the alarm engine acts now, in the
          // alarm's state now (it may refuse: the alarm cleared meanwhile).
          if (!ctx.alarmControl) throw apiErrors.create('HW_API_ALARM_CONTROL_UNAVAILABLE', {});
          const outcome = await ctx.alarmControl.act(storedEdit.alarm, storedEdit.request);
          if (!outcome.ok) return fail(outcome.error.message);
          await ctx.auditor.record(request, {
            action: `alarm.${storedEdit.request.action}`,
            targetType: 'alarm',
            targetId: storedEdit.alarm,
            before: outcome.before,
            after: { record: outcome.after, change: id },
            enterprise: stored.enterprise,
            region: stored.region,
          });
          return decide(request, id, 'approved', note, null);
        }
        const edit = storedEdit as SiteEdit;
        let prepared;
        try {
          prepared = await ctx.siteWriter.prepare(edit);
        } catch (error) {
          // The entity is gone, or the edit gives a site the import would refuse, now.
          if (error instanceof HazardWatchError && error.status !== undefined && error.status < 500)
            return fail(error.message);
          throw error;
        }
        // The regulator approved this before/after: an entity changed since is another change.
        if (canonical(prepared.before) !== canonical(stored.before))
          return fail(`the ${stored.targetType} ${stored.targetId} changed since the request`);
        // A concurrent store elsewhere answers 409 HW_API_SITE_CONFLICT; the change stays pending.
        const siteVersion = await ctx.siteWriter.commit(prepared);
        await ctx.auditor.record(request, {
          action: `site.${edit.entity}.${edit.op}`,
          targetType: edit.entity,
          targetId: stored.targetId,
          before: prepared.before,
          after: { value: prepared.after, change: id },
          enterprise: stored.enterprise,
          region: stored.region,
        });
        return decide(request, id, 'approved', note, siteVersion);
      });
    },
  });

  /**
   * Deny (a regulator, note required) or withdraw (the requester, note optional): a pending change
   * is closed with the note and nothing else changes.
   */
  const close = (
    verb: 'deny' | 'withdraw',
    status: 'denied' | 'withdrawn',
    action: 'change.decide' | 'change.withdraw',
    summary: string,
    body: typeof ChangeDenyBodySchema | typeof ChangeNoteBodySchema,
  ): void =>
    defineRoute(app, {
      method: 'POST',
      url: `${API}/changes/:id/${verb}`,
      scope: { kind: 'change', action },
      summary,
      tags,
      schema: {
        params: ChangeParams,
        querystring: Type.Object({}, closed),
        body,
        response: { 200: MonitoringChangeSchema },
      },
      handler: async (request) => {
        await pendingOrConflict(request.params.id);
        return decide(request, request.params.id, status, request.body.note ?? null, null);
      },
    });

  close(
    'deny',
    'denied',
    'change.decide',
    'Deny a pending change (with a note); nothing changes',
    ChangeDenyBodySchema,
  );
  close('withdraw', 'withdrawn', 'change.withdraw', 'Withdraw an own pending change', ChangeNoteBodySchema);
}

/** JSON with sorted keys: stored documents come back from jsonb in its own key order. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  );
}
