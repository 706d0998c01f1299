/**
 * The environment checker: every task passes every rule (in process, both APIs), and each rule
 * can fail — a deliberately broken environment per rule is caught, naming that rule.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { InProcessEnvironment } from '../../src/client/inprocess.ts';
import { CHECK_RULES, checkEnv, formatCheckReport, type CheckRule, type CheckableEnvironment } from '../../src/env/checker.ts';
import { DataSelectEnv } from '../../src/env/env.ts';
import { EnvError } from '../../src/env/errors.ts';
import { CurationEnv } from '../../src/env/curation/env.ts';
import { DatasetEnv } from '../../src/env/datasets/env.ts';
import { CLASSIC_TASK_IDS, CURATION_TASK_IDS, DATASET_TASK_IDS, TASK_IDS } from '../../src/env/tasks.ts';
import type { Action, StepResult } from '../../src/env/types.ts';
import { eachRuleCanFail } from '../helpers.ts';

describe('checkEnv on the real environment', () => {
  test('every classic task, the synchronous DataSelectEnv: every rule checked and holding', async () => {
    const report = await checkEnv(new DataSelectEnv(), { tasks: CLASSIC_TASK_IDS });
    assert.deepEqual(report.failures, [], formatCheckReport(report));
    assert.deepEqual(report.tasks, [...CLASSIC_TASK_IDS]);
    for (const rule of CHECK_RULES) assert.ok(report.checked[rule] > 0, `${rule} was checked`);
  });

  test('a curation task and the data-set tasks pass too (their own environment classes)', async () => {
    const curation = await checkEnv(new CurationEnv(), { tasks: ['curation-hard'], seeds: [3, 4] });
    assert.deepEqual(curation.failures, [], formatCheckReport(curation));
    const datasets = await checkEnv(new DatasetEnv(), { tasks: DATASET_TASK_IDS, seeds: [3, 4] });
    assert.deepEqual(datasets.failures, [], formatCheckReport(datasets));
  });

  test('every curation task, the synchronous CurationEnv: every rule checked and holding', async () => {
    const report = await checkEnv(new CurationEnv(), { tasks: CURATION_TASK_IDS });
    assert.deepEqual(report.failures, [], formatCheckReport(report));
    assert.deepEqual(report.tasks, [...CURATION_TASK_IDS]);
    for (const rule of CHECK_RULES) assert.ok(report.checked[rule] > 0, `${rule} was checked`);
  });

  test('the runs here cover every task of the registry', () => {
    assert.deepEqual([...CLASSIC_TASK_IDS, ...CURATION_TASK_IDS, ...DATASET_TASK_IDS].sort(), [...TASK_IDS].sort());
  });

  test('the asynchronous in-process Environment passes too', async () => {
    const report = await checkEnv(new InProcessEnvironment(), { tasks: ['hard'], seeds: [5, 6] });
    assert.equal(report.ok, true, formatCheckReport(report));
  });
});

/** DataSelectEnv with one defect. */
class Broken implements CheckableEnvironment {
  private readonly env = new DataSelectEnv();
  private last: StepResult | null = null;
  private readonly defect: string;
  constructor(defect: string) {
    this.defect = defect;
  }

  reset(o: { task: string; seed: number }) {
    this.last = null;
    const r = this.env.reset(o);
    if (this.defect === 'extra-key') return { ...r, observation: { ...r.observation, hidden_truth: 1 } };
    return r;
  }

  step(action: Action) {
    const bad = typeof action !== 'object' || (action as { action_type?: unknown }).action_type === 'jump';
    if (this.defect === 'accepts-invalid' && bad) return this.last ?? this.env.step({ action_type: 'select_batch', batch_size: 5, strategy_weights: { random: 1 } });
    if (this.defect === 'invalid-moves-rng') {
      try {
        return this.patch(this.env.step(action));
      } catch (e) {
        // Refuses, but re-seeds the episode first (state looks the same: step 0, same budget).
        if (e instanceof EnvError && e.reason === 'invalid_action') this.env.reset({ task: this.env.task!.id, seed: 999 });
        throw e;
      }
    }
    if (this.defect === 'step-after-end' && this.last?.done) return this.last;
    if (this.defect === 'never-ends' && this.last?.done) return { ...this.last, done: false, terminated: false, truncated: false };
    return this.patch(this.env.step(action));
  }

  private patch(r: StepResult): StepResult {
    let out = r;
    switch (this.defect) {
      case 'nan-reward':
        out = { ...r, reward: Number.NaN };
        break;
      case 'both-flags':
        out = r.truncated ? { ...r, terminated: true } : r;
        break;
      case 'done-mismatch':
        out = { ...r, done: !r.done };
        break;
      case 'never-ends':
        out = { ...r, done: false, terminated: false, truncated: false };
        break;
      case 'noisy-reward':
        out = { ...r, reward: r.reward + Math.random() * 1e-9 };
        break;
      case 'wrong-step':
        out = { ...r, step: r.step + 1 };
        break;
    }
    this.last = r;
    return out;
  }

  state() {
    const s = this.env.state();
    if (this.defect === 'reset-state' && s.step_count === 0) return { ...s, remaining_budget: (s.remaining_budget ?? 0) + 1 };
    if (this.defect === 'stale-state' && s.step_count > 0) return { ...s, step_count: s.step_count - 1 };
    return s;
  }
}

const CASES: [defect: string, rule: CheckRule][] = [
  ['extra-key', 'reset-observation'],
  ['reset-state', 'reset-state'],
  ['nan-reward', 'step-shape'],
  ['wrong-step', 'step-shape'],
  ['both-flags', 'done-flags'],
  ['done-mismatch', 'done-flags'],
  ['never-ends', 'episode-length'],
  ['stale-state', 'state-consistency'],
  ['step-after-end', 'after-end'],
  ['accepts-invalid', 'invalid-action'],
  ['invalid-moves-rng', 'invalid-action'],
  ['noisy-reward', 'determinism'],
];

/** The task a broken environment is checked on: easy reaches max_steps with the checker's plan (truncation); the others end on the budget. */
const taskFor = (defect: string) => (defect === 'both-flags' ? 'easy' : 'hard');

describe('each rule can fail', () => {
  eachRuleCanFail(
    CASES,
    CHECK_RULES,
    (defect) => checkEnv(new Broken(defect), { tasks: [taskFor(defect)], seeds: [0, 1] }),
    formatCheckReport,
    (failure, defect) => {
      assert.equal(failure.task, taskFor(defect));
      assert.ok(failure.message.length > 10);
    },
  );
});
