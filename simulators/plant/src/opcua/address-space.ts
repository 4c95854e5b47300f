/**
 * The plant's OPC-UA address space: one Object per site under Objects, one Object per unit (a
 * major hazard or a gateway's process unit) under its site, one Variable per tag under its unit.
 *
 *   Objects/<site>/<unit>/<tag>   NodeId ns=1;s=<site>.<unit>.<tag>   BrowseName 1:<tag>
 *
 * Namespace 1 is the server's own namespace (node-opcua creates it first), so NodeIds stay the
 * same across restarts and between runs: edge configurations may name them directly.
 */
import {
  DataType,
  StatusCodes,
  makeEUInformation,
  type Namespace,
  type StatusCode,
  type UAObject,
  type UAVariable,
} from 'node-opcua';
import type { Quality } from '@hazardwatch/contracts';
import { SimulatorError } from '../errors.js';

export interface PlantOpcuaTag {
  /** Site (enterprise) code: the first folder level. */
  readonly site: string;
  /** Unit (hazard or process unit) code: the second folder level. */
  readonly unit: string;
  /** Point tag (位号); unique on one server, as on one plant's DCS. */
  readonly tag: string;
  /** Engineering unit symbol (°C, MPa, %LEL); makes the Variable an AnalogItem with EngineeringUnits. */
  readonly engineeringUnit?: string;
  /** Instrument range in the engineering unit; becomes the AnalogItem's EURange. */
  readonly range?: { readonly min: number; readonly max: number };
  readonly description?: string;
  /** 'Boolean' for switches (0/1 in `setValue`). @default 'Double' */
  readonly dataType?: 'Double' | 'Boolean';
  /** Value before the first `setValue`, with Good status at server start. @default 0 */
  readonly initialValue?: number;
}

/** Where a tag's current value lives; `setValue` updates it in place, the node is never re-created. */
export interface TagValue {
  readonly spec: PlantOpcuaTag;
  readonly nodeId: string;
  value: number;
  quality: Quality;
  /** Source timestamp, ms UTC. */
  ts: number;
  /** The live node while the server runs. */
  variable: UAVariable | undefined;
}

/** Characters that would make the string NodeId or the dotted path ambiguous. */
const UNSAFE = /[.;\s]/;

/** The stable NodeId of a tag: `ns=1;s=<site>.<unit>.<tag>`. */
export function plantNodeId(site: string, unit: string, tag: string): string {
  return `ns=1;s=${site}.${unit}.${tag}`;
}

/** The browse path of a tag from the Root folder, in OPC UA relative path syntax (Part 4 §A.2). */
export function plantBrowsePath(site: string, unit: string, tag: string): string {
  return `/Objects/1:${site}/1:${unit}/1:${tag}`;
}

/** OPC UA status for a reading quality: the classes match (contracts' quality follows OPC UA). */
export function statusForQuality(quality: Quality): StatusCode {
  switch (quality) {
    case 'good':
      return StatusCodes.Good;
    case 'uncertain':
      return StatusCodes.UncertainLastUsableValue;
    case 'bad':
      return StatusCodes.BadSensorFailure;
  }
}

/** @throws SimulatorError HW_SIM_OPTIONS_INVALID listing every unusable tag */
export function checkPlantTags(tags: readonly PlantOpcuaTag[], existing: ReadonlySet<string>): void {
  const issues: string[] = [];
  const seen = new Set(existing);
  for (const t of tags) {
    for (const [field, v] of [
      ['site', t.site],
      ['unit', t.unit],
      ['tag', t.tag],
    ] as const) {
      if (v.length === 0 || UNSAFE.test(v))
        issues.push(`tag ${t.tag}: ${field} "${v}" is empty or has . ; or space`);
    }
    if (seen.has(t.tag)) issues.push(`tag ${t.tag}: duplicate tag`);
    seen.add(t.tag);
    if (t.range !== undefined && !(t.range.min < t.range.max))
      issues.push(`tag ${t.tag}: range.min ≥ range.max`);
  }
  if (issues.length > 0) throw new SimulatorError('HW_SIM_OPTIONS_INVALID', { issues: issues.slice(0, 20) });
}

export function newTagValue(spec: PlantOpcuaTag, now: number): TagValue {
  return {
    spec,
    nodeId: plantNodeId(spec.site, spec.unit, spec.tag),
    value: spec.initialValue ?? 0,
    quality: 'good',
    ts: now,
    variable: undefined,
  };
}

/** Builds site and unit folders on demand and one Variable per tag; used at start and by `addTags`. */
export class PlantAddressSpace {
  private readonly folders = new Map<string, UAObject>();

  constructor(
    private readonly ns: Namespace,
    private readonly objectsFolder: UAObject,
  ) {}

  addTag(tv: TagValue): void {
    const { site, unit, tag } = tv.spec;
    const unitFolder = this.folder(`${site}.${unit}`, unit, this.folder(site, site, this.objectsFolder));
    const common = {
      componentOf: unitFolder,
      browseName: tag,
      nodeId: `s=${site}.${unit}.${tag}`,
      description: tv.spec.description ?? tag,
      minimumSamplingInterval: 0,
    };
    if (tv.spec.dataType === 'Boolean') {
      tv.variable = this.ns.addVariable({ ...common, dataType: 'Boolean' });
    } else if (tv.spec.engineeringUnit !== undefined || tv.spec.range !== undefined) {
      const unitSymbol = tv.spec.engineeringUnit ?? '';
      tv.variable = this.ns.addAnalogDataItem({
        ...common,
        dataType: 'Double',
        engineeringUnitsRange: {
          low: tv.spec.range?.min ?? -1e9,
          high: tv.spec.range?.max ?? 1e9,
        },
        ...(tv.spec.engineeringUnit === undefined
          ? {}
          : { engineeringUnits: makeEUInformation(unitSymbol, unitSymbol, unitSymbol) }),
      });
    } else {
      tv.variable = this.ns.addVariable({ ...common, dataType: 'Double' });
    }
    publish(tv);
  }

  removeTag(tv: TagValue): void {
    if (tv.variable === undefined) return;
    this.ns.deleteNode(tv.variable);
    tv.variable = undefined;
  }

  private folder(key: string, browseName: string, parent: UAObject): UAObject {
    let folder = this.folders.get(key);
    if (folder === undefined) {
      const placement = parent === this.objectsFolder ? { organizedBy: parent } : { componentOf: parent };
      folder = this.ns.addObject({ ...placement, browseName, nodeId: `s=${key}` });
      this.folders.set(key, folder);
    }
    return folder;
  }
}

/** Pushes the tag's current value to its node; monitored items see the change on their next sample. */
export function publish(tv: TagValue): void {
  const variable = tv.variable;
  if (variable === undefined) return;
  const variant =
    tv.spec.dataType === 'Boolean'
      ? { dataType: DataType.Boolean, value: tv.value !== 0 }
      : { dataType: DataType.Double, value: tv.value };
  variable.setValueFromSource(variant, statusForQuality(tv.quality), new Date(tv.ts));
}
