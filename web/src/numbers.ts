/**
 * Number formatting shared by the panels (pure: no DOM, so node tests import it too). One rule per kind of quantity, so the same
 * kind reads the same everywhere: fractions and scores with 4 decimals (1 is "1.0000", not "1"),
 * rewards with a sign and 4 decimals, counts as whole numbers.
 */

const DASH = '–';

/** A real-valued quantity (performance, score, noise fraction): fixed decimals, always. */
export function num(v: number | null | undefined, digits = 4): string {
  if (v == null || Number.isNaN(v)) return DASH;
  return v.toFixed(digits);
}

/** A signed quantity (reward, return, change): explicit + for positive values. */
export function signed(v: number | null | undefined, digits = 4): string {
  if (v == null || Number.isNaN(v)) return DASH;
  const s = v.toFixed(digits);
  // −0.00004 rounds to "-0.0000": show it as the zero it reads as.
  if (Number(s) === 0) return (0).toFixed(digits);
  return v > 0 ? `+${s}` : s;
}

/** A count (budget, rows, steps). */
export function count(v: number | null | undefined): string {
  if (v == null || Number.isNaN(v)) return DASH;
  return String(Math.round(v));
}

/** A change of a count: "+10", "−10", "0". */
export function signedCount(v: number | null | undefined): string {
  if (v == null || Number.isNaN(v)) return DASH;
  const r = Math.round(v);
  return r > 0 ? `+${r}` : String(r);
}

/** A share as a percentage ("62.5 %"). */
export function percent(v: number | null | undefined, digits = 1): string {
  if (v == null || Number.isNaN(v)) return DASH;
  return `${(v * 100).toFixed(digits)} %`;
}

/** "1 step", "2 steps". */
export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}

export function shortId(id: string): string {
  return id.slice(0, 8);
}
