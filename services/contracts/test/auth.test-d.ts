import { expectTypeOf, test } from 'vitest';
import type { AuthorityRole, Me, Principal, Role, Verdict } from '../src/index.js';

// Issue #19: who the caller is, as the authority table sees it, and what it may do.
test('GET /auth/me is the principal with its table role and a verdict per action', () => {
  expectTypeOf<Me>().toMatchTypeOf<Principal>();
  expectTypeOf<Me['authorityRole']>().toEqualTypeOf<AuthorityRole>();
  expectTypeOf<Me['permissions']>().toEqualTypeOf<Record<string, Verdict>>();
  expectTypeOf<Verdict>().toEqualTypeOf<'allow' | 'refuse' | 'approval'>();
});

test('the enterprise safety manager is a user role and a table role; regulators are by level', () => {
  expectTypeOf<'safety_manager'>().toMatchTypeOf<Role>();
  expectTypeOf<AuthorityRole>().toEqualTypeOf<
    | 'operator'
    | 'safety_manager'
    | 'regulator_county'
    | 'regulator_city'
    | 'regulator_province'
    | 'viewer'
    | 'admin'
  >();
});
