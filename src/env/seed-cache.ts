/**
 * A small LRU of the seed-dependent, task-independent start of a reset: the pool after its
 * N(0, 0.5) jitter (22,000 polar gaussians, most of a reset's cost), the 1,100 noise-mask
 * uniforms, and the generator's state after them. Every task draws exactly these first, so the
 * three tasks of one seed — and every client resetting the default seed 42 — share one entry.
 * The numbers are identical with or without it; it only saves recomputing them.
 */
import type { RandomState } from '../numerics/random-state.ts';

export interface SeedStage {
  /** Scaled pool rows plus the pool jitter (row-major), before the noisy-row jitter. */
  readonly pool: Float64Array;
  /** The uniforms the noise mask is cut from (`u < flip_y`). */
  readonly uniforms: Float64Array;
  /** The generator right after those uniforms (clone it before drawing from it). */
  readonly rngAfter: RandomState;
}

let capacity = 32;
const caches = new WeakMap<object, Map<string, SeedStage>>();

/** Sets how many seeds are kept per data set (0 disables the cache). Returns the previous value. */
export function setSeedCacheCapacity(n: number): number {
  if (!Number.isInteger(n) || n < 0) throw new RangeError('seed cache capacity must be a non-negative integer');
  const old = capacity;
  capacity = n;
  return old;
}

export function getSeedStage(world: object, key: string): SeedStage | undefined {
  const m = caches.get(world);
  const hit = m?.get(key);
  if (hit && m) {
    // Most recently used last.
    m.delete(key);
    m.set(key, hit);
  }
  return hit;
}

/**
 * Stores the stage built by `make` (not called at all when the cache is disabled). When the cache
 * is full, the least recently used stage is evicted first and handed to `make` so its buffers can
 * be reused (a pool is 176 kB: allocating one per new seed costs more than copying into it).
 * Stages are only read synchronously during a reset, so nothing else holds an evicted one.
 */
export function putSeedStage(world: object, key: string, make: (recycled: SeedStage | undefined) => SeedStage): void {
  if (capacity === 0) return;
  let m = caches.get(world);
  if (!m) {
    m = new Map();
    caches.set(world, m);
  }
  let recycled: SeedStage | undefined;
  m.delete(key);
  while (m.size >= capacity) {
    const oldest = m.keys().next().value!;
    recycled = m.get(oldest);
    m.delete(oldest);
  }
  m.set(key, make(recycled));
}
