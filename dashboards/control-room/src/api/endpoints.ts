/** The REST calls the dashboard makes, typed (routes in services/api/src/routes). */
import { ApiRequestError, type HttpClient } from './http.js';
import type {
  AlarmActionBodies,
  AlarmActionResult,
  AlarmDetail,
  AlarmRow,
  AuditEntry,
  DataLossReport,
  Enterprise,
  Gateway,
  Hazard,
  History,
  HornSilenceBody,
  HornSilenceResult,
  KpiReport,
  LatestValue,
  Me,
  MonitoringChange,
  MonitoringChangePage,
  MonitoringChangeStatus,
  Page,
  PlanInfo,
  Point,
  RegionDetail,
  RegionNode,
  RegionOverview,
  SiteEditChangeResult,
  SiteEditPending,
  WarningActionBodies,
  WarningActionResult,
  WarningColour,
  WarningDetail,
  WarningRecordPage,
  WarningPage,
  WarningRow,
  WarningState,
} from '@hazardwatch/contracts';

/** GET /warnings filters (services/api warning-routes.ts). */
export interface WarningQuery {
  readonly status?: 'open' | 'closed' | 'all';
  readonly colour?: readonly WarningColour[];
  readonly state?: readonly WarningState[];
  readonly region?: string;
  readonly enterprise?: string;
  readonly hazard?: string;
  readonly from?: number;
  readonly to?: number;
  readonly limit?: number;
  readonly offset?: number;
}

/** GET /changes filters (services/api change-routes.ts). */
export interface ChangeQuery {
  readonly status?: readonly MonitoringChangeStatus[];
  readonly enterprise?: string;
  /** One point's changes (its 停用 history). */
  readonly point?: number;
  readonly limit?: number;
  readonly offset?: number;
}

/** A site-edit write: in force now (200), or waiting for a regulator (202). */
export type PointWriteOutcome =
  | { readonly kind: 'applied'; readonly change: MonitoringChange | null }
  | { readonly kind: 'pending'; readonly change: MonitoringChange };

/** The API's page size cap (services/api/src/http/schemas.ts Pagination). */
const PAGE = 1000;

export class HazardApi {
  constructor(readonly http: HttpClient) {}

  /** Every page of a paged list, up to `max` items. */
  async all<T>(
    path: string,
    query: Record<string, string | number | string[] | undefined> = {},
    max = 10_000,
  ): Promise<T[]> {
    const out: T[] = [];
    for (let offset = 0; offset < max; offset += PAGE) {
      const page = await this.http.get<Page<T>>(path, { ...query, limit: PAGE, offset });
      out.push(...page.items);
      if (page.items.length < PAGE || out.length >= page.total) break;
    }
    return out;
  }

  regions = async (): Promise<RegionNode[]> =>
    (await this.http.get<{ items: RegionNode[] }>('/regions')).items;
  region = (code: string): Promise<RegionDetail> => this.http.get(`/regions/${encodeURIComponent(code)}`);
  overview = (code: string): Promise<RegionOverview> =>
    this.http.get(`/regions/${encodeURIComponent(code)}/overview`);
  enterprises = (): Promise<Enterprise[]> => this.all('/enterprises');
  hazards = (enterprise?: string): Promise<Hazard[]> => this.all('/hazards', { enterprise });
  points = (enterprise?: string): Promise<Point[]> => this.all('/points', { enterprise });
  point = (id: number): Promise<Point> => this.http.get(`/points/${id}`);
  gateways = async (enterprise: string): Promise<Gateway[]> =>
    (await this.http.get<{ items: Gateway[] }>(`/enterprises/${encodeURIComponent(enterprise)}/gateways`))
      .items;
  latestOfEnterprise = async (enterprise: string): Promise<LatestValue[]> =>
    (await this.http.get<{ items: LatestValue[] }>(`/enterprises/${encodeURIComponent(enterprise)}/latest`))
      .items;
  history = (id: number, from: number, to: number, maxPoints: number): Promise<History> =>
    this.http.get(`/points/${id}/history`, { from: Math.floor(from), to: Math.ceil(to), maxPoints });

