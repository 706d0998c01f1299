/**
 * numpy's legacy `RandomState` (MT19937 with integer seeding), reproduced bit for bit.
 *
 * Reference: numpy 1.24 `mtrand.RandomState` — `init_genrand` seeding, the 53-bit double
 * `(a >> 5, b >> 6)`, the polar gaussian with its one-value cache, bounded integers by
 * masked rejection, Fisher–Yates `shuffle`, and `choice(replace=False)` as a full permutation.
 * See docs/numerics.md §1.
 *
 * The whole state (624 key words, position, gaussian cache) is a value: `clone()` copies it,
 * so an episode can own its generator and a replay can snapshot it.
 */
import { createHash } from 'node:crypto';
import { mtKernel, OUT_DOUBLES } from './mt-kernel.ts';

const N = 624;
const M = 397;
const MATRIX_A = 0x9908b0df | 0;
const UPPER_MASK = 0x80000000 | 0;
const LOWER_MASK = 0x7fffffff;
const TEMPER_B = 0x9d2c5680 | 0;
const TEMPER_C = 0xefc60000 | 0;
const TWO_POW_26 = 67108864;
const TWO_POW_53 = 9007199254740992;
/** 2^−53: multiplying by it is exactly dividing by 2^53 (a power of two), and cheaper. */
const TWO_POW_MINUS_53 = 1 / TWO_POW_53;
export const MAX_SEED = 0xffffffff;
/** From this many gaussians on, the WebAssembly kernel (mt-kernel.ts) runs the loop; below, TypeScript. */
export const KERNEL_MIN_GAUSSIANS = 64;
let KERNEL = mtKernel();

/**
 * Turns the WebAssembly kernel off or back on (tests compare both paths; the numbers are the
 * same). Returns whether it was on. Without WebAssembly it stays off.
 */
export function useMtKernel(on: boolean): boolean {
  const was = KERNEL !== null;
  KERNEL = on ? mtKernel() : null;
  return was;
}

/** Smallest all-ones mask covering `max` (numpy's rejection sampling mask). */
function maskFor(max: number): number {
  let mask = max;
  mask |= mask >>> 1;
  mask |= mask >>> 2;
  mask |= mask >>> 4;
  mask |= mask >>> 8;
  mask |= mask >>> 16;
  return mask >>> 0;
}

export interface RngFingerprint {
  pos: number;
  key_sha256_16: string;
  has_gauss: boolean;
  cached_gaussian: number;
}

export class RandomState {
  /**
   * The 624 state words. Stored as Int32Array so that V8 keeps every load a small integer (a
   * Uint32Array load above 2^31 becomes a double and slows the twist several-fold); `key` is the
   * same memory viewed unsigned.
   */
  private readonly words: Int32Array;
  /** The tempered outputs of the current block of 624 (filled at each twist). */
  private readonly tempered: Int32Array;
  readonly key: Uint32Array;
  pos: number;
  hasGauss: boolean;
  gaussCache: number;

  private constructor(words: Int32Array, pos: number, hasGauss: boolean, gaussCache: number) {
    this.words = words;
    this.key = new Uint32Array(words.buffer, words.byteOffset, N);
    this.tempered = new Int32Array(N);
    if (pos < N) this.temperAll();
    this.pos = pos;
    this.hasGauss = hasGauss;
    this.gaussCache = gaussCache;
  }

  /** `np.random.RandomState(seed)` for an integer seed in 0 … 2^32−1. */
  static fromSeed(seed: number): RandomState {
    if (!Number.isInteger(seed) || seed < 0 || seed > MAX_SEED) {
      throw new RangeError(`seed must be an integer between 0 and ${MAX_SEED}, got ${seed}`);
    }
    const key = new Uint32Array(N);
    key[0] = seed >>> 0;
    for (let i = 1; i < N; i++) {
      const p = key[i - 1];
      key[i] = (Math.imul(1812433253, (p ^ (p >>> 30)) >>> 0) + i) >>> 0;
    }
    return new RandomState(new Int32Array(key.buffer), N, false, 0.0);
  }

  clone(): RandomState {
    return new RandomState(this.words.slice(), this.pos, this.hasGauss, this.gaussCache);
  }

