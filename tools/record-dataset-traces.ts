/**
 * Records the data-set family's golden traces (docs/fixtures.md format, `family: "dataset"`) by
 * playing fixed policies on every built-in data-set task through DatasetEnv, and writes them as
 * the bundle fixtures/dataset.jsonl.gz (deterministic: same code, same bytes). They are this
 * project's own regression record — a refactor that changes a number fails `replay` — not an
 * outside reference: re-record only after a deliberate change of the family's rules, and say so.
 *   node tools/record-dataset-traces.ts
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DatasetEnv } from '../src/env/datasets/env.ts';
import { EnvError } from '../src/env/errors.ts';
import { ENV_ERROR_CODES } from '../src/protocol/errors.ts';
import { DATASET_TASK_IDS } from '../src/env/tasks.ts';
import { acceptedStep, writeBundle } from './trace-bundle.ts';

const OUT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'dataset.jsonl.gz');
const SEEDS = [0, 4, 7]; // flips, defaulting, clean
const sel = (batch_size: number, strategy_weights: Record<string, number>) => ({ action_type: 'select_batch', batch_size, strategy_weights });
const STOP = { action_type: 'stop', batch_size: 0, strategy_weights: { random: 1 } };
const until = (a: unknown) => Array(40).fill(a);

/** name → description and the actions it plays (until the episode ends; later ones are "after the end"). */
const POLICIES: Record<string, { description: string; actions: unknown[] }> = {
  random_b10: { description: 'random only, batch 10, until done', actions: until(sel(10, { random: 1 })) },
  margin_b10: { description: 'margin only, batch 10, until done', actions: until(sel(10, { margin: 1 })) },
  mixed_library: {
    description: 'cycling library mixes (entropy + coreset, badge, committee + density, least_confidence + random), batch 7, until done',
    actions: Array.from({ length: 40 }, (_, i) => [sel(7, { entropy: 1, coreset: 1 }), sel(7, { badge: 1 }), sel(7, { committee: 2, density: 1 }), sel(7, { least_confidence: 1, random: 1 })][i % 4]),
  },
  balanced_b10: { description: 'weights uncertainty .4 / diversity .4 / random .2, batch 10, until done', actions: until(sel(10, { uncertainty: 0.4, diversity: 0.4, random: 0.2 })) },
  quirk_invalid_stop: {
    description: 'an unknown strategy and an empty weight map (refused, nothing changes), two uncertainty steps, a stop, then one action after the end',
    actions: [sel(10, { Margin: 1 }), sel(10, {}), sel(10, { uncertainty: 1 }), sel(10, { uncertainty: 1 }), STOP, sel(10, { random: 1 })],
  },
};

function record(task: string, seed: number, policy: string): { path: string; text: string } {
  const env = new DatasetEnv({ recordSelections: true });
  const reset = env.reset({ task, seed });
  const { pos, key_sha256_16 } = env.rngFingerprint()!;
  const initialRng = { pos, key_sha256_16 };
  const p = POLICIES[policy];
  const steps: unknown[] = [];
  const actions: unknown[] = [];
  let ended = false;
  for (const [t, action] of p.actions.entries()) {
    if (ended && steps.length > 0 && (steps.at(-1) as { accepted: boolean }).accepted === false) break;
    actions.push(action);
    try {
      const r = env.step(action);
      const sel = env.lastSelection;
      steps.push(acceptedStep(t, action, r, sel ? { picks: sel.picks, batch: { requested: sel.requested, effective: sel.effective } } : {}));
      if (r.done) ended = true;
    } catch (e) {
      if (!(e instanceof EnvError)) throw e;
      steps.push({ t, action, accepted: false, error: { kind: e.reason, http_status: ENV_ERROR_CODES[e.reason] === 'VALIDATION_ERROR' ? 422 : 400 }, observation: env.currentObservation(), reward: null, done: env.done, info: null });
      if (ended) break;
    }
  }
  const trace = {
    format: 'dataselectenv-golden-trace/1',
    family: 'dataset',
    task_id: task,
    seed,
    policy,
    policy_description: p.description,
    recorded_by: 'tools/record-dataset-traces.ts (this project; a regression record, not an outside reference)',
    actions,
    initial_observation: reset.observation,
    initial_rng: initialRng,
    steps,
    final_state: env.state(),
    grade: env.grade(),
  };
  return { path: `traces/${task}-s${seed}-${policy}.json`, text: `${JSON.stringify(trace, null, 1)}\n` };
}

const files = DATASET_TASK_IDS.flatMap((task) => SEEDS.flatMap((seed) => Object.keys(POLICIES).map((policy) => record(task, seed, policy))));
const bytes = writeBundle(OUT, 'dataset', files);
process.stdout.write(`${path.relative(process.cwd(), OUT)}: ${files.length} traces, ${(bytes / 1024).toFixed(0)} KiB\n`);