  /** Recent data-loss reports in the caller's scope, at most `perGateway` per gateway, newest first. */
  dataLoss = async (perGateway = 20): Promise<DataLossReport[]> =>
    (await this.http.get<{ items: DataLossReport[] }>('/data-loss', { perGateway, limit: 500 })).items;

  activeAlarms = (): Promise<AlarmRow[]> => this.all('/alarms/active');
  alarms = (query: {
    enterprise?: string;
    from?: number;
    to?: number;
    limit?: number;
  }): Promise<Page<AlarmRow>> => this.http.get('/alarms', query);
  alarmsOfHazard = (enterprise: string, hazard: string, from: number, to: number): Promise<Page<AlarmRow>> =>
    this.http.get('/alarms', { enterprise, hazard, from, to, limit: 200 });
  alarm = (id: string): Promise<AlarmDetail> => this.http.get(`/alarms/${encodeURIComponent(id)}`);
  ack = (id: string, comment?: string): Promise<AlarmActionResult> =>
    this.alarmAction(id, 'ack', comment ? { comment } : {});
  shelve = (id: string, reason: string, until: number): Promise<AlarmActionResult> =>
    this.alarmAction(id, 'shelve', { reason, until: Math.round(until) });
  unshelve = (id: string): Promise<AlarmActionResult> => this.alarmAction(id, 'unshelve', {});
  returnToService = (id: string): Promise<AlarmActionResult> => this.alarmAction(id, 'return', {});
  comment = (id: string, text: string): Promise<AlarmActionResult> =>
    this.alarmAction(id, 'comment', { text });
  /** The horn was silenced on this console: audited on the server (issue #21). */
  silenceHorn = (body: HornSilenceBody): Promise<HornSilenceResult> =>
    this.http.post('/alarms/horn/silence', body);
  private alarmAction = <V extends keyof AlarmActionBodies>(
    id: string,
    verb: V,
    body: AlarmActionBodies[V],
  ): Promise<AlarmActionResult> => this.http.post(`/alarms/${encodeURIComponent(id)}/${verb}`, body);

  me = (): Promise<Me> => this.http.get('/auth/me');

  warnings = (): Promise<WarningRow[]> => this.all('/warnings', {}, 2000);
  warningPage = (query: WarningQuery): Promise<WarningPage> => this.http.get('/warnings', { ...query });
  warning = (id: string): Promise<WarningDetail> => this.http.get(`/warnings/${encodeURIComponent(id)}`);
  /** The whole records of a list of 预警 in one request (the phone page's list). */
  warningRecords = (
    query: Pick<WarningQuery, 'status' | 'region' | 'enterprise' | 'limit' | 'offset'>,
  ): Promise<WarningRecordPage> => this.http.get('/warnings/records', { ...query });
  urgeWarning = (id: string, text: string, deadline: number): Promise<WarningActionResult> =>
    this.warningAction(id, 'urge', { text, deadline: Math.round(deadline) });
  verifyWarning = (id: string, text: string): Promise<WarningActionResult> =>
    this.warningAction(id, 'verify', { text });
  signWarning = (id: string): Promise<WarningActionResult> => this.warningAction(id, 'sign', {});
  feedbackWarning = (id: string, text: string): Promise<WarningActionResult> =>
    this.warningAction(id, 'feedback', { text });
  closeWarning = (id: string, reason?: string): Promise<WarningActionResult> =>
    this.warningAction(id, 'close', reason ? { reason } : {});
  private warningAction = <V extends keyof WarningActionBodies>(
    id: string,
    verb: V,
    body: WarningActionBodies[V],
  ): Promise<WarningActionResult> => this.http.post(`/warnings/${encodeURIComponent(id)}/${verb}`, body);

