/** Shared helpers for the 预警 desk tests. */
import { expect } from 'vitest';
import {
  WarningDesk,
  compileWarningPolicy,
  type WarningDeskOptions,
  type WarningPolicyOptions,
  type WarningEvent,
  type WarningNotification,
  type WarningResult,
  type WarningActor,
} from '@hazardwatch/core';
import { warningSite } from './warning-site.js';

/** A desk over the test site; `policy` is written as options and compiled here, as a service does once. */
export function makeDesk(
  options: Omit<WarningDeskOptions, 'policy'> & { readonly policy?: WarningPolicyOptions } = {},
): WarningDesk {
  const { policy, ...rest } = options;
  return new WarningDesk(warningSite(), {
    ...rest,
    ...(policy !== undefined ? { policy: compileWarningPolicy(policy) } : {}),
  });
}

/** Assert success and return the lists. */
export function ok(result: WarningResult): {
  warningId: string | null;
  events: readonly WarningEvent[];
  notifications: readonly WarningNotification[];
} {
  if (!result.ok) expect.fail(`expected ok, got ${result.error.code}: ${result.error.message}`);
  return result;
}

/** Assert failure with `code`, and that nothing was emitted. */
export function failsWith(result: WarningResult, code: string): void {
  expect(result.ok).toBe(false);
  if (!result.ok) expect(result.error.code).toBe(code);
  expect(result.events).toEqual([]);
  expect(result.notifications).toEqual([]);
}

/** Who a notification is for, as short labels: `principal:张主`, `regulator:PARK1`. */
export const who = (n: WarningNotification): string[] =>
  n.recipients.map((r) => (r.role === 'regulator' ? `regulator:${r.regionCode}` : `${r.role}:${r.name}`));

/** An enterprise-side actor (duty room), and regulator/admin actors. */
export const ent = (id = 'u-1'): WarningActor => ({ id, party: 'enterprise' });
export const reg = (party: 'county' | 'city' | 'province', id = `reg-${party}`): WarningActor => ({
  id,
  party,
});
export const admin = (id = 'admin'): WarningActor => ({ id, party: 'admin' });
