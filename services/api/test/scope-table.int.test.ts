import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataLossRepository } from '@hazardwatch/store';
import {
  buildTestApi,
  CITY,
  COUNTY_A,
  E1,
  PARK_A,
  testSiteJson,
  type TestApi,
  type TestUser,
} from './support/api-fixture.js';
import { seedPendingChanges } from './support/change-seed.js';
import { seedPendingHandover } from './support/handover-seed.js';
import { pngImage } from './support/images.js';

/**
 * The scope table (issue 4): every registered route has a row here, or this test fails. Each row
 * targets resources of enterprise E1 (county 320623) and names who must get through and who must
 * not: a regulator of another county (regOther) and an operator of another enterprise (opE2 or
 * opE3). Resource routes answer those with 403; collection routes with 200 and nothing of E1.
 */
interface Row {
  readonly url: string;
  readonly body?: Record<string, unknown>;
  /** A non-JSON body (floor plan images). */
  readonly raw?: { readonly contentType: string; readonly payload: Buffer };
  /** `resource`: denied → 403. `collection`: denied → 200 without E1 data. */
  readonly kind: 'resource' | 'collection' | 'public';
  readonly allowed: readonly TestUser[];
  readonly denied: readonly TestUser[];
  /** Collections: does the answer include E1's data? */
  readonly showsE1?: (body: unknown) => boolean;
}

const OUTSIDERS: readonly TestUser[] = ['regOther', 'opE2', 'opE3'];
const INSIDERS: readonly TestUser[] = ['admin', 'regCity', 'regCounty', 'opE1'];
/** The enterprise's duty room (and the administrator): alarm and 预警 actions (issue #19). */
const DUTY_ROOM: readonly TestUser[] = ['admin', 'opE1', 'smE1'];
/** The enterprise's configuration: its safety manager (and the administrator). */
const CONFIGURERS: readonly TestUser[] = ['admin', 'smE1'];
const REGULATORS: readonly TestUser[] = ['admin', 'regCity', 'regCounty', 'viewerCounty'];
const items = (b: unknown): unknown[] => (b as { items: unknown[] }).items;
const json = (b: unknown): string => JSON.stringify(b);
const range = 'from=1772400000000&to=1772440000000';
const pointE1 = 1;
/** Bodies that pass validation, so the refusal tested is the scope's. */
const example = JSON.parse(testSiteJson()) as Record<'hazards' | 'points', Array<Record<string, unknown>>>;
const withoutEnterprise = (o: Record<string, unknown>, key: string, value: string) => {
  const { enterprise: _e, ...rest } = o;
  return { ...rest, [key]: value };
};
const newHazard = withoutEnterprise(
  example.hazards.find((h) => h['enterprise'] === E1)!,
  'code',
  'NEW-H',
);
const newPoint = withoutEnterprise(
  example.points.find((p) => p['enterprise'] === E1)!,
  'tag',
  'NEW-1',
);

