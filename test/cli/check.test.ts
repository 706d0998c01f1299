/** `dataselectenv check`: the environment checker from the command line. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runCli } from './run-cli.ts';

describe('dataselectenv check', () => {
  it('checks the chosen tasks and seeds, every rule holding (exit 0); bad arguments exit 2', async () => {
    const r = await runCli(['check', '--task', 'hard', '--seeds', '3', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.equal(report.ok, true);
    assert.deepEqual(report.tasks, ['hard']);
    assert.deepEqual(report.seeds, [3]);
    assert.ok(report.checked['invalid-action'] > 0 && report.checked['done-flags'] > 0);
    const human = await runCli(['check', '--task', 'easy', '--seeds', '0']);
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /^ok {3}determinism/m);
    assert.match(human.stdout, /all rules hold/);
    const bad = await runCli(['check', '--task', 'nope']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^error \[USAGE_ERROR\/invalid_argument\]: unknown task 'nope'/);
    assert.equal(bad.stderr.trim().split('\n').length, 1, 'one line, no stack trace');
  });
});
