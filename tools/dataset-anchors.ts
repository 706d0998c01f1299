/**
 * Recomputes the data-set tasks' grade anchors over DATASET_ANCHOR_SEEDS and prints the
 * `DATASET_ANCHORS` table of src/env/datasets/anchors.ts (paste it there after a deliberate
 * change of the family's rules): `node tools/dataset-anchors.ts`.
 */
import { computeDatasetAnchors } from '../src/env/datasets/anchors-compute.ts';
import { DATASET_ANCHOR_SEEDS } from '../src/env/datasets/params.ts';

const t0 = performance.now();
const anchors = computeDatasetAnchors(DATASET_ANCHOR_SEEDS.first, DATASET_ANCHOR_SEEDS.last);
const lines = ['export const DATASET_ANCHORS: Readonly<Record<string, Readonly<Record<DatasetRegime, DatasetAnchor>>>> = Object.freeze({'];
for (const [task, regimes] of Object.entries(anchors)) {
  lines.push(`  ${/^[a-z]+$/.test(task) ? task : `'${task}'`}: Object.freeze({`);
  for (const [regime, a] of Object.entries(regimes)) {
    lines.push(
      `    ${regime}: Object.freeze({ random: ${a.random}, reference: ${a.reference}, oracle_uncertainty: ${a.oracle_uncertainty}, oracle_random: ${a.oracle_random}, n: ${a.n} }),`,
    );
  }
  lines.push('  }),');
}
lines.push('});');
process.stdout.write(`${lines.join('\n')}\n`);
process.stderr.write(`seeds ${DATASET_ANCHOR_SEEDS.first}–${DATASET_ANCHOR_SEEDS.last}: ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
