/**
 * The points a simulator plays, read from a HazardWatch site file (YAML or JSON).
 *
 * Simulators never import the platform's site model (ARCHITECTURE.md: contracts only), so this
 * reads just the fields a simulated device needs. Full validation of the site file is the
 * platform's job; here unknown keys are ignored, and only what would make the simulation wrong
 * is refused: malformed codes, points on an unknown gateway, duplicate tags, an empty range.
 */
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { parse as parseYaml } from 'yaml';
import { TOPIC_SEGMENT_PATTERN } from '@hazardwatch/contracts';
import { schemaProblems } from '@hazardwatch/kit';
import { SimulatorError } from './errors.js';

/** Alarm limits in the point's unit; gas channels use `h` (level-1) and `hh` (level-2). */
export interface PointLimits {
  readonly ll?: number;
  readonly l?: number;
  readonly h?: number;
  readonly hh?: number;
}

export interface SimulatedPoint {
  readonly enterprise: string;
  readonly gateway: string;
  /** 位号, unique within the enterprise. */
  readonly tag: string;
  /** Measurement kind as written in the site file (`temperature`, `combustible_gas`, `oxygen`, …). */
  readonly kind: string;
  readonly unit: string;
  /** 量程, in the point's unit; `min < max`. */
  readonly range: { readonly min: number; readonly max: number };
  readonly limits: PointLimits;
  /** @default true */
  readonly enabled: boolean;
}

export interface SimulatedGateway {
  readonly enterprise: string;
  readonly code: string;
  /** The gateway's points in file order, disabled ones included (they are never published). */
  readonly points: readonly SimulatedPoint[];
}

export interface SimulatedSite {
  readonly enterprises: readonly string[];
  readonly gateways: readonly SimulatedGateway[];
  readonly points: readonly SimulatedPoint[];
}

// Only the fields read here; other keys pass (the platform validates the whole file).
const Code = Type.String({ pattern: TOPIC_SEGMENT_PATTERN });
const Limit = Type.Optional(Type.Number());
const SiteSubsetSchema = Type.Object({
  enterprises: Type.Array(Type.Object({ code: Code })),
  gateways: Type.Array(Type.Object({ code: Code, enterprise: Code })),
  points: Type.Array(
    Type.Object({
      tag: Type.String({ minLength: 1, maxLength: 64 }),
      enterprise: Code,
      gateway: Code,
      kind: Type.String({ minLength: 1 }),
      unit: Type.String({ minLength: 1 }),
      range: Type.Object({ min: Type.Number(), max: Type.Number() }),
      limits: Type.Optional(Type.Object({ ll: Limit, l: Limit, h: Limit, hh: Limit })),
      enabled: Type.Optional(Type.Boolean()),
    }),
  ),
});
type SiteSubset = Static<typeof SiteSubsetSchema>;

/**
 * Parses site file text. YAML 1.2 is a superset of JSON, so one parser reads both.
 * @throws SimulatorError HW_SIM_SITE_PARSE (not YAML/JSON) or HW_SIM_SITE_INVALID (every problem listed)
 */
export function loadSimulatedSite(text: string): SimulatedSite {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new SimulatorError(
      'HW_SIM_SITE_PARSE',
      { reason: err instanceof Error ? err.message : String(err) },
      { cause: err },
    );
  }
  return simulatedSiteFrom(doc);
}

/** Builds the simulated site from an already parsed site document. */
export function simulatedSiteFrom(doc: unknown): SimulatedSite {
  if (!Value.Check(SiteSubsetSchema, doc)) {
    const issues = schemaProblems(SiteSubsetSchema, doc).map((p) => `${p.pointer || '/'}: ${p.detail}`);
    throw invalid(issues.slice(0, 20));
  }
  return build(doc);
}

function build(doc: SiteSubset): SimulatedSite {
  const issues: string[] = [];
  const enterprises = new Set<string>();
  for (const e of doc.enterprises) {
    if (enterprises.has(e.code)) issues.push(`enterprise ${e.code}: duplicate code`);
    enterprises.add(e.code);
  }

  const byGateway = new Map<string, SimulatedPoint[]>();
  for (const g of doc.gateways) {
    const key = gatewayKey(g.enterprise, g.code);
    if (!enterprises.has(g.enterprise)) issues.push(`gateway ${key}: unknown enterprise`);
    if (byGateway.has(key)) issues.push(`gateway ${key}: duplicate code`);
    byGateway.set(key, []);
  }

  const tags = new Set<string>();
  const points: SimulatedPoint[] = [];
  for (const p of doc.points) {
    const key = `${p.enterprise}/${p.tag}`;
    if (tags.has(key)) issues.push(`point ${key}: duplicate tag`);
    tags.add(key);
    if (!(p.range.min < p.range.max)) issues.push(`point ${key}: range.min must be below range.max`);
    const list = byGateway.get(gatewayKey(p.enterprise, p.gateway));
    if (list === undefined) {
      issues.push(`point ${key}: unknown gateway ${p.gateway}`);
      continue;
    }
    const point: SimulatedPoint = Object.freeze({
      enterprise: p.enterprise,
      gateway: p.gateway,
      tag: p.tag,
      kind: p.kind,
      unit: p.unit,
      range: Object.freeze({ min: p.range.min, max: p.range.max }),
      limits: Object.freeze(definedLimits(p.limits)),
      enabled: p.enabled ?? true,
    });
    list.push(point);
    points.push(point);
  }
  if (issues.length > 0) throw invalid(issues);

  const gateways = doc.gateways.map((g) =>
    Object.freeze({
      enterprise: g.enterprise,
      code: g.code,
      points: Object.freeze(byGateway.get(gatewayKey(g.enterprise, g.code)) ?? []),
    }),
  );
  return Object.freeze({
    enterprises: Object.freeze([...enterprises]),
    gateways: Object.freeze(gateways),
    points: Object.freeze(points),
  });
}

function definedLimits(limits: SiteSubset['points'][number]['limits']): PointLimits {
  const out: { ll?: number; l?: number; h?: number; hh?: number } = {};
  if (limits?.ll !== undefined) out.ll = limits.ll;
  if (limits?.l !== undefined) out.l = limits.l;
  if (limits?.h !== undefined) out.h = limits.h;
  if (limits?.hh !== undefined) out.hh = limits.hh;
  return out;
}

const gatewayKey = (enterprise: string, gateway: string): string => `${enterprise}/${gateway}`;

function invalid(issues: string[]): SimulatorError<'HW_SIM_SITE_INVALID'> {
  return new SimulatorError('HW_SIM_SITE_INVALID', { count: issues.length, issues });
}
