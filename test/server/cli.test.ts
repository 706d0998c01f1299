/**
 * Configuration (docs/protocol.md §1.1) and the `serve` command as a real process: defaults, refusal
 * to start on invalid values, /health on the chosen port, graceful shutdown on SIGTERM.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { ConfigError, DEFAULTS, loadConfig } from '../../src/server/config.ts';
import { REPO_ROOT } from '../helpers.ts';
import { WsClient } from './helpers.ts';

const NODE = process.execPath;
const MAIN = path.join(REPO_ROOT, 'src', 'cli', 'main.ts');

describe('configuration', () => {
  test('defaults', () => {
    const c = loadConfig({});
    assert.equal(c.port, 7860);
    assert.equal(c.host, '0.0.0.0');
    assert.equal(c.maxConcurrentEnvs, 256);
    assert.equal(c.sessionIdleTimeoutS, 600);
    assert.equal(c.maxBodyBytes, 65536);
    assert.equal(c.maxWsMessageBytes, 65536);
    assert.equal(c.storePath, path.join(DEFAULTS.dataDir, 'episodes.sqlite'));
    assert.equal(c.completedRetention, 10000);
    assert.equal(c.completedMaxAgeS, 0);
    assert.equal(c.web, true);
    assert.equal(loadConfig({ DATA_DIR: 'var/dse' }).storePath, path.join('var/dse', 'episodes.sqlite'));
    assert.equal(loadConfig({ DATA_DIR: 'var/dse', STORE_PATH: ':memory:' }).storePath, ':memory:');
    assert.equal(loadConfig({ WEB: '0' }).web, false);
  });

  test('invalid values are refused with a message naming the variable', () => {
    const bad: [string, string][] = [
      ['PORT', 'abc'],
      ['PORT', '70000'],
      ['PORT', '-1'],
      ['MAX_CONCURRENT_ENVS', '0'],
      ['MAX_CONCURRENT_ENVS', '2.5'],
      ['SESSION_IDLE_TIMEOUT_S', '-3'],
      ['MAX_BODY_BYTES', '0'],
      ['MAX_WS_MESSAGE_BYTES', 'lots'],
      ['COMPLETED_RETENTION', '-1'],
      ['COMPLETED_MAX_AGE_S', 'x'],
      ['WEB', 'maybe'],
      ['LOG_LEVEL', 'loud'],
      ['LOG_FORMAT', 'xml'],
    ];
    for (const [name, value] of bad) {
      assert.throws(() => loadConfig({ [name]: value }), (e: unknown) => e instanceof ConfigError && e.message.includes(name), `${name}=${value}`);
    }
  });
});

async function waitFor(ok: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error('timed out waiting for the server output');
    await new Promise((r) => setTimeout(r, 20));
  }
}

function runServe(args: string[], env: Record<string, string>) {
  const child = spawn(NODE, [MAIN, 'serve', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c) => (stdout += c));
  child.stderr.on('data', (c) => (stderr += c));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const listening = new Promise<string>((resolve, reject) => {
    const check = () => {
      const m = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout);
      if (m) resolve(m[1]);
    };
    child.stdout.on('data', check);
    exited.then(() => reject(new Error(`exited early: ${stderr}`)));
  });
  return { child, exited, listening, output: () => ({ stdout, stderr }) };
}

describe('dataselectenv serve', () => {
  test('LOG_FORMAT=json keeps pino JSON lines, the ready line with the URLs as a field', async () => {
    const run = runServe(['--port', '0', '--host', '127.0.0.1'], { STORE_PATH: ':memory:', LOG_LEVEL: 'info', LOG_FORMAT: 'json' });
    try {
      const url = await run.listening;
      await waitFor(() => /DataSelectEnv ready/.test(run.output().stdout));
      const lines = run.output().stdout.trim().split('\n').map((l) => JSON.parse(l) as { level: number; msg: string; urls?: unknown });
      const ready = lines.find((l) => l.msg.startsWith('DataSelectEnv ready'));
      assert.deepEqual(ready?.urls, { api: `${url}/`, docs: `${url}/docs`, console: `${url}/web` });
      assert.equal(ready?.level, 30);
    } finally {
      run.child.kill('SIGTERM');
      await run.exited;
    }
  });

  test('refuses to start on an invalid value (exit 2, clear message)', async () => {
    const run = runServe([], { MAX_CONCURRENT_ENVS: '0', STORE_PATH: ':memory:' });
    assert.equal(await run.exited, 2);
    assert.match(run.output().stderr, /invalid configuration: MAX_CONCURRENT_ENVS must be an integer >= 1/);
    await run.listening.catch(() => {});
  });

  test('serves /health on the given port, creates DATA_DIR, and shuts down gracefully on SIGTERM', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'dataselectenv-serve-'));
    try {
      const dataDir = path.join(dir, 'data');
      const run = runServe(['--port', '0', '--host', '127.0.0.1', '--no-web'], { DATA_DIR: dataDir, LOG_LEVEL: 'info' });
      const url = await run.listening;
      // The default text format: readable lines, and one that says where to go.
      await waitFor(() => /INFO  DataSelectEnv ready: API http:\/\/127\.0\.0\.1:\d+\/ \| docs http:\/\/127\.0\.0\.1:\d+\/docs\n/.test(run.output().stdout));
      assert.doesNotMatch(run.output().stdout, /"level":/);
      const health = (await fetch(`${url}/health`).then((r) => r.json())) as { status: string };
      assert.equal(health.status, 'healthy');
      assert.ok(existsSync(path.join(dataDir, 'episodes.sqlite')), 'DATA_DIR/episodes.sqlite');
      const ws = await WsClient.connect(`${url.replace('http', 'ws')}/ws`);
      await ws.request({ type: 'reset' });
      run.child.kill('SIGTERM');
      assert.equal((await ws.closed).code, 1001);
      assert.equal(await run.exited, 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
