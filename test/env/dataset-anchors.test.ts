/**
 * The grade anchors shipped with the data-set tasks, recomputed from scratch (docs/datasets.md
 * "Grade and anchors"): seeds 1000–1119, a random episode and the two clean-label oracles per
 * seed, means per task and regime. Must equal the shipped constants to 1e-12. The fast anchor
 * paths are checked against DatasetEnv playing the same episodes.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DATASET_ANCHORS } from '../../src/env/datasets/anchors.ts';
import { computeDatasetAnchors } from '../../src/env/datasets/anchors-compute.ts';
import { DatasetEnv, playDatasetAnchorEpisode } from '../../src/env/datasets/env.ts';
import { DATASET_REGIMES, generateEpisodeData } from '../../src/env/datasets/generate.ts';
import { DATASET_ANCHOR_SEEDS } from '../../src/env/datasets/params.ts';
import { getDataset } from '../../src/env/datasets/registry.ts';
import { DATASET_TASK_IDS, getTask, type DatasetTaskSpec } from '../../src/env/tasks.ts';

describe('data-set grade anchors', () => {
  it(`recomputed from seeds ${DATASET_ANCHOR_SEEDS.first}–${DATASET_ANCHOR_SEEDS.last} they equal the shipped constants within 1e-12`, (t) => {
    const computed = computeDatasetAnchors(DATASET_ANCHOR_SEEDS.first, DATASET_ANCHOR_SEEDS.last);
    let worst = 0;
    for (const task of DATASET_TASK_IDS) {
      for (const regime of DATASET_REGIMES) {
        const a = computed[task][regime];
        const e = DATASET_ANCHORS[task][regime];
        assert.equal(a.n, e.n, `${task}.${regime}.n`);
        assert.ok(a.n > 0, `${task}.${regime}: no anchor seed in this regime`);
        for (const key of ['random', 'reference', 'oracle_uncertainty', 'oracle_random'] as const) {
          const d = Math.abs(a[key] - e[key]);
          assert.ok(Number.isFinite(d), `${task}.${regime}.${key}`);
          worst = Math.max(worst, d);
        }
        assert.equal(e.reference, Math.max(e.oracle_uncertainty, e.oracle_random));
      }
    }
    t.diagnostic(`worst difference to the shipped constants: ${worst}`);
    assert.ok(worst <= 1e-12, String(worst));
  });
  it('the random anchor path gives exactly what DatasetEnv gives playing {random: 1} with batch ⌈budget / max_steps⌉', () => {
    for (const id of DATASET_TASK_IDS) {
      const task = getTask(id) as DatasetTaskSpec;
      for (const seed of [1000, 1001]) {
        const data = generateEpisodeData(getDataset(task.dataset), task.split, seed);
        const env = new DatasetEnv({ dataSource: () => data });
        env.reset({ task: id, seed });
        let done = false;
        const b = Math.ceil(task.budget / task.maxSteps);
        while (!done) done = env.step({ action_type: 'select_batch', batch_size: b, strategy_weights: { random: 1 } }).done;
        assert.equal(playDatasetAnchorEpisode(task, data, 'random'), env.grade().breakdown.test_accuracy, `${id} seed ${seed}`);
      }
    }
  });
  it('the oracles beat random on the noisy regimes (they buy only correct labels)', () => {
    for (const id of DATASET_TASK_IDS) {
      for (const regime of ['flips', 'defaulting'] as const) {
        const a = DATASET_ANCHORS[id][regime];
        assert.ok(a.reference > a.random + 0.02, `${id}.${regime}: ${a.reference} vs ${a.random}`);
      }
    }
  });
});
