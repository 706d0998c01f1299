/**
 * VectorEnv: the vector checker holds on every task in every autoreset mode and each of its rules
 * can fail; a property: a VectorEnv gives exactly the numbers of N lone environments driven by the
 * same random actions, across autoresets; the reset/step refusals; the README's snippet runs.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { EnvError } from '../../src/env/errors.ts';
import { makeEnv } from '../../src/env/make.ts';
import { CLASSIC_TASK_IDS, CURATION_TASK_IDS, DATASET_TASK_IDS, TASK_IDS } from '../../src/env/tasks.ts';
import type { Action, Grade, Observation } from '../../src/env/types.ts';
import {
  VECTOR_CHECK_RULES,
  checkVectorEnv,
  formatVectorCheckReport,
  type CheckableVectorEnv,
  type VectorCheckRule,
} from '../../src/env/vector-checker.ts';
import { AUTORESET_MODES, VectorEnv, numericObservationFields, packObservations, type AutoresetMode, type VectorEnvOptions, type VectorResetOptions, type VectorStepResult } from '../../src/env/vector.ts';
import { getTask } from '../../src/env/tasks.ts';
import { REPO_ROOT, eachRuleCanFail } from '../helpers.ts';

describe('checkVectorEnv on VectorEnv', () => {
  for (const [family, ids] of [
    ['classic', CLASSIC_TASK_IDS],
    ['curation', CURATION_TASK_IDS],
    ['data-set', DATASET_TASK_IDS],
  ] as const) {
    test(`every ${family} task, every autoreset mode: every rule checked and holding`, () => {
      const report = checkVectorEnv({ tasks: ids });
      assert.deepEqual(report.failures, [], formatVectorCheckReport(report));
      assert.deepEqual(report.tasks, [...ids]);
      assert.deepEqual(report.modes, [...AUTORESET_MODES]);
      for (const rule of VECTOR_CHECK_RULES) assert.ok(report.checked[rule] > 0, `${rule} was checked`);
    });
  }

  test('the runs above cover every task of the registry', () => {
    assert.deepEqual([...CLASSIC_TASK_IDS, ...CURATION_TASK_IDS, ...DATASET_TASK_IDS].sort(), [...TASK_IDS].sort());
  });

  test('one sub-environment and eight, another seed', () => {
    for (const numEnvs of [1, 8]) {
      const report = checkVectorEnv({ tasks: ['hard', 'curation-hard'], numEnvs, seed: 1000 });
      assert.deepEqual(report.failures, [], formatVectorCheckReport(report));
    }
  });
});

/** A real VectorEnv with one defect, seen through the checker's interface. */
class BrokenVector implements CheckableVectorEnv {
  private readonly inner: VectorEnv;
  private readonly defect: string;
  private readonly instance: number;
  static made = 0;
  constructor(defect: string, task: string, n: number, options: VectorEnvOptions) {
    this.defect = defect;
    this.inner = new VectorEnv(task, n, options);
    this.instance = BrokenVector.made++;
  }
  get numEnvs() {
    return this.inner.numEnvs;
  }
  get autoresetMode() {
    return this.inner.autoresetMode;
  }
  get fields() {
    return this.inner.fields;
  }
  reset(o: VectorResetOptions = {}) {
    // Every sub-environment on the same seed (not seed + i).
    if (this.defect === 'same-seed' && o.seed !== undefined && o.seed !== null) return this.inner.reset({ seeds: Array(this.numEnvs).fill(o.seed) });
    return this.inner.reset(o);
  }
  step(actions: readonly unknown[]): VectorStepResult {
    if (this.defect === 'accepts-invalid') {
      const fixed = actions.map((a) => ((a as Action).strategy_weights && 'greedy' in (a as Action).strategy_weights ? { action_type: 'select_batch', batch_size: 10, strategy_weights: { random: 1 } } : a));
      if (fixed.length === this.numEnvs) return this.inner.step(fixed);
    }
    const r = this.inner.step(actions);
    switch (this.defect) {
      case 'plain-rewards':
        return { ...r, rewards: Array.from(r.rewards) as unknown as Float64Array };
      case 'drifting-reward':
        r.rewards[0] += 1e-12;
        break;
      case 'autoreset-keeps-reward':
        r.infos.forEach((info, i) => {
          if ('seed' in info && !('final_obs' in info)) r.rewards[i] = 1;
        });
        break;
      case 'second-instance-differs':
        if (this.instance % 2 === 1) r.rewards[r.rewards.length - 1] += 1e-9;
        break;
    }
    return r;
  }
  grade(i: number): Grade {
    return this.inner.grade(i);
  }
}

const BROKEN: [defect: string, rule: VectorCheckRule][] = [
  ['same-seed', 'vector-reset'],
  ['plain-rewards', 'vector-step-shape'],
  ['drifting-reward', 'vector-equivalence'],
  ['autoreset-keeps-reward', 'vector-autoreset'],
  ['accepts-invalid', 'vector-invalid-action'],
  ['second-instance-differs', 'vector-determinism'],
];

