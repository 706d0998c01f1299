/**
 * `npm start` as the README runs it: the server is reachable, and SIGTERM or SIGINT sent to npm's
 * own process stops the server too (npm forwards them to the script, whose shell `exec`s node, so
 * no server is left running behind a dead npm).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { REPO_ROOT, freePort } from '../helpers.ts';

async function healthy(url: string): Promise<boolean> {
  try {
    return (await fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) })).ok;
  } catch {
    return false;
  }
}

describe('npm start', () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`${signal} to npm stops the server`, { timeout: 180_000 }, async () => {
      const port = await freePort();
      const url = `http://127.0.0.1:${port}`;
      const npm = spawn('npm', ['start'], {
        cwd: REPO_ROOT,
        env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', STORE_PATH: ':memory:', LOG_LEVEL: 'warn' },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      npm.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const exited = new Promise<number | null>((resolve) => npm.once('exit', (code) => resolve(code)));
      try {
        const deadline = Date.now() + 120_000;
        while (!(await healthy(url))) {
          assert.ok(npm.exitCode === null, `npm start exited early: ${stderr}`);
          assert.ok(Date.now() < deadline, 'server did not come up');
          await new Promise((r) => setTimeout(r, 250));
        }
        npm.kill(signal);
        const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r('timeout'), 30_000))]);
        assert.notEqual(code, 'timeout', 'npm did not exit');
        // Nothing may still answer on the port: the server itself is gone, not only npm.
        let stillUp = true;
        for (let i = 0; i < 40 && stillUp; i++) {
          stillUp = await healthy(url);
          if (stillUp) await new Promise((r) => setTimeout(r, 250));
        }
        assert.equal(stillUp, false, 'the server kept running after npm exited');
      } finally {
        if (npm.exitCode === null) npm.kill('SIGKILL');
      }
    });
  }
});