const TABLE: Record<string, Row> = {
  'GET /healthz': { url: '/healthz', kind: 'public', allowed: [], denied: [] },
  'GET /readyz': { url: '/readyz', kind: 'public', allowed: [], denied: [] },
  'POST /api/v1/auth/login': { url: '', kind: 'public', allowed: [], denied: [] },
  'POST /api/v1/auth/refresh': { url: '', kind: 'public', allowed: [], denied: [] },
  'POST /api/v1/auth/logout': { url: '', kind: 'public', allowed: [], denied: [] },
  'POST /api/v1/auth/device/login': { url: '', kind: 'public', allowed: [], denied: [] },
  'POST /api/v1/auth/device/refresh': { url: '', kind: 'public', allowed: [], denied: [] },
  'POST /api/v1/auth/device/logout': { url: '', kind: 'public', allowed: [], denied: [] },
  'GET /api/v1/auth/me': {
    url: '/api/v1/auth/me',
    kind: 'resource',
    allowed: [...INSIDERS, ...OUTSIDERS],
    denied: [],
  },
  'GET /api/v1/users': {
    url: '/api/v1/users',
    kind: 'resource',
    allowed: ['admin'],
    denied: ['regCounty', 'opE1', ...OUTSIDERS],
  },
  'POST /api/v1/users': {
    url: '/api/v1/users',
    body: { username: 'new-user', password: 'long enough password', role: 'viewer', regionCode: COUNTY_A },
    kind: 'resource',
    allowed: ['admin'],
    denied: ['regCounty', 'opE1', ...OUTSIDERS],
  },
  'PATCH /api/v1/users/:id': {
    url: '/api/v1/users/00000000-0000-4000-8000-000000000000',
    body: { disabled: true },
    kind: 'resource',
    allowed: [],
    denied: ['regCounty', 'opE1', ...OUTSIDERS],
  },
  'DELETE /api/v1/users/:id': {
    url: '/api/v1/users/00000000-0000-4000-8000-000000000000',
    kind: 'resource',
    allowed: [],
    denied: ['regCounty', 'opE1', ...OUTSIDERS],
  },
  'GET /api/v1/regions': {
    url: '/api/v1/regions',
    kind: 'collection',
    allowed: ['admin', 'regCity', 'regCounty', 'viewerCounty'],
    denied: OUTSIDERS,
    showsE1: (b) => json(b).includes(`"${COUNTY_A}"`),
  },
  'GET /api/v1/regions/:code': {
    url: `/api/v1/regions/${COUNTY_A}`,
    kind: 'resource',
    allowed: REGULATORS,
    denied: [...OUTSIDERS, 'opE1'],
  },
  'GET /api/v1/regions/:code/overview': {
    url: `/api/v1/regions/${COUNTY_A}/overview`,
    kind: 'resource',
    allowed: REGULATORS,
    denied: [...OUTSIDERS, 'opE1'],
  },
  'GET /api/v1/regions/:code/kpis': {
    url: `/api/v1/regions/${COUNTY_A}/kpis?${range}`,
    kind: 'resource',
    allowed: REGULATORS,
    denied: [...OUTSIDERS, 'opE1'],
  },
  'GET /api/v1/enterprises': {
    url: '/api/v1/enterprises',
    kind: 'collection',
    allowed: INSIDERS,
    denied: OUTSIDERS,
    showsE1: (b) => json(items(b)).includes(E1),
  },
  'GET /api/v1/enterprises/:enterprise': {
    url: `/api/v1/enterprises/${E1}`,
    kind: 'resource',
    allowed: INSIDERS,
    denied: OUTSIDERS,
  },
  'GET /api/v1/enterprises/:enterprise/gateways': {
    url: `/api/v1/enterprises/${E1}/gateways`,
    kind: 'resource',
    allowed: INSIDERS,
    denied: OUTSIDERS,
  },
  'GET /api/v1/enterprises/:enterprise/latest': {
    url: `/api/v1/enterprises/${E1}/latest`,
    kind: 'resource',
    allowed: INSIDERS,
    denied: OUTSIDERS,
  },
  'GET /api/v1/enterprises/:enterprise/kpis': {
    url: `/api/v1/enterprises/${E1}/kpis?${range}`,
    kind: 'resource',
    allowed: INSIDERS,
    denied: OUTSIDERS,
  },
  // Duty reports (issue #21): the scope named in the query must be inside the caller's.
  'GET /api/v1/reports': {
    url: `/api/v1/reports?scope=enterprise:${E1}&period=day&date=2026-03-01`,
    kind: 'resource',
    allowed: INSIDERS,
    denied: OUTSIDERS,
  },
  'GET /api/v1/hazards': {
    url: '/api/v1/hazards',
    kind: 'collection',
    allowed: INSIDERS,
    denied: OUTSIDERS,
    showsE1: (b) => json(items(b)).includes(E1),
  },
  'GET /api/v1/enterprises/:enterprise/hazards/:hazard': {
    url: `/api/v1/enterprises/${E1}/hazards/CL-TF01`,
    kind: 'resource',
    allowed: INSIDERS,
    denied: OUTSIDERS,
  },
  'GET /api/v1/enterprises/:enterprise/hazards/:hazard/latest': {
    url: `/api/v1/enterprises/${E1}/hazards/CL-TF01/latest`,
    kind: 'resource',
    allowed: INSIDERS,
    denied: OUTSIDERS,
  },
  'GET /api/v1/points': {
    url: '/api/v1/points',
    kind: 'collection',
    allowed: INSIDERS,
    denied: OUTSIDERS,
    showsE1: (b) => json(items(b)).includes(E1),
  },
  'GET /api/v1/points/:id': {
    url: `/api/v1/points/${pointE1}`,
    kind: 'resource',
    allowed: INSIDERS,
    denied: OUTSIDERS,
  },
  'GET /api/v1/points/:id/latest': {
    url: `/api/v1/points/${pointE1}/latest`,
    kind: 'resource',
    allowed: INSIDERS,
    denied: OUTSIDERS,
  },
  'GET /api/v1/points/:id/history': {
    url: `/api/v1/points/${pointE1}/history?${range}`,
    kind: 'resource',
    allowed: INSIDERS,
    denied: OUTSIDERS,
  },
  'GET /api/v1/history': {
    url: `/api/v1/history?points=${pointE1}&${range}`,
    kind: 'resource',
    allowed: INSIDERS,
    denied: OUTSIDERS,
  },
  'GET /api/v1/history/export': {
    url: `/api/v1/history/export?points=${pointE1}&${range}`,
    kind: 'resource',
    allowed: INSIDERS,
    denied: OUTSIDERS,
  },
  'GET /api/v1/enterprises/:enterprise/plans': {
    url: `/api/v1/enterprises/${E1}/plans`,
    kind: 'resource',
    allowed: INSIDERS,
    denied: OUTSIDERS,
  },
  // Before the GET row below: rows run in order, and this one stores the plan that one reads.
  'PUT /api/v1/enterprises/:enterprise/plans/:plan': {
    url: `/api/v1/enterprises/${E1}/plans/main`,
    raw: { contentType: 'image/png', payload: pngImage(2, 2) },
    kind: 'resource',
    allowed: CONFIGURERS,
    denied: ['opE1', 'regCounty', 'viewerCounty', ...OUTSIDERS],
  },
  'GET /api/v1/enterprises/:enterprise/plans/:plan': {
    url: `/api/v1/enterprises/${E1}/plans/main`,
    kind: 'resource',
    allowed: INSIDERS,
    denied: OUTSIDERS,
  },
  'DELETE /api/v1/enterprises/:enterprise/plans/:plan': {
    url: `/api/v1/enterprises/${E1}/plans/main`,
    kind: 'resource',
    allowed: [],
    denied: ['opE1', 'regCounty', 'viewerCounty', ...OUTSIDERS],
  },
  'GET /api/v1/site': {
    url: '/api/v1/site',
    kind: 'resource',
    allowed: ['admin'],
    denied: ['regCounty', 'opE1', ...OUTSIDERS],
  },
  'PUT /api/v1/site': {
    url: '/api/v1/site',
    body: { format: 'json', text: '{}' },
    kind: 'resource',
    allowed: [],
    denied: ['regCounty', 'opE1', ...OUTSIDERS],
  },
  // Site-model writes. Creating and deleting are checked for refusals only (the shared site must
  // stay as it is for the other rows); harmless patches go through for the allowed roles.
  'POST /api/v1/regions': {
    url: '/api/v1/regions',
    body: { code: '320699', name: '测试区', kind: 'county', parent: CITY },
    kind: 'resource',
    allowed: [],
    denied: ['regCounty', 'opE1', 'viewerCounty', ...OUTSIDERS],
  },
  'PATCH /api/v1/regions/:code': {
    url: `/api/v1/regions/${COUNTY_A}`,
    body: { name: '如东县' },
    kind: 'resource',
    allowed: ['admin'],
    denied: ['regCounty', 'opE1', 'viewerCounty', ...OUTSIDERS],
  },
  'DELETE /api/v1/regions/:code': {
    url: `/api/v1/regions/${COUNTY_A}`,
    kind: 'resource',
    allowed: [],
    denied: ['regCounty', 'opE1', 'viewerCounty', ...OUTSIDERS],
  },
  'POST /api/v1/enterprises': {
    url: '/api/v1/enterprises',
    body: { code: 'NEW-E', name: '新企业', region: PARK_A, location: { lon: 121, lat: 32.5 } },
    kind: 'resource',
    allowed: [],
    denied: ['regCounty', 'opE1', 'viewerCounty', ...OUTSIDERS],
  },
  'PATCH /api/v1/enterprises/:enterprise': {
    url: `/api/v1/enterprises/${E1}`,
    body: { name: '如东示例化工有限公司' },
    kind: 'resource',
    allowed: CONFIGURERS,
    denied: ['opE1', 'regCounty', 'viewerCounty', ...OUTSIDERS],
  },
  'DELETE /api/v1/enterprises/:enterprise': {
    url: `/api/v1/enterprises/${E1}`,
    kind: 'resource',
    allowed: [],
    denied: ['opE1', 'regCounty', 'viewerCounty', ...OUTSIDERS],
  },
  'POST /api/v1/enterprises/:enterprise/hazards': {
    url: `/api/v1/enterprises/${E1}/hazards`,
    body: newHazard,
    kind: 'resource',
    allowed: [],
    denied: ['opE1', 'regCounty', 'viewerCounty', ...OUTSIDERS],
  },
  'PATCH /api/v1/enterprises/:enterprise/hazards/:hazard': {
    url: `/api/v1/enterprises/${E1}/hazards/CL-TF01`,
    body: { name: '液氯罐区' },
    kind: 'resource',
    allowed: CONFIGURERS,
    denied: ['opE1', 'regCounty', 'viewerCounty', ...OUTSIDERS],
  },
  'DELETE /api/v1/enterprises/:enterprise/hazards/:hazard': {
    url: `/api/v1/enterprises/${E1}/hazards/CL-TF01`,
    kind: 'resource',
    allowed: [],
    denied: ['opE1', 'regCounty', 'viewerCounty', ...OUTSIDERS],
  },
  'POST /api/v1/enterprises/:enterprise/gateways': {
    url: `/api/v1/enterprises/${E1}/gateways`,
    body: { code: 'GW-NEW', name: '新网关' },
    kind: 'resource',
    allowed: [],
    denied: ['opE1', 'regCounty', 'viewerCounty', ...OUTSIDERS],
  },
  'PATCH /api/v1/enterprises/:enterprise/gateways/:gateway': {
    url: `/api/v1/enterprises/${E1}/gateways/GW01`,
    body: { offlineAfterSec: 180 },
    kind: 'resource',
    allowed: CONFIGURERS,
    denied: ['opE1', 'regCounty', 'viewerCounty', ...OUTSIDERS],
  },
  'DELETE /api/v1/enterprises/:enterprise/gateways/:gateway': {
    url: `/api/v1/enterprises/${E1}/gateways/GW01`,
    kind: 'resource',
    allowed: [],
    denied: ['opE1', 'regCounty', 'viewerCounty', ...OUTSIDERS],
  },
  'POST /api/v1/enterprises/:enterprise/points': {
    url: `/api/v1/enterprises/${E1}/points`,
    body: newPoint,
    kind: 'resource',
    allowed: [],
    denied: ['opE1', 'regCounty', 'viewerCounty', ...OUTSIDERS],
  },
  'POST /api/v1/site/check': {
    url: '/api/v1/site/check',
    body: { op: 'update', entity: 'point', key: { enterprise: E1, tag: 'LT-1101' }, patch: { name: '液位' } },
    kind: 'resource',
    allowed: CONFIGURERS,
    denied: ['opE1', 'regCounty', 'viewerCounty', ...OUTSIDERS],
  },
  'PATCH /api/v1/points/:id': {
    url: `/api/v1/points/${pointE1}`,
    body: { name: '液氯储罐压力' },
    kind: 'resource',
    allowed: CONFIGURERS,
    denied: ['opE1', 'regCounty', 'viewerCounty', ...OUTSIDERS],
  },
  'DELETE /api/v1/points/:id': {
    url: `/api/v1/points/${pointE1}`,
    kind: 'resource',
    allowed: [],
    denied: ['opE1', 'regCounty', 'viewerCounty', ...OUTSIDERS],
  },
  'GET /api/v1/enterprises/:enterprise/gateways/:gateway/credentials': {
    url: `/api/v1/enterprises/${E1}/gateways/GW01/credentials`,
    kind: 'resource',
    // No credential issued in the fixture: allowed callers get 404, so only refusals are tabled.
    allowed: [],
    denied: ['viewerCounty', ...OUTSIDERS],
  },
  'POST /api/v1/enterprises/:enterprise/gateways/:gateway/credentials': {
    url: `/api/v1/enterprises/${E1}/gateways/GW01/credentials`,
    body: {},
    kind: 'resource',
    allowed: CONFIGURERS,
    denied: ['opE1', 'regCounty', 'viewerCounty', ...OUTSIDERS],
  },
  'DELETE /api/v1/enterprises/:enterprise/gateways/:gateway/credentials': {
    url: `/api/v1/enterprises/${E1}/gateways/GW01/credentials`,
    kind: 'resource',
    allowed: [],
    denied: ['opE1', 'regCounty', 'viewerCounty', ...OUTSIDERS],
  },
  // Broker hooks: no user token; the broker's shared hook token is checked instead (device tests).
  'POST /mqtt/auth': { url: '', kind: 'public', allowed: [], denied: [] },
  'POST /mqtt/acl': { url: '', kind: 'public', allowed: [], denied: [] },
  'GET /api/v1/alarms/active': {
    url: '/api/v1/alarms/active',
    kind: 'collection',
    allowed: INSIDERS,
    denied: OUTSIDERS,
    showsE1: (b) => json(items(b)).includes('alarm-e1'),
  },
  'GET /api/v1/alarms': {
    url: '/api/v1/alarms',
    kind: 'collection',
    allowed: INSIDERS,
    denied: OUTSIDERS,
    showsE1: (b) => json(items(b)).includes('alarm-e1'),
  },
  'GET /api/v1/alarms/:id': {
    url: '/api/v1/alarms/alarm-e1',
    kind: 'resource',
    allowed: INSIDERS,
    denied: OUTSIDERS,
  },
  'POST /api/v1/alarms/:id/ack': {
    url: '/api/v1/alarms/alarm-e1/ack',
    body: {},
    kind: 'resource',
    allowed: DUTY_ROOM,
    denied: [...OUTSIDERS, 'viewerCounty'],
  },
  'POST /api/v1/alarms/:id/shelve': {
    url: '/api/v1/alarms/alarm-e1/shelve',
    body: { reason: 'sensor recalibration', until: 1772500000000 },
    kind: 'resource',
    allowed: DUTY_ROOM,
    denied: [...OUTSIDERS, 'viewerCounty'],
  },
  'POST /api/v1/alarms/:id/unshelve': {
    url: '/api/v1/alarms/alarm-e1/unshelve',
    body: {},
    kind: 'resource',
    allowed: DUTY_ROOM,
    denied: [...OUTSIDERS, 'viewerCounty'],
  },
  'POST /api/v1/alarms/:id/oos': {
    url: '/api/v1/alarms/alarm-e1/oos',
    body: { reason: 'maintenance' },
    kind: 'resource',
    allowed: CONFIGURERS,
    denied: [...OUTSIDERS, 'opE1', 'viewerCounty'],
  },
  'POST /api/v1/alarms/:id/return': {
    url: '/api/v1/alarms/alarm-e1/return',
    body: {},
    kind: 'resource',
    allowed: DUTY_ROOM,
    denied: [...OUTSIDERS, 'viewerCounty'],
  },
  'POST /api/v1/alarms/:id/comment': {
    url: '/api/v1/alarms/alarm-e1/comment',
    body: { text: 'checked on site' },
    kind: 'resource',
    allowed: DUTY_ROOM,
    denied: [...OUTSIDERS, 'viewerCounty'],
  },
  // No resource: the caller's own console; everyone with a scope may silence its horn (issue #21).
  'POST /api/v1/alarms/horn/silence': {
    url: '/api/v1/alarms/horn/silence',
    body: { sounding: 1, alarms: ['alarm-e1'] },
    kind: 'resource',
    allowed: [...INSIDERS, ...OUTSIDERS, 'viewerCounty'],
    denied: [],
  },
  'GET /api/v1/warnings': {
    url: '/api/v1/warnings',
    kind: 'collection',
    allowed: INSIDERS,
    denied: OUTSIDERS,
    showsE1: (b) => json(items(b)).includes('warning-e1'),
  },
  'GET /api/v1/warnings/records': {
    url: '/api/v1/warnings/records',
    kind: 'collection',
    allowed: INSIDERS,
    denied: OUTSIDERS,
    showsE1: (b) => json(items(b)).includes('warning-e1'),
  },
  'GET /api/v1/warnings/:id': {
    url: '/api/v1/warnings/warning-e1',
    kind: 'resource',
    allowed: INSIDERS,
    denied: OUTSIDERS,
  },
  'POST /api/v1/warnings/:id/sign': {
    url: '/api/v1/warnings/warning-e1/sign',
    body: {},
    kind: 'resource',
    allowed: DUTY_ROOM,
    denied: [...OUTSIDERS, 'viewerCounty'],
  },
  'POST /api/v1/warnings/:id/feedback': {
    url: '/api/v1/warnings/warning-e1/feedback',
    body: { text: 'valve closed' },
    kind: 'resource',
    allowed: DUTY_ROOM,
    denied: [...OUTSIDERS, 'viewerCounty'],
  },
  'POST /api/v1/warnings/:id/close': {
    url: '/api/v1/warnings/warning-e1/close',
    body: {},
    kind: 'resource',
    allowed: DUTY_ROOM,
    denied: [...OUTSIDERS, 'viewerCounty'],
  },
  // 督办 and 核查 are the supervising regulators' (issue #19, docs/warnings.md).
  'POST /api/v1/warnings/:id/urge': {
    url: '/api/v1/warnings/warning-e1/urge',
    body: { text: '请于今日17时前反馈', deadline: 1772500000000 },
    kind: 'resource',
    allowed: ['admin', 'regCity', 'regCounty'],
    denied: [...OUTSIDERS, 'opE1', 'smE1', 'viewerCounty'],
  },
  'POST /api/v1/warnings/:id/verify': {
    url: '/api/v1/warnings/warning-e1/verify',
    body: { text: '现场核查属实' },
    kind: 'resource',
    allowed: ['admin', 'regCity', 'regCounty'],
    denied: [...OUTSIDERS, 'opE1', 'smE1', 'viewerCounty'],
  },
  // Monitoring changes (issue #19): seeded pending changes 1–3 of E1.
  'GET /api/v1/changes': {
    url: '/api/v1/changes',
    kind: 'collection',
    allowed: INSIDERS,
    denied: OUTSIDERS,
    showsE1: (b) => json(items(b)).includes(E1),
  },
  'GET /api/v1/changes/:id': {
    url: '/api/v1/changes/1',
    kind: 'resource',
    allowed: INSIDERS,
    denied: OUTSIDERS,
  },
  'POST /api/v1/changes/:id/approve': {
    url: '/api/v1/changes/1/approve',
    body: {},
    kind: 'resource',
    allowed: [],
    denied: [...OUTSIDERS, 'opE1', 'smE1', 'viewerCounty'],
  },
  'POST /api/v1/changes/:id/deny': {
    url: '/api/v1/changes/2/deny',
    body: { note: '不同意' },
    kind: 'resource',
    allowed: ['regCounty'],
    denied: [...OUTSIDERS, 'opE1', 'smE1', 'viewerCounty'],
  },
  'POST /api/v1/changes/:id/withdraw': {
    url: '/api/v1/changes/3/withdraw',
    body: {},
    kind: 'resource',
    allowed: ['smE1'],
    denied: [...OUTSIDERS, 'regCounty', 'viewerCounty'],
  },
  // The alarm journal and the exports (issue #21): files are checked as text for E1's alarm id.
  'GET /api/v1/alarm-journal': {
    url: `/api/v1/alarm-journal?${range}`,
    kind: 'collection',
    allowed: INSIDERS,
    denied: OUTSIDERS,
    showsE1: (b) => json(items(b)).includes(E1),
  },
  'GET /api/v1/alarm-journal/export': {
    url: `/api/v1/alarm-journal/export?${range}&format=csv`,
    kind: 'collection',
    allowed: INSIDERS,
    denied: OUTSIDERS,
    showsE1: (b) => String(b).includes('alarm-e1'),
  },
  'GET /api/v1/alarms/active/export': {
    url: '/api/v1/alarms/active/export?format=csv',
    kind: 'collection',
    allowed: INSIDERS,
    denied: OUTSIDERS,
    showsE1: (b) => String(b).includes('alarm-e1'),
  },
  // Shift handovers (issue #21): seeded pending handover 1 of E1's duty room, by opE1-night.
  'GET /api/v1/handovers': {
    url: '/api/v1/handovers',
    kind: 'collection',
    allowed: INSIDERS,
    denied: OUTSIDERS,
    showsE1: (b) => json(items(b)).includes(E1),
  },
  // What a handover now would record: E1's open alarm and 预警 for E1's desk and its regulators.
  'GET /api/v1/handovers/snapshot': {
    url: '/api/v1/handovers/snapshot',
    kind: 'collection',
    allowed: ['opE1', 'regCounty', 'regCity'],
    denied: [...OUTSIDERS, 'admin', 'smE1', 'viewerCounty'],
    showsE1: (b) => json((b as { snapshot: unknown }).snapshot).includes(E1),
  },
  'GET /api/v1/handovers/:id': {
    url: '/api/v1/handovers/1',
    kind: 'resource',
    allowed: INSIDERS,
    denied: OUTSIDERS,
  },
  'POST /api/v1/handovers': {
    url: '/api/v1/handovers',
    body: { notes: '县值班交班' },
    kind: 'resource',
    allowed: ['regCounty'],
    denied: ['admin', 'smE1', 'viewerCounty'],
  },
  'POST /api/v1/handovers/:id/accept': {
    url: '/api/v1/handovers/1/accept',
    body: {},
    kind: 'resource',
    allowed: ['opE1'],
    denied: [...OUTSIDERS, 'admin', 'smE1', 'viewerCounty'],
  },
  'GET /api/v1/data-loss': {
    url: '/api/v1/data-loss',
    kind: 'collection',
    allowed: INSIDERS,
    denied: OUTSIDERS,
    showsE1: (b) => json(items(b)).includes(E1),
  },
  // Login entries of E1's operator carry E1 as their scope enterprise.
  'GET /api/v1/audit': {
    url: '/api/v1/audit',
    kind: 'collection',
    allowed: ['admin', 'regCity', 'regCounty'],
    denied: ['regOther'],
    showsE1: (b) => json(items(b)).includes(`"${E1}"`),
  },
};