describe('each vector rule can fail', () => {
  eachRuleCanFail(
    BROKEN,
    VECTOR_CHECK_RULES,
    (defect) => checkVectorEnv({ tasks: ['hard'], modes: ['next_step'], make: (t, n, o) => new BrokenVector(defect, t, n, o) }),
    formatVectorCheckReport,
  );
});

// ---------------------------------------------------------------------------------------------
// Property: VectorEnv = N lone environments, across autoresets (random actions, seeds, modes).

const weight = fc.oneof(fc.constant(0), fc.double({ min: 0, max: 10, noNaN: true }), fc.integer({ min: 0, max: 5 }));
const action = fc.record({
  action_type: fc.constantFrom('select_batch', 'select_batch', 'select_batch', 'stop'),
  batch_size: fc.oneof(fc.integer({ min: 0, max: 40 }), fc.constant(100000)),
  strategy_weights: fc.record({ uncertainty: weight, diversity: weight, random: weight }, { requiredKeys: [] }).filter((w) => Object.values(w).some((v) => v > 0)),
}) as fc.Arbitrary<Action>;

interface Lone {
  obs: Observation;
  reward: number;
  terminated: number;
  truncated: number;
  grade: Grade | null;
}

test('property: a VectorEnv gives exactly the numbers of N lone environments driven by the same actions', () => {
  let restarts = 0;
  fc.assert(
    fc.property(
      fc.constantFrom('hard', 'medium', 'curation-hard', 'iris'),
      fc.constantFrom<AutoresetMode>(...AUTORESET_MODES),
      fc.integer({ min: 1, max: 4 }),
      fc.integer({ min: 0, max: 2 ** 32 - 100 }),
      fc.array(fc.array(action, { minLength: 4, maxLength: 4 }), { minLength: 1, maxLength: 24 }),
      (task, mode, n, seed, plan) => {
        const vec = new VectorEnv(task, n, { autoresetMode: mode, observationObjects: true, grades: true });
        const lone = Array.from({ length: n }, () => makeEnv(task));
        const seeds = Array.from({ length: n }, (_, i) => seed + i);
        const pending = new Array<boolean>(n).fill(false);
        const r0 = vec.reset({ seed });
        lone.forEach((env, i) => assert.deepStrictEqual(r0.objects![i], env.reset({ task, seed: seeds[i] }).observation));
        const restart = (i: number) => {
          restarts++;
          seeds[i] = seeds[i] + n;
          return lone[i].reset({ task, seed: seeds[i] }).observation;
        };
        for (const row of plan) {
          if (mode === 'disabled') {
            const mask = lone.map((e) => e.done);
            if (mask.some(Boolean)) {
              const rr = vec.reset({ resetMask: mask });
              mask.forEach((m, i) => m && assert.deepStrictEqual(rr.objects![i], restart(i)));
            }
          }
          const want: Lone[] = lone.map((env, i) => {
            if (pending[i]) {
              pending[i] = false;
              return { obs: restart(i), reward: 0, terminated: 0, truncated: 0, grade: null };
            }
            const s = env.step(row[i]);
            const grade = s.done ? env.grade() : null;
            if (s.done && mode === 'next_step') pending[i] = true;
            const obs = s.done && mode === 'same_step' ? restart(i) : s.observation;
            return { obs, reward: s.reward, terminated: Number(s.terminated), truncated: Number(s.truncated), grade };
          });
          const out = vec.step(row.slice(0, n));
          want.forEach((w, i) => {
            assert.deepStrictEqual(out.objects![i], w.obs);
            assert.ok(Object.is(out.rewards[i], w.reward), `reward ${out.rewards[i]} vs ${w.reward}`);
            assert.equal(out.terminated[i], w.terminated);
            assert.equal(out.truncated[i], w.truncated);
            assert.deepStrictEqual(out.grades![i], w.grade);
            for (const f of vec.fields) assert.ok(Object.is(out.observations[f][i], (w.obs as unknown as Record<string, number>)[f]), f);
          });
        }
      },
    ),
    { numRuns: 40, seed: 20261202 },
  );
  assert.ok(restarts > 40, `the runs went through autoresets (${restarts})`);
});