  changes = (query: ChangeQuery): Promise<MonitoringChangePage> => this.http.get('/changes', { ...query });
  change = (id: string): Promise<MonitoringChange> => this.http.get(`/changes/${encodeURIComponent(id)}`);
  /** How many changes in the caller's scope wait for a regulator. */
  pendingChangeCount = async (): Promise<number> =>
    (await this.changes({ status: ['pending'], limit: 1 })).total;
  approveChange = (id: string, note?: string): Promise<MonitoringChange> =>
    this.http.post(`/changes/${encodeURIComponent(id)}/approve`, note ? { note } : {});
  denyChange = (id: string, note: string): Promise<MonitoringChange> =>
    this.http.post(`/changes/${encodeURIComponent(id)}/deny`, { note });
  withdrawChange = (id: string, note?: string): Promise<MonitoringChange> =>
    this.http.post(`/changes/${encodeURIComponent(id)}/withdraw`, note ? { note } : {});

  /**
   * 停用: takes a point out of use (`PATCH {"enabled": false}`) with the reason the API asks of a
   * change that weakens monitoring (`?reason=`, services/api site-edit-routes.ts). A 202 answer
   * (only a `change`, pending) waits for the regulator; a 200 is in force.
   */
  disablePoint = async (id: number, reason: string): Promise<PointWriteOutcome> => {
    const body = await this.http.request<SiteEditChangeResult | SiteEditPending>('PATCH', `/points/${id}`, {
      query: { reason },
      body: { enabled: false },
    });
    if ('siteVersion' in body) return { kind: 'applied', change: body.change ?? null };
    return { kind: 'pending', change: body.change };
  };

  audit = (query: { targetType?: string; targetId?: string; limit?: number }): Promise<Page<AuditEntry>> =>
    this.http.get('/audit', { limit: 50, ...query });
  regionKpis = (code: string, from: number, to: number): Promise<KpiReport> =>
    this.http.get(`/regions/${encodeURIComponent(code)}/kpis`, { from, to });
  enterpriseKpis = (enterprise: string, from: number, to: number): Promise<KpiReport> =>
    this.http.get(`/enterprises/${encodeURIComponent(enterprise)}/kpis`, { from, to });

  /** Places a point on a floor plan (JSON merge patch of the site model's `floorPlan`). */
  placePoint = (id: number, floorPlan: { plan?: string; x: number; y: number }): Promise<unknown> =>
    this.http.request('PATCH', `/points/${id}`, { body: { floorPlan } });

  /**
   * Floor-plan images. The contract (PUT raw PNG/SVG, GET image, GET list) is being added to the
   * API; until then the list answers 404 and the plan view draws a schematic, so a 404 is "none".
   */
  async plans(enterprise: string): Promise<PlanInfo[]> {
    try {
      const body = await this.http.get<PlanInfo[] | { items: PlanInfo[] }>(
        `/enterprises/${encodeURIComponent(enterprise)}/plans`,
      );
      return Array.isArray(body) ? body : body.items;
    } catch (error) {
      if (error instanceof ApiRequestError && (error.status === 404 || error.status === 405)) return [];
      throw error;
    }
  }

  /** The image as an object URL the caller revokes, or null when there is none (404). */
  async planImage(enterprise: string, plan: string): Promise<string | null> {
    try {
      const blob = await this.http.get<Blob>(
        `/enterprises/${encodeURIComponent(enterprise)}/plans/${encodeURIComponent(plan)}`,
      );
      return URL.createObjectURL(blob);
    } catch (error) {
      if (error instanceof ApiRequestError && error.status === 404) return null;
      throw error;
    }
  }

  uploadPlan = (enterprise: string, plan: string, file: Blob): Promise<unknown> =>
    this.http.request(
      'PUT',
      `/enterprises/${encodeURIComponent(enterprise)}/plans/${encodeURIComponent(plan)}`,
      {
        raw: file,
        contentType: file.type === 'image/svg+xml' ? 'image/svg+xml' : 'image/png',
      },
    );
}
