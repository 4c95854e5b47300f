import AjvCompiler from '@fastify/ajv-compiler';
import type { FastifyInstance } from 'fastify';

/**
 * Options both validators share: unknown properties are refused (400), never silently removed;
 * defaults are filled in; the first error answers (all errors on hostile input is a DoS risk).
 */
const SHARED = { removeAdditional: false, useDefaults: true, allErrors: false } as const;

/**
 * Two validators by request part (fastify's own ajv compiler, built twice): query strings and
 * path parameters are text by nature and are coerced to the schema's types (`?limit=5`, repeated
 * `?colour=` to an array); JSON bodies are taken as sent. With coercion on bodies,
 * `{"enabled": null}` became `false` (a merge patch's null must remove the field) and
 * `{"username": ["admin"]}` became "admin".
 */
export function installValidators(app: FastifyInstance): void {
  const factory = AjvCompiler();
  const coercing = factory({}, { customOptions: { ...SHARED, coerceTypes: 'array' } });
  const asSent = factory({}, { customOptions: { ...SHARED, coerceTypes: false } });
  app.setValidatorCompiler((route) => (route.httpPart === 'body' ? asSent : coercing)(route));
}
