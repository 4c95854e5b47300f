import { flushPromises, mount } from '@vue/test-utils';
import { describe, expect, it, vi } from 'vitest';
import type { AuditEntry, DeviceCredential, MonitoringChange, Point, User } from '@hazardwatch/contracts';
import { ApiRequestError } from '../../src/api/http.js';
import AuditSection from '../../src/components/admin/AuditSection.vue';
import CredentialsSection from '../../src/components/admin/CredentialsSection.vue';
import OutOfServiceSection from '../../src/components/admin/OutOfServiceSection.vue';
import UsersSection from '../../src/components/admin/UsersSection.vue';
import { createAppI18n } from '../../src/i18n/index.js';

const app = vi.hoisted((): { ctx: unknown } => ({ ctx: undefined }));
vi.mock('../../src/app-context.js', () => ({ useApp: () => app.ctx }));

const i18n = () => ({ global: { plugins: [createAppI18n('en')] } });
const ENTERPRISE = { code: 'E1', name: '氯碱' };

describe('gateway credentials: the secret is shown once', () => {
  const active: DeviceCredential = {
    username: 'gw:E1:GW01',
    enterprise: 'E1',
    gateway: 'GW01',
    createdAt: 1,
    createdBy: 'admin',
    rotatedAt: null,
    revokedAt: null,
    revokedBy: null,
    state: 'active',
  };

  async function mountCredentials(credential: DeviceCredential | null) {
    app.ctx = {
      api: {
        enterprises: vi.fn(() => Promise.resolve([ENTERPRISE])),
        gateways: vi.fn(() => Promise.resolve([{ code: 'GW01', enterprise: 'E1', name: '网关' }])),
      },
    };
    const admin = {
      credential: vi.fn(() => Promise.resolve(credential)),
      issueCredential: vi.fn(() => Promise.resolve({ ...active, secret: 's3cret-once' })),
      revokeCredential: vi.fn(() => Promise.resolve({ ...active, state: 'revoked' as const })),
    };
    const w = mount(CredentialsSection, { props: { admin }, ...i18n() });
    await flushPromises();
    return { w, admin };
  }

  it('issues, shows the secret with "will not be shown again" and a copy button, and forgets it when closed', async () => {
    const writeText = vi.fn(() => Promise.resolve());
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    const { w, admin } = await mountCredentials(null);
    expect(w.find('[data-gateway="GW01"]').attributes('data-state')).toBe('none');
    await w.find('[data-action="credential-issue"]').trigger('click');
    await flushPromises();
    expect(admin.issueCredential).toHaveBeenCalledWith('E1', 'GW01');
    const panel = w.find('[data-test="issued-secret"]');
    expect(panel.text()).toContain('will not be shown again');
    expect(w.find('[data-test="secret-value"]').text()).toBe('s3cret-once');
    await w.find('[data-action="copy-secret"]').trigger('click');
    await flushPromises();
    expect(writeText).toHaveBeenCalledWith('s3cret-once');
    await w.find('[data-action="secret-done"]').trigger('click');
    expect(w.html()).not.toContain('s3cret-once');
  });

  it('rotating and revoking ask first', async () => {
    const { w, admin } = await mountCredentials(active);
    await w.find('[data-action="credential-revoke"]').trigger('click');
    expect(admin.revokeCredential).not.toHaveBeenCalled();
    await w.find('[data-confirm="yes"]').trigger('click');
    await flushPromises();
    expect(admin.revokeCredential).toHaveBeenCalledWith('E1', 'GW01');
    await w.find('[data-action="credential-rotate"]').trigger('click');
    expect(admin.issueCredential).not.toHaveBeenCalled();
  });
});

describe('users', () => {
  const users: User[] = [
    {
      id: 'u1',
      username: 'chlor-op',
      role: 'operator',
      regionCode: null,
      enterpriseCode: 'E1',
      disabled: false,
    },
  ];
  function mountUsers() {
    const admin = {
      users: vi.fn(() => Promise.resolve({ items: users, total: 1, limit: 500, offset: 0 })),
      createUser: vi.fn(() => Promise.resolve(users[0]!)),
      updateUser: vi.fn(() => Promise.resolve(users[0]!)),
      deleteUser: vi.fn(() => Promise.resolve(users[0]!)),
    };
    return { w: mount(UsersSection, { props: { admin }, ...i18n() }), admin };
  }

  it('creates a user with the scope its role takes', async () => {
    const { w, admin } = mountUsers();
    await flushPromises();
    await w.find('input[name="new-username"]').setValue('county-b');
    await w.find('input[name="new-password"]').setValue('long enough password');
    await w.find('select[name="new-role"]').setValue('regulator');
    await w.find('input[name="new-scope"]').setValue('320623');
    await w.find('[data-test="user-form"]').trigger('submit');
    await flushPromises();
    expect(admin.createUser).toHaveBeenCalledWith({
      username: 'county-b',
      password: 'long enough password',
      role: 'regulator',
      regionCode: '320623',
    });
    expect(w.find('[data-test="admin-notice"]').text()).toBe('User county-b created');
  });

  it('says a taken username in words, and disabling asks first', async () => {
    const { w, admin } = mountUsers();
    await flushPromises();
    admin.createUser.mockRejectedValueOnce(
      new ApiRequestError(409, 'HW_API_USER_EXISTS', 'user x already exists'),
    );
    await w.find('input[name="new-username"]').setValue('chlor-op');
    await w.find('input[name="new-password"]').setValue('long enough password');
    await w.find('select[name="new-role"]').setValue('admin');
    await w.find('[data-test="user-form"]').trigger('submit');
    await flushPromises();
    expect(w.find('[data-test="admin-error"]').text()).toBe('That username is taken (HW_API_USER_EXISTS)');
    await w.find('[data-user="chlor-op"] [data-action="user-disable"]').trigger('click');
    expect(admin.updateUser).not.toHaveBeenCalled();
    await w.find('[data-confirm="yes"]').trigger('click');
    await flushPromises();
    expect(admin.updateUser).toHaveBeenCalledWith('u1', { disabled: true });
  });
});

