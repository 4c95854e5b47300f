/**
 * What the reports view offers (issue #21): the scopes within the user's (the regions and
 * enterprises the site store holds are the ones the API let the user see), the default day, and
 * the file name of a download. Pure, so it is tested without a browser.
 */
import type { Enterprise, Report, RegionNode } from '@hazardwatch/contracts';

export interface ScopeChoice {
  /** `region:<code>` or `enterprise:<code>`, as GET /reports takes it. */
  readonly value: string;
  readonly label: string;
  /** Indentation of a region in its tree; enterprises 0. */
  readonly depth: number;
}

const CHINA_OFFSET_MS = 8 * 3_600_000;
const DAY_MS = 86_400_000;

/** Regions first (depth-first, the user's root on top), then enterprises, in the site's order. */
export function scopeChoices(
  roots: readonly RegionNode[],
  enterprises: readonly Enterprise[],
): ScopeChoice[] {
  const out: ScopeChoice[] = [];
  const walk = (n: RegionNode, depth: number): void => {
    out.push({ value: `region:${n.code}`, label: `${n.name}（${n.code}）`, depth });
    n.children.forEach((c) => walk(c, depth + 1));
  };
  roots.forEach((r) => walk(r, 0));
  for (const e of enterprises) out.push({ value: `enterprise:${e.code}`, label: e.name, depth: 0 });
  return out;
}

/** The China-time calendar day `days` before the one of `nowMs`, `YYYY-MM-DD`. */
export function chinaDate(nowMs: number, daysBefore = 0): string {
  return new Date(nowMs + CHINA_OFFSET_MS - daysBefore * DAY_MS).toISOString().slice(0, 10);
}

/** `日报_<scope>_<label>.xlsx` (the server names it the same way in its Content-Disposition). */
export function reportFileName(report: Pick<Report, 'scope' | 'period'>, kindWord: string): string {
  return `${kindWord}_${report.scope.code}_${report.period.label}.xlsx`;
}

/** Percent with two decimals, or a dash when there is no figure. */
export function formatPct(v: number | null): string {
  return v === null ? '—' : `${v.toFixed(2)} %`;
}

/** Hours with one decimal. */
export function formatHours(ms: number): string {
  return (ms / 3_600_000).toFixed(1);
}
