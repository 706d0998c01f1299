/**
 * `eval --vector N` (src/eval/vector.ts): the same report as today's eval for the same jobs, on
 * every family, with stateful policies, jobs of several tasks interleaved and N below, at and above
 * the number of jobs; the CLI's refusals, header and timing; a refused action reported as eval does.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { InProcessEnvironment } from '../../src/client/inprocess.ts';
import { evaluate, type EvalOptions, type EvalReport } from '../../src/eval/run.ts';
import { evaluateVector } from '../../src/eval/vector.ts';
import { BUILTIN_POLICIES } from '../../src/policies/index.ts';
import { runCli } from './run-cli.ts';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'dse-eval-vector-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** The report without what differs by construction: episode ids and the vector's timing. */
const numbers = (r: EvalReport) => {
  const { vector: _, ...rest } = r;
  return { ...rest, episodes: r.episodes.map(({ episode_id: _id, ...e }) => e) };
};

const options = (policy: string, tasks: string[], seeds: number[], jobs?: { task: string; seed: number }[]): EvalOptions => ({
  policyName: policy,
  policy: BUILTIN_POLICIES[policy].policy,
  createPolicy: BUILTIN_POLICIES[policy].create,
  tasks,
  seeds,
  jobs,
});

describe('evaluateVector = evaluate', () => {
  it('every family, N from 1 to more than the jobs, a stateful policy', async () => {
    for (const [policy, tasks] of [
      ['balanced', ['easy', 'hard']],
      ['adaptive', ['curation-hard', 'curation-medium']],
      ['random', ['iris', 'wine']],
    ] as const) {
      const o = options(policy, [...tasks], [0, 1, 2, 3, 4, 5, 6]);
      const lone = await evaluate(new InProcessEnvironment(), o);
      for (const n of [1, 3, 7, 16]) {
        const v = await evaluateVector(n, o);
        assert.deepStrictEqual(numbers(v), numbers(lone), `${policy} on ${tasks.join(',')} with --vector ${n}`);
        assert.equal(v.vector.num_envs, n);
        assert.equal(v.vector.steps, lone.episodes.reduce((s, e) => s + e.steps, 0));
        assert.ok(v.vector.seconds > 0 && v.vector.steps_per_second > 0);
        assert.equal(new Set(v.episodes.map((e) => e.episode_id)).size, v.episodes.length, 'one id per episode');
      }
    }
  });

  it('explicit jobs of several tasks interleaved (a split range), onEpisode counts every episode', async () => {
    const jobs = [
      { task: 'hard', seed: 10 },
      { task: 'curation-hard', seed: 3 },
      { task: 'hard', seed: 11 },
      { task: 'hard', seed: 12 },
      { task: 'curation-hard', seed: 9 },
    ];
    const o = options('uncertainty', ['hard', 'curation-hard'], [10, 3, 11, 12, 9], jobs);
    const lone = await evaluate(new InProcessEnvironment(), o);
    let seen = 0;
    const v = await evaluateVector(2, { ...o, onEpisode: (_r, done, total) => ((seen = done), assert.equal(total, 5)) });
    assert.equal(seen, 5);
    assert.deepStrictEqual(numbers(v), numbers(lone));
    assert.deepEqual(v.episodes.map((e) => `${e.task_id}/${e.seed}`), jobs.map((j) => `${j.task}/${j.seed}`));
  });
});

describe('eval --vector (subprocess)', () => {
  it('the JSON report equals the one without --vector; the table names the vector and prints the timing', async () => {
    const args = ['eval', '--policy', 'diversity', '--tasks', 'medium,curation-hard', '--seeds', '0..4'];
    const [plain, vec, text] = await Promise.all([runCli([...args, '--json']), runCli([...args, '--json', '--vector', '3']), runCli([...args, '--vector', '4'])]);
    for (const r of [plain, vec, text]) assert.equal(r.code, 0, r.stderr);
    const a = JSON.parse(plain.stdout) as EvalReport;
    const b = JSON.parse(vec.stdout) as EvalReport;
    assert.equal(a.vector, undefined);
    assert.equal(b.vector!.num_envs, 3);
    assert.deepStrictEqual(numbers(b), numbers(a));
    assert.match(text.stdout, /^policy diversity · inprocess · vector 4 · 5 seeds \(0\.\.4\)$/m);
    assert.match(text.stdout, /^timing: \d+ steps in \d+\.\d\d s, \d+ steps\/s \(4 sub-environments per VectorEnv, policy included\)$/m);
  });

  it('bad --vector values and --vector with --url are usage errors (exit 2, one line)', async () => {
    const results = await Promise.all([
      runCli(['eval', '--vector', '0', '--seeds', '1']),
      runCli(['eval', '--vector', 'many', '--seeds', '1']),
      runCli(['eval', '--vector', '2000', '--seeds', '1']),
      runCli(['eval', '--vector', '4', '--url', 'http://127.0.0.1:9', '--seeds', '1']),
    ]);
    for (const r of results.slice(0, 3)) {
      assert.equal(r.code, 2);
      assert.match(r.stderr, /USAGE_ERROR.*--vector must be an integer from 1 to 1024/);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    }
    assert.equal(results[3].code, 2);
    assert.match(results[3].stderr, /--vector runs in process: it cannot be combined with --url/);
  });

  it('a policy that plays an invalid action fails with the code, reason, task, seed and step, as without --vector', async () => {
    writeFileSync(path.join(tmp, 'bad.mjs'), `export default (o, ctx) => ctx.seed === 5 && ctx.step >= 2 ? { action_type: 'select_batch', batch_size: 10, strategy_weights: { greedy: 1 } } : { action_type: 'select_batch', batch_size: 10, strategy_weights: { random: 1 } };\n`);
    const r = await runCli(['eval', '--policy', './bad.mjs', '--tasks', 'medium', '--seeds', '4..6', '--vector', '3'], { cwd: tmp });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /error \[VALIDATION_ERROR\/invalid_action\]: task medium seed 5: step 3 \(action .*greedy.*\): .*greedy/);
    assert.doesNotMatch(r.stderr, /actions\[/);
  });
});
