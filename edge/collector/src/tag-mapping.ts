/**
 * Tag mapping shared by every source: a source address (NodeId, register, JSON path) becomes a
 * point tag with a linear scaling from raw to engineering units.
 */
export interface LinearScale {
  /** Engineering value = raw × factor + offset. @default factor 1, offset 0 */
  readonly factor: number;
  readonly offset: number;
}

export const IDENTITY_SCALE: LinearScale = Object.freeze({ factor: 1, offset: 0 });

/**
 * Range scaling as instrument engineers write it (raw 0…27648 ↔ 0…1.6 MPa), compiled to a
 * factor and offset.
 */
export function scaleFromRanges(rawMin: number, rawMax: number, engMin: number, engMax: number): LinearScale {
  if (rawMax === rawMin) throw new RangeError('raw range is empty (rawMin equals rawMax)');
  const factor = (engMax - engMin) / (rawMax - rawMin);
  return { factor, offset: engMin - rawMin * factor };
}

export function applyScale(scale: LinearScale, raw: number): number {
  return raw * scale.factor + scale.offset;
}
