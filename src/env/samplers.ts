/**
 * The three samplers (BEHAVIOUR.md S10) over the current pool, and the selection order (S11).
 *
 * Uncertainty and diversity need only the first n of an ordering "by score descending, ties by
 * ascending pool index" (the reference's argsort, §11 Q10), so they keep a small sorted prefix
 * instead of sorting the whole pool. Random sampling must draw a full permutation of the remaining
 * candidates exactly as numpy's legacy `choice(replace=False)` does, or the stream would diverge.
 */
import type { RandomState } from '../numerics/random-state.ts';

/**
 * Writes into `out` the `k` positions in [0, n) with the highest `score`, excluding positions
 * whose `excluded` flag is set, best first (ties: lower position first). Returns the count taken.
 * `outScore` is scratch of length ≥ k.
 */
export function topK(
  score: Float64Array,
  n: number,
  k: number,
  excluded: Uint8Array,
  out: Int32Array,
  outScore: Float64Array,
): number {
  if (k <= 0) return 0;
  let count = 0;
  for (let i = 0; i < n; i++) {
    if (excluded[i] !== 0) continue;
    const s = score[i];
    if (count === k) {
      // Full: only a strictly better score enters (an equal one has a higher index, so it loses).
      if (!(s > outScore[k - 1])) continue;
      count--;
    }
    // Insert after every entry with score ≥ s (earlier indices win ties).
    let j = count;
    while (j > 0 && outScore[j - 1] < s) {
      outScore[j] = outScore[j - 1];
      out[j] = out[j - 1];
      j--;
    }
    outScore[j] = s;
    out[j] = i;
    count++;
  }
  return count;
}

/**
 * numpy `choice(candidates, k, replace=False)` over the positions in [0, n) that are not
 * excluded (in ascending order). Writes the picks to `out` and returns how many (min(k, m)).
 * Nothing is drawn when no candidate remains.
 */
export function randomPick(
  rng: RandomState,
  n: number,
  k: number,
  excluded: Uint8Array,
  candidates: Int32Array,
  permutationScratch: Int32Array,
  out: Int32Array,
): number {
  let m = 0;
  for (let i = 0; i < n; i++) if (excluded[i] === 0) candidates[m++] = i;
  if (m === 0 || k <= 0) return 0;
  const take = Math.min(k, m);
  rng.choiceWithoutReplacementInto(candidates, m, take, out, permutationScratch);
  return take;
}

/**
 * Keeps `buf[0..count)` as the k smallest values seen so far, ascending: inserts `v` if there is
 * room or it beats the largest kept. Returns the new count.
 */
function keepSmallest(buf: Float64Array, count: number, k: number, v: number): number {
  if (count === k) {
    if (!(v < buf[k - 1])) return count;
    count--;
  }
  let j = count;
  while (j > 0 && buf[j - 1] > v) {
    buf[j] = buf[j - 1];
    j--;
  }
  buf[j] = v;
  return count + 1;
}

/**
 * The k-th smallest |keys[i]| over the rows of group `g` (i in [0, n), `group[i] === g`);
 * +Infinity when the group has fewer than k rows. `buf` is scratch of length ≥ k.
 */
export function kthSmallestAbs(keys: Float64Array, group: Uint8Array, g: number, n: number, k: number, buf: Float64Array): number {
  let count = 0;
  for (let i = 0; i < n; i++) if (group[i] === g) count = keepSmallest(buf, count, k, Math.abs(keys[i]));
  return count < k ? Infinity : buf[k - 1];
}

/**
 * The k-th smallest `values[i]` over i in [0, n) with `excluded[i] === 0`; −Infinity when fewer
 * than k rows qualify (so every row passes a "≥ threshold" test). `buf` is scratch of length ≥ k.
 */
export function kthSmallestValue(values: Float64Array, excluded: Uint8Array, n: number, k: number, buf: Float64Array): number {
  let count = 0;
  for (let i = 0; i < n; i++) if (excluded[i] === 0) count = keepSmallest(buf, count, k, values[i]);
  return count < k ? -Infinity : buf[k - 1];
}
