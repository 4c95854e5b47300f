import { Type, type Static } from '@sinclair/typebox';

/**
 * The one error answer of the REST API, every 4xx and 5xx: a stable `code` (HW_API_…, or the
 * engine's) and a human message. 5xx never carry internals.
 */
export const ApiErrorSchema = Type.Object({ code: Type.String(), message: Type.String() });
export type ApiError = Static<typeof ApiErrorSchema>;
