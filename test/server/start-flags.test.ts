/**
 * The server owns its start (src/server/start.ts): one flag table that both the bundled entry
 * point (src/server/main.ts, no CLI framework) and `dataselectenv serve` parse, the flags over the
 * environment, one-line refusals.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, test } from 'node:test';
import { SERVE_FLAGS, configInputFrom } from '../../src/server/start.ts';
import { REPO_ROOT } from '../helpers.ts';

const NODE = process.execPath;
const SERVER_MAIN = path.join(REPO_ROOT, 'src', 'server', 'main.ts');
const CLI_MAIN = path.join(REPO_ROOT, 'src', 'cli', 'main.ts');

function run(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(NODE, ['--no-warnings', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c) => (stdout += c));
  child.stderr.on('data', (c) => (stderr += c));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return new Promise((resolve) =>
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    }),
  );
}

describe('server flags (src/server/start.ts)', () => {
  test('a flag wins over its variable; switches only turn their variable off (no-…) or on', () => {
    const env = { PORT: '9000', HOST: '10.0.0.1', WEB: '1', METRICS: '1', ACCESS_LOG: '0', API_KEYS: 'k1' };
    const input = configInputFrom({ port: '7000', web: false }, env);
    assert.equal(input.PORT, '7000');
    assert.equal(input.HOST, '10.0.0.1');
    assert.equal(input.WEB, false);
    assert.equal(input.METRICS, '1');
    assert.equal(input.ACCESS_LOG, '0');
    assert.equal(input.API_KEYS, 'k1', 'keys only from the environment');
    const on = configInputFrom({ 'access-log': true, web: true, metrics: true }, env);
    assert.equal(on.ACCESS_LOG, true);
    assert.equal(on.WEB, '1', 'the default of a no-… switch leaves the variable');
    assert.equal(on.METRICS, '1');
    assert.deepEqual(configInputFrom({}, {}), Object.fromEntries([['API_KEYS', undefined], ...SERVE_FLAGS.map((f) => [f.variable, undefined])]));
  });

  test('every variable has at most one flag, and no flag carries an API key', () => {
    const variables = SERVE_FLAGS.map((f) => f.variable);
    assert.equal(new Set(variables).size, variables.length);
    assert.ok(!variables.includes('API_KEYS'));
  });

  test('the bundled entry point and dataselectenv serve list the same flags', async () => {
    const [bundled, cli] = await Promise.all([run([SERVER_MAIN, '--help']), run([CLI_MAIN, 'serve', '--help'])]);
    assert.equal(bundled.code, 0, bundled.stderr);
    assert.equal(cli.code, 0, cli.stderr);
    for (const f of SERVE_FLAGS) {
      assert.ok(bundled.stdout.includes(`--${f.name}`), `server.mjs --help: --${f.name}`);
      assert.ok(cli.stdout.includes(`--${f.name}`), `serve --help: --${f.name}`);
    }
  });

  test('the bundled entry point refuses an unknown flag or a flag without its value in one line (exit 2)', async () => {
    for (const args of [['--bogus'], ['--port'], ['extra']]) {
      const r = await run([SERVER_MAIN, ...args], { STORE_PATH: ':memory:' });
      assert.equal(r.code, 2, `${args}: ${r.stderr}`);
      const lines = r.stderr.split('\n').filter((l) => l !== '');
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0], /^dataselectenv serve: /);
      assert.doesNotMatch(lines[0], /\bat .*:\d+:\d+/);
    }
  });

  test('the bundled entry point takes its flags: an invalid --port is a configuration error naming PORT', async () => {
    const r = await run([SERVER_MAIN, '--port', 'abc'], { STORE_PATH: ':memory:', PORT: '7000' });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr.trim(), /^dataselectenv serve: invalid configuration: PORT/);
  });
});
