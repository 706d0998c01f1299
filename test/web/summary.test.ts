/** The console's pure summaries (web/src/summary.ts, web/src/numbers.ts), without a browser. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { meanConfidenceInterval } from '../../src/eval/stats.ts';
import { count, num, percent, signed, signedCount } from '../../web/src/numbers.ts';
import { aubcOf, breakdownLabel, breakdownValue, endText, episodeEnd, groupEpisodes, taskLimits, totalReturn } from '../../web/src/summary.ts';
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
});
