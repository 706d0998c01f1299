import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DataSelectEnv } from '../../src/env/env.ts';
import { runBaseline } from '../../src/env/baseline.ts';
import type { Action, StepResult } from '../../src/env/types.ts';

const ACTIONS: Action[] = [
  { action_type: 'select_batch', batch_size: 10, strategy_weights: { random: 1 } },
  { action_type: 'select_batch', batch_size: 12, strategy_weights: { uncertainty: 0.5, diversity: 0.3, random: 0.2 } },
  { action_type: 'select_batch', batch_size: 7, strategy_weights: { diversity: 1, random: 1 } },
  { action_type: 'select_batch', batch_size: 25, strategy_weights: { uncertainty: 1 } },
];

function runIsolated(task: string, seed: number, steps: number): StepResult[] {
  const env = new DataSelectEnv();
  env.reset({ task, seed });
  const out: StepResult[] = [];
  for (let i = 0; i < steps && !env.done; i++) out.push(env.step(ACTIONS[i % ACTIONS.length]));
  return out;
}

describe('isolation (D9)', () => {
  it('episodes stepped round-robin, with resets and a baseline run in between, equal their isolated runs bit for bit', () => {
    const specs = [
      ['easy', 42],
      ['easy', 7],
      ['medium', 42],
      ['hard', 0],
      ['hard', 123],
      ['medium', 4294967295],
    ] as const;
    const isolated = specs.map(([t, s]) => runIsolated(t, s, 8));
    const envs = specs.map(([task, seed]) => {
      const e = new DataSelectEnv();
      e.reset({ task, seed });
      return e;
    });
    const interleaved: StepResult[][] = specs.map(() => []);
    for (let i = 0; i < 8; i++) {
      // Unrelated activity between steps: another episode's reset and the baseline agent.
      new DataSelectEnv().reset({ task: 'hard', seed: i });
      if (i === 3) runBaseline();
      envs.forEach((env, k) => {
        if (!env.done) interleaved[k].push(env.step(ACTIONS[i % ACTIONS.length]));
      });
    }
    assert.deepEqual(interleaved, isolated);
  });

  it('the reference D9 example: easy/42 random-10 rewards are unaffected by another episode reset between steps', () => {
    const a = new DataSelectEnv();
    a.reset({ task: 'easy', seed: 42 });
    const got = [a.step(ACTIONS[0]).reward];
    new DataSelectEnv().reset({ task: 'easy', seed: 7 });
    got.push(a.step(ACTIONS[0]).reward, a.step(ACTIONS[0]).reward);
    const reference = [0.2035801244009199, 0.19045606998779632, 0.10619837940188753];
    got.forEach((r, i) => assert.ok(Math.abs(r - reference[i]) <= 1e-9, `step ${i + 1}: ${r} vs ${reference[i]}`));
  });
});

describe('seed cache', () => {
  it('episodes are identical with the seed cache disabled, cold, or warm (every task of a seed)', async () => {
    const { setSeedCacheCapacity } = await import('../../src/env/seed-cache.ts');
    const play = (task: string, seed: number) => {
      const env = new DataSelectEnv({ recordSelections: true });
      const reset = env.reset({ task, seed });
      const steps = [];
      for (let i = 0; i < 5; i++) steps.push({ r: env.step(ACTIONS[i % ACTIONS.length]), sel: env.lastSelection, rng: env.rngFingerprint() });
      return { reset, steps };
    };
    const old = setSeedCacheCapacity(0);
    try {
      const uncached = ['easy', 'medium', 'hard'].map((t) => play(t, 31337));
      setSeedCacheCapacity(4);
      const cold = ['hard', 'easy', 'medium'].map((t) => play(t, 31337));
      const warm = ['medium', 'hard', 'easy'].map((t) => play(t, 31337));
      assert.deepEqual(cold, [uncached[2], uncached[0], uncached[1]]);
      assert.deepEqual(warm, [uncached[1], uncached[2], uncached[0]]);
    } finally {
      setSeedCacheCapacity(old);
    }
  });
});
