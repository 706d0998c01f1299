/**
 * OpenEnv's own Python clients against this server: test/python/openenv_clients.py drives
 * GenericEnvClient, MCPToolClient on its /ws step path, MCPToolClient over HTTP /mcp
 * (use_production_mode) and the production connect of the later mcp_client.py (HTTP session, then
 * /ws?session_id=, reset on the socket, tools over HTTP, detach before session/close), and prints
 * what it saw; every number must equal the same episode played in process.
 *
 * Needs an OpenEnv source tree and a Python that can import it (pydantic, httpx, websockets,
 * fastapi, fastmcp): OPENENV_SRC=<checkout>/src and OPENENV_PYTHON=<python>. Without them the test
 * is skipped (the packages are not on PyPI-less machines by default and are not dependencies of
 * this project).
 */
import assert from 'node:assert/strict';
import { spawnSync, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { DataSelectEnv } from '../../src/env/env.ts';
import { BALANCED, startServer, type TestServer } from './helpers.ts';

const SCRIPT = fileURLToPath(new URL('../python/openenv_clients.py', import.meta.url));
const python = process.env.OPENENV_PYTHON;
const src = process.env.OPENENV_SRC;

function unavailable(): string | false {
  if (!python || !src) return 'set OPENENV_PYTHON and OPENENV_SRC to run OpenEnv\'s Python clients';
  const probe = spawnSync(python, ['-c', 'import openenv.core.mcp_client, openenv.core.generic_client'], {
    env: { ...process.env, PYTHONPATH: src },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return probe.status === 0 ? false : `OpenEnv's clients do not import: ${(probe.stderr || String(probe.error)).trim().split('\n').at(-1)}`;
}
const skip = unavailable();

/** The in-process run of `task`/`seed` with the balanced action to the end. */
function reference(task: string, seed: number) {
  const env = new DataSelectEnv();
  const reset = env.reset({ task: task as any, seed });
  const rewards: number[] = [];
  const observations: unknown[] = [];
  for (let done = false; !done; ) {
    const r = env.step(BALANCED as any);
    rewards.push(r.reward);
    observations.push(r.observation);
    done = r.done;
  }
  return { reset: reset.observation, rewards, observations, grade: env.grade() };
}

let server: TestServer;
before(async () => {
  if (!skip) server = await startServer();
});
after(async () => {
  if (!skip) await server.close();
});

describe('OpenEnv Python clients', () => {
  test('GenericEnvClient and MCPToolClient (step path, HTTP path, /ws?session_id= attach) play episodes equal to the in-process runs', { skip, timeout: 120_000 }, async () => {
    const child = spawn(python!, [SCRIPT, server.url], { env: { ...process.env, PYTHONPATH: src } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.equal(code, 0, err);
    const report = JSON.parse(out);

    const hard = reference('hard', 42);
    assert.deepEqual(report.generic.reset_observation, hard.reset);
    assert.deepEqual(report.generic.rewards, hard.rewards);
    assert.deepEqual(report.generic.observations, hard.observations);
    assert.equal(report.generic.state.step_count, hard.rewards.length);

    const tools = ['list_tasks', 'start_episode', 'take_action', 'get_state', 'grade_episode'];
    const medium = reference('medium', 7);
    assert.deepEqual(report.mcp_step.tools, tools);
    assert.deepEqual(report.mcp_step.rewards, medium.rewards);
    assert.deepEqual([report.mcp_step.grade.score, report.mcp_step.grade.passed], [medium.grade.score, medium.grade.passed]);
    assert.match(report.mcp_step.unknown_tool_error, /type: tool_not_found/);

    const easy = reference('easy', 3);
    assert.deepEqual(report.mcp_http.tools, tools);
    assert.deepEqual(report.mcp_http.rewards, easy.rewards);
    assert.equal(report.mcp_http.grade.score, easy.grade.score);

    assert.equal(report.mcp_attached.reset_done, false);
    assert.deepEqual(report.mcp_attached.rewards, hard.rewards, 'reset on the attached socket, take_action over HTTP: one episode');
    assert.equal(report.mcp_attached.state.step_count, hard.rewards.length);
    assert.equal(report.mcp_attached.grade.score, hard.grade.score);
    assert.equal(report.mcp_attached.closed.closed, true);
    assert.equal(server.service.sessions.activeSessions, 0, 'every session closed');
  });
});
