/**
 * The data-set family: the registry (built-in files, a user's CSV and its validation errors),
 * the per-seed stratified split and annotator regimes, hidden truth kept out of every
 * observation (the scramble test), the learning curve and AUBC, and the environment checker.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { DatasetError, parseUserCsv } from '../../src/env/datasets/csv.ts';
import { DatasetEnv } from '../../src/env/datasets/env.ts';
import { classSplit, generateEpisodeData, type EpisodeData } from '../../src/env/datasets/generate.ts';
import { BUILTIN_DATASETS, getDataset } from '../../src/env/datasets/registry.ts';
import { registerCsvTask } from '../../src/env/datasets/user-task.ts';
import { EnvError } from '../../src/env/errors.ts';
import { makeEnv } from '../../src/env/make.ts';
import { aubc } from '../../src/env/metrics/aubc.ts';
import { DATASET_TASK_IDS, TASK_IDS, getTask, type DatasetTaskSpec } from '../../src/env/tasks.ts';
import { assertAllReplay, playTwins, replayEdited, withScrambledHidden } from '../helpers.ts';

const csv = (text: string, labelColumn = 'y') => () => parseUserCsv(text, { labelColumn, id: 'csv-t', origin: 't.csv' });
const fails = (reason: string, pattern: RegExp) => (e: unknown) => {
  assert.ok(e instanceof DatasetError, String(e));
  assert.equal(e.reason, reason);
  assert.match(e.message, pattern);
  return true;
};

describe('data-set registry', () => {
  it('the four built-in files parse to their documented shapes and class counts', () => {
    for (const info of BUILTIN_DATASETS) {
      const ds = getDataset(info.id);
      assert.deepEqual([ds.nRows, ds.nFeatures, ds.nClasses], [info.nRows, info.nFeatures, info.nClasses], info.id);
      assert.ok(ds.X.every(Number.isFinite));
      const counts = new Array(ds.nClasses).fill(0);
      for (const c of ds.y) counts[c]++;
      assert.ok(counts.every((c) => c > 0));
    }
    const counts = (id: string) => {
      const ds = getDataset(id);
      const c = new Array(ds.nClasses).fill(0);
      for (const k of ds.y) c[k]++;
      return c;
    };
    assert.deepEqual(counts('iris'), [50, 50, 50]);
    assert.deepEqual(counts('wine'), [59, 71, 48]);
    assert.deepEqual(counts('breast-cancer'), [212, 357]);
    assert.equal(getDataset('iris').classNames.join(','), 'setosa,versicolor,virginica');
    assert.equal(getDataset('iris').X[0], 5.1);
  });
  it('an unknown set names the built-in ones', () => {
    assert.throws(() => getDataset('mnist'), fails('unknown_dataset', /built-in: iris, wine, breast-cancer, digits/));
  });
  it('a user CSV: header, named label column (any position), string or numeric labels, quotes', () => {
    const ds = csv('a,y,b\n1,cat,2\n3,dog,4.5\n"5",cat,-1e2\n')();
    assert.deepEqual([ds.nRows, ds.nFeatures, ds.nClasses], [3, 2, 2]);
    assert.deepEqual([...ds.X], [1, 2, 3, 4.5, 5, -100]);
    assert.deepEqual([...ds.y], [0, 1, 0]);
    assert.deepEqual(ds.classNames, ['cat', 'dog']);
    // Numeric labels sort numerically (10 after 9).
    assert.deepEqual(csv('x,y\n1,10\n2,9\n3,10\n')().classNames, ['9', '10']);
  });
  it('malformed files: each error names the problem, the row and the column', () => {
    assert.throws(csv('a,b\n1,2\n'), fails('no_label_column', /no column 'y'.*columns: a, b/));
    assert.throws(csv('a,y\n1,0\n2,\n3,1\n'), fails('missing_label', /row 3: missing label in column 'y'/));
    assert.throws(csv('a,y\n1,0\nfoo,1\n'), fails('non_numeric', /row 3, column 'a': 'foo' is not a finite number/));
    assert.throws(csv('a,b,y\n1,2,0\n1,,1\n'), fails('missing_value', /row 3, column 'b': missing value/));
    assert.throws(csv('a,y\n1,0\n2,0,5\n'), fails('ragged_row', /row 3 has 3 cells, the header has 2/));
    assert.throws(csv('a,y\n1,0\n2,0\n'), fails('one_class', /one class only \('0'\)/));
    assert.throws(csv(''), fails('empty', /empty/));
    assert.throws(csv('a,y\n'), fails('empty', /no data rows/));
    const e = (() => {
      try {
        csv('a,y\n1,0\nNaN,1\n')();
      } catch (err) {
        return err as DatasetError;
      }
    })();
    assert.deepEqual([e?.row, e?.column], [3, 'a']);
  });
  it('fewer rows than the splits need: refused at registration, naming the class', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'dse-csv-'));
    try {
      const small = path.join(dir, 'small.csv');
      writeFileSync(small, `x1,x2,label\n${Array.from({ length: 30 }, (_, i) => `${i},${i % 7},${i < 27 ? 'a' : 'b'}`).join('\n')}\n`);
      assert.throws(() => registerCsvTask(small, 'label'), fails('too_few_rows', /class 'b' has 3 row\(s\); the splits need at least \d+ per class/));
      assert.throws(() => registerCsvTask(path.join(dir, 'absent.csv'), 'label'), fails('not_found', /no such file/));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  it('a valid user CSV becomes a task in the one registry, served by makeEnv, with anchors', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'dse-csv-'));
    try {
      const file = path.join(dir, 'My Blobs.csv');
      const rows = Array.from({ length: 120 }, (_, i) => {
        const k = i % 3;
        return `${(k * 2 + Math.sin(i)).toFixed(4)},${(Math.cos(i * 1.3) - k).toFixed(4)},c${k}`;
      });
      writeFileSync(file, `f1,f2,kind\n${rows.join('\n')}\n`);
      const task = registerCsvTask(file, 'kind');
      assert.equal(task.id, 'csv-my-blobs');
      assert.ok(TASK_IDS.includes('csv-my-blobs'));
      assert.equal(registerCsvTask(file, 'kind'), getTask('csv-my-blobs'));
      for (const r of ['clean', 'flips', 'defaulting'] as const) assert.ok(task.anchors[r].reference >= task.anchors[r].random);
      const env = makeEnv(task.id);
      env.reset({ task: task.id, seed: 3 });
      let done = false;
      while (!done) done = env.step({ action_type: 'select_batch', batch_size: 5, strategy_weights: { random: 1 } }).done;
      const g = env.grade();
      assert.ok(g.score >= 0 && g.score <= 1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('episode data: split, standardisation, annotators', () => {
  it('a stratified split per class; every row in exactly one split; the same seed gives the same data', () => {
    for (const id of DATASET_TASK_IDS) {
      const task = getTask(id) as DatasetTaskSpec;
      const ds = getDataset(task.dataset);
      const data = generateEpisodeData(ds, task.split, 11);
      const counts = new Array(ds.nClasses).fill(0);
      for (const c of ds.y) counts[c]++;
      const want = counts.map((c) => classSplit(c, task.split));
      assert.equal(data.nSeedCandidates, ds.nClasses * task.split.seedPerClass);
      assert.equal(data.nValidation, want.reduce((s, w) => s + w.validation, 0));
      assert.equal(data.hidden.testY.length, want.reduce((s, w) => s + w.test, 0));
      assert.equal(data.nPool, want.reduce((s, w) => s + w.pool, 0));
      assert.equal(data.nSeedCandidates + data.nValidation + data.nPool + data.hidden.testY.length, ds.nRows);
      // Every class in the seed set.
      assert.deepEqual([...new Set(data.yVisible.subarray(0, data.nSeedCandidates))].sort(), [...Array(ds.nClasses).keys()]);
      const again = generateEpisodeData(ds, task.split, 11);
      assert.deepEqual(again.X, data.X);
      assert.deepEqual(again.poolLabel, data.poolLabel);
      assert.notDeepEqual(generateEpisodeData(ds, task.split, 12).poolLabel, data.poolLabel);
    }
  });
  it('regimes: clean buys true labels; flips hit the source class; defaulting answers the default class on low-confidence rows', () => {
    const task = getTask('digits') as DatasetTaskSpec;
    const ds = getDataset('digits');
    const seen = new Set<string>();
    for (let seed = 0; seed < 30; seed++) {
      const data = generateEpisodeData(ds, task.split, seed);
      const h = data.hidden;
      seen.add(h.regime);
      let flipped = 0;
      for (let i = 0; i < data.nPool; i++) {
        if (h.poolFlipped[i] === 0) continue;
        flipped++;
        if (h.regime === 'defaulting' && h.poolLowConfidence[i] === 1) assert.equal(data.poolLabel[i], h.defaultClass);
      }
      if (h.regime === 'clean') assert.equal(flipped, 0);
      if (h.regime === 'flips') {
        let source = 0;
        let sourceFlipped = 0;
        for (let i = 0; i < data.nPool; i++) {
          if (h.poolTruth[i] !== h.flipSource) continue;
          source++;
          if (h.poolFlipped[i] === 1) sourceFlipped++;
          if (h.poolFlipped[i] === 1) assert.equal(data.poolLabel[i], h.flipTarget);
        }
        assert.ok(sourceFlipped / source > 0.2 && sourceFlipped / source < 0.6, `${sourceFlipped}/${source}`);
      }
      if (h.regime === 'defaulting') assert.ok(flipped > data.nPool * 0.25, `defaulting flips ${flipped}`);
    }
    assert.deepEqual([...seen].sort(), ['clean', 'defaulting', 'flips']);
  });
});

/** A copy of `data` whose hidden part is scrambled (regime, truth, masks, test set). */
function scrambled(data: EpisodeData): EpisodeData {
  return withScrambledHidden(data, (h) => ({
    ...h,
    poolTruth: h.poolTruth.map((v) => (v + 1) % data.K),
    poolLowConfidence: h.poolLowConfidence.map((v) => 1 - v),
    poolFlipped: h.poolFlipped.map((v) => 1 - v),
    testY: h.testY.map((v) => (v + 1) % data.K),
  }));
}

