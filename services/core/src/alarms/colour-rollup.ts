/**
 * Incremental four-colour roll-up (REFERENCE §5: colour of the highest risk; §8 item 20: routed
 * province → city → county/park → enterprise):
 *   point/gateway = highest colour of its counted alarms;
 *   hazard        = hazard-colour.ts (highest + multi-detector + escalation);
 *   enterprise    = highest of its hazards, its points without a hazard and its gateways;
 *   region        = highest over the enterprises of its subtree, with per-colour counts of the
 *                   hazards and enterprises in it.
 * An alarm counts while it is active and annunciated (UNACK or ACKED): RTNUN has returned to
 * normal, and SHLVD/DSUPR/OOSRV are deliberately hidden (ISA-18.2 shelving/suppression; an H
 * suppressed by design while its HH holds is not counted beside the HH, designed-suppression.ts).
 * A late alarm (raised from replayed readings, alarm-record.ts) does not count: it tells what
 * happened while the link was down, the colour says what holds now; once live readings show the
 * condition the alarm is live and counts.
 * Colour changes are events too: `apply` returns every change at every level.
 */
import {
  pointSourceKey,
  WARNING_COLOURS,
  type AlarmCondition,
  type WarningColour,
} from '@hazardwatch/contracts';
import type { SiteIndex } from '../site-index.js';
import type { AlarmRecord } from './alarm-record.js';
import { maxColour, type ColourPolicy } from './colour-policy.js';
import { hazardColour, type HazardColourVerdict, type HazardPointAlarms } from './hazard-colour.js';

export type RollupLevel = 'point' | 'gateway' | 'hazard' | 'enterprise' | 'region';

/**
 * A colour change of one node. `code`: point id, `enterprise/gateway`, `enterprise/hazard`,
 * enterprise code or region code. null = no counted alarm (normal).
 */
export interface ColourChange {
  readonly level: RollupLevel;
  readonly code: string;
  readonly from: WarningColour | null;
  readonly to: WarningColour | null;
  /** ms UTC. */
  readonly ts: number;
  /**
   * A region's change as the database stored it (its colour_events id): the region roll-up over
   * every worker's enterprises is made there (store hw_region_colours), and the number rises with
   * each stored change of the region, so a client keeps the highest. Absent on the changes of this
   * roll-up, which are not ordered across workers.
   */
  readonly seq?: number;
}

export type ColourCounts = Readonly<Record<WarningColour, number>>;

export interface RegionSummary {
  readonly code: string;
  readonly colour: WarningColour | null;
  /** Hazards / enterprises of the subtree per colour; the rest (total − Σ) are normal. */
  readonly hazards: ColourCounts;
  readonly enterprises: ColourCounts;
  readonly hazardTotal: number;
  readonly enterpriseTotal: number;
}

export interface RollupUpdate {
  readonly changes: readonly ColourChange[];
  /** Regions whose colour or counts changed, in their new form. */
  readonly regions: readonly RegionSummary[];
}

interface Counted {
  readonly sourceKey: string;
  readonly condition: AlarmCondition;
  readonly colour: WarningColour;
}

interface RegionTally {
  colour: WarningColour | null;
  readonly hazards: Record<WarningColour, number>;
  readonly enterprises: Record<WarningColour, number>;
  hazardTotal: number;
  enterpriseTotal: number;
}

/** Where a source rolls up to. */
interface Owner {
  readonly level: 'point' | 'gateway';
  readonly code: string;
  readonly pointId: number | null;
  readonly hazard: string | null;
  readonly enterprise: string | null;
}

const zero = (): Record<WarningColour, number> => ({ blue: 0, yellow: 0, orange: 0, red: 0 });
const counts = (alarm: AlarmRecord): boolean =>
  // The platform's own alarms (a TimescaleDB job) belong to no enterprise: they colour nothing.
  alarm.source.kind !== 'platform' &&
  alarm.active &&
  alarm.late !== true &&
  (alarm.state === 'UNACK' || alarm.state === 'ACKED');

export class ColourRollup {
  readonly #index: SiteIndex;
  readonly #policy: ColourPolicy;
  readonly #alarms = new Map<string, Counted>();
  readonly #bySource = new Map<string, Map<string, Counted>>();
  readonly #owners = new Map<string, Owner>();
  readonly #colour = new Map<string, WarningColour>();
  /** hazard key → ids of its points that have counted alarms. */
  readonly #hazardPoints = new Map<string, Set<number>>();
  readonly #verdicts = new Map<string, HazardColourVerdict>();
  /** enterprise → member (hazard key or source key) → colour. */
  readonly #members = new Map<string, Map<string, WarningColour>>();
  readonly #regions = new Map<string, RegionTally>();

