/** The console's pure summaries (web/src/summary.ts, web/src/numbers.ts), without a browser. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { aubc } from '../../src/env/metrics/aubc.ts';
import { summarise, type EpisodeResult } from '../../src/eval/run.ts';
import { meanConfidenceInterval } from '../../src/eval/stats.ts';
import { count, num, percent, signed, signedCount } from '../../web/src/numbers.ts';
import { aubcOf, breakdownLabel, breakdownValue, curveAt, curveGrid, endText, episodeEnd, groupEpisodes, meanCurve, taskLimits, totalReturn } from '../../web/src/summary.ts';
import { TASKS, describeTask } from '../../src/env/tasks.ts';

describe('console summaries', () => {
  test('why an episode ended: stop, budget, pool terminate; the step limit truncates', () => {
    const obs = { remaining_budget: 10, samples_available: 5 };
    assert.deepEqual(episodeEnd({ action_type: 'stop', ...obs, remaining_budget: 0 }), { reason: 'stop', terminated: true, truncated: false });
    assert.deepEqual(episodeEnd({ action_type: 'select_batch', ...obs, remaining_budget: 0 }), { reason: 'budget', terminated: true, truncated: false });
    assert.deepEqual(episodeEnd({ action_type: 'select_batch', ...obs, samples_available: 0 }), { reason: 'pool', terminated: true, truncated: false });
    assert.deepEqual(episodeEnd({ action_type: 'select_batch', ...obs }), { reason: 'steps', terminated: false, truncated: true });
    assert.equal(endText(episodeEnd({ action_type: 'select_batch', ...obs }), 8, 8), 'Step limit reached: 8 of 8 steps (truncated).');
    assert.equal(endText(episodeEnd({ action_type: 'stop', ...obs }), 1, null), 'Stopped by the agent at step 1 (terminated).');
    assert.equal(totalReturn([0.5, -0.25, 0.125]), 0.375);
  });

  test("every task's step limit and budget are read from the registry's own description", () => {
    for (const t of TASKS.values()) {
      assert.deepEqual(taskLimits({ description: describeTask(t) }), { maxSteps: t.maxSteps, budget: t.budget }, t.id);
    }
    // Listed fields win; no numbers → null, not a guess.
    assert.deepEqual(taskLimits({ description: 'budget=300, max_steps=15', max_steps: 20, budget: 200 }), { maxSteps: 20, budget: 200 });
    assert.deepEqual(taskLimits({ description: 'no numbers here' }), { maxSteps: null, budget: null });
  });

  test('breakdown labels and the AUBC of a grade, when it reports one', () => {
    assert.equal(breakdownLabel('test_accuracy'), 'Test accuracy');
    assert.equal(breakdownLabel('aubc'), 'AUBC (area under the budget curve)');
    assert.equal(aubcOf({ breakdown: { test_accuracy: 0.7, aubc: 0.6125, regime: 'clean' } }), 0.6125);
    assert.equal(aubcOf({ breakdown: { performance_score: 0.5 } }), null);
    assert.equal(aubcOf({ breakdown: { aubc: 'n/a' } }), null);
  });

  test('one format per kind of number', () => {
    assert.equal(num(1), '1.0000');
    assert.equal(num(0.68881234), '0.6888');
    assert.equal(signed(15), '+15.0000');
    assert.equal(signed(-0.00004), '0.0000');
    assert.equal(signed(-0.5), '-0.5000');
    assert.equal(count(300), '300');
    assert.equal(signedCount(-10), '-10');
    assert.equal(percent(0.5), '50.0 %');
    assert.equal(num(null), '–');
    // Breakdown: counts whole, normalised signed, reals with 4 decimals, the regime as text.
    assert.equal(breakdownValue('budget_used', 80), '80');
    assert.equal(breakdownValue('performance_score', 1), '1.0000');
    assert.equal(breakdownValue('normalised', -1.53), '-1.5300');
    assert.equal(breakdownValue('normalised', 1.26), '+1.2600');
    assert.equal(breakdownValue('regime', 'defaulting'), 'defaulting');
  });

  test('groups by label and task, with the evaluator statistics over the episodes in play order', () => {
    // Newest first, as GET /episodes lists them.
    const list = [
      { label: 'eval:a', task_id: 'easy', score: 0.3, passed: false, step_count: 15 },
      { label: 'eval:b', task_id: 'easy', score: 0.9, passed: true, step_count: 1 },
      { label: 'eval:a', task_id: 'hard', score: 0.7, passed: true, step_count: 8 },
      { label: 'eval:a', task_id: 'easy', score: 0.6, passed: true, step_count: 15 },
      { label: null, task_id: 'easy', score: 0.1, passed: false, step_count: 3 },
      { label: 'eval:a', task_id: 'easy', score: 0.45, passed: true, step_count: 14 },
    ];
    const groups = groupEpisodes(list);
    assert.deepEqual(
      groups.map((g) => [g.label, g.task_id, g.episodes]),
      [
        ['eval:a', 'easy', 3],
        ['eval:b', 'easy', 1],
        ['eval:a', 'hard', 1],
        ['(unlabelled)', 'easy', 1],
      ],
    );
    const a = groups[0]!;
    const ci = meanConfidenceInterval([0.45, 0.6, 0.3]);
    assert.equal(a.meanScore, ci.mean);
    assert.equal(a.halfWidth, ci.halfWidth);
    assert.equal(a.passRate, 2 / 3);
    assert.equal(a.meanSteps, 44 / 3);
    // One episode: a mean without an interval.
    assert.equal(groups[1]!.halfWidth, null);
  });

  test("a group's AUBC is eval's own summary (same function, same episodes in play order); none on classic tasks", () => {
    const curve = (acc: number[]) => ({ budget_used: acc.map((_, i) => i * 10), test_accuracy: acc });
    // Newest first, as GET /episodes lists them; seeds 0, 1, 2 were played in that order.
    const played = [
      { seed: 0, score: 0.4, aubc: 0.61, learning_curve: curve([0.5, 0.6, 0.7]) },
      { seed: 1, score: 0.5, aubc: 0.64, learning_curve: curve([0.5, 0.65, 0.7]) },
      { seed: 2, score: 0.2, aubc: 0.52, learning_curve: curve([0.5, 0.5, 0.55]) },
    ];
    const list = played.map((p) => ({ label: 'eval:margin', task_id: 'iris', passed: false, step_count: 2, ...p })).reverse();
    const [g] = groupEpisodes([...list, { label: 'eval:margin', task_id: 'easy', score: 0.5, passed: true, step_count: 15 }]);
    const results = played.map((p): EpisodeResult => ({ task_id: 'iris', seed: p.seed, episode_id: String(p.seed), steps: 2, total_reward: 0, final_performance: 0, score: p.score, passed: false, breakdown: { aubc: p.aubc, normalised: 0, test_accuracy: 0, regime: 'clean' } }));
    assert.deepEqual(g!.aubc, summarise('iris', results).curation!.aubc);
    assert.equal(g!.aubc!.episodes, 3);
    assert.deepEqual(g!.curves, played.map((p) => p.learning_curve), 'curves oldest first');
    const classic = groupEpisodes([{ label: 'x', task_id: 'easy', score: 0.5, passed: true, step_count: 15 }])[0]!;
    assert.equal(classic.aubc, null);
    assert.deepEqual(classic.curves, []);
  });

  test('a learning curve reads as AUBC reads it: linear between points, held after the last', () => {
    const c = { budget_used: [0, 10, 20, 20, 30], test_accuracy: [0.5, 0.7, 0.6, 0.8, 0.9] };
    assert.equal(curveAt(c, 0), 0.5);
    assert.equal(curveAt(c, 5), 0.6);
    assert.equal(curveAt(c, 10), 0.7);
    // Two points at 20 labels: the later one counts there and after.
    assert.equal(curveAt(c, 20), 0.8);
    assert.ok(Math.abs(curveAt(c, 25) - 0.85) < 1e-15);
    assert.equal(curveAt(c, 30), 0.9);
    assert.equal(curveAt(c, 80), 0.9);
    assert.deepEqual(curveGrid([c, { budget_used: [0, 15, 90], test_accuracy: [0.5, 0.6, 0.7] }], 60), [0, 10, 15, 20, 30, 60]);
  });

  test("a group's mean curve: pointwise mean and 95 % band of its curves, whose area is the mean AUBC", () => {
    // Random curves as the grader makes them: budget 0, then rising purchases up to the budget.
    const curveArb = (budget: number) =>
      fc
        .array(fc.tuple(fc.integer({ min: 1, max: 12 }), fc.double({ min: 0, max: 1, noNaN: true })), { minLength: 0, maxLength: 8 })
        .chain((steps) => fc.double({ min: 0, max: 1, noNaN: true }).map((a0) => ({ steps, a0 })))
        .map(({ steps, a0 }) => {
          const budget_used = [0];
          const test_accuracy = [a0];
          for (const [n, a] of steps) {
            const b = Math.min(budget, budget_used.at(-1)! + n);
            if (b === budget_used.at(-1)) break;
            budget_used.push(b);
            test_accuracy.push(a);
          }
          return { budget_used, test_accuracy };
        });
    const budget = 40;
    fc.assert(
      fc.property(fc.array(curveArb(budget), { minLength: 1, maxLength: 6 }), (curves) => {
        const m = meanCurve(curves, budget);
        assert.equal(m.x[0], 0);
        assert.equal(m.x.at(-1), budget);
        m.x.forEach((b, i) => {
          const vals = curves.map((c) => curveAt(c, b));
          const ci = meanConfidenceInterval(vals);
          assert.equal(m.mean[i], ci.mean);
          assert.equal(m.low[i], ci.low);
          assert.equal(m.high[i], ci.high);
          if (curves.length < 2) assert.equal(m.low[i], null);
        });
        // The mean of piecewise-linear curves is exact between the grid points: its area is the mean AUBC.
        const area = aubc(m.x, m.mean, budget);
        const meanAubc = curves.reduce((s, c) => s + aubc(c.budget_used, c.test_accuracy, budget), 0) / curves.length;
        assert.ok(Math.abs(area - meanAubc) < 1e-12, `${area} vs ${meanAubc}`);
      }),
      { numRuns: 200 },
    );
  });
});
