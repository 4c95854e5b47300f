import type { FastifyError, FastifyInstance } from 'fastify';
import type { ApiError } from '@hazardwatch/contracts';
import { HazardWatchError } from '@hazardwatch/kit';
import { isRetryableStorageError } from '@hazardwatch/store';
import { apiErrors } from '../errors.js';

/** Seconds a client is asked to wait after a 503 for the database being away. */
const DATABASE_RETRY_AFTER_SEC = 5;

/** The contract's error answer (@hazardwatch/contracts ApiErrorSchema). */
type ErrorBody = ApiError;

interface AjvIssue {
  instancePath?: string;
  message?: string;
  params?: { additionalProperty?: string; missingProperty?: string };
}

function validationDetail(error: FastifyError): string {
  const context = error.validationContext ?? 'request';
  const issues = (error.validation ?? []) as AjvIssue[];
  const parts = issues.map((i) => {
    const where = `${context}${i.instancePath ?? ''}`;
    if (i.params?.additionalProperty !== undefined)
      return `${where}: unknown property '${i.params.additionalProperty}'`;
    return `${where} ${i.message ?? 'is invalid'}`;
  });
  return parts.length > 0 ? parts.join('; ') : error.message;
}

/**
 * One answer shape, `{ code, message }`. 4xx say what was wrong; 5xx never carry internals
 * (message, stack, SQL): they are logged with the request id and answered generically.
 */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | HazardWatchError, request, reply) => {
    if (error instanceof HazardWatchError) {
      const status = error.status ?? 500;
      if (status < 500 || apiErrors.is(error)) {
        if (status >= 500) request.log.warn({ code: error.code }, 'service unavailable');
        if (error.code === 'HW_API_RATE_LIMITED' && typeof error.data['retryAfterSec'] === 'number') {
          void reply.header('retry-after', String(error.data['retryAfterSec']));
        }
        return reply.status(status).send({ code: error.code, message: error.message } satisfies ErrorBody);
      }
    } else if (error.validation !== undefined) {
      const e = apiErrors.create('HW_API_VALIDATION', { detail: validationDetail(error) });
      return reply.status(400).send({ code: e.code, message: e.message } satisfies ErrorBody);
    } else if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
      return reply
        .status(error.statusCode)
        .send({ code: 'HW_API_REQUEST_REJECTED', message: error.message } satisfies ErrorBody);
    }
    if (isRetryableStorageError(error)) {
      // The database away is an outage, not a fault of this request or of the service: 503 (with
      // when to ask again), which balancers and the dashboard treat as "try again", not 500.
      request.log.warn({ err: error }, 'database unavailable');
      const e = apiErrors.create('HW_API_DATABASE_UNAVAILABLE', {});
      void reply.header('retry-after', String(DATABASE_RETRY_AFTER_SEC));
      return reply.status(503).send({ code: e.code, message: e.message } satisfies ErrorBody);
    }
    request.log.error({ err: error }, 'request failed');
    const e = apiErrors.create('HW_API_INTERNAL', {});
    return reply.status(500).send({ code: e.code, message: e.message } satisfies ErrorBody);
  });

  app.setNotFoundHandler((request, reply) => {
    const e = apiErrors.create('HW_API_ROUTE_NOT_FOUND', {
      method: request.method,
      url: request.url.split('?')[0] ?? '',
    });
    return reply.status(404).send({ code: e.code, message: e.message } satisfies ErrorBody);
  });
}
