/**
 * `serve --workers N` as a real process tree: N workers answer on one port over one SQLite file,
 * an HTTP episode stepped across them gives the isolated numbers, a killed worker is replaced and
 * its episodes continue, SIGTERM stops everything; a store the workers cannot share is refused.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { BALANCED_ACTION } from '../../src/env/baseline.ts';
import { DataSelectEnv } from '../../src/env/env.ts';
import { freePort } from '../../tools/pg-cluster.ts';
import { REPO_ROOT } from '../helpers.ts';

const MAIN = path.join(REPO_ROOT, 'src', 'cli', 'main.ts');

/** One request on its own connection (the cluster hands each connection to the next worker). */
function call(port: number, method: string, p: string, body?: unknown): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(
      { host: '127.0.0.1', port, path: p, method, agent: false, headers: { connection: 'close', ...(data ? { 'content-type': 'application/json' } : {}) } },
      (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('serve --workers', { timeout: 120_000 }, () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'dataselectenv-workers-'));
  let child: ChildProcess;
  let port = 0;
  before(async () => {
    port = await freePort();
    child = spawn(process.execPath, ['--no-warnings', MAIN, 'serve', '--workers', '2', '--port', String(port), '--host', '127.0.0.1'], {
      env: { ...process.env, STORE_PATH: path.join(dir, 'episodes.sqlite'), WEB: '0', LOG_LEVEL: 'error', REPLICA_ID: 'box' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const deadline = Date.now() + 60_000;
    for (;;) {
      const ok = await call(port, 'GET', '/health').then((r) => r.status === 200, () => false);
      if (ok) break;
      if (Date.now() > deadline || child.exitCode !== null) throw new Error('workers did not start');
      await new Promise((r) => setTimeout(r, 100));
    }
  });
  after(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  /** replica ids seen over `n` connections. */
  async function ids(n: number): Promise<Set<string>> {
    const seen = new Set<string>();
    for (let i = 0; i < n; i++) seen.add((await call(port, 'GET', '/health')).body.replica_id);
    return seen;
  }

  test('both workers answer on the port; an episode stepped across them gives the isolated numbers; a killed worker is replaced; SIGTERM stops all', async () => {
    // The port answers as soon as the first worker listens: wait (bounded) for the second.
    let seen = await ids(4);
    for (const deadline = Date.now() + 60_000; seen.size < 2 && Date.now() < deadline; ) {
      await new Promise((r) => setTimeout(r, 200));
      seen = await ids(4);
    }
    assert.equal(seen.size, 2, [...seen].join(', '));
    for (const id of seen) assert.match(id, /^box\/w[12]$/);

    const env = new DataSelectEnv();
    env.reset({ task: 'hard', seed: 21 });
    const id = (await call(port, 'POST', '/reset', { task_id: 'hard', seed: 21 })).body.episode_id;
    for (let t = 1; t <= 3; t++) {
      const r = await call(port, 'POST', '/step', { episode_id: id, action: BALANCED_ACTION });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.reward.value, env.step(BALANCED_ACTION).reward);
    }

    // The worker pids: the primary's children.
    const { execFileSync } = await import('node:child_process');
    const workers = execFileSync('pgrep', ['-P', String(child.pid)], { encoding: 'utf8' }).trim().split('\n').map(Number);
    assert.equal(workers.length, 2);
    process.kill(workers[0]!, 'SIGKILL');
    const deadline = Date.now() + 30_000;
    let replaced: number[] = [];
    while (Date.now() < deadline) {
      replaced = execFileSync('pgrep', ['-P', String(child.pid)], { encoding: 'utf8' }).trim().split('\n').map(Number);
      if (replaced.length === 2 && !replaced.includes(workers[0]!) && (await ids(4)).size === 2) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal(replaced.length, 2, 'a new worker took the dead one’s place');
    assert.ok(!replaced.includes(workers[0]!));
    for (let t = 4; ; t++) {
      const r = await call(port, 'POST', '/step', { episode_id: id, action: BALANCED_ACTION });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.reward.value, env.step(BALANCED_ACTION).reward, `step ${t}`);
      if (r.body.done) break;
    }

    child.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    assert.equal(code, 0);
    for (const pid of replaced) assert.equal(alive(pid), false, `worker ${pid} stopped`);
  });

  test('workers need a store they can share: :memory: is refused at start with one line, exit 2', async () => {
    const c = spawn(process.execPath, ['--no-warnings', MAIN, 'serve', '--workers', '3', '--store-path', ':memory:', '--port', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    c.stderr!.on('data', (d) => (stderr += d));
    const code = await new Promise<number | null>((resolve) => c.once('exit', (x) => resolve(x)));
    assert.equal(code, 2);
    assert.equal(stderr.trim().split('\n').length, 1);
    assert.match(stderr, /WORKERS > 1 needs a store the workers share/);
  });
});
