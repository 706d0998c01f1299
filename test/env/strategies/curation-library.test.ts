/**
 * The strategy library in the curation family: the library path reproduces every curation
 * golden trace (the original three through src/env/strategies/ are bit-identical), library
 * strategies are accepted, deterministic and reported per strategy, and tasks refuse names they
 * do not accept with their own list (classic: exactly the original three).
 */
import { fromEnvError } from '../../../src/protocol/errors.ts';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { CurationEnv } from '../../../src/env/curation/env.ts';
import { DataSelectEnv } from '../../../src/env/env.ts';
import { EnvError } from '../../../src/env/errors.ts';
import { makeEnv } from '../../../src/env/make.ts';
import { ALL_STRATEGIES, LIBRARY_STRATEGIES } from '../../../src/env/strategies/index.ts';
import { CLASSIC_TASK_IDS, CURATION_TASK_IDS, getTask } from '../../../src/env/tasks.ts';
import type { CurationObservation } from '../../../src/env/types.ts';
import { assertAllReplay, curationTraces } from '../../helpers.ts';

const select = (strategy_weights: Record<string, number>, batch_size = 10) => ({ action_type: 'select_batch', batch_size, strategy_weights });

function refusal(f: () => unknown): EnvError {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof EnvError);
    return e;
  }
  assert.fail('expected a refusal');
}

describe('the curation golden traces through the strategy library', () => {
  it('every one of the 234 traces matches with libraryPath (picks, statistics, rng, grade)', () => {
    const traces = curationTraces();
    assertAllReplay(traces, 234, { libraryPath: true });
  });
});

describe('library strategies in the curation family', () => {
  it('the curation tasks accept every strategy, the classic tasks exactly the original three', () => {
    for (const id of CURATION_TASK_IDS) assert.deepEqual([...getTask(id)!.strategies], [...ALL_STRATEGIES]);
    for (const id of CLASSIC_TASK_IDS) assert.deepEqual([...getTask(id)!.strategies], ['uncertainty', 'diversity', 'random']);
  });

  it('each library strategy alone: its key in last_batch and info.split, picks recorded, deterministic', () => {
    for (const name of LIBRARY_STRATEGIES) {
      const run = () => {
        const env = new CurationEnv({ recordSelections: true });
        env.reset({ task: 'curation-hard', seed: 11 });
        const out = [];
        for (let t = 0; t < 3; t++) {
          const r = env.step(select({ [name]: 1 }));
          out.push({ r, picks: env.lastSelection!.library_idx![name]!, fp: env.rngFingerprint() });
        }
        return { out, grade: (env.step({ action_type: 'stop', batch_size: 0, strategy_weights: { random: 1 } }), env.grade()) };
      };
      const a = run();
      const b = run();
      assert.deepEqual(a, b, name);
      for (const { r, picks } of a.out) {
        const obs = r.observation as CurationObservation;
        const stats = obs.last_batch![name];
        assert.ok(stats, name);
        assert.equal(stats.n, 10);
        assert.equal(obs.last_batch!.total.n, 10);
        assert.equal(obs.last_batch!.uncertainty, null);
        assert.equal((r.info as { split: Record<string, number> }).split[name], 10);
        assert.equal(new Set(picks).size, 10);
        for (const other of LIBRARY_STRATEGIES) if (other !== name) assert.ok(!(other in obs.last_batch!), `${other} absent`);
      }
    }
  });

  it('only random, committee and badge draw from the episode stream', () => {
    for (const name of LIBRARY_STRATEGIES) {
      const env = new CurationEnv();
      env.reset({ task: 'curation-medium', seed: 5 });
      const before = env.rngFingerprint();
      env.step(select({ [name]: 1 }));
      const moved = JSON.stringify(env.rngFingerprint()) !== JSON.stringify(before);
      assert.equal(moved, name === 'committee' || name === 'badge', name);
    }
  });

  it('mixed weights: the split sums to the batch, the strategies pick disjoint rows, stats cover each weighted one', () => {
    fc.assert(
      fc.property(
        fc.subarray([...ALL_STRATEGIES], { minLength: 1 }),
        fc.integer({ min: 5, max: 30 }),
        fc.integer({ min: 0, max: 50 }),
        (names, batch, seed) => {
          const env = new CurationEnv({ recordSelections: true });
          env.reset({ task: 'curation-medium', seed });
          const r = env.step(select(Object.fromEntries(names.map((n, i) => [n, 1 + (i % 3)])), batch));
          const split = (r.info as { batch_size: number; split: Record<string, number> }).split;
          const b = (r.info as { batch_size: number }).batch_size;
          assert.equal(Object.values(split).reduce((s, v) => s + v, 0), b);
          const sel = env.lastSelection!;
          const all = [...sel.uncertainty_idx, ...sel.diversity_idx, ...sel.random_idx, ...Object.values(sel.library_idx ?? {}).flat()];
          assert.equal(all.length, b);
          assert.equal(new Set(all).size, b);
          const lb = (r.observation as CurationObservation).last_batch!;
          for (const n of names) if (LIBRARY_STRATEGIES.includes(n as never)) assert.ok(n in lb, n);
          assert.equal(lb.total.n, b);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('an unknown name is a 422-class invalid_action listing the task\'s strategies; nothing changes', () => {
    const env = new CurationEnv();
    env.reset({ task: 'curation-easy', seed: 1 });
    const before = { state: env.state(), fp: env.rngFingerprint(), obs: env.currentObservation() };
    const e = refusal(() => env.step(select({ margin: 1, Margin: 1 })));
    assert.equal(fromEnvError(e).code, 'VALIDATION_ERROR'); // its category on the wire
    assert.equal(e.reason, 'invalid_action');
    assert.deepEqual(e.issues!.map((i) => i.loc), [['strategy_weights', 'Margin']]);
    assert.match(e.issues![0].msg, new RegExp(`allowed: ${ALL_STRATEGIES.join(', ')};`));
    assert.deepEqual({ state: env.state(), fp: env.rngFingerprint(), obs: env.currentObservation() }, before);
  });
});

describe('the classic tasks refuse the library', () => {
  for (const task of CLASSIC_TASK_IDS) {
    it(`${task}: a library name is refused with the three, the stream untouched`, () => {
      const env = new DataSelectEnv();
      env.reset({ task, seed: 42 });
      const before = { state: env.state(), fp: env.rngFingerprint() };
      const e = refusal(() => env.step(select({ uncertainty: 1, badge: 1, nope: 2 })));
      assert.equal(e.reason, 'invalid_action');
      assert.deepEqual(e.issues!.map((i) => i.loc).sort(), [['strategy_weights', 'badge'], ['strategy_weights', 'nope']]);
      for (const issue of e.issues!) assert.equal(issue.msg, 'unknown strategy (allowed: uncertainty, diversity, random; keys are case-sensitive)');
      assert.deepEqual({ state: env.state(), fp: env.rngFingerprint() }, before);
      // The three still work.
      assert.equal(makeEnv(task).reset({ task, seed: 42 }).info.task_id, task);
    });
  }
});
