import type { Logger } from 'pino';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import {
  AlarmActionOutcomeSchema,
  commandRow,
  type AlarmActionCommand,
  type AlarmActionOutcome,
} from '@hazardwatch/contracts';
import {
  ACTION_DONE_CHANNEL,
  ActionRequestRepository,
  alarmActionRoute,
  PgListener,
  warningEnterprise,
  type SqlClient,
} from '@hazardwatch/store';
import type { AlarmControl } from './alarm-control.js';
import { apiErrors } from './errors.js';

export interface ActionForwardingOptions {
  readonly client: SqlClient;
  /** For the dedicated LISTEN connection (outcomes). */
  readonly connectionString: string;
  readonly logger: Logger;
  /**
   * How long the caller waits for the owning ingest worker, ms; also the request's deadline,
   * after which no worker applies it. @default 10000
   */
  readonly timeoutMs?: number;
  /** Fallback poll of outstanding outcomes, ms (NOTIFY is lost across a reconnect). @default 500 */
  readonly pollIntervalMs?: number;
}

export interface ActionForwarding {
  readonly control: AlarmControl;
  /** Requests waiting for their outcome. */
  readonly pending: number;
  /**
   * Stops listening; callers still waiting stop waiting at once: their requests expire (unless
   * finished meanwhile) and they get HW_API_ACTION_TIMEOUT. Close it before the HTTP server, which
   * waits for in-flight requests.
   */
  close(): Promise<void>;
}

const checkOutcome = TypeCompiler.Compile(AlarmActionOutcomeSchema);

interface Waiter {
  /** Settles the caller's wait: an outcome, or undefined for "none in time". */
  readonly resolve: (outcome: unknown) => void;
}

/**
 * The API's AlarmControl when the alarm engine runs in other processes (`hazardwatch api` beside
 * ingest workers that each own a partition of enterprises). Each action becomes a row of
 * `alarm_action_requests` routed by the alarm's (预警's) enterprise plus `NOTIFY hw_actions`; the
 * owning worker applies it through its engine and answers with `NOTIFY hw_action_done`. The
 * caller waits at most `timeoutMs`: then the request is marked expired — so an action reported as
 * failed (HW_API_ACTION_TIMEOUT, retryable) is never applied afterwards — unless a worker
 * finished it meanwhile, whose outcome is then answered. Requests survive a worker restart within
 * their deadline: the worker applies what was asked while it was down when it comes back.
 */
export async function startActionForwarding(options: ActionForwardingOptions): Promise<ActionForwarding> {
  const log = options.logger.child({ component: 'action-forwarding' });
  const timeoutMs = options.timeoutMs ?? 10_000;
  const requests = new ActionRequestRepository(options.client);
  const waiters = new Map<string, Waiter>();
  let closed = false;

  const settle = (outcomes: Map<string, unknown>): void => {
    for (const [id, outcome] of outcomes) waiters.get(id)?.resolve(outcome);
  };
  const check = (ids: readonly string[]): void => {
    if (ids.length === 0) return;
    requests
      .outcomes(ids)
      .then(settle, (err: unknown) => log.warn({ err }, 'reading action outcomes failed'));
  };
  const listener = new PgListener({
    connectionString: options.connectionString,
    channels: [ACTION_DONE_CHANNEL],
    onNotification: (_channel, id) => {
      if (waiters.has(id)) check([id]);
    },
    onListening: () => check([...waiters.keys()]),
    logger: options.logger,
  });
  await listener.start();
  const poll = setInterval(() => check([...waiters.keys()]), options.pollIntervalMs ?? 500);
  poll.unref();

  /** The outcome, or undefined when none came in time. */
  const outcomeOf = (id: string): Promise<unknown> =>
    new Promise((resolve) => {
      const timer = setTimeout(() => waiters.get(id)?.resolve(undefined), timeoutMs);
      waiters.set(id, {
        resolve: (outcome) => {
          clearTimeout(timer);
          waiters.delete(id);
          resolve(outcome);
        },
      });
      // A worker may have answered before this waiter existed.
      check([id]);
    });

  const forward = async (
    enterprise: string | null | undefined,
    command: AlarmActionCommand,
  ): Promise<AlarmActionOutcome> => {
    const { kind, targetId, actor, request } = commandRow(command);
    if (closed) throw apiErrors.create('HW_API_ALARM_CONTROL_UNAVAILABLE', {});
    if (enterprise === undefined) {
      const kindName = kind === 'alarm.act' ? 'alarm' : 'warning';
      throw apiErrors.create('HW_API_NOT_FOUND', { kind: kindName, id: targetId });
    }
    if (enterprise === null) {
      const e = apiErrors.create('HW_API_ACTION_UNROUTABLE', { id: targetId });
      return { ok: false, error: { code: e.code, message: e.message, status: e.status } };
    }
    const id = await requests.submit({ enterprise, kind, targetId, actor, request, ttlMs: timeoutMs });
    let outcome = await outcomeOf(id);
    if (outcome === undefined) {
      // Expire it unless a worker finished it in the meantime (then its outcome stands).
      if (!(await requests.expire(id))) outcome = (await requests.outcomes([id])).get(id);
    }
    if (outcome === undefined || isExpired(outcome)) {
      log.warn({ id, enterprise, kind, targetId }, 'forwarded action expired: no worker answered');
      throw apiErrors.create('HW_API_ACTION_TIMEOUT', {
        enterprise,
        requestId: id,
        timeoutSec: Math.round(timeoutMs / 100) / 10,
      });
    }
    // JSON another process wrote: an answer outside the protocol is our fault, not the caller's.
    if (!checkOutcome.Check(outcome)) {
      log.error({ id, enterprise, kind, targetId }, 'forwarded action answered outside the protocol');
      throw apiErrors.create('HW_API_INTERNAL', {});
    }
    return outcome;
  };

  const control: AlarmControl = {
    // A platform alarm (no enterprise) goes to the worker owning every enterprise, which raises them.
    act: async (alarmId, request) =>
      forward(await alarmActionRoute(options.client, alarmId), { type: 'alarm.act', alarmId, ...request }),
    signWarning: async (warningId, { actor, party }) =>
      forward(await warningEnterprise(options.client, warningId), {
        type: 'warning.sign',
        warningId,
        actor,
        party,
      }),
    feedbackWarning: async (warningId, { actor, party }, text) =>
      forward(await warningEnterprise(options.client, warningId), {
        type: 'warning.feedback',
        warningId,
        actor,
        party,
        text,
      }),
    urgeWarning: async (warningId, { actor, party }, text, deadlineMs) =>
      forward(await warningEnterprise(options.client, warningId), {
        type: 'warning.urge',
        warningId,
        actor,
        party,
        text,
        deadlineMs,
      }),
    verifyWarning: async (warningId, { actor, party }, text) =>
      forward(await warningEnterprise(options.client, warningId), {
        type: 'warning.verify',
        warningId,
        actor,
        party,
        text,
      }),
    closeWarning: async (warningId, { actor, party }, reason) =>
      forward(await warningEnterprise(options.client, warningId), {
        type: 'warning.close',
        warningId,
        actor,
        party,
        ...(reason !== undefined ? { reason } : {}),
      }),
  };

  return {
    control,
    get pending() {
      return waiters.size;
    },
    close: async () => {
      closed = true;
      clearInterval(poll);
      for (const waiter of [...waiters.values()]) waiter.resolve(undefined);
      await listener.close();
    },
  };
}

function isExpired(outcome: unknown): boolean {
  return (
    typeof outcome === 'object' && outcome !== null && (outcome as { expired?: unknown }).expired === true
  );
}
