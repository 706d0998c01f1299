import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, it } from 'node:test';
import { expectedEpisode, freePort, request, WsClient } from '../../tools/loopback.ts';
import { REPO_ROOT } from '../helpers.ts';

const BALANCED = { action_type: 'select_batch', batch_size: 10, strategy_weights: { uncertainty: 0.4, diversity: 0.4, random: 0.2 } };

async function start(storePath: string, port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--no-warnings', path.join(REPO_ROOT, 'src/cli/main.ts'), 'serve'], {
    cwd: REPO_ROOT,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', STORE_PATH: storePath, WEB: '0', LOG_LEVEL: 'error' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const deadline = Date.now() + 20_000;
  for (;;) {
    const r = await request('GET', `http://127.0.0.1:${port}/health`).catch(() => null);
    if (r?.status === 200) return child;
    if (Date.now() > deadline) throw new Error('server did not start');
    await new Promise((res) => setTimeout(res, 50));
  }
}

/** One HTTP episode being played: what the client has seen acknowledged. */
interface Played {
  task: string;
  seed: number;
  acked: number;
}

describe('crash safety', () => {
  it('SIGKILL in the middle of load: every finished episode is still gradeable after a restart, every unfinished HTTP episode continues with identical numbers, the store is intact', { timeout: 180_000 }, async (t) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'dataselectenv-crash-'));
    const storePath = path.join(dir, 'episodes.sqlite');
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const finished = new Map<string, { task: string; grade: unknown }>();
    const unfinished = new Map<string, Played>();
    const failures: string[] = [];
    let child = await start(storePath, port);
    try {
      // Unfinished episodes left at various points before the load starts.
      for (const [task, seed, steps] of [['easy', 5, 4], ['medium', 6, 1], ['hard', 7, 0], ['hard', 4294967295, 6]] as const) {
        const r = await request('POST', `${url}/reset`, { task_id: task, seed });
        assert.equal(r.status, 200);
        const played: Played = { task, seed, acked: 0 };
        for (let k = 0; k < steps; k++) {
          const s = await request('POST', `${url}/step`, { episode_id: r.body.episode_id, action: BALANCED });
          assert.equal(s.status, 200);
          assert.equal(s.body.reward.value, expectedEpisode(task, seed).rewards[k]);
          played.acked++;
        }
        unfinished.set(r.body.episode_id, played);
      }
      let stop = false;
      // Eight clients (HTTP and WS) play short hard episodes back to back until the kill.
      const clients = Array.from({ length: 8 }, async (_, id) => {
        let seed = id * 100;
        const fail = (what: string) => {
          if (!stop) failures.push(`client ${id}: ${what}`);
        };
        while (!stop) {
          if (id % 2 === 0) {
            const episodeSeed = seed++;
            const r = await request('POST', `${url}/reset`, { task_id: 'hard', seed: episodeSeed }).catch((e) => e as Error);
            if (r instanceof Error || r.status !== 200) return fail(`reset ${r instanceof Error ? r.message : r.status}`);
            const played: Played = { task: 'hard', seed: episodeSeed, acked: 0 };
            unfinished.set(r.body.episode_id, played);
            for (;;) {
              const s = await request('POST', `${url}/step`, { episode_id: r.body.episode_id, action: BALANCED }).catch((e) => e as Error);
              if (s instanceof Error || s.status !== 200) return fail(`step ${s instanceof Error ? s.message : s.status}`);
              played.acked++;
              if (s.body.done) {
                unfinished.delete(r.body.episode_id);
                const g = await request('POST', `${url}/grader`, { episode_id: r.body.episode_id, task_id: 'hard' }).catch(() => null);
                finished.set(r.body.episode_id, { task: 'hard', grade: g?.status === 200 ? g.body : null });
                break;
              }
            }
          } else {
            const ws = await WsClient.open(url).catch(() => null);
            if (!ws) return fail('ws open');
            const r = await ws.send({ type: 'reset', data: { task_id: 'hard', seed: seed++ } });
            if (r.type !== 'observation') return fail(`ws reset ${JSON.stringify(r).slice(0, 100)}`);
            for (;;) {
              const s = await ws.send({ type: 'step', data: BALANCED });
              if (s.type !== 'observation') return fail(`ws step ${JSON.stringify(s).slice(0, 100)}`);
              if (s.data.done) {
                // The episode is done once the reply says so: it must be durable from here on.
                finished.set(r.data.episode_id, { task: 'hard', grade: null });
                break;
              }
            }
            ws.close();
          }
        }
      });
      // Kill once enough has finished (the machine may be slow: bounded wait, not a fixed one).
      const began = Date.now();
      while ((finished.size < 10 || Date.now() - began < 1500) && Date.now() - began < 60_000 && failures.length === 0) {
        await new Promise((r) => setTimeout(r, 50));
      }
      const exited = new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r(null) : child.once('exit', r)));
      child.kill('SIGKILL');
      stop = true;
      await exited;
      await Promise.all(clients);
      assert.deepEqual(failures, [], 'no request failed before the kill');
      assert.ok(finished.size >= 10, `only ${finished.size} episodes finished before the kill`);
      t.diagnostic(`${finished.size} episodes finished and ${unfinished.size} HTTP episodes unfinished at SIGKILL`);

      const db = new DatabaseSync(storePath);
      assert.equal((db.prepare('PRAGMA integrity_check').all() as { integrity_check: string }[])[0].integrity_check, 'ok');
      db.close();

      child = await start(storePath, port);
      for (const [id, { task, grade }] of finished) {
        const g = await request('POST', `${url}/grader`, { episode_id: id, task_id: task });
        assert.equal(g.status, 200, `${id}: ${JSON.stringify(g.body)}`);
        if (grade) assert.deepEqual(g.body, grade);
        const e = await request('GET', `${url}/episodes/${id}`);
        assert.equal(e.status, 200);
        assert.equal(e.body.steps.length, 8);
      }
      // Unfinished HTTP episodes continue where the store has them: the acknowledged steps, or one
      // more when the kill came between the write and its reply.
      let lostReplies = 0;
      for (const [id, played] of unfinished) {
        const state = await request('GET', `${url}/state?episode_id=${id}`);
        assert.equal(state.status, 200, `${id}: ${JSON.stringify(state.body)}`);
        const at = state.body.step_count;
        assert.ok(at === played.acked || at === played.acked + 1, `${id}: store at step ${at}, client saw ${played.acked}`);
        lostReplies += at - played.acked;
        const expected = expectedEpisode(played.task, played.seed);
        for (let k = at; k < expected.rewards.length; k++) {
          const s = await request('POST', `${url}/step`, { episode_id: id, action: BALANCED });
          assert.equal(s.status, 200, `${id} step ${k + 1}: ${JSON.stringify(s.body)}`);
          assert.equal(s.body.reward.value, expected.rewards[k], `${id} step ${k + 1}`);
          assert.equal(s.body.observation.current_performance, expected.performances[k]);
          assert.equal(s.body.done, k === expected.rewards.length - 1);
        }
        const e = await request('GET', `${url}/episodes/${id}`);
        assert.deepEqual(e.body.steps.map((st: { reward: number }) => st.reward), expected.rewards, `${id}: the whole history`);
      }
      t.diagnostic(`${unfinished.size} unfinished HTTP episodes continued after the restart (${lostReplies} had a step stored whose reply the kill lost)`);
    } finally {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