describe('no observation reads hidden truth (data-set tasks)', () => {
  const policies = (weights: Record<string, number>[]) =>
    weights.map((w) => Array(20).fill({ action_type: 'select_batch', batch_size: 7, strategy_weights: w }));
  for (const id of DATASET_TASK_IDS) {
    it(`${id}: scrambling the regime, pool truth, masks and test set changes the grade and curve, not one observation or reward`, () => {
      const task = getTask(id) as DatasetTaskSpec;
      for (const seed of [0, 5]) {
        const data = generateEpisodeData(getDataset(task.dataset), task.split, seed);
        const hidden = scrambled(data);
        for (const actions of policies([{ uncertainty: 1 }, { diversity: 2, random: 1 }, { random: 1 }])) {
          const [ga, gb] = playTwins(new DatasetEnv({ dataSource: () => data }), new DatasetEnv({ dataSource: () => hidden }), { task: id, seed }, actions);
          assert.notEqual(gb.breakdown.regime, ga.breakdown.regime);
          assert.notDeepEqual(gb.learning_curve, ga.learning_curve);
        }
      }
    });
  }
});

describe('data-set environment', () => {
  it('the learning curve: one point after reset and after each selection, the last is the graded accuracy; AUBC in [0, 1]', () => {
    const env = new DatasetEnv();
    env.reset({ task: 'wine', seed: 4 });
    let steps = 0;
    let done = false;
    while (!done) {
      done = env.step({ action_type: 'select_batch', batch_size: 4, strategy_weights: { uncertainty: 1 } }).done;
      steps++;
    }
    const g = env.grade();
    const c = g.learning_curve!;
    assert.equal(c.test_accuracy.length, steps + 1);
    assert.deepEqual(c.budget_used, Array.from({ length: steps + 1 }, (_, i) => Math.min(i * 4, 30)));
    assert.equal(c.test_accuracy.at(-1), g.breakdown.test_accuracy);
    assert.equal(g.breakdown.aubc, aubc(c.budget_used, c.test_accuracy, 30));
  });
  it('a stop at once: the curve is the reset point, AUBC the initial accuracy', () => {
    const env = new DatasetEnv();
    env.reset({ task: 'iris', seed: 2 });
    env.step({ action_type: 'stop', batch_size: 0, strategy_weights: { random: 1 } });
    const g = env.grade();
    assert.equal(g.learning_curve!.test_accuracy.length, 1);
    assert.equal(g.breakdown.aubc, g.breakdown.test_accuracy);
  });
  it('refusals change nothing; an action after the end is episode_over', () => {
    const env = new DatasetEnv();
    env.reset({ task: 'iris', seed: 1 });
    const before = env.state();
    assert.throws(() => env.step({ action_type: 'select_batch', batch_size: 5, strategy_weights: {} }), (e: unknown) => e instanceof EnvError && e.reason === 'invalid_action');
    assert.deepEqual(env.state(), before);
    env.step({ action_type: 'stop', batch_size: 0, strategy_weights: { random: 1 } });
    assert.throws(() => env.step({ action_type: 'stop', batch_size: 0, strategy_weights: { random: 1 } }), (e: unknown) => e instanceof EnvError && e.reason === 'episode_over');
  });
});