  constructor(index: SiteIndex, policy: ColourPolicy) {
    this.#index = index;
    this.#policy = policy;
    for (const r of index.site.regions) {
      this.#regions.set(r.code, {
        colour: null,
        hazards: zero(),
        enterprises: zero(),
        hazardTotal: 0,
        enterpriseTotal: 0,
      });
    }
    for (const e of index.site.enterprises) for (const t of this.#chain(e.code)) t.enterpriseTotal += 1;
    for (const h of index.site.hazards) for (const t of this.#chain(h.enterprise)) t.hazardTotal += 1;
  }

  /** Current colour of a node (see `ColourChange.code`); null = normal. */
  colour(level: RollupLevel, code: string): WarningColour | null {
    if (level === 'region') return this.#regions.get(code)?.colour ?? null;
    return this.#colour.get(`${level}:${code}`) ?? null;
  }

  /** Every node that has a colour now (normal nodes are absent): lets two roll-ups be compared. */
  coloured(): Array<{ readonly level: RollupLevel; readonly code: string; readonly colour: WarningColour }> {
    const out: Array<{ level: RollupLevel; code: string; colour: WarningColour }> = [];
    for (const [key, colour] of this.#colour) {
      const colon = key.indexOf(':');
      out.push({ level: key.slice(0, colon) as RollupLevel, code: key.slice(colon + 1), colour });
    }
    for (const [code, t] of this.#regions)
      if (t.colour !== null) out.push({ level: 'region', code, colour: t.colour });
    return out;
  }

  /** Colour changes that turn the roll-up `before` into `after` (e.g. after the site model changed). */
  static diff(before: ColourRollup, after: ColourRollup, ts: number): ColourChange[] {
    const key = (level: RollupLevel, code: string): string => `${level}:${code}`;
    const old = new Map(before.coloured().map((n) => [key(n.level, n.code), n]));
    const changes: ColourChange[] = [];
    for (const n of after.coloured()) {
      const was = old.get(key(n.level, n.code));
      old.delete(key(n.level, n.code));
      if (was?.colour !== n.colour)
        changes.push({ level: n.level, code: n.code, from: was?.colour ?? null, to: n.colour, ts });
    }
    for (const n of old.values())
      changes.push({ level: n.level, code: n.code, from: n.colour, to: null, ts });
    return changes;
  }

  /** Why a hazard has its colour. */
  hazardVerdict(enterprise: string, hazard: string): HazardColourVerdict | undefined {
    return this.#verdicts.get(`${enterprise}/${hazard}`);
  }

  region(code: string): RegionSummary | undefined {
    const t = this.#regions.get(code);
    return t === undefined ? undefined : summary(code, t);
  }

  /** Feed changed alarm records (as returned by the alarm book); get the colour changes they cause. */
  apply(alarms: readonly AlarmRecord[], ts: number): RollupUpdate {
    const changes: ColourChange[] = [];
    const dirtySources = new Set<string>();
    for (const alarm of alarms) {
      const old = this.#alarms.get(alarm.id);
      if (old !== undefined) {
        this.#alarms.delete(alarm.id);
        this.#bySource.get(old.sourceKey)?.delete(alarm.id);
        dirtySources.add(old.sourceKey);
      }
      if (counts(alarm)) {
        const c: Counted = { sourceKey: alarm.sourceKey, condition: alarm.condition, colour: alarm.colour };
        this.#alarms.set(alarm.id, c);
        let list = this.#bySource.get(alarm.sourceKey);
        if (list === undefined) this.#bySource.set(alarm.sourceKey, (list = new Map<string, Counted>()));
        list.set(alarm.id, c);
        this.#owners.set(alarm.sourceKey, this.#ownerOf(alarm));
        dirtySources.add(alarm.sourceKey);
      }
    }

    /** hazard key → its enterprise. */
    const dirtyHazards = new Map<string, string>();
    const dirtyEnterprises = new Set<string>();
    for (const key of dirtySources) {
      const owner = this.#owners.get(key);
      if (owner === undefined) continue;
      const list = this.#bySource.get(key);
      let colour: WarningColour | null = null;
      for (const c of list?.values() ?? []) colour = maxColour(colour, c.colour);
      if (list?.size === 0) this.#bySource.delete(key);
      this.#set(owner.level, owner.code, colour, ts, changes);
      if (owner.hazard !== null && owner.pointId !== null) {
        const points = this.#hazardPoints.get(owner.hazard) ?? new Set<number>();
        if (colour === null) points.delete(owner.pointId);
        else points.add(owner.pointId);
        this.#hazardPoints.set(owner.hazard, points);
        if (owner.enterprise !== null) dirtyHazards.set(owner.hazard, owner.enterprise);
      } else if (owner.enterprise !== null) {
        this.#member(owner.enterprise, key, colour);
        dirtyEnterprises.add(owner.enterprise);
      }
    }

    const touched = new Set<string>();
    for (const [hazardKey, enterprise] of dirtyHazards) {
      const verdict = hazardColour(this.#policy, this.#hazardPointAlarms(hazardKey));
      this.#verdicts.set(hazardKey, verdict);
      const from = this.#set('hazard', hazardKey, verdict.colour, ts, changes);
      this.#member(enterprise, `hazard:${hazardKey}`, verdict.colour);
      dirtyEnterprises.add(enterprise);
      if (from !== verdict.colour) this.#tally(enterprise, 'hazards', from, verdict.colour, touched);
    }

    for (const enterprise of dirtyEnterprises) {
      let colour: WarningColour | null = null;
      for (const c of this.#members.get(enterprise)?.values() ?? []) colour = maxColour(colour, c);
      const from = this.#set('enterprise', enterprise, colour, ts, changes);
      if (from !== colour) this.#tally(enterprise, 'enterprises', from, colour, touched);
    }

    const regions: RegionSummary[] = [];
    for (const code of touched) {
      const t = this.#regions.get(code);
      if (t === undefined) continue;
      const colour = [...WARNING_COLOURS].reverse().find((c) => t.enterprises[c] > 0) ?? null;
      if (colour !== t.colour) changes.push({ level: 'region', code, from: t.colour, to: colour, ts });
      t.colour = colour;
      regions.push(summary(code, t));
    }
    return { changes, regions };
  }

  #ownerOf(alarm: AlarmRecord): Owner {
    const s = alarm.source;
    // Unreachable: `counts` keeps platform alarms out before an owner is looked for.
    if (s.kind === 'platform') throw new TypeError(`platform alarm ${alarm.id} has no place in the roll-up`);
    if (s.kind === 'gateway') {
      const enterprise = this.#index.enterprise(s.enterprise) === undefined ? null : s.enterprise;
      return {
        level: 'gateway',
        code: `${s.enterprise}/${s.gateway}`,
        pointId: null,
        hazard: null,
        enterprise,
      };
    }
    const p = this.#index.pointById(s.pointId);
    return {
      level: 'point',
      code: String(s.pointId),
      pointId: s.pointId,
      hazard: p === undefined || p.hazard === null ? null : `${p.enterprise}/${p.hazard}`,
      enterprise: p?.enterprise ?? null,
    };
  }

  #hazardPointAlarms(hazardKey: string): HazardPointAlarms[] {
    const out: HazardPointAlarms[] = [];
    for (const id of this.#hazardPoints.get(hazardKey) ?? []) {
      const p = this.#index.pointById(id);
      if (p === undefined) continue;
      const list = this.#bySource.get(pointSourceKey(id));
      out.push({
        pointId: id,
        pointKind: p.kind,
        deviceCode: p.deviceCode,
        alarms: [...(list?.values() ?? [])],
      });
    }
    return out;
  }

  /** Set a node's colour; returns the previous one and records a change when it differs. */
  #set(
    level: RollupLevel,
    code: string,
    to: WarningColour | null,
    ts: number,
    changes: ColourChange[],
  ): WarningColour | null {
    const key = `${level}:${code}`;
    const from = this.#colour.get(key) ?? null;
    if (to === null) this.#colour.delete(key);
    else this.#colour.set(key, to);
    if (from !== to) changes.push({ level, code, from, to, ts });
    return from;
  }

  #member(enterprise: string, key: string, colour: WarningColour | null): void {
    let m = this.#members.get(enterprise);
    if (m === undefined) this.#members.set(enterprise, (m = new Map<string, WarningColour>()));
    if (colour === null) m.delete(key);
    else m.set(key, colour);
  }

  #tally(
    enterprise: string,
    what: 'hazards' | 'enterprises',
    from: WarningColour | null,
    to: WarningColour | null,
    touched: Set<string>,
  ): void {
    for (const t of this.#chain(enterprise)) {
      if (from !== null) t[what][from] -= 1;
      if (to !== null) t[what][to] += 1;
    }
    const e = this.#index.enterprise(enterprise);
    if (e !== undefined) for (const r of this.#index.regionChain(e.region)) touched.add(r.code);
  }

  /** Tallies of the enterprise's region and its ancestors. */
  #chain(enterprise: string): RegionTally[] {
    const e = this.#index.enterprise(enterprise);
    if (e === undefined) return [];
    return this.#index
      .regionChain(e.region)
      .map((r) => this.#regions.get(r.code))
      .filter((t): t is RegionTally => t !== undefined);
  }
}

function summary(code: string, t: RegionTally): RegionSummary {
  return Object.freeze({
    code,
    colour: t.colour,
    hazards: Object.freeze({ ...t.hazards }),
    enterprises: Object.freeze({ ...t.enterprises }),
    hazardTotal: t.hazardTotal,
    enterpriseTotal: t.enterpriseTotal,
  });
}
