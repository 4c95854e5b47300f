import { describe, expectTypeOf, it } from 'vitest';
import type { Role } from '@hazardwatch/contracts';
import type { StoredUser, UserRole } from '@hazardwatch/store';

// One role vocabulary (issue #18): the store's is the wire's.
describe('user roles', () => {
  it('are the contracts roles', () => {
    expectTypeOf<UserRole>().toEqualTypeOf<Role>();
    expectTypeOf<StoredUser['role']>().toEqualTypeOf<
      'admin' | 'regulator' | 'operator' | 'safety_manager' | 'viewer'
    >();
  });
});