  /** Regenerates the 624 words in place ("twist"). */
  private twist(): void {
    const key = this.words;
    let i = 0;
    let y: number;
    for (; i < N - M; i++) {
      y = (key[i] & UPPER_MASK) | (key[i + 1] & LOWER_MASK);
      key[i] = key[i + M] ^ (y >>> 1) ^ (-(y & 1) & MATRIX_A);
    }
    for (; i < N - 1; i++) {
      y = (key[i] & UPPER_MASK) | (key[i + 1] & LOWER_MASK);
      key[i] = key[i + M - N] ^ (y >>> 1) ^ (-(y & 1) & MATRIX_A);
    }
    y = (key[N - 1] & UPPER_MASK) | (key[0] & LOWER_MASK);
    key[N - 1] = key[M - 1] ^ (y >>> 1) ^ (-(y & 1) & MATRIX_A);
    this.temperAll();
    this.pos = 0;
  }

  /** Tempers the whole block at once (a tight loop); outputs are then plain loads. */
  private temperAll(): void {
    const key = this.words;
    const out = this.tempered;
    for (let i = 0; i < N; i++) {
      let y = key[i];
      y ^= y >>> 11;
      y ^= (y << 7) & TEMPER_B;
      y ^= (y << 15) & TEMPER_C;
      y ^= y >>> 18;
      out[i] = y;
    }
  }

  /** One tempered 32-bit output. */
  nextU32(): number {
    if (this.pos >= N) this.twist();
    return this.tempered[this.pos++] >>> 0;
  }

  /** `random_sample()`: a double in [0, 1) from two outputs (27 + 26 bits). */
  nextDouble(): number {
    const a = this.nextU32() >>> 5;
    const b = this.nextU32() >>> 6;
    return (a * TWO_POW_26 + b) * TWO_POW_MINUS_53;
  }

  /** Legacy polar-method gaussian; the second value of each pair is cached until used or reseeded. */
  gauss(): number {
    if (this.hasGauss) {
      const v = this.gaussCache;
      this.hasGauss = false;
      this.gaussCache = 0.0;
      return v;
    }
    let x1: number;
    let x2: number;
    let r2: number;
    do {
      x1 = 2.0 * this.nextDouble() - 1.0;
      x2 = 2.0 * this.nextDouble() - 1.0;
      r2 = x1 * x1 + x2 * x2;
    } while (r2 >= 1.0 || r2 === 0.0);
    const f = Math.sqrt((-2.0 * Math.log(r2)) / r2);
    this.gaussCache = f * x1;
    this.hasGauss = true;
    return f * x2;
  }

  /** `normal(loc, scale, size=n)` written into `out` (row-major order of the request). */
  normalInto(out: Float64Array, loc: number, scale: number): Float64Array {
    for (let i = 0; i < out.length; i++) out[i] = loc + scale * this.gauss();
    return out;
  }

  /**
   * `target[start + i] += loc + scale · gauss()` for i < count: the same draws as `count` calls of
   * `gauss()` (cache included), in a tight loop with the generator state held in locals.
   */
  addNormalInto(target: Float64Array, start: number, count: number, loc: number, scale: number): void {
    if (count <= 0) return;
    let i = 0;
    if (this.hasGauss) {
      target[start] = target[start] + (loc + scale * this.gauss());
      i = 1;
    }
    if (KERNEL !== null && count - i >= KERNEL_MIN_GAUSSIANS) {
      this.addNormalKernel(target, start + i, count - i, loc, scale);
      return;
    }
    const out = this.tempered;
    let pos = this.pos;
    let x1 = 0;
    let x2 = 0;
    let r2 = 0;
    let a = 0;
    let b = 0;
    while (i < count) {
      do {
        if (pos <= N - 4) {
          // Four outputs → two 53-bit doubles, all within the current block.
          x1 = 2.0 * (((out[pos] >>> 5) * TWO_POW_26 + (out[pos + 1] >>> 6)) * TWO_POW_MINUS_53) - 1.0;
          x2 = 2.0 * (((out[pos + 2] >>> 5) * TWO_POW_26 + (out[pos + 3] >>> 6)) * TWO_POW_MINUS_53) - 1.0;
          pos += 4;
        } else {
          // Near the end of the block: one output at a time, twisting when it runs out.
          if (pos >= N) { this.twist(); pos = 0; }
          a = out[pos++] >>> 5;
          if (pos >= N) { this.twist(); pos = 0; }
          b = out[pos++] >>> 6;
          x1 = 2.0 * ((a * TWO_POW_26 + b) * TWO_POW_MINUS_53) - 1.0;
          if (pos >= N) { this.twist(); pos = 0; }
          a = out[pos++] >>> 5;
          if (pos >= N) { this.twist(); pos = 0; }
          b = out[pos++] >>> 6;
          x2 = 2.0 * ((a * TWO_POW_26 + b) * TWO_POW_MINUS_53) - 1.0;
        }
        r2 = x1 * x1 + x2 * x2;
      } while (r2 >= 1.0 || r2 === 0.0);
      const f = Math.sqrt((-2.0 * Math.log(r2)) / r2);
      target[start + i] = target[start + i] + (loc + scale * (f * x2));
      i++;
      if (i < count) {
        target[start + i] = target[start + i] + (loc + scale * (f * x1));
        i++;
      } else {
        this.gaussCache = f * x1;
        this.hasGauss = true;
      }
    }
    this.pos = pos;
  }

