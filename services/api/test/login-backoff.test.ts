import { describe, expect, it } from 'vitest';
import { LoginBackoff, type LoginBackoffSettings } from '@hazardwatch/api';

const SETTINGS: LoginBackoffSettings = {
  usernameFailures: 3,
  addressFailures: 5,
  baseMs: 10_000,
  maxMs: 60_000,
  forgetAfterMs: 600_000,
};

/**
 * Steps: `fail` / `ok` are attempts that were let through and then failed / succeeded; `refused`
 * expects the attempt to be turned away with that Retry-After (ms). `at` is the clock (ms).
 */
type Step =
  | { at: number; user: string; ip: string; outcome: 'fail' | 'ok' }
  | { at: number; user: string; ip: string; refused: number; by: 'username' | 'address' };

const fails = (user: string, ip: string, n: number, at = 0): Step[] =>
  Array.from({ length: n }, () => ({ at, user, ip, outcome: 'fail' as const }));

const CASES: Record<string, Step[]> = {
  'successes never count (the old limit counted them)': Array.from({ length: 20 }, (_, i) => ({
    at: i,
    user: 'admin',
    ip: 'a',
    outcome: 'ok' as const,
  })),
  'three failures are free, the fourth attempt waits the base delay': [
    ...fails('admin', 'a', 3),
    { at: 1, user: 'admin', ip: 'a', refused: 9_999, by: 'username' },
    { at: 10_000, user: 'admin', ip: 'a', outcome: 'fail' },
    { at: 10_001, user: 'admin', ip: 'a', refused: 19_999, by: 'username' },
  ],
  'the delay doubles and stops at the maximum': [
    ...fails('admin', 'a', 3),
    { at: 10_000, user: 'admin', ip: 'a', outcome: 'fail' },
    { at: 30_000, user: 'admin', ip: 'a', outcome: 'fail' },
    { at: 70_000, user: 'admin', ip: 'a', outcome: 'fail' },
    { at: 70_000, user: 'admin', ip: 'a', refused: 60_000, by: 'username' },
    { at: 130_000, user: 'admin', ip: 'a', outcome: 'fail' },
    { at: 130_000, user: 'admin', ip: 'a', refused: 60_000, by: 'username' },
  ],
  'per username: another address is held back too': [
    ...fails('admin', 'a', 3),
    { at: 5, user: 'admin', ip: 'b', refused: 9_995, by: 'username' },
  ],
  'another username from the same address is not held back below the address threshold': [
    ...fails('admin', 'a', 3),
    { at: 1, user: 'opE1', ip: 'a', outcome: 'ok' },
  ],
  'per address: failures over many usernames hold the address back': [
    ...fails('u1', 'a', 2),
    ...fails('u2', 'a', 2),
    ...fails('u3', 'a', 1),
    { at: 0, user: 'u4', ip: 'a', refused: 10_000, by: 'address' },
    { at: 0, user: 'u4', ip: 'b', outcome: 'fail' },
  ],
  'a success resets the username and the address': [
    ...fails('admin', 'a', 2),
    ...fails('x', 'a', 2),
    { at: 1, user: 'admin', ip: 'a', outcome: 'ok' },
    ...fails('admin', 'a', 3, 2),
    { at: 3, user: 'admin', ip: 'a', refused: 9_999, by: 'username' },
  ],
  'failures are forgotten after a quiet period': [
    ...fails('admin', 'a', 3),
    { at: 600_000, user: 'admin', ip: 'a', outcome: 'fail' },
    { at: 600_000, user: 'admin', ip: 'a', outcome: 'ok' },
  ],
};

describe('LoginBackoff (issue 17 item 5)', () => {
  it.each(Object.entries(CASES))('%s', (_name, steps) => {
    const backoff = new LoginBackoff(SETTINGS);
    steps.forEach((step, i) => {
      const attempt = backoff.begin(step.user, step.ip, step.at);
      if ('refused' in step) {
        expect(attempt, `step ${i}`).toEqual({ ok: false, retryAfterMs: step.refused, by: step.by });
        return;
      }
      expect(attempt.ok, `step ${i}: ${JSON.stringify(attempt)}`).toBe(true);
      if (attempt.ok) {
        if (step.outcome === 'ok') attempt.succeeded();
      }
    });
  });

  it('counts an attempt still being checked, so parallel guesses cannot all get through', () => {
    const backoff = new LoginBackoff(SETTINGS);
    const inFlight = [0, 1, 2].map(() => backoff.begin('admin', 'a', 0));
    expect(inFlight.every((a) => a.ok)).toBe(true);
    expect(backoff.begin('admin', 'a', 0)).toMatchObject({ ok: false, by: 'username' });
  });

  it('keeps at most maxKeys entries per kind, dropping the least recently failed', () => {
    const backoff = new LoginBackoff({ ...SETTINGS, maxKeys: 2 });
    for (const u of ['u1', 'u2', 'u3']) for (let i = 0; i < 3; i++) backoff.begin(u, u, 0);
    expect(backoff.size).toEqual({ usernames: 2, addresses: 2 });
    expect(backoff.begin('u1', 'u1', 0).ok).toBe(true);
    expect(backoff.begin('u3', 'u3', 0).ok).toBe(false);
  });
});
