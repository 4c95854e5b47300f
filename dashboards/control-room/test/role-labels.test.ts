import { describe, expect, it } from 'vitest';
import { AUTHORITY_ROLES, USER_ROLES } from '@hazardwatch/contracts';
import { en } from '../src/i18n/en.js';
import { zhCN } from '../src/i18n/zh-CN.js';

// Issue #19: every user role and every role of the authority table has a label, zh-CN first.
describe('role labels', () => {
  it('name every user role and authority role in both languages', () => {
    for (const role of [...USER_ROLES, ...AUTHORITY_ROLES]) {
      expect(zhCN.role[role], role).toMatch(/\S/);
      expect(en.role[role], role).toMatch(/\S/);
    }
  });

  it('call the enterprise safety manager 安全管理人员', () => {
    expect(zhCN.role.safety_manager).toBe('安全管理人员');
    expect(en.role.safety_manager).toBe('Safety manager');
  });
});