  /**
   * `addNormalInto` for an empty cache on the WebAssembly kernel: the state goes into the kernel's
   * memory, pairs come back as (f·x2, f·x1) — the order `gauss()` returns them — and the state
   * comes back. An odd count leaves the last pair's second value in the cache, as `gauss()` does.
   */
  private addNormalKernel(target: Float64Array, start: number, count: number, loc: number, scale: number): void {
    const k = KERNEL!;
    k.words.set(this.words);
    k.tempered.set(this.tempered);
    let pos = this.pos;
    const out = k.out;
    const maxPairs = OUT_DOUBLES >> 1;
    let pairsLeft = (count + 1) >> 1;
    let i = 0;
    while (pairsLeft > 0) {
      const pairs = pairsLeft < maxPairs ? pairsLeft : maxPairs;
      pos = k.gauss(pos, pairs);
      pairsLeft -= pairs;
      const n = 2 * pairs;
      const take = count - i < n ? count - i : n;
      let t = start + i;
      for (let j = 0; j < take; j++, t++) target[t] = target[t] + (loc + scale * out[j]);
      i += take;
      if (take < n) {
        this.gaussCache = out[take];
        this.hasGauss = true;
      }
    }
    this.words.set(k.words);
    this.tempered.set(k.tempered);
    this.pos = pos;
  }

  /**
   * Advances the generator exactly as `count` calls of `gauss()` would (cache included) without
   * computing the values: the polar method's rejection loop still draws its doubles, only the
   * log and square root of accepted pairs are skipped (for draws whose values are multiplied by 0).
   */
  skipGaussians(count: number): void {
    if (count <= 0) return;
    let i = 0;
    if (this.hasGauss) {
      this.gauss();
      i = 1;
    }
    // Whole pairs; an odd last value leaves its partner in the cache, so it is drawn for real.
    const pairs = Math.floor((count - i) / 2);
    if (KERNEL !== null && pairs >= KERNEL_MIN_GAUSSIANS >> 1) {
      KERNEL.words.set(this.words);
      KERNEL.tempered.set(this.tempered);
      this.pos = KERNEL.skip(this.pos, pairs);
      this.words.set(KERNEL.words);
      this.tempered.set(KERNEL.tempered);
      if ((count - i) % 2 === 1) this.gauss();
      return;
    }
    const out = this.tempered;
    let pos = this.pos;
    for (let k = 0; k < pairs; k++) {
      let r2 = 0;
      do {
        let x1: number;
        let x2: number;
        if (pos <= N - 4) {
          x1 = 2.0 * (((out[pos] >>> 5) * TWO_POW_26 + (out[pos + 1] >>> 6)) * TWO_POW_MINUS_53) - 1.0;
          x2 = 2.0 * (((out[pos + 2] >>> 5) * TWO_POW_26 + (out[pos + 3] >>> 6)) * TWO_POW_MINUS_53) - 1.0;
          pos += 4;
        } else {
          this.pos = pos;
          x1 = 2.0 * this.nextDouble() - 1.0;
          x2 = 2.0 * this.nextDouble() - 1.0;
          pos = this.pos;
        }
        r2 = x1 * x1 + x2 * x2;
      } while (r2 >= 1.0 || r2 === 0.0);
    }
    this.pos = pos;
    if ((count - i) % 2 === 1) this.gauss();
  }

  /** `standard_normal(size=n)`. */
  standardNormal(n: number): Float64Array {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = this.gauss();
    return out;
  }

