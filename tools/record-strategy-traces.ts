/**
 * Records the strategy library's golden traces (`fixtures/strategies.jsonl.gz`): curation
 * episodes playing each library strategy alone and two mixes, in both hidden regimes, so a
 * refactor cannot change their numbers silently. `npm run fixtures:strategies` rewrites the
 * bundle; `test/env/strategies/traces.test.ts` replays it (as does
 * `npx dataselectenv replay fixtures/strategies.jsonl.gz`). Deterministic output (fixed order,
 * gzip level 9, no timestamps).
 *
 * Each trace is this environment's own output (not an external reference): it pins the numbers
 * as they are when recorded, per step the observation (with the per-strategy statistics), reward,
 * flags, info, the picks of every library strategy and the random stream's fingerprint.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CurationEnv } from '../src/env/curation/env.ts';
import { LIBRARY_STRATEGIES } from '../src/env/strategies/names.ts';
import { acceptedStep, writeBundle } from './trace-bundle.ts';

const OUT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'strategies.jsonl.gz');
const TASK = 'curation-hard';
/** Seed 3 is a clean source, seed 5 a defaulting one (the grade's breakdown names the regime). */
const SEEDS = [3, 5];

const POLICIES: { name: string; description: string; weights: Record<string, number> }[] = [
  ...LIBRARY_STRATEGIES.map((s) => ({ name: `${s}_b10`, description: `${s} only, batch 10, until done`, weights: { [s]: 1 } })),
  { name: 'mix_library_b10', description: 'margin 1, coreset 1, badge 1, committee 1, random 1; batch 10', weights: { margin: 1, coreset: 1, badge: 1, committee: 1, random: 1 } },
  { name: 'mix_all_b12', description: 'every strategy weight 1; batch 12', weights: { uncertainty: 1, diversity: 1, random: 1, least_confidence: 1, margin: 1, entropy: 1, density: 1, coreset: 1, committee: 1, badge: 1 } },
];

export function recordTrace(seed: number, policy: (typeof POLICIES)[number]) {
  const env = new CurationEnv({ recordSelections: true });
  const reset = env.reset({ task: TASK, seed });
  const batch = policy.name.endsWith('_b12') ? 12 : 10;
  const action = { action_type: 'select_batch', batch_size: batch, strategy_weights: policy.weights };
  const steps = [];
  const initialRng = env.rngFingerprint()!;
  for (let t = 0; !env.done; t++) {
    const r = env.step(action);
    const sel = env.lastSelection!;
    const rng = env.rngFingerprint()!;
    steps.push(
      acceptedStep(t, action, r, {
        pool_size_before: sel.pool_size_before,
        batch: { requested: sel.requested, effective: sel.effective, n_u: sel.n_u, n_d: sel.n_d, n_r: sel.n_r },
        uncertainty_idx: sel.uncertainty_idx,
        diversity_idx: sel.diversity_idx,
        random_idx: sel.random_idx,
        library_idx: sel.library_idx ?? {},
        train_order: sel.train_order,
        rng: { pos: rng.pos, key_sha256_16: rng.key_sha256_16, has_gauss: rng.has_gauss, cached_gaussian: rng.cached_gaussian },
      }),
    );
  }
  const s = env.state();
  return {
    format: 'dataselectenv-golden-trace/1',
    family: 'curation',
    task_id: TASK,
    seed,
    policy: policy.name,
    policy_description: policy.description,
    actions: steps.map((st) => st.action),
    initial_observation: reset.observation,
    initial_rng: { pos: initialRng.pos, key_sha256_16: initialRng.key_sha256_16 },
    steps,
    final_state: { task_id: s.task_id, step_count: s.step_count, done: s.done, remaining_budget: s.remaining_budget, current_performance: s.current_performance, pool_size: s.pool_size },
    grade: env.grade(),
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const files: { path: string; text: string }[] = [];
  const manifest: Record<string, string> = {};
  for (const p of POLICIES) {
    manifest[p.name] = p.description;
    for (const seed of SEEDS) files.push({ path: `traces/${TASK}-s${seed}-${p.name}.json`, text: `${JSON.stringify(recordTrace(seed, p), null, 1)}\n` });
  }
  files.push({ path: 'traces-MANIFEST.json', text: `${JSON.stringify({ recorded_by: 'tools/record-strategy-traces.ts', task: TASK, seeds: SEEDS, policies: manifest }, null, 1)}\n` });
  writeBundle(OUT, 'curation', files);
  process.stdout.write(`wrote ${path.relative(process.cwd(), OUT)}: ${files.length - 1} traces\n`);
}
