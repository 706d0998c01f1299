/**
 * The clients and the command line pass an API key (issue 13 item 5): the TS HTTP and WebSocket
 * clients and `openEnvironment` take `apiKey`; `eval`, `replay` and `validate` take `--api-key`
 * or DATASELECTENV_API_KEY.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { openEnvironment } from '../../../src/client/connect.ts';
import { HttpClient } from '../../../src/client/http.ts';
import { WsEnvironment } from '../../../src/client/ws.ts';
import { runCli } from '../../cli/run-cli.ts';
import { serverForSuite } from '../helpers.ts';

const KEY = 'client-key-0123456789abcdef';
const server = serverForSuite({ API_KEYS: KEY });

describe('clients with apiKey', () => {
  test('HttpClient, WsEnvironment and openEnvironment (both transports) authenticate; without the key they are refused', async () => {
    assert.ok((await new HttpClient(server.url, { apiKey: KEY }).tasks()).tasks.length >= 3);
    await assert.rejects(new HttpClient(server.url).tasks(), (e: any) => e.reason === 'missing_api_key');
    const ws = new WsEnvironment(server.url, { apiKey: KEY });
    assert.equal((await ws.reset({ task: 'easy', seed: 1 })).task_id, 'easy');
    await ws.close();
    for (const transport of ['http', 'ws'] as const) {
      const env = openEnvironment({ url: server.url, transport, apiKey: KEY });
      const started = await env.reset({ task: 'medium', seed: 2 });
      const step = await env.step({ action_type: 'stop', batch_size: 0, strategy_weights: { random: 1 } });
      assert.equal(step.done, true, transport);
      assert.equal((await env.grade()).episode_id, started.episode_id);
      await env.close();
    }
  });
});

describe('command line with --api-key / DATASELECTENV_API_KEY', () => {
  test('eval --url --api-key plays against the keyed server; without a key it fails in one line', async () => {
    const ok = await runCli(['eval', '--url', server.url, '--api-key', KEY, '--tasks', 'easy', '--seeds', '0', '--policy', 'stop-immediately', '--json']);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(JSON.parse(ok.stdout).episodes.length, 1);
    const refused = await runCli(['eval', '--url', server.url, '--tasks', 'easy', '--seeds', '0', '--policy', 'stop-immediately'], { env: { DATASELECTENV_API_KEY: '' } });
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /API key is required/);
    assert.equal(refused.stderr.trim().split('\n').length, 1, refused.stderr);
  });

  test('validate reads DATASELECTENV_API_KEY', async () => {
    const r = await runCli(['validate', server.url, '--json'], { env: { DATASELECTENV_API_KEY: KEY } });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(JSON.parse(r.stdout).passed, true);
  });
});
