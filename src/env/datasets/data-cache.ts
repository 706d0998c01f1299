/**
 * A small LRU of episode data by (task, seed): a reset's split and annotator draws depend only on
 * them, so resetting the same seed again (replay, evaluation of several policies) reuses the
 * immutable entry. Numbers are the same without it.
 */
import type { DatasetTaskSpec } from '../tasks.ts';
import { generateEpisodeData, type EpisodeData } from './generate.ts';
import { getDataset } from './registry.ts';

const CAPACITY = 32;
const cache = new Map<string, EpisodeData>();

export function getEpisodeData(task: DatasetTaskSpec, seed: number): EpisodeData {
  const key = `${task.id}\0${seed}`;
  const hit = cache.get(key);
  if (hit) {
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  const data = generateEpisodeData(getDataset(task.dataset), task.split, seed);
  cache.set(key, data);
  if (cache.size > CAPACITY) cache.delete(cache.keys().next().value!);
  return data;
}
