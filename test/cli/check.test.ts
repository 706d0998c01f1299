/** `dataselectenv check`: the environment checker from the command line. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
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

  describe('--dataset FILE --label-column COL', () => {
    let dir: string;
    const file = (name: string, text: string) => {
      const p = path.join(dir, name);
      writeFileSync(p, text);
      return p;
    };
    before(() => {
      dir = mkdtempSync(path.join(tmpdir(), 'dse-check-'));
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    it("checks the CSV's own task (csv-NAME) by default, and with --task naming it", async () => {
      // Three separable-ish classes, 40 rows each: enough for the seed/validation/test/pool split.
      const rows = Array.from({ length: 120 }, (_, i) => {
        const k = i % 3;
        return `c${k},${(k * 2 + Math.sin(i)).toFixed(4)},${(Math.cos(i * 1.3) - k).toFixed(4)}`;
      });
      const csv = file('Three Blobs.csv', `y,f1,f2\n${rows.join('\n')}\n`);
      const r = await runCli(['check', '--dataset', csv, '--label-column', 'y', '--seeds', '0', '--json']);
      assert.equal(r.code, 0, r.stderr);
      const report = JSON.parse(r.stdout);
      assert.equal(report.ok, true, JSON.stringify(report.failures ?? report));
      assert.deepEqual(report.tasks, ['csv-three-blobs']);
      assert.ok(report.checked['invalid-action'] > 0 && report.checked['done-flags'] > 0);
      // --task may name the CSV's task alongside a built-in one (the CSV is registered first).
      const both = await runCli(['check', '--dataset', csv, '--label-column', 'y', '--task', 'csv-three-blobs,iris', '--seeds', '1']);
      assert.equal(both.code, 0, both.stderr);
      assert.match(both.stdout, /all rules hold/);
      assert.match(both.stdout, /csv-three-blobs/);
    });

    it('a malformed CSV or a misused flag is one line naming the problem (exit 2, no stack trace)', async () => {
      const cases: [string[], RegExp][] = [
        [['--dataset', file('nolabel.csv', 'a,b\n1,2\n3,4\n'), '--label-column', 'y'], /^error \[INPUT_ERROR\/no_label_column\]: .*nolabel\.csv: no column 'y' in the header \(columns: a, b\)/],
        [['--dataset', file('missing.csv', 'a,y\n1,0\n2,\n3,1\n'), '--label-column', 'y'], /^error \[INPUT_ERROR\/missing_label\]: .*row 3: missing label in column 'y'/],
        [['--dataset', file('text.csv', 'a,y\n1,0\nfoo,1\n'), '--label-column', 'y'], /^error \[INPUT_ERROR\/non_numeric\]: .*row 3, column 'a': 'foo' is not a finite number/],
        [['--dataset', file('one.csv', 'a,y\n1,0\n2,0\n'), '--label-column', 'y'], /^error \[INPUT_ERROR\/one_class\]: .*one class only \('0'\)/],
        [
          ['--dataset', file('small.csv', `x1,x2,label\n${Array.from({ length: 30 }, (_, i) => `${i},${i % 7},${i < 27 ? 'a' : 'b'}`).join('\n')}\n`)],
          /^error \[INPUT_ERROR\/too_few_rows\]: .*class 'b' has 3 row\(s\); the splits need at least \d+ per class/,
        ],
        [['--dataset', path.join(dir, 'absent.csv')], /^error \[INPUT_ERROR\/not_found\]: .*no such file/],
        [['--label-column', 'y'], /^error \[USAGE_ERROR\/invalid_argument\]: --label-column needs --dataset/],
      ];
      const results = await Promise.all(cases.map(([args]) => runCli(['check', ...args], { env: { DATASET: undefined, DATASET_LABEL_COLUMN: undefined } })));
      results.forEach((r, i) => {
        const [, want] = cases[i]!;
        assert.equal(r.code, 2, `${cases[i]![0].join(' ')}: ${r.stderr}`);
        assert.match(r.stderr, want);
        assert.equal(r.stderr.trim().split('\n').length, 1, `one line, no stack trace: ${r.stderr}`);
        assert.equal(r.stdout, '', 'nothing checked');
      });
    });
  });
});
