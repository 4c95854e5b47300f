/**
 * 统一社会信用代码-like enterprise codes (GB 32100-2015 layout): registration authority + type
 * ("91" = enterprise registered with market regulation), 6-digit division code, 9-character
 * organisation code, check character. Only the 31 allowed characters are used (no I, O, S, V, Z),
 * so the code is topic-safe. The check character follows the standard's weighted mod-31 rule.
 */

export const USCC_CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

export function usccCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += USCC_CHARSET.indexOf(first17[i] ?? '0') * (WEIGHTS[i] ?? 0);
  const c = 31 - (sum % 31);
  return USCC_CHARSET[c === 31 ? 0 : c] ?? '0';
}

/** The `serial`-th generated code of a county: "91" + county + "MA" + 7 characters + check. */
export function usccFor(countyCode: string, serial: number): string {
  let n = serial;
  let body = '';
  for (let i = 0; i < 7; i++) {
    body = (USCC_CHARSET[n % 31] ?? '0') + body;
    n = Math.floor(n / 31);
  }
  const first17 = `91${countyCode}MA${body}`;
  return first17 + usccCheckChar(first17);
}
