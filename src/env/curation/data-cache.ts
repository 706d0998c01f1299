/**
 * A small LRU of generated curation data sets by seed. Generation (§2: about 103,000 gaussians)
 * is most of a reset and does not depend on the task, so the three tasks of a seed, and clients
 * that reset the same seed again, share one immutable entry. Numbers are the same without it.
 */
import { generateCurationData, type CurationData } from './generate.ts';

let capacity = 16;
const cache = new Map<number, CurationData>();

/** Sets how many seeds are kept (0 disables the cache). Returns the previous value. */
export function setCurationCacheCapacity(n: number): number {
  if (!Number.isInteger(n) || n < 0) throw new RangeError('cache capacity must be a non-negative integer');
  const old = capacity;
  capacity = n;
  while (cache.size > capacity) cache.delete(cache.keys().next().value!);
  return old;
}

export function getCurationData(seed: number): CurationData {
  const hit = cache.get(seed);
  if (hit) {
    cache.delete(seed);
    cache.set(seed, hit);
    return hit;
  }
  const data = generateCurationData(seed);
  if (capacity > 0) {
    cache.set(seed, data);
    if (cache.size > capacity) cache.delete(cache.keys().next().value!);
  }
  return data;
}
