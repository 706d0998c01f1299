/**
 * Per-strategy step time (issue 15 item 6; goal ≤ 1 ms per step for every strategy).
 *
 * - `curation-hard step, S` and `digits step, S`: the median time of a whole `step` playing
 *   `{S: 1}` batch 10 (selection + purchases + the from-scratch refit + pool probabilities), over
 *   many seeds, in process. The one-off costs of a new seed are reported apart: density's mean
 *   similarity over the initial pool (curation) or the pool's similarity matrix (digits), O(n²·d)
 *   once per seed.
 * - `selection only, digits-shaped, S`: the median time of the strategy alone (`runSelection`
 *   for count 10) on a synthetic context the size of the digits task (1,000 candidates, 64
 *   features, 10 classes, 150 labelled rows, softmax committee members with 10 epochs), with the
 *   caches an environment keeps across steps (coreset's min-distances, density's similarities),
 *   built outside the timed region; their one-off costs are reported apart.
 */
import { makeEnv } from '../src/env/make.ts';
import { ALL_STRATEGIES, type StrategyName } from '../src/env/strategies/index.ts';
import { getTask } from '../src/env/tasks.ts';
import { minSqDistToLabelled } from '../src/env/strategies/coreset.ts';
import { meanSelfSimilarity } from '../src/env/strategies/density.ts';
import { runSelection } from '../src/env/strategies/select.ts';
import type { StrategyContext } from '../src/env/strategies/types.ts';
import { RandomState } from '../src/numerics/random-state.ts';
import { SoftmaxSgd } from '../src/numerics/softmax-sgd.ts';
import type { Figure } from '../tools/bench-report.ts';

export const STRATEGY_STEP_GOAL_MS = 1;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function countsFor(name: StrategyName, b: number): Record<StrategyName, number> {
  const c = Object.fromEntries(ALL_STRATEGIES.map((s) => [s, 0])) as Record<StrategyName, number>;
  c[name] = b;
  return c;
}

/**
 * Median env.step time per strategy the task accepts (batch 10), and density's first step of a
 * seed apart (where an environment computes a per-seed cache, that step pays for it).
 */
export function measureStrategySteps(task: string, seeds: number, warmupSeeds: number): { steps: Record<string, { ms: number; n: number }>; densityFirst: number } {
  const steps: Record<string, { ms: number; n: number }> = {};
  const firstDensity: number[] = [];
  for (const name of getTask(task)!.strategies) {
    const env = makeEnv(task);
    const times: number[] = [];
    for (let e = 0; e < warmupSeeds + seeds; e++) {
      env.reset({ task, seed: 5000 + e });
      let done = false;
      let t = 0;
      while (!done) {
        const t0 = performance.now();
        done = env.step({ action_type: 'select_batch', batch_size: 10, strategy_weights: { [name]: 1 } }).done;
        const dt = performance.now() - t0;
        if (e >= warmupSeeds) {
          if (name === 'density' && t === 0) firstDensity.push(dt);
          else times.push(dt);
        }
        t++;
      }
    }
    steps[name] = { ms: median(times), n: times.length };
  }
  return { steps, densityFirst: median(firstDensity) };
}

/** A synthetic context the size of the digits task (features and probabilities random). */
export function digitsShapedContext(seed = 1): StrategyContext {
  const n = 1000;
  const d = 64;
  const K = 10;
  const m = 150;
  const rs = RandomState.fromSeed(seed);
  const X = rs.standardNormal(n * d);
  const labelledX = rs.standardNormal(m * d);
  const labelledY = Int32Array.from({ length: m }, (_, i) => i % K);
  const proba = new Float64Array(n * K);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let k = 0; k < K; k++) s += proba[i * K + k] = Math.exp(2 * rs.gauss());
    for (let k = 0; k < K; k++) proba[i * K + k] /= s;
  }
  return { n, K, d, proba, X, m, labelledX, labelledY, rng: rs, makeModel: (dd, KK) => new SoftmaxSgd(dd, KK, { eta0: 0.05, epochs: 10 }) };
}

export function measureSelectionOnly(ctx: StrategyContext, repeats: number): Record<string, number> {
  const out: Record<string, number> = {};
  const exclude = new Uint8Array(ctx.n);
  for (const name of ALL_STRATEGIES) {
    const times: number[] = [];
    for (let r = 0; r < repeats + 3; r++) {
      exclude.fill(0);
      const t0 = performance.now();
      runSelection(ctx, countsFor(name, 10), exclude);
      const dt = performance.now() - t0;
      if (r >= 3) times.push(dt);
    }
    out[name] = median(times);
  }
  return out;
}

export function strategyFigures(quick: boolean): Figure[] {
  const figures: Figure[] = [];
  // curation-hard, and the largest data-set task (digits) when the registry has it.
  for (const task of ['curation-hard', 'digits'].filter((t) => getTask(t) !== undefined)) {
    const { steps, densityFirst } = measureStrategySteps(task, quick ? 4 : task === 'digits' ? 10 : 40, quick ? 1 : 3);
    for (const name of getTask(task)!.strategies) {
      figures.push({
        section: 'strategies',
        name: `${task} step, ${name}`,
        value: steps[name].ms,
        unit: 'ms',
        better: 'lower',
        goalAbsolute: STRATEGY_STEP_GOAL_MS,
        note: `median of ${steps[name].n} steps {${name}: 1} b10, refit included${name === 'density' ? ', first step of each seed apart' : ''}`,
      });
    }
    if (!Number.isNaN(densityFirst)) {
      figures.push({
        section: 'strategies',
        name: `${task} first density step of a new seed`,
        value: densityFirst,
        unit: 'ms',
        better: 'lower',
        note: task.startsWith('curation')
          ? 'includes the mean similarity over the initial pool (1,200² pairs × 20 features), once per seed'
          : "includes the pool's similarity matrix (977² pairs × 64 features), once per data set; later steps sum its rows",
      });
    }
  }
  const ctx = digitsShapedContext();
  const t0 = performance.now();
  const meanSimilarity = meanSelfSimilarity(ctx.X, ctx.n, ctx.d, new Float64Array(ctx.n));
  const t1 = performance.now();
  const minSq = minSqDistToLabelled(ctx, new Float64Array(ctx.n));
  const t2 = performance.now();
  const sel = measureSelectionOnly({ ...ctx, cache: { meanSimilarity, minSqDistToLabelled: minSq } }, quick ? 5 : 25);
  for (const name of ALL_STRATEGIES) {
    figures.push({
      section: 'strategies',
      name: `selection only, digits-shaped, ${name}`,
      value: sel[name],
      unit: 'ms',
      better: 'lower',
      goalAbsolute: STRATEGY_STEP_GOAL_MS,
      note: `10 picks of 1,000 candidates, d 64, K 10, m 150${name === 'committee' ? ' (5 softmax members × 10 epochs, predictions for every candidate)' : ''}`,
    });
  }
  figures.push(
    { section: 'strategies', name: 'digits-shaped density cache (once per seed)', value: t1 - t0, unit: 'ms', better: 'lower', note: 'mean similarity of 1,000 candidates to each other, d 64' },
    { section: 'strategies', name: 'digits-shaped coreset cache (150 labelled rows)', value: t2 - t1, unit: 'ms', better: 'lower', note: 'from scratch; an environment folds each purchase in once (1,000 × 64 per row)' },
  );
  return figures;
}
