/**
 * The grade anchors shipped with the curation tasks, recomputed from scratch (CURATION.md §6):
 * seeds 1000–1199, random-only batch-10 episodes and the two clean-label oracles, means per task
 * and regime. Must equal curation/anchors.json (and the shipped constants) to 1e-12.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ANCHOR_SEEDS, CURATION_ANCHORS } from '../../src/env/curation/anchors.ts';
import { computeAnchors } from '../../src/env/curation/anchors-compute.ts';
import { CurationEnv, playAnchorEpisode } from '../../src/env/curation/env.ts';
import { generateCurationData } from '../../src/env/curation/generate.ts';
import { CURATION_TASK_IDS, getTask, type CurationTaskSpec } from '../../src/env/tasks.ts';
import { CURATION, SHARED_REFERENCE_DIR } from '../helpers.ts';

/** CURATION.md's anchors.json as bundled; the ../shared copy too when it is present. */
const SHARED_ANCHORS = SHARED_REFERENCE_DIR ? path.join(SHARED_REFERENCE_DIR, 'curation', 'anchors.json') : null;

function worstDifference(actual: any, expected: any): number {
  let worst = 0;
  for (const task of Object.keys(expected)) {
    for (const regime of ['clean', 'defaulting']) {
      for (const key of ['random', 'reference', 'oracle_uncertainty', 'oracle_diversity', 'n']) {
        const d = Math.abs(actual[task][regime][key] - expected[task][regime][key]);
        assert.ok(Number.isFinite(d), `${task}.${regime}.${key}`);
        worst = Math.max(worst, d);
      }
    }
  }
  return worst;
}

describe('curation grade anchors', () => {
  it('recomputed from seeds 1000–1199 they equal anchors.json and the shipped constants within 1e-12', (t) => {
    const computed = computeAnchors(ANCHOR_SEEDS.first, ANCHOR_SEEDS.last);
    const vsConstants = worstDifference(computed, CURATION_ANCHORS);
    t.diagnostic(`worst difference to the shipped constants: ${vsConstants}`);
    assert.ok(vsConstants <= 1e-12, String(vsConstants));
    const vsBundled = worstDifference(computed, CURATION.json('anchors.json'));
    t.diagnostic(`worst difference to the bundled anchors.json: ${vsBundled}`);
    assert.ok(vsBundled <= 1e-12, String(vsBundled));
    if (SHARED_ANCHORS && existsSync(SHARED_ANCHORS)) {
      const vsShared = worstDifference(computed, JSON.parse(readFileSync(SHARED_ANCHORS, 'utf8')));
      assert.ok(vsShared <= 1e-12, String(vsShared));
    }
  });
  it('the fast random anchor path (one fit at the end) gives exactly the test accuracy CurationEnv gives playing {random: 1} batch 10', () => {
    for (const seed of [1000, 1001, 1003]) {
      const data = generateCurationData(seed);
      for (const id of CURATION_TASK_IDS) {
        const task = getTask(id) as CurationTaskSpec;
        const env = new CurationEnv({ dataSource: () => data });
        env.reset({ task: id, seed });
        while (!env.step({ action_type: 'select_batch', batch_size: 10, strategy_weights: { random: 1 } }).done);
        assert.equal(playAnchorEpisode(task, data, 'random'), env.grade().breakdown.test_accuracy, `${id}/${seed} random`);
      }
    }
  });
});
