import type { SqlClient } from './sql-client.js';

export const FLOOR_PLAN_CONTENT_TYPES = ['image/png', 'image/svg+xml'] as const;
export type FloorPlanContentType = (typeof FLOOR_PLAN_CONTENT_TYPES)[number];

/** A floor plan's metadata, without its bytes. */
export interface FloorPlanInfo {
  readonly enterprise: string;
  /** `main` or a major hazard's code. */
  readonly plan: string;
  readonly contentType: FloorPlanContentType;
  /** Size of the image, bytes. */
  readonly size: number;
  /** Intrinsic size in image units (PNG pixels, SVG user units); null when an SVG names none. */
  readonly width: number | null;
  readonly height: number | null;
  /** ms since epoch */
  readonly updatedAt: number;
  readonly updatedBy: string;
}

export interface FloorPlan extends FloorPlanInfo {
  readonly bytes: Buffer;
}

export interface FloorPlanWrite {
  readonly enterprise: string;
  readonly plan: string;
  readonly contentType: FloorPlanContentType;
  readonly bytes: Buffer;
  readonly width: number | null;
  readonly height: number | null;
}

interface Row {
  enterprise_code: string;
  plan: string;
  content_type: FloorPlanContentType;
  size: number;
  width: number | null;
  height: number | null;
  updated_at_ms: number;
  updated_by: string;
  bytes?: Uint8Array;
}

const INFO_COLUMNS = `enterprise_code, plan, content_type, octet_length(bytes)::int AS size, width, height,
  (extract(epoch FROM updated_at) * 1000)::float8 AS updated_at_ms, updated_by`;

const toInfo = (r: Row): FloorPlanInfo => ({
  enterprise: r.enterprise_code,
  plan: r.plan,
  contentType: r.content_type,
  size: r.size,
  width: r.width,
  height: r.height,
  updatedAt: r.updated_at_ms,
  updatedBy: r.updated_by,
});

// node-postgres returns bytea as a Buffer, PGlite as a Uint8Array.
const toBuffer = (bytes: Uint8Array): Buffer =>
  Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/** Floor plan images of enterprises (the 风险四色图 backgrounds). */
export class PlanRepository {
  constructor(private readonly client: SqlClient) {}

  /** Metadata of an enterprise's plans, by plan id. */
  async list(enterprise: string): Promise<FloorPlanInfo[]> {
    const { rows } = await this.client.query<Row>(
      `SELECT ${INFO_COLUMNS} FROM floor_plans WHERE enterprise_code = $1 ORDER BY plan`,
      [enterprise],
    );
    return rows.map(toInfo);
  }

  async info(enterprise: string, plan: string): Promise<FloorPlanInfo | undefined> {
    const { rows } = await this.client.query<Row>(
      `SELECT ${INFO_COLUMNS} FROM floor_plans WHERE enterprise_code = $1 AND plan = $2`,
      [enterprise, plan],
    );
    return rows[0] ? toInfo(rows[0]) : undefined;
  }

  async get(enterprise: string, plan: string): Promise<FloorPlan | undefined> {
    const { rows } = await this.client.query<Row>(
      `SELECT ${INFO_COLUMNS}, bytes FROM floor_plans WHERE enterprise_code = $1 AND plan = $2`,
      [enterprise, plan],
    );
    const row = rows[0];
    return row?.bytes ? { ...toInfo(row), bytes: toBuffer(row.bytes) } : undefined;
  }

  /** Stores or replaces a plan; the metadata as stored. */
  async put(plan: FloorPlanWrite, actor: string, nowMs: number, tx?: SqlClient): Promise<FloorPlanInfo> {
    const { rows } = await (tx ?? this.client).query<Row>(
      `INSERT INTO floor_plans (enterprise_code, plan, content_type, bytes, width, height, updated_at, updated_by)
       VALUES ($1, $2, $3, $4, $5, $6, to_timestamp($7 / 1000.0), $8)
       ON CONFLICT (enterprise_code, plan) DO UPDATE SET
         content_type = EXCLUDED.content_type, bytes = EXCLUDED.bytes, width = EXCLUDED.width,
         height = EXCLUDED.height, updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by
       RETURNING ${INFO_COLUMNS}`,
      [plan.enterprise, plan.plan, plan.contentType, plan.bytes, plan.width, plan.height, nowMs, actor],
    );
    return toInfo(rows[0]!);
  }

  /** Deletes a plan; its metadata, or undefined when there was none. */
  async delete(enterprise: string, plan: string, tx?: SqlClient): Promise<FloorPlanInfo | undefined> {
    const { rows } = await (tx ?? this.client).query<Row>(
      `DELETE FROM floor_plans WHERE enterprise_code = $1 AND plan = $2 RETURNING ${INFO_COLUMNS}`,
      [enterprise, plan],
    );
    return rows[0] ? toInfo(rows[0]) : undefined;
  }
}
