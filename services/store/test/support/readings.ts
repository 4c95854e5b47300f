import type { SqlClient } from '@hazardwatch/store';

export interface TestReading {
  pointId: number;
  ts: number;
  value: number;
  quality?: number;
}

/** Plain INSERT for fixtures (the production path is the lead's COPY writer). */
export async function insertReadings(client: SqlClient, readings: readonly TestReading[]): Promise<void> {
  for (let i = 0; i < readings.length; i += 5000) {
    const chunk = readings.slice(i, i + 5000);
    await client.query(
      `INSERT INTO readings (point_id, ts, value, quality)
       SELECT * FROM unnest($1::int[], $2::timestamptz[], $3::float8[], $4::int2[])`,
      [
        chunk.map((r) => r.pointId),
        chunk.map((r) => new Date(r.ts).toISOString()),
        chunk.map((r) => r.value),
        chunk.map((r) => r.quality ?? 0),
      ],
    );
  }
}

export async function countReadings(client: SqlClient): Promise<number> {
  const { rows } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM readings');
  return rows[0]!.n;
}