describe('VectorEnv reset and step', () => {
  const A: Action = { action_type: 'select_batch', batch_size: 10, strategy_weights: { random: 1 } };
  const reason = (fn: () => unknown) => {
    try {
      fn();
    } catch (e) {
      assert.ok(e instanceof EnvError, String(e));
      return `${e.reason}: ${e.message}`;
    }
    return 'accepted';
  };

  test('seeds: one seed s gives s, s+1, …; a list gives each its own; none gives 42, 43, …; autoresets continue at seed + N', () => {
    const v = new VectorEnv('hard', 3);
    assert.deepEqual(v.reset({ seed: 7 }).infos.map((i) => i!.seed), [7, 8, 9]);
    assert.deepEqual(v.reset({ seeds: [5, 100, 3] }).infos.map((i) => i!.seed), [5, 100, 3]);
    assert.deepEqual(new VectorEnv('hard', 2).reset().infos.map((i) => i!.seed), [42, 43]);
    // After the first episode a reset without seeds continues each sub-environment's sequence.
    assert.deepEqual(v.reset().infos.map((i) => i!.seed), [8, 103, 6]);
    const STOP: Action = { action_type: 'stop', batch_size: 0, strategy_weights: { random: 1 } };
    v.reset({ seed: 0 });
    v.step([STOP, A, A]);
    const r = v.step([A, A, A]);
    assert.deepEqual(r.infos[0], { task_id: 'hard', seed: 3 });
    assert.equal(v.seedOf(0), 3);
    const custom = new VectorEnv('hard', 2, { nextSeed: (i, prev) => prev * 10 + i });
    custom.reset({ seed: 1 });
    assert.deepEqual(custom.reset().infos.map((i) => i!.seed), [10, 21]);
  });

  test('resetMask resets only the marked sub-environments (Gymnasium reset_mask)', () => {
    const v = new VectorEnv('hard', 3, { autoresetMode: 'disabled', observationObjects: true });
    v.reset({ seed: 0 });
    const stepped = v.step([A, A, A]);
    const r = v.reset({ resetMask: [false, true, false], seeds: [null, 50, null] });
    assert.deepEqual(r.infos, [null, { task_id: 'hard', seed: 50 }, null]);
    assert.deepStrictEqual(r.objects![0], stepped.objects![0]);
    assert.deepStrictEqual(r.objects![1], makeEnv('hard').reset({ task: 'hard', seed: 50 }).observation);
    assert.equal(v.state(1).step_count, 0);
    assert.equal(v.state(0).step_count, 1);
  });

  test('refusals: each one changes nothing', () => {
    const v = new VectorEnv('hard', 2, { autoresetMode: 'disabled' });
    assert.match(reason(() => v.step([A, A])), /^no_episode/);
    assert.match(reason(() => v.reset({ resetMask: [true, false] })), /^invalid_request: .*has no episode yet/);
    assert.match(reason(() => v.reset({ seed: 2 ** 32 - 1 })), /^invalid_request: .*above 4294967295/);
    assert.match(reason(() => v.reset({ seed: 1, seeds: [1, 2] })), /^invalid_request/);
    assert.match(reason(() => v.reset({ seeds: [1] })), /^invalid_request: .*2 entries/);
    assert.match(reason(() => v.reset({ seeds: [1, -4] })), /^invalid_request: seeds\[1\]/);
    v.reset({ seed: 0 });
    assert.match(reason(() => v.reset({ resetMask: [0, 0] })), /^invalid_request: .*marks no sub-environment/);
    assert.match(reason(() => v.step([A])), /^invalid_action: .*takes 2 actions/);
    assert.match(reason(() => v.step([A, { ...A, batch_size: -1 }])), /^invalid_action: actions\[1\]/);
    assert.equal(v.state(0).step_count, 0, 'a refused batch moved sub-environment 0');
    v.step([{ action_type: 'stop', batch_size: 0, strategy_weights: { random: 1 } }, A]);
    assert.match(reason(() => v.step([A, A])), /^episode_over: sub-environment 0/);
    assert.equal(v.state(1).step_count, 1);
    assert.throws(() => new VectorEnv('nope', 2), (e: EnvError) => e.reason === 'invalid_task');
    assert.throws(() => new VectorEnv('hard', 0), RangeError);
    assert.throws(() => v.state(2), RangeError);
  });

  test('observation fields: the schema order, numeric fields only; packObservations is row-major', () => {
    assert.deepEqual(numericObservationFields(getTask('hard')!), ['remaining_budget', 'diversity_score', 'noise_estimate', 'current_performance', 'samples_available']);
    const iris = numericObservationFields(getTask('iris')!);
    assert.ok(iris.includes('validation_accuracy') && !iris.includes('class_counts') && !iris.includes('last_batch'));
    const v = new VectorEnv('curation-hard', 2, { observationObjects: true });
    const r = v.reset({ seed: 4 });
    const packed = packObservations(r.observations, v.fields);
    assert.equal(packed.length, 2 * v.fields.length);
    v.fields.forEach((f, j) => {
      for (let i = 0; i < 2; i++) assert.equal(packed[i * v.fields.length + j], (r.objects![i] as unknown as Record<string, number>)[f]);
    });
  });
});

const run = promisify(execFile);

test('the README "Vector environment" snippet runs', async () => {
  const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('\n## Vector environment\n'));
  const block = [...section.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]).find((b) => b.includes('VectorEnv'));
  assert.ok(block, 'README ## Vector environment has a ts snippet with VectorEnv');
  const dir = path.join(REPO_ROOT, 'test-output', `vector-snippet-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  try {
    writeFileSync(path.join(dir, 'vector.ts'), block);
    const r = await run(process.execPath, [path.join(dir, 'vector.ts')], { cwd: REPO_ROOT });
    const lines = r.stdout.trim().split('\n');
    assert.match(lines[0], /^steps 200, episodes ended \d+, mean reward -?\d+\.\d{4}$/);
    assert.match(lines[1], /^remaining_budget of the 8: /);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
