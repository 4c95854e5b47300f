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

/**
 * Significant digits kept of a scaled value. A factor such as 0.1 has no exact binary form, so
 * 131 × 0.1 comes out as 13.100000000000001: noise in the 16th–17th digit that would otherwise
 * reach the wire and the dashboard. Twelve digits are more than any instrument resolves (a 32-bit
 * raw value has ten) and well above that noise.
 */
export const SCALED_SIGNIFICANT_DIGITS = 12;

/** raw × factor + offset, rounded to SCALED_SIGNIFICANT_DIGITS; an unscaled value passes unchanged. */
export function applyScale(scale: LinearScale, raw: number): number {
  if (scale.factor === 1 && scale.offset === 0) return raw;
  const value = raw * scale.factor + scale.offset;
  return Number.isFinite(value) && value !== 0 ? Number(value.toPrecision(SCALED_SIGNIFICANT_DIGITS)) : value;
}