describe('scope table over every route', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await buildTestApi();
    await seedPendingChanges(api.client);
    await seedPendingHandover(api.client);
    // The alarm journal's rows (issue #21): one event of E1's alarm, raised.
    await api.client.query(
      `INSERT INTO alarm_events (alarm_id, source_key, condition, from_state, to_state, ts, actor, colour)
       SELECT id, source_key, condition, 'NORM', 'UNACK', raised_at, 'system', colour FROM alarms WHERE id = 'alarm-e1'`,
    );
    // A hole E1's gateway reported, for the data-loss list's row.
    await new DataLossRepository(api.client).insert({
      enterprise: E1,
      gateway: 'GW01',
      reason: 'max_bytes',
      readings: 100,
      entries: 1,
      fromMs: 1772400000000,
      toMs: 1772400060000,
      reportedMs: 1772400070000,
      receivedMs: 1772400071000,
    });
  });
  afterAll(() => api.close());

  it('has a row for every registered route, and no row for a route that does not exist', () => {
    const registered = api.app.routeScopes
      .filter((r) => !r.url.startsWith('/docs'))
      .map((r) => `${r.method} ${r.url}`);
    expect(
      registered.filter((k) => !(k in TABLE)),
      'routes without a scope-table row',
    ).toEqual([]);
    expect(
      Object.keys(TABLE).filter((k) => !registered.includes(k)),
      'rows for unknown routes',
    ).toEqual([]);
  });

  it('serves the documentation routes without a token', () => {
    for (const r of api.app.routeScopes.filter((x) => x.url.startsWith('/docs')))
      expect(r.scope.kind).toBe('public');
  });

  const inject = (key: string, user: TestUser | undefined) => {
    const row = TABLE[key]!;
    const method = key.split(' ')[0] as 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
    return api.app.inject({
      method,
      url: row.url,
      headers: {
        ...(user ? api.auth(user) : {}),
        ...(row.raw ? { 'content-type': row.raw.contentType } : {}),
      },
      ...(row.body ? { payload: row.body } : {}),
      ...(row.raw ? { payload: row.raw.payload } : {}),
    });
  };

  /** A JSON answer parsed; a file (CSV export) as its text. */
  const answer = (res: { headers: Record<string, unknown>; body: string; json: () => unknown }): unknown =>
    String(res.headers['content-type']).includes('json') ? res.json() : res.body;

  /**
   * Refusals of this route audited for this user so far (`access.denied` by scope,
   * `authority.refused` by the authority table; target `METHOD /route`).
   */
  const refusalsAudited = async (user: TestUser, key: string): Promise<number> => {
    const { rows } = await api.client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM audit_log
        WHERE action IN ('access.denied', 'authority.refused') AND actor = $1 AND target_id = $2`,
      [user, key],
    );
    return rows[0]?.n ?? 0;
  };

  for (const [key, row] of Object.entries(TABLE)) {
    if (row.kind === 'public') continue;
    it(`${key}: 401 without a token, 2xx in scope, refused out of scope`, async () => {
      expect((await inject(key, undefined)).statusCode).toBe(401);
      for (const user of row.allowed) {
        const res = await inject(key, user);
        expect(res.statusCode, `${user}: ${res.body}`).toBeGreaterThanOrEqual(200);
        expect(res.statusCode, `${user}: ${res.body}`).toBeLessThan(300);
        if (row.showsE1) expect(row.showsE1(answer(res)), `${user} should see E1`).toBe(true);
      }
      for (const user of row.denied) {
        const audited = await refusalsAudited(user, key);
        const res = await inject(key, user);
        if (row.kind === 'collection' && res.statusCode === 200) {
          expect(row.showsE1!(answer(res)), `${user} must not see E1: ${res.body}`).toBe(false);
        } else {
          expect(res.statusCode, `${user}: ${res.body}`).toBe(403);
          expect(res.json()).toMatchObject({ code: 'HW_API_FORBIDDEN' });
          // Issue 17 item 5: every refusal is in the audit log, with who and what.
          expect(await refusalsAudited(user, key), `${user}: refusal audited`).toBe(audited + 1);
        }
      }
    });
  }
});
