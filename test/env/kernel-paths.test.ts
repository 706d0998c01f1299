/**
 * The WebAssembly SGD kernel (src/numerics/sgd-kernel.ts) changes no number of an episode: the
 * curation and data-set tasks played with every strategy they accept give the same step results
 * (observations, rewards, infos) and grades with the kernel on and off.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { makeEnv } from '../../src/env/make.ts';
import { getTask } from '../../src/env/tasks.ts';
import { useSgdKernel } from '../../src/numerics/sgd-kernel.ts';

function play(task: string, strategy: string, seed: number, kernel: boolean): unknown[] {
  const was = useSgdKernel(kernel);
  try {
    const env = makeEnv(task);
    const out: unknown[] = [env.reset({ task, seed })];
    for (let i = 0; i < 40; i++) {
      const r = env.step({ action_type: 'select_batch', batch_size: 10 + (i % 3), strategy_weights: strategy === 'random' || i % 2 === 0 ? { [strategy]: 1 } : { [strategy]: 1, random: 1 } });
      out.push(r);
      if (r.done) break;
    }
    out.push(env.grade());
    return out;
  } finally {
    useSgdKernel(was);
  }
}

describe('the SGD kernel changes no episode number', () => {
  for (const [task, seed] of [['curation-hard', 3], ['iris', 1], ['breast-cancer', 2], ['digits', 4]] as const) {
    it(`${task}: every accepted strategy, kernel on = kernel off`, () => {
      for (const strategy of getTask(task)!.strategies) {
        assert.deepEqual(play(task, strategy, seed, true), play(task, strategy, seed, false), `${task} ${strategy}`);
      }
    });
  }
});
