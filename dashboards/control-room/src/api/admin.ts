/**
 * The administration calls (issue #22; services/api user-routes.ts, site-edit-routes.ts,
 * site-check-routes.ts, device-routes.ts, audit-routes.ts), typed. The server decides who may do
 * what (docs/authority.md); the admin screens only offer what the caller's verdicts allow.
 */
import type {
  AuditPage,
  DeviceCredential,
  IssuedDeviceCredential,
  MonitoringChange,
  Role,
  SiteCheckBody,
  SiteCheckResult,
  SiteEditChangeResult,
  SiteEditPending,
  SiteEntityName,
  User,
  UserPage,
} from '@hazardwatch/contracts';
import { ApiRequestError, type HttpClient } from './http.js';

/** GET /audit filters: `action` is exact, or a prefix ending in "." (`site.`). */
export interface AuditQuery {
  readonly actor?: string;
  readonly action?: string;
  readonly targetType?: string;
  readonly targetId?: string;
  readonly from?: number;
  readonly to?: number;
  readonly limit?: number;
  readonly offset?: number;
}

export interface NewUser {
  readonly username: string;
  readonly password: string;
  readonly role: Role;
  readonly regionCode?: string;
  readonly enterpriseCode?: string;
}

export interface UserChange {
  readonly disabled?: boolean;
  readonly role?: Role;
  readonly regionCode?: string | null;
  readonly enterpriseCode?: string | null;
}

/** A site write: in force now (200/201), or waiting for a regulator (202). */
export type SiteWriteOutcome =
  | { readonly kind: 'applied'; readonly change: MonitoringChange | null }
  | { readonly kind: 'pending'; readonly change: MonitoringChange };

/** Where an entity is written: its collection (create) and its item (update, delete). */
export interface SiteTarget {
  readonly entity: SiteEntityName;
  /** The identifying fields: `{code}`, `{enterprise, code}` or `{enterprise, tag}`. */
  readonly key: Readonly<Record<string, string>>;
  /** A point's id (its item URL is `/points/:id`). */
  readonly pointId?: number;
}

const enc = encodeURIComponent;

function collectionUrl(entity: SiteEntityName, enterprise: string | undefined): string {
  switch (entity) {
    case 'region':
      return '/regions';
    case 'enterprise':
      return '/enterprises';
    default:
      return `/enterprises/${enc(enterprise ?? '')}/${entity}s`;
  }
}

function itemUrl(t: SiteTarget): string {
  switch (t.entity) {
    case 'region':
      return `/regions/${enc(t.key['code'] ?? '')}`;
    case 'enterprise':
      return `/enterprises/${enc(t.key['code'] ?? '')}`;
    case 'point':
      return `/points/${t.pointId ?? -1}`;
    default:
      return `/enterprises/${enc(t.key['enterprise'] ?? '')}/${t.entity}s/${enc(t.key['code'] ?? '')}`;
  }
}

const outcome = (body: SiteEditChangeResult | SiteEditPending): SiteWriteOutcome =>
  'siteVersion' in body
    ? { kind: 'applied', change: body.change ?? null }
    : { kind: 'pending', change: body.change };

export class AdminApi {
  constructor(private readonly http: Pick<HttpClient, 'get' | 'post' | 'request'>) {}

  users = (limit = 500, offset = 0): Promise<UserPage> => this.http.get('/users', { limit, offset });
  createUser = (user: NewUser): Promise<User> => this.http.post('/users', user);
  updateUser = (id: string, change: UserChange): Promise<User> =>
    this.http.request('PATCH', `/users/${enc(id)}`, { body: change });
  deleteUser = (id: string): Promise<User> => this.http.request('DELETE', `/users/${enc(id)}`);

  /** The edit checked by the site-file rules, nothing stored (POST /site/check). */
  checkSite = (body: SiteCheckBody): Promise<SiteCheckResult> => this.http.post('/site/check', body);
  /** Creates an entity; `value` without the enterprise of a hazard, gateway or point (it is in the URL). */
  createEntity = async (
    entity: SiteEntityName,
    enterprise: string | undefined,
    value: Readonly<Record<string, unknown>>,
    reason?: string,
  ): Promise<SiteWriteOutcome> =>
    outcome(
      await this.http.request('POST', collectionUrl(entity, enterprise), {
        body: value,
        ...(reason ? { query: { reason } } : {}),
      }),
    );
  updateEntity = async (
    target: SiteTarget,
    patch: Readonly<Record<string, unknown>>,
    reason?: string,
  ): Promise<SiteWriteOutcome> =>
    outcome(
      await this.http.request('PATCH', itemUrl(target), {
        body: patch,
        ...(reason ? { query: { reason } } : {}),
      }),
    );
  deleteEntity = async (target: SiteTarget, reason?: string): Promise<SiteWriteOutcome> =>
    outcome(await this.http.request('DELETE', itemUrl(target), reason ? { query: { reason } } : {}));
  /** Back in service (`enabled: true`): strengthens monitoring, so no reason is asked. */
  returnPoint = async (id: number): Promise<SiteWriteOutcome> =>
    outcome(await this.http.request('PATCH', `/points/${id}`, { body: { enabled: true } }));

  /** A gateway's credential, or null when none was ever issued (404). */
  async credential(enterprise: string, gateway: string): Promise<DeviceCredential | null> {
    try {
      return await this.http.get<DeviceCredential>(
        `/enterprises/${enc(enterprise)}/gateways/${enc(gateway)}/credentials`,
      );
    } catch (error) {
      if (error instanceof ApiRequestError && error.status === 404) return null;
      throw error;
    }
  }
  /** Issues or rotates: the secret is in this answer only. */
  issueCredential = (enterprise: string, gateway: string): Promise<IssuedDeviceCredential> =>
    this.http.post(`/enterprises/${enc(enterprise)}/gateways/${enc(gateway)}/credentials`, {});
  revokeCredential = (enterprise: string, gateway: string): Promise<DeviceCredential> =>
    this.http.request('DELETE', `/enterprises/${enc(enterprise)}/gateways/${enc(gateway)}/credentials`);

  audit = (query: AuditQuery): Promise<AuditPage> => this.http.get('/audit', { limit: 50, ...query });
}