describe('audit log', () => {
  it('sends the filters, and pages', async () => {
    const entry: AuditEntry = {
      id: 1,
      ts: 0,
      actor: 'admin',
      action: 'user.create',
      targetType: 'user',
      targetId: 'u1',
      before: null,
      after: null,
      ip: null,
      scopeRegion: null,
      scopeEnterprise: null,
    };
    const audit = vi.fn(() => Promise.resolve({ items: [entry], total: 120, limit: 50, offset: 0 }));
    const w = mount(AuditSection, { props: { admin: { audit } }, ...i18n() });
    await flushPromises();
    expect(audit).toHaveBeenLastCalledWith({ limit: 50, offset: 0 });
    await w.find('input[name="actor"]').setValue(' admin ');
    await w.find('input[name="action"]').setValue('user.');
    await w.find('input[name="targetId"]').setValue('u1');
    await w.find('input[name="from"]').setValue('2026-12-06T08:00');
    await w.find('[data-test="audit-filters"]').trigger('submit');
    await flushPromises();
    expect(audit).toHaveBeenLastCalledWith({
      limit: 50,
      offset: 0,
      actor: 'admin',
      action: 'user.',
      targetId: 'u1',
      // China time whatever the test machine's zone: 08:00 in Beijing is 00:00 UTC.
      from: Date.UTC(2026, 11, 6, 0, 0),
    });
    expect(w.find('[data-test="audit-page"]').text()).toBe('1–50 of 120');
    await w.find('[data-action="audit-next"]').trigger('click');
    await flushPromises();
    expect(audit).toHaveBeenLastCalledWith(expect.objectContaining({ offset: 50, actor: 'admin' }));
  });
});

describe('out of service', () => {
  const point = (id: number, tag: string, inService: boolean, change: string | null = null) =>
    ({ id, tag, name: tag, enterprise: 'E1', inService, outOfServiceChange: change }) as unknown as Point;

  function mountOos() {
    const api = {
      enterprises: vi.fn(() => Promise.resolve([ENTERPRISE])),
      points: vi.fn(() => Promise.resolve([point(1, 'PT-1101', false, 'c9'), point(2, 'TT-1101', true)])),
      change: vi.fn(() =>
        Promise.resolve({
          id: 'c9',
          requestedBy: 'chlor-safety',
          requestedAt: 0,
          reason: '变送器送检',
        } as MonitoringChange),
      ),
      disablePoint: vi.fn(() => Promise.resolve({ kind: 'pending' as const, change: {} })),
    };
    app.ctx = { api };
    const admin = { returnPoint: vi.fn(() => Promise.resolve({ kind: 'applied' as const, change: null })) };
    return { w: mount(OutOfServiceSection, { props: { admin }, ...i18n() }), api, admin };
  }

  it('lists the points out of service with the reason on their change record', async () => {
    const { w } = mountOos();
    await flushPromises();
    expect(w.find('[data-oos="PT-1101"] [data-test="oos-reason"]').text()).toBe('变送器送检');
    expect(w.find('[data-oos="TT-1101"]').exists()).toBe(false);
  });

  it('takes a point out only with a reason and after confirming; a wait for approval is said', async () => {
    const { w, api } = mountOos();
    await flushPromises();
    await w.find('select[name="point"]').setValue('2');
    expect(w.find('[data-action="oos-take-out"]').attributes('disabled')).toBeDefined();
    await w.find('input[name="oos-reason"]').setValue('检修');
    await w.find('[data-action="oos-take-out"]').trigger('click');
    expect(api.disablePoint).not.toHaveBeenCalled();
    await w.find('[data-confirm="yes"]').trigger('click');
    await flushPromises();
    expect(api.disablePoint).toHaveBeenCalledWith(2, '检修');
    expect(w.find('[data-test="admin-notice"]').text()).toBe(
      'Submitted; waiting for the regulator’s approval',
    );
  });

  it('returns a point to service after confirming', async () => {
    const { w, admin } = mountOos();
    await flushPromises();
    await w.find('[data-oos="PT-1101"] [data-action="oos-return"]').trigger('click');
    await w.find('[data-confirm="yes"]').trigger('click');
    await flushPromises();
    expect(admin.returnPoint).toHaveBeenCalledWith(1);
  });
});
