/**
 * Reading quality, after OPC UA's Good / Uncertain / Bad status classes. Stored as a small integer
 * (the code) so that a reading row stays narrow.
 */
export const QUALITY_CODES = { good: 0, uncertain: 1, bad: 2 } as const;
export type Quality = keyof typeof QUALITY_CODES;
export type QualityCode = (typeof QUALITY_CODES)[Quality];

const byCode: readonly Quality[] = ['good', 'uncertain', 'bad'];

export function qualityFromCode(code: number): Quality | undefined {
  return byCode[code];
}
