/**
 * A real full disk (issue 13 item 1): the store on a 2 MB tmpfs, filled until a step's write
 * fails. That step is refused with 503 and changes nothing; once space is freed the same step
 * gives the uninterrupted numbers and the episode finishes and grades. Needs root to mount a
 * tmpfs; elsewhere the test is skipped with the reason (the failing-store wrapper tests in
 * test/server/store-failures.test.ts cover the same rules everywhere).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { DataSelectEnv } from '../../src/env/env.ts';
import { BALANCED, get, post, startServer } from '../server/helpers.ts';

const wire = <T>(v: T): T => JSON.parse(JSON.stringify(v));

function tryMount(dir: string): string | null {
  if (process.platform !== 'linux') return 'not Linux';
  if (process.getuid?.() !== 0) return 'not root (mounting a tmpfs needs it)';
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', dir], { stdio: 'pipe' });
    return null;
  } catch (e) {
    return `mount refused: ${String((e as { stderr?: Buffer }).stderr ?? e).trim()}`;
  }
}

describe('disk full', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'dataselectenv-full-'));
  const refusal = tryMount(dir);

  test('a step that cannot be written is refused and changes nothing; after space is freed it succeeds with the same numbers', { skip: refusal ?? false, timeout: 120_000 }, async (t) => {
    const filler = path.join(dir, 'filler');
    try {
      // Most of the 2 MB taken before the server starts, so the store fills within a few hundred steps.
      writeFileSync(filler, Buffer.alloc(1_500_000));
      const s = await startServer({ STORE_PATH: path.join(dir, 'episodes.sqlite') });
      try {
        let failedAt: { id: string; seed: number; step: number } | null = null;
        let steps = 0;
        for (let seed = 0; seed < 2000 && !failedAt; seed++) {
          const reset = await post(s.url, '/reset', { task_id: 'easy', seed });
          if (reset.status === 503) continue;
          assert.equal(reset.status, 200);
          const id = reset.body.episode_id;
          for (let k = 0; k < 15 && !failedAt; k++) {
            const r = await post(s.url, '/step', { episode_id: id, action: BALANCED });
            if (r.status === 503) {
              assert.equal(r.body.code, 'STORE_UNAVAILABLE');
              failedAt = { id, seed, step: k + 1 };
              break;
            }
            assert.equal(r.status, 200, JSON.stringify(r.body));
            steps++;
            if (r.body.done) break;
          }
        }
        assert.ok(failedAt, 'the disk never filled');
        t.diagnostic(`disk full after ${steps} steps: episode seed ${failedAt.seed}, step ${failedAt.step} refused`);
        const state = (await get(s.url, `/state?episode_id=${failedAt.id}`)).body;
        assert.equal(state.step_count, failedAt.step - 1, 'the refused step was not applied');
        assert.equal((await get(s.url, '/health')).body.status, 'degraded');
        assert.equal((await get(s.url, '/ready')).status, 503);
        assert.equal((await post(s.url, '/step', { episode_id: failedAt.id, action: BALANCED })).status, 503, 'still full: refused again');

        rmSync(filler);
        const env = new DataSelectEnv();
        env.reset({ task: 'easy', seed: failedAt.seed });
        const expected = [];
        while (!env.done) expected.push(wire(env.step(BALANCED)));
        for (let k = failedAt.step - 1; k < expected.length; k++) {
          const r = await post(s.url, '/step', { episode_id: failedAt.id, action: BALANCED });
          assert.equal(r.status, 200, JSON.stringify(r.body));
          assert.equal(r.body.reward.value, expected[k].reward);
          assert.deepEqual(r.body.observation, expected[k].observation);
        }
        const grade = await post(s.url, '/grader', { episode_id: failedAt.id, task_id: 'easy' });
        assert.equal(grade.status, 200);
        assert.equal(grade.body.score, env.grade().score);
        assert.equal((await get(s.url, '/ready')).status, 200);
        assert.equal(await s.store.integrityCheck(), 'ok');
      } finally {
        await s.close();
      }
    } finally {
      execFileSync('umount', [dir]);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  // Nothing mounted: the directory is not needed.
  if (refusal) rmSync(dir, { recursive: true, force: true });
});
