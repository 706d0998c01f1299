import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, it } from 'node:test';
import { freePort, request, WsClient } from '../../bench/load.ts';
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

describe('crash safety', () => {
  it('SIGKILL in the middle of load: every finished episode is still gradeable after a restart, the store is intact', { timeout: 120_000 }, async (t) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'dataselectenv-crash-'));
    const storePath = path.join(dir, 'episodes.sqlite');
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const finished = new Map<string, { task: string; grade: unknown }>();
    let child = await start(storePath, port);
    try {
      let stop = false;
      // Eight clients (HTTP and WS) play short hard episodes back to back until the kill.
      const clients = Array.from({ length: 8 }, async (_, id) => {
        let seed = id * 100;
        while (!stop) {
          if (id % 2 === 0) {
            const r = await request('POST', `${url}/reset`, { task_id: 'hard', seed: seed++ }).catch(() => null);
            if (!r || r.status !== 200) return;
            for (;;) {
              const s = await request('POST', `${url}/step`, { episode_id: r.body.episode_id, action: BALANCED }).catch(() => null);
              if (!s || s.status !== 200) return;
              if (s.body.done) {
                const g = await request('POST', `${url}/grader`, { episode_id: r.body.episode_id, task_id: 'hard' }).catch(() => null);
                if (g?.status === 200) finished.set(r.body.episode_id, { task: 'hard', grade: g.body });
                break;
              }
            }
          } else {
            const ws = await WsClient.open(url).catch(() => null);
            if (!ws) return;
            const r = await ws.send({ type: 'reset', data: { task_id: 'hard', seed: seed++ } });
            if (r.type !== 'observation') return;
            for (;;) {
              const s = await ws.send({ type: 'step', data: BALANCED });
              if (s.type !== 'observation') return;
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
      await new Promise((r) => setTimeout(r, 2500));
      const exited = new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r(null) : child.once('exit', r)));
      child.kill('SIGKILL');
      stop = true;
      await exited;
      await Promise.all(clients);
      assert.ok(finished.size >= 10, `only ${finished.size} episodes finished before the kill`);
      t.diagnostic(`${finished.size} episodes finished before SIGKILL`);

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
    } finally {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
