/**
 * CAS Registry Numbers (化学文摘社登记号) as GB 18218-2018 Table 1 lists them: the schema checks
 * the shape (2–7 digits, 2 digits, 1 check digit); this checks the check digit, so a typo in an
 * inventory line (7782-50-6 for chlorine's 7782-50-5) is refused instead of stored as a substance
 * nobody can look up.
 */

/** The check digit rule of the CAS Registry: Σ position·digit over the other digits (from the right, position 1), mod 10. */
export function casCheckDigitOk(cas: string): boolean {
  const digits = cas.replace(/-/g, '');
  if (!/^[0-9]{5,10}$/.test(digits)) return false;
  const body = digits.slice(0, -1).split('').reverse();
  const sum = body.reduce((acc, d, i) => acc + (i + 1) * Number(d), 0);
  return sum % 10 === Number(digits.slice(-1));
}