describe('AUBC', () => {
  it('exact values: trapezoids over the budget, the last accuracy held to the end', () => {
    assert.equal(aubc([0, 10], [0.5, 1], 10), 0.75);
    assert.equal(aubc([0, 5], [0.4, 0.8], 10), (5 * 0.6 + 5 * 0.8) / 10);
    assert.equal(aubc([0], [0.7], 10), 0.7);
    assert.equal(aubc([0, 4, 8], [0, 1, 1], 8), (4 * 0.5 + 4 * 1) / 8);
  });
  it('always in [0, 1] and between the curve min and max', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 1, max: 20 }), fc.double({ min: 0, max: 1, noNaN: true })), { minLength: 1, maxLength: 15 }), fc.double({ min: 0, max: 1, noNaN: true }), (steps, a0) => {
        const budget = [0];
        const acc = [a0];
        for (const [db, a] of steps) {
          budget.push(budget.at(-1)! + db);
          acc.push(a);
        }
        const v = aubc(budget, acc, budget.at(-1)! + 3);
        assert.ok(v >= Math.min(...acc) - 1e-12 && v <= Math.max(...acc) + 1e-12);
      }),
    );
  });
});

describe('data-set golden traces (fixtures/dataset.jsonl.gz)', () => {
  it('all 60 replay in process: observations, rewards, flags, info, every strategy\'s picks, refusals, final state, grade', async () => {
    const { bundledTraces } = await import('../../src/replay/trace.ts');
    const traces = bundledTraces(['dataset']);
    assert.equal(traces.length, 60);
    assertAllReplay(traces, 60);
    // The comparison can fail: a perturbed pick, share, grade or regime is reported.
    const original = traces.find((t) => t.name === 'digits-s4-mixed_library')!;
    const perturb = (edit: (t: any) => void) => replayEdited(original, edit).difference ?? '';
    assert.match(perturb((t) => (t.steps[1].derived.picks.badge[0] += 1)), /picks/);
    assert.match(perturb((t) => (t.steps[0].observation.last_batch.strategies.entropy.label_shares[0] += 1e-6)), /label_shares/);
    assert.match(perturb((t) => (t.grade.breakdown.regime = 'clean')), /regime/);
    assert.match(perturb((t) => (t.grade.learning_curve.test_accuracy[2] += 1e-6)), /learning_curve/);
  });
});
