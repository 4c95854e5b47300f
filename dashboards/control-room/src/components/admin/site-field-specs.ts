/**
 * The fields of each entity's edit form (issue #22): every field of the site document an
 * administrator or safety manager edits (services/core/src/site-schema.ts, docs/site-file.md),
 * as a scalar field (dotted path: `limits.h`, `responsible.principal.phone`) or an editable list
 * whose rows are whole values (`inventory`, `rateOfChange`, `risk.vetoes`). Enumerations come from
 * the contracts; units are named so the form can say them beside the field.
 *
 * Not here: a point's `enabled` (停用 is its own reviewed change: the out-of-service section) and
 * its single `deadband` (the API shows deadbands resolved per limit, edited as `deadbands.*`).
 */
import {
  HAZARD_TYPES,
  LIMIT_NAMES,
  POINT_KINDS,
  REGION_KINDS,
  type SiteEntityName,
} from '@hazardwatch/contracts';

/**
 * The unit a field is in: `point` = the point's own engineering unit (range, limits, deadbands,
 * gas OEL/IDLH), `pointPerMin` = that unit per minute (rate of change).
 */
export type UnitHint = 's' | 't' | 'people' | 'deg' | 'px' | 'score' | 'point' | 'pointPerMin';

export interface FieldSpec {
  /** Dotted path in the entity as the site document writes it (in a list: in the row). */
  readonly path: string;
  readonly type: 'text' | 'number' | 'select' | 'boolean';
  readonly options?: readonly string[];
  /** An identifying field: set on create, never patched (readings and alarms refer to it). */
  readonly key?: boolean;
  readonly unit?: UnitHint;
  /**
   * Where GET shows the value when not at `path`: durations in ms (`onDelayMs` for
   * `onDelaySec`, divided by 1000), deadbands resolved per limit (`deadband.h` for `deadbands.h`).
   */
  readonly from?: string;
  /** The form's group the field is shown in (a fieldset); none: the main grid. */
  readonly group?: FieldGroup;
}

export type FieldGroup = 'responsible' | 'deadbands' | 'interlocks' | 'gas' | 'place' | 'risk';

/** An editable list: each row one value of the array (JSON merge patch replaces it as a whole). */
export interface ListSpec {
  readonly path: string;
  /** Columns of a row; a single column with path '' makes each row a plain string. */
  readonly columns: readonly FieldSpec[];
  /** The list may not be empty (the schema's minItems 1). */
  readonly required?: boolean;
}

/** 包保责任人 (REFERENCE §1, §8 item 2): 主要 / 技术 / 操作负责人, each a person of PersonSchema. */
export const RESPONSIBLE_ROLES = ['principal', 'technical', 'operational'] as const;
export const PERSON_COLUMNS = ['name', 'phone', 'email', 'userId'] as const;

const text = (path: string, more: Partial<FieldSpec> = {}): FieldSpec => ({ path, type: 'text', ...more });
const num = (path: string, more: Partial<FieldSpec> = {}): FieldSpec => ({ path, type: 'number', ...more });
const select = (path: string, options: readonly string[], more: Partial<FieldSpec> = {}): FieldSpec => ({
  path,
  type: 'select',
  options,
  ...more,
});
const seconds = (path: string): FieldSpec => num(path, { unit: 's', from: path.replace(/Sec$/, 'Ms') });
const place = (prefix: 'location' | 'centroid'): FieldSpec[] => [
  num(`${prefix}.lon`, { unit: 'deg' }),
  num(`${prefix}.lat`, { unit: 'deg' }),
];
const floorPlan: FieldSpec[] = [
  text('floorPlan.plan', { group: 'place' }),
  num('floorPlan.x', { unit: 'px', group: 'place' }),
  num('floorPlan.y', { unit: 'px', group: 'place' }),
];

export const FIELDS: Readonly<Record<SiteEntityName, readonly FieldSpec[]>> = {
  region: [
    text('code', { key: true }),
    text('name'),
    select('kind', REGION_KINDS),
    text('parent'),
    ...place('centroid'),
  ],
  enterprise: [
    text('code', { key: true }),
    text('name'),
    text('region'),
    ...place('location'),
    num('risk.score', { unit: 'score', group: 'risk' }),
  ],
  hazard: [
    text('code', { key: true }),
    text('name'),
    select('type', HAZARD_TYPES),
    select('declaredLevel', ['1', '2', '3', '4']),
    ...place('location'),
    num('exposedPopulation', { unit: 'people' }),
    ...RESPONSIBLE_ROLES.flatMap((role) =>
      PERSON_COLUMNS.map((col) => text(`responsible.${role}.${col}`, { group: 'responsible' })),
    ),
    ...floorPlan,
  ],
  gateway: [text('code', { key: true }), text('name'), seconds('offlineAfterSec')],
  point: [
    text('tag', { key: true }),
    text('gateway'),
    text('hazard'),
    text('name'),
    select('kind', POINT_KINDS),
    text('unit'),
    text('deviceCode'),
    text('indicatorCode'),
    num('range.min', { unit: 'point' }),
    num('range.max', { unit: 'point' }),
    ...LIMIT_NAMES.map((l) => num(`limits.${l}`, { unit: 'point' })),
    seconds('onDelaySec'),
    seconds('offDelaySec'),
    seconds('staleAfterSec'),
    text('independentOf'),
    { path: 'hhIndependent', type: 'boolean' },
    ...LIMIT_NAMES.map((l) =>
      num(`deadbands.${l}`, { unit: 'point', from: `deadband.${l}`, group: 'deadbands' }),
    ),
    ...LIMIT_NAMES.map((l) => text(`interlocks.${l}`, { group: 'interlocks' })),
    text('gas.substance', { group: 'gas' }),
    select('gas.basis', ['OEL', 'IDLH'], { group: 'gas' }),
    num('gas.oel', { unit: 'point', group: 'gas' }),
    num('gas.idlh', { unit: 'point', group: 'gas' }),
    ...place('location').map((f) => ({ ...f, group: 'place' as const })),
    ...floorPlan,
  ],
};

export const LISTS: Readonly<Record<SiteEntityName, readonly ListSpec[]>> = {
  region: [],
  enterprise: [{ path: 'risk.vetoes', columns: [text('')] }],
  hazard: [
    {
      path: 'inventory',
      required: true,
      columns: [text('substance'), text('cas'), text('category'), num('designMaxTonnes', { unit: 't' })],
    },
  ],
  gateway: [],
  point: [
    {
      path: 'rateOfChange',
      columns: [
        select('direction', ['rising', 'falling']),
        num('slopePerMin', { unit: 'pointPerMin' }),
        num('windowSec', { unit: 's', from: 'windowMs' }),
      ],
    },
  ],
};

/** The groups an entity's form shows, in order. */
export const GROUPS: Readonly<Record<SiteEntityName, readonly FieldGroup[]>> = {
  region: [],
  enterprise: ['risk'],
  hazard: ['responsible', 'place'],
  gateway: [],
  point: ['deadbands', 'interlocks', 'gas', 'place'],
};

/** Entities that belong to an enterprise: it is in their key, and in the URL of their collection. */
export const ENTERPRISE_OWNED: ReadonlySet<SiteEntityName> = new Set(['hazard', 'gateway', 'point']);