  /** `rand(n)` / `random_sample(n)` / `uniform(size=n)`. */
  rand(n: number): Float64Array {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = this.nextDouble();
    return out;
  }

  /** A value in [0, max] by masked rejection (numpy's `random_interval`). */
  interval(max: number): number {
    if (max === 0) return 0;
    const mask = maskFor(max);
    let v: number;
    do {
      v = (this.nextU32() & mask) >>> 0;
    } while (v > max);
    return v;
  }

  /** Legacy `randint(low, high)` with the default int64 dtype: one value in [low, high). */
  randint(low: number, high: number): number {
    if (!(high > low)) throw new RangeError(`randint: low >= high (${low}, ${high})`);
    const span = high - 1 - low;
    if (span === 0) return low;
    if (span === 0xffffffff) return low + this.nextU32();
    if (span < 0xffffffff) return low + this.interval(span);
    // 64-bit path: each attempt takes the high word first.
    const rng = BigInt(span);
    let mask = rng;
    for (const s of [1n, 2n, 4n, 8n, 16n, 32n]) mask |= mask >> s;
    let v: bigint;
    do {
      const hi = BigInt(this.nextU32());
      const lo = BigInt(this.nextU32());
      v = ((hi << 32n) | lo) & mask;
    } while (v > rng);
    return low + Number(v);
  }

  /** In-place Fisher–Yates from the end: `for i = n−1 … 1: swap(a[i], a[interval(i)])`. */
  shuffle(a: { length: number; [i: number]: number }, n: number = a.length): void {
    if (a instanceof Int32Array) {
      this.shuffleInt32(a, n);
      return;
    }
    for (let i = n - 1; i > 0; i--) {
      const j = this.interval(i);
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }

  /** `shuffle` of an Int32Array with the generator inlined (the random sampler's hot loop). */
  private shuffleInt32(a: Int32Array, n: number): void {
    const out = this.tempered;
    let pos = this.pos;
    let mask = 0;
    let y = 0;
    for (let i = n - 1; i > 0; i--) {
      // interval(i): smallest all-ones mask ≥ i, rejection until the masked draw is ≤ i.
      mask = i;
      mask |= mask >>> 1;
      mask |= mask >>> 2;
      mask |= mask >>> 4;
      mask |= mask >>> 8;
      mask |= mask >>> 16;
      do {
        if (pos >= N) {
          this.pos = pos;
          this.twist();
          pos = 0;
        }
        y = (out[pos++] & mask) >>> 0;
      } while (y > i);
      const t = a[i];
      a[i] = a[y];
      a[y] = t;
    }
    this.pos = pos;
  }

  /** `permutation(n)`: a shuffled `[0, …, n−1]`. */
  permutation(n: number): Int32Array {
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) out[i] = i;
    this.shuffle(out);
    return out;
  }

  /**
   * `choice(candidates, k, replace=False)`: shuffles a full permutation of the population
   * (n − 1 interval draws whatever k is) and keeps the first k. `scratch` (length ≥ n) avoids
   * an allocation; the picks are written to `out[0..k-1]`.
   */
  choiceWithoutReplacementInto(
    candidates: ArrayLike<number>,
    n: number,
    k: number,
    out: Int32Array,
    scratch: Int32Array,
  ): void {
    if (k > n) throw new RangeError(`choice: cannot take ${k} of ${n} without replacement`);
    for (let i = 0; i < n; i++) scratch[i] = i;
    this.shuffle(scratch, n);
    for (let i = 0; i < k; i++) out[i] = candidates[scratch[i]];
  }

  /** Convenience form of `choiceWithoutReplacementInto`. */
  choice(candidates: ArrayLike<number>, k: number): number[] {
    const n = candidates.length;
    const out = new Int32Array(k);
    this.choiceWithoutReplacementInto(candidates, n, k, out, new Int32Array(n));
    return Array.from(out);
  }

  /** The golden traces' state fingerprint: SHA-256 over the key words as little-endian u32. */
  fingerprint(): RngFingerprint {
    const bytes = Buffer.alloc(N * 4);
    for (let i = 0; i < N; i++) bytes.writeUInt32LE(this.key[i], i * 4);
    return {
      pos: this.pos,
      key_sha256_16: createHash('sha256').update(bytes).digest('hex').slice(0, 16),
      has_gauss: this.hasGauss,
      cached_gaussian: this.gaussCache,
    };
  }
}
