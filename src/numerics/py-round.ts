/**
 * Python's `round(x, ndigits)`: the exact binary value of x rounded to `ndigits` decimals,
 * halfway cases to the even digit (docs/numerics.md §9).
 *
 * V8's `toFixed` is exact on the binary value but resolves ties away from zero; an exact tie
 * needs `x · 2^(n+1)` to be an odd integer, and only that case is handled apart.
 */
export function pyRound(x: number, ndigits: number): number {
  if (!Number.isFinite(x)) return x;
  if (!Number.isInteger(ndigits) || ndigits < 0 || ndigits > 20) {
    throw new RangeError(`pyRound: ndigits must be an integer in 0..20, got ${ndigits}`);
  }
  const negative = x < 0 || Object.is(x, -0);
  const t = x * 2 ** (ndigits + 1);
  if (Number.isInteger(t) && Math.abs(t % 2) === 1) {
    const scale = 10 ** ndigits;
    const lo = Math.floor(Math.abs(x) * scale);
    const k = lo % 2 === 0 ? lo : lo + 1;
    const r = Number((k / scale).toFixed(ndigits));
    return negative ? -r : r;
  }
  const r = Number(x.toFixed(ndigits));
  if (r === 0) return negative ? -0 : 0;
  return r;
}
