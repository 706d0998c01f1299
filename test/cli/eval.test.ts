import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { InProcessEnvironment } from '../../src/client/index.ts';
import { evaluate, parseSeeds, parseTasks, toCsv, type EvalReport } from '../../src/eval/run.ts';
import { incompleteBeta, meanConfidenceInterval, sampleStd, studentTCdf, studentTQuantile } from '../../src/eval/stats.ts';
import { runBenchmark } from '../../src/cli/benchmark.ts';
import { BUILTIN_POLICIES, PolicyError, loadPolicy } from '../../src/policies/index.ts';
import { runCli } from './run-cli.ts';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'dse-eval-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

describe('Student t', () => {
  it('quantiles match published tables to 6 decimals', () => {
    const table: [number, number, number][] = [
      [0.975, 19, 2.093024],
      [0.975, 1, 12.706205],
      [0.975, 2, 4.302653],
      [0.975, 4, 2.776445],
      [0.975, 9, 2.262157],
      [0.975, 29, 2.04523],
      [0.975, 49, 2.009575],
      [0.975, 1000, 1.962339],
      [0.995, 10, 3.169273],
      [0.9, 5, 1.475884],
      [0.95, 3, 2.353363],
    ];
    for (const [p, df, t] of table) assert.ok(Math.abs(studentTQuantile(p, df) - t) < 5e-7, `t(${p}, ${df}) = ${studentTQuantile(p, df)}, expected ${t}`);
    assert.ok(Math.abs(studentTQuantile(0.025, 19) + 2.093024) < 5e-7, 'lower tail by symmetry');
    assert.equal(studentTQuantile(0.5, 7), 0);
  });

  it('CDF and incomplete beta at known points', () => {
    assert.equal(studentTCdf(0, 5), 0.5);
    // df = 1 is the Cauchy distribution: F(1) = 3/4.
    assert.ok(Math.abs(studentTCdf(1, 1) - 0.75) < 1e-12);
    // I_x(1, 1) = x; I_x(a, 1) = x^a.
    assert.ok(Math.abs(incompleteBeta(0.3, 1, 1) - 0.3) < 1e-12);
    assert.ok(Math.abs(incompleteBeta(0.5, 3, 1) - 0.125) < 1e-12);
    assert.throws(() => studentTQuantile(1, 3), RangeError);
    assert.throws(() => studentTQuantile(0.9, 0), RangeError);
  });

  it('confidence interval of a mean', () => {
    const xs = [1, 2, 3, 4, 5];
    const ci = meanConfidenceInterval(xs);
    assert.equal(ci.mean, 3);
    // s = √2.5, t(0.975, 4) = 2.776445 → half width 2.776445·√2.5/√5 = 1.963243
    assert.ok(Math.abs(sampleStd(xs) - Math.sqrt(2.5)) < 1e-12);
    assert.ok(Math.abs(ci.halfWidth! - 1.963243) < 1e-6);
    assert.deepEqual(meanConfidenceInterval([0.5]), { mean: 0.5, halfWidth: null, low: null, high: null, level: 0.95 });
  });
});

describe('argument parsing', () => {
  it('seeds and tasks', () => {
    assert.deepEqual(parseSeeds('0..4'), [0, 1, 2, 3, 4]);
    assert.deepEqual(parseSeeds('0,1,7,42,123'), [0, 1, 7, 42, 123]);
    assert.deepEqual(parseSeeds('3..4, 9'), [3, 4, 9]);
    for (const bad of ['', '5..1', '-1', 'a', '1..2,2', '4294967296']) assert.throws(() => parseSeeds(bad), RangeError, bad);
    assert.deepEqual(parseTasks('hard,easy'), ['hard', 'easy']);
    assert.throws(() => parseTasks('easy,extreme'), /unknown task 'extreme'/);
  });
});

describe('policies', () => {
  it('built-ins and user modules; clear errors otherwise', async () => {
    assert.deepEqual(Object.keys(BUILTIN_POLICIES), ['balanced', 'random', 'uncertainty', 'diversity', 'stop-immediately', 'one-batch', 'adaptive']);
    const file = path.join(tmp, 'half.mjs');
    writeFileSync(file, `export default (obs) => ({ action_type: 'select_batch', batch_size: obs.remaining_budget > 50 ? 20 : 5, strategy_weights: { diversity: 1, random: 1 } });\n`);
    const loaded = await loadPolicy(file);
    assert.equal(loaded.name, file);
    const a = await loaded.policy({ remaining_budget: 100, diversity_score: 1, noise_estimate: 0, current_performance: 0.6, samples_available: 10 }, { task_id: 'easy', seed: 0, step: 0 });
    assert.equal(a.batch_size, 20);
    await assert.rejects(loadPolicy('greedy'), (e: unknown) => e instanceof PolicyError && e.reason === 'unknown_policy');
    await assert.rejects(loadPolicy('./missing-policy.mjs', tmp), (e: unknown) => e instanceof PolicyError && e.reason === 'load_failed');
    writeFileSync(path.join(tmp, 'notfn.mjs'), 'export default 42;\n');
    await assert.rejects(loadPolicy('./notfn.mjs', tmp), (e: unknown) => e instanceof PolicyError && e.reason === 'not_a_function');
  });
});

