/**
 * numpy's summation orders, reproduced exactly (docs/numerics.md §4).
 *
 * - `pairwiseSum`: numpy's float adder for a contiguous run (8-way unrolled blocks ≤ 128,
 *   recursive halving above), with the 8192-element chunking of its reduction loop.
 * - Axis-0 reductions of row-major matrices are plain running sums over rows.
 * - Dot products (BLAS in numpy) use the plain running sum, which agrees to a few ulps.
 */

const PW_BLOCKSIZE = 128;
const BUFFER_SIZE = 8192;

function pairwise(a: ArrayLike<number>, start: number, n: number): number {
  if (n < 8) {
    let r = 0.0;
    for (let i = 0; i < n; i++) r += a[start + i];
    return r;
  }
  if (n <= PW_BLOCKSIZE) {
    let s0 = a[start];
    let s1 = a[start + 1];
    let s2 = a[start + 2];
    let s3 = a[start + 3];
    let s4 = a[start + 4];
    let s5 = a[start + 5];
    let s6 = a[start + 6];
    let s7 = a[start + 7];
    const end = n - (n % 8);
    let i = 8;
    for (; i < end; i += 8) {
      const p = start + i;
      s0 += a[p];
      s1 += a[p + 1];
      s2 += a[p + 2];
      s3 += a[p + 3];
      s4 += a[p + 4];
      s5 += a[p + 5];
      s6 += a[p + 6];
      s7 += a[p + 7];
    }
    let r = ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
    for (; i < n; i++) r += a[start + i];
    return r;
  }
  let h = Math.floor(n / 2);
  h -= h % 8;
  return pairwise(a, start, h) + pairwise(a, start + h, n - h);
}

/** `np.sum` of a contiguous run `a[start .. start+n-1]` (pairwise, chunked by 8192). */
export function pairwiseSum(a: ArrayLike<number>, start = 0, n = a.length - start): number {
  let total = 0.0;
  for (let off = 0; off < n; off += BUFFER_SIZE) {
    total += pairwise(a, start + off, Math.min(BUFFER_SIZE, n - off));
  }
  return total;
}

/** `np.mean` of a contiguous run. */
export function mean(a: ArrayLike<number>, start = 0, n = a.length - start): number {
  return pairwiseSum(a, start, n) / n;
}

/**
 * `np.std(M)` over the first `n` values of a flat run (axis None, ddof 0).
 * `scratch` must hold `n` values; it receives the squared deviations.
 */
export function stdFlat(a: ArrayLike<number>, n: number, scratch: Float64Array): number {
  const m = pairwiseSum(a, 0, n) / n;
  for (let k = 0; k < n; k++) {
    const d = a[k] - m;
    scratch[k] = d * d;
  }
  return Math.sqrt(pairwiseSum(scratch, 0, n) / n);
}

/**
 * Euclidean norm of a row as `np.linalg.norm(M, axis=1)` computes it: squares pairwise-summed.
 * `sq` is scratch of at least `len` values.
 */
export function rowNorm(a: ArrayLike<number>, start: number, len: number, sq: Float64Array): number {
  for (let j = 0; j < len; j++) {
    const x = a[start + j];
    sq[j] = x * x;
  }
  return Math.sqrt(pairwise(sq, 0, len));
}

/** Norm of `a[start..start+len) − c` (e.g. distance to a centroid), pairwise as numpy does it. */
export function rowDistance(
  a: ArrayLike<number>,
  start: number,
  c: ArrayLike<number>,
  len: number,
  sq: Float64Array,
): number {
  for (let j = 0; j < len; j++) {
    const x = a[start + j] - c[j];
    sq[j] = x * x;
  }
  return Math.sqrt(pairwise(sq, 0, len));
}

/** Running-sum dot product `Σ a[aStart+k]·b[k]` from 0.0 (numpy's BLAS result to a few ulps). */
export function dot(a: ArrayLike<number>, aStart: number, b: ArrayLike<number>, len: number): number {
  let s = 0.0;
  for (let k = 0; k < len; k++) s += a[aStart + k] * b[k];
  return s;
}

/** `np.linalg.norm(v)` for a 1-D vector: `sqrt(dot(v, v))` with a running sum. */
export function vectorNorm(v: ArrayLike<number>, len = v.length): number {
  return Math.sqrt(dot(v, 0, v, len));
}

/**
 * `np.mean(M, axis=0)` of selected rows of a row-major matrix, in the given row order:
 * per column a running sum over rows from 0.0, divided by the row count.
 */
export function columnMeanOfRows(
  data: ArrayLike<number>,
  rows: ArrayLike<number>,
  nRows: number,
  nCols: number,
  out: Float64Array,
): Float64Array {
  out.fill(0.0, 0, nCols);
  for (let r = 0; r < nRows; r++) {
    const base = rows[r] * nCols;
    for (let j = 0; j < nCols; j++) out[j] += data[base + j];
  }
  for (let j = 0; j < nCols; j++) out[j] = out[j] / nRows;
  return out;
}

/**
 * `sorted[k]` of `values[0..n)` sorted ascending as `Float64Array.prototype.sort` sorts them,
 * without the sort: a quickselect on `scratch` (length ≥ n; its content is destroyed). Values
 * without NaN and zeros compare as the sort orders them, so the k-th smallest is the same number;
 * with a NaN or a zero (the sort orders −0 before +0 and NaN last) it sorts a copy instead.
 */
export function kthSmallest(values: ArrayLike<number>, n: number, k: number, scratch: Float64Array): number {
  let plain = true;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    scratch[i] = v;
    if (v !== v || v === 0) plain = false;
  }
  if (!plain) return scratch.subarray(0, n).sort()[k];
  let lo = 0;
  let hi = n - 1;
  while (hi > lo) {
    // Median of three as the pivot, then Hoare's partition.
    const mid = lo + ((hi - lo) >> 1);
    const a = scratch[lo];
    const b = scratch[mid];
    const c = scratch[hi];
    const pivot = a < b ? (b < c ? b : a < c ? c : a) : a < c ? a : b < c ? c : b;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (scratch[i] < pivot) i++;
      while (scratch[j] > pivot) j--;
      if (i <= j) {
        const t = scratch[i];
        scratch[i] = scratch[j];
        scratch[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return scratch[k];
  }
  return scratch[k];
}
