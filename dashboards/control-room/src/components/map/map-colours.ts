/**
 * What the map colours mean (issue #21): a marker is filled with the WORSE of two colours, so an
 * operator never sees green where the system holds a red 预警:
 *   - the current alarm roll-up (core colour-rollup.ts: active, annunciated alarms only — RTNUN,
 *     shelved, suppressed, out-of-service and late alarms do not count), and
 *   - the colour of the node's open 预警 (REFERENCE §1, §8 item 20: a 预警 stays open through
 *     签收 → 反馈 → 核查 until 消警, whatever its alarms do meanwhile).
 * The 预警 colour is also drawn as a ring of its own, so "red because of a 预警" stays visible when
 * the alarms are back to normal. The static risk grade (风险四色 / 重大危险源 level, REFERENCE §5) is
 * not drawn here: it is a different scale.
 */
import type { RegionNode, WarningRow, WarningColour } from '@hazardwatch/contracts';
import { worstColour } from '../../logic/colour.js';

export interface MarkColour {
  /** Current alarm roll-up colour; null = no counted alarm. */
  readonly alarm: WarningColour | null;
  /** Highest colour of the node's open 预警; null = none open. */
  readonly warning: WarningColour | null;
  /** Open 预警 of the node. */
  readonly warnings: number;
  /** What the marker is filled with: the worse of the two. */
  readonly shown: WarningColour | null;
}

interface Held {
  colour: WarningColour | null;
  count: number;
}

export interface OpenWarningIndex {
  /** Enterprise code → its open 预警, its hazards' included. */
  readonly enterprise: ReadonlyMap<string, Held>;
  /** `enterprise/hazard` → the hazard's open 预警. */
  readonly hazard: ReadonlyMap<string, Held>;
}

/** Open 预警 (not 消警) per enterprise and per hazard, with their highest colour. */
export function openWarnings(warnings: readonly WarningRow[]): OpenWarningIndex {
  const enterprise = new Map<string, Held>();
  const hazard = new Map<string, Held>();
  const add = (m: Map<string, Held>, key: string, colour: WarningColour): void => {
    const h = m.get(key) ?? { colour: null, count: 0 };
    h.colour = worstColour([h.colour, colour]);
    h.count += 1;
    m.set(key, h);
  };
  for (const w of warnings) {
    if (w.state === 'closed') continue;
    add(enterprise, w.enterprise, w.colour);
    if (w.hazard !== null) add(hazard, `${w.enterprise}/${w.hazard}`, w.colour);
  }
  return { enterprise, hazard };
}

export function markColour(alarm: WarningColour | null, held: Held | undefined): MarkColour {
  const warning = held?.colour ?? null;
  return { alarm, warning, warnings: held?.count ?? 0, shown: worstColour([alarm, warning]) };
}

export type ColourTally = Record<WarningColour, number> & { total: number };

export interface RegionMark {
  /** Worst shown colour of the subtree's enterprises. */
  readonly colour: WarningColour | null;
  /** Worst open 预警 of the subtree. */
  readonly warning: WarningColour | null;
  /** Enterprises of the subtree per shown colour. */
  readonly enterprises: ColourTally;
}

export const emptyTally = (): ColourTally => ({ red: 0, orange: 0, yellow: 0, blue: 0, total: 0 });

export function tally(marks: Iterable<MarkColour>): ColourTally {
  const t = emptyTally();
  for (const m of marks) {
    t.total += 1;
    if (m.shown !== null) t[m.shown] += 1;
  }
  return t;
}

/** Per region (subtree): the enterprises' shown colours, as the map draws them. */
export function regionMarks(
  roots: readonly RegionNode[],
  enterprises: ReadonlyArray<{ readonly code: string; readonly region: string }>,
  markOf: (enterprise: string) => MarkColour,
): Map<string, RegionMark> {
  const direct = new Map<string, MarkColour[]>();
  for (const e of enterprises) {
    const list = direct.get(e.region) ?? [];
    list.push(markOf(e.code));
    direct.set(e.region, list);
  }
  const out = new Map<string, RegionMark>();
  const walk = (n: RegionNode): MarkColour[] => {
    const marks = [...(direct.get(n.code) ?? []), ...n.children.flatMap(walk)];
    out.set(n.code, {
      colour: worstColour(marks.map((m) => m.shown)),
      warning: worstColour(marks.map((m) => m.warning)),
      enterprises: tally(marks),
    });
    return marks;
  };
  roots.forEach(walk);
  return out;
}