describe('a library strategy as a policy', () => {
  it('plays {strategy: 1} batch 10, the fixed policy the benchmark table is made of', async () => {
    const loaded = await loadPolicy('margin');
    assert.equal(loaded.name, 'margin');
    const obs = { remaining_budget: 100, diversity_score: 1, noise_estimate: 0, current_performance: 0.6, samples_available: 10 };
    assert.deepEqual(await loaded.policy(obs, { task_id: 'iris', seed: 0, step: 0 }), { action_type: 'select_batch', batch_size: 10, strategy_weights: { margin: 1 } });
    const seeds = [0, 1, 2];
    const r = await evaluate(new InProcessEnvironment(), { policyName: loaded.name, policy: loaded.policy, tasks: ['iris'], seeds });
    const bench = await runBenchmark({ tasks: ['iris'], seeds, strategies: ['margin'] });
    const cell = bench.cells.find((c) => c.task_id === 'iris' && c.policy === 'margin');
    assert.ok(cell, 'the benchmark has a margin cell on iris');
    assert.equal(r.tasks[0].mean_grade, cell.grade.mean);
  });
});

const numbers = (r: EvalReport) => ({ ...r, episodes: r.episodes.map(({ episode_id: _, ...rest }) => rest) });

describe('evaluate', () => {
  it('reproduces the measured policy scores of docs/behaviour.md', async () => {
    const seeds = [0, 1, 7, 42, 123];
    const expected: Record<string, [number, number, number]> = {
      balanced: [0.6616, 0.6443, 0.4854],
      random: [0.6937, 0.8107, 0.5227],
      'stop-immediately': [0.6888, 0.6, 0.9048],
    };
    for (const [name, means] of Object.entries(expected)) {
      const r = await evaluate(new InProcessEnvironment(), { policyName: name, policy: BUILTIN_POLICIES[name].policy, tasks: ['easy', 'medium', 'hard'], seeds });
      assert.deepEqual(r.tasks.map((t) => Number(t.mean_grade.toFixed(4))), means, name);
    }
  });

  it('same seeds → same numbers', async () => {
    const o = { policyName: 'balanced', policy: BUILTIN_POLICIES.balanced.policy, tasks: ['easy', 'hard'], seeds: [3, 4, 5] };
    const a = await evaluate(new InProcessEnvironment(), o);
    const b = await evaluate(new InProcessEnvironment(), o);
    assert.deepEqual(numbers(a), numbers(b));
    const csv = toCsv(a).trim().split('\n');
    assert.equal(csv[0], 'task_id,seed,episode_id,steps,total_reward,final_performance,score,passed');
    assert.equal(csv.length, 1 + 6);
  });
});

describe('eval command (subprocess)', () => {
  it('--json is reproducible, --csv and --out write files', async () => {
    const args = ['eval', '--policy', 'random', '--tasks', 'easy,hard', '--seeds', '0..2', '--json'];
    const csv = path.join(tmp, 'r.csv');
    const out = path.join(tmp, 'r.json');
    const [a, b] = await Promise.all([runCli([...args, '--csv', csv, '--out', out]), runCli(args)]);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(b.code, 0, b.stderr);
    const ra = JSON.parse(a.stdout) as EvalReport;
    assert.deepEqual(numbers(ra), numbers(JSON.parse(b.stdout)));
    assert.deepEqual(ra.tasks.map((t) => t.task_id), ['easy', 'hard']);
    assert.equal(ra.tasks[0].episodes, 3);
    assert.ok(ra.tasks[0].ci95_low! < ra.tasks[0].mean_grade && ra.tasks[0].mean_grade < ra.tasks[0].ci95_high!);
    assert.equal(readFileSync(csv, 'utf8').trim().split('\n').length, 7);
    assert.deepEqual(numbers(JSON.parse(readFileSync(out, 'utf8'))), numbers(ra));
  });

  it('a policy that plays an invalid action fails with the code, reason, task, seed and step', async () => {
    writeFileSync(path.join(tmp, 'bad.mjs'), `export default (o, ctx) => ctx.step < 2 ? { action_type: 'select_batch', batch_size: 10, strategy_weights: { random: 1 } } : { action_type: 'select_batch', batch_size: 10, strategy_weights: { greedy: 1 } };\n`);
    const r = await runCli(['eval', '--policy', './bad.mjs', '--tasks', 'medium', '--seeds', '4'], { cwd: tmp });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /error \[VALIDATION_ERROR\/invalid_action\]: task medium seed 4: step 3 \(action .*greedy.*\): .*greedy/);
  });

  it('human output is a table; bad arguments exit 2 with the reason', async () => {
    const [ok, bad, unknown] = await Promise.all([
      runCli(['eval', '--policy', 'stop-immediately', '--tasks', 'hard', '--seeds', '1..3']),
      runCli(['eval', '--seeds', '9..1']),
      runCli(['eval', '--policy', 'greedy', '--json']),
    ]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /^policy stop-immediately · inprocess · 3 seeds \(1\.\.3\)$/m);
    assert.match(ok.stdout, /^hard\s+3\s+0\.9048\s+\[0\.9048, 0\.9048\]\s+100\.0%\s+5\.0000\s+1\.0$/m);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /USAGE_ERROR\/invalid_argument.*empty/);
    assert.equal(unknown.code, 2, 'an unknown policy is a bad argument');
    assert.equal(JSON.parse(unknown.stdout).error.reason, 'unknown_policy');
  });
});
