/**
 * The curation family's hidden truth stays hidden until grading (docs/curation.md; issue 17 item 3):
 * a curation episode played to the end on every transport — HTTP, the WebSocket, MCP over HTTP,
 * MCP as /ws steps and MCPToolClient's production mode (/ws?session_id=) — answers no reply that
 * names the regime or any grade term read from the hidden data (test accuracy, normalised score,
 * anchors); the final step's `metadata.grade` carries the score and the pass flag only. The grader
 * (POST /grader, the grade_episode tool) reveals the breakdown with the regime, and so do the
 * after-the-fact records of finished episodes (GET /episodes/{id}, the export; a GET /episodes
 * row has only the score and the pass flag).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BALANCED, WsClient, get, post, request, serverForSuite } from './helpers.ts';

/** A curation task and a data-set task (docs/datasets.md: the same rule, plus the AUBC and the learning curve). */
const TASKS = ['curation-easy', 'iris'] as const;
const HIDDEN_KEYS = ['regime', 'test_accuracy', 'normalised', 'anchor_random', 'anchor_reference', 'aubc', 'learning_curve'];
const REGIMES = ['clean', 'defaulting', 'flips'];
const STOP = { action_type: 'stop', batch_size: 0, strategy_weights: { random: 1 } };

/** Every hidden key or regime value found anywhere in `value`, with its path. */
function leaks(value: unknown, path = '$'): string[] {
  const found: string[] = [];
  if (typeof value === 'string') {
    if (REGIMES.includes(value)) found.push(`${path} = ${value}`);
    // JSON inside strings (MCP content[0].text, the openenv transcript) is searched too.
    if (value.startsWith('{') || value.startsWith('[')) {
      try {
        found.push(...leaks(JSON.parse(value), `${path}<json>`));
      } catch {
        // not JSON
      }
    }
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => found.push(...leaks(v, `${path}[${i}]`)));
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (HIDDEN_KEYS.includes(k)) found.push(`${path}.${k}`);
      found.push(...leaks(v, `${path}.${k}`));
    }
  }
  return found;
}

const server = serverForSuite();

/** What every transport's episode replied, and the episode id. */
interface Played {
  transport: string;
  episodeId: string;
  replies: unknown[];
  finalGrade: any;
}

async function overHttp(TASK: string, seed: number): Promise<Played> {
  const replies: unknown[] = [];
  const r = await post(server.url, '/reset', { task_id: TASK, seed });
  replies.push(r.body);
  const id = r.body.episode_id;
  let last: any;
  for (let i = 0; i < 2; i++) {
    last = (await post(server.url, '/step', { episode_id: id, action: BALANCED })).body;
    replies.push(last);
  }
  replies.push((await get(server.url, `/state?episode_id=${id}`)).body);
  last = (await post(server.url, '/step', { episode_id: id, action: STOP })).body;
  replies.push(last);
  assert.equal(last.done, true);
  replies.push((await get(server.url, `/state?episode_id=${id}`)).body);
  replies.push((await post(server.url, '/step', { episode_id: id, action: BALANCED })).body); // episode_over
  return { transport: 'http', episodeId: id, replies, finalGrade: last.metadata.grade };
}

async function overWs(TASK: string, seed: number, url: string, transport: string, reset?: () => Promise<unknown>): Promise<Played> {
  const ws = await WsClient.connect(url);
  const replies: unknown[] = [];
  try {
    const r = reset ? await reset() : await ws.request({ type: 'reset', data: { task_id: TASK, seed } });
    replies.push(r);
    let last: any;
    for (let i = 0; i < 2; i++) replies.push((last = await ws.request({ type: 'step', data: BALANCED })));
    replies.push(await ws.request({ type: 'state' }));
    replies.push((last = await ws.request({ type: 'step', data: STOP })));
    assert.equal(last.data.done, true, JSON.stringify(last));
    replies.push(await ws.request({ type: 'state' }));
    replies.push(await ws.request({ type: 'step', data: BALANCED }));
    // The MCP shapes on the same socket: tool payloads of a finished episode.
    replies.push(await ws.request({ type: 'step', data: { type: 'call_tool', tool_name: 'get_state', arguments: {} } }));
    replies.push(await ws.request({ type: 'step', data: { type: 'call_tool', tool_name: 'take_action', arguments: BALANCED } }));
    return { transport, episodeId: last.data.episode_id, replies, finalGrade: last.data.metadata.grade };
  } finally {
    ws.close();
    await ws.closed;
  }
}

async function overMcp(TASK: string, seed: number): Promise<Played> {
  const replies: unknown[] = [];
  let id = 0;
  const rpc = async (method: string, params: Record<string, unknown>) => {
    const r = await post(server.url, '/mcp', { jsonrpc: '2.0', id: ++id, method, params });
    replies.push(r.body);
    return r.body;
  };
  const sid = (await rpc('openenv/session/create', {})).result.session_id;
  const started = await rpc('tools/call', { name: 'start_episode', arguments: { task_id: TASK, seed }, session_id: sid });
  const episodeId = started.result.data.episode_id;
  for (let i = 0; i < 2; i++) await rpc('tools/call', { name: 'take_action', arguments: BALANCED, session_id: sid });
  await rpc('tools/call', { name: 'get_state', arguments: {}, session_id: sid });
  const last = await rpc('tools/call', { name: 'take_action', arguments: STOP, session_id: sid });
  assert.equal(last.result.data.done, true);
  await rpc('tools/call', { name: 'get_state', arguments: { episode_id: episodeId }, session_id: sid });
  await rpc('tools/call', { name: 'take_action', arguments: BALANCED, session_id: sid });
  await rpc('openenv/session/close', { session_id: sid });
  return { transport: 'mcp', episodeId, replies, finalGrade: last.result.data.metadata.grade };
}

async function overProductionMode(TASK: string, seed: number): Promise<Played> {
  const created = await post(server.url, '/mcp', { jsonrpc: '2.0', id: 1, method: 'openenv/session/create' });
  const sid = created.body.result.session_id;
  const played = await overWs(TASK, seed, `${server.wsUrl}/ws?session_id=${sid}`, 'production');
  const tool = await post(server.url, '/mcp', {
    jsonrpc: '2.0',
    id: 2,
    method: 'tools/call',
    params: { name: 'get_state', arguments: {}, session_id: sid },
  });
  played.replies.push(created.body, tool.body);
  await post(server.url, '/mcp', { jsonrpc: '2.0', id: 3, method: 'openenv/session/close', params: { session_id: sid } });
  return played;
}

for (const TASK of TASKS) {
  describe(`${TASK}: the regime and the hidden grade terms only in the grader and the records of finished episodes`, () => {
    test('no reply of the episode itself, on any transport, names them; the final metadata has the score', async () => {
      const played = [
        await overHttp(TASK, 2001),
        await overWs(TASK, 2002, `${server.wsUrl}/ws`, 'ws'),
        await overMcp(TASK, 2003),
        await overProductionMode(TASK, 2004),
      ];
      for (const p of played) {
        assert.ok(p.replies.length >= 7, p.transport);
        for (const [i, reply] of p.replies.entries()) {
          assert.deepEqual(leaks(reply), [], `${p.transport} reply ${i}: ${JSON.stringify(reply).slice(0, 400)}`);
        }
        const graded = await post(server.url, '/grader', { episode_id: p.episodeId });
        assert.equal(graded.status, 200);
        assert.deepEqual(p.finalGrade, { score: graded.body.score, passed: graded.body.passed }, p.transport);
        // The grader reveals it (the check above can find it: a positive control).
        assert.ok(REGIMES.includes(graded.body.breakdown.regime), JSON.stringify(graded.body));
        assert.ok(leaks(graded.body).some((l) => l.endsWith('.regime')));
      }
      // grade_episode is the grader as a tool: the same body.
      const tool = await post(server.url, '/mcp', {
        jsonrpc: '2.0',
        id: 1,
        method: 'tools/call',
        params: { name: 'grade_episode', arguments: { episode_id: played[0]!.episodeId } },
      });
      const graded = await post(server.url, '/grader', { episode_id: played[0]!.episodeId });
      assert.deepEqual(tool.body.result.data, graded.body);
    });

    test('the records of finished episodes carry the full grade: GET /episodes/{id} and both export formats (a list row: the score, the AUBC and the learning curve)', async () => {
      const p = await overHttp(TASK, 2010);
      const graded = (await post(server.url, '/grader', { episode_id: p.episodeId })).body;
      const one = await get(server.url, `/episodes/${p.episodeId}`);
      assert.equal(one.status, 200);
      assert.deepEqual(one.body.grade.breakdown, graded.breakdown);
      const list = await get(server.url, `/episodes?task_id=${TASK}`);
      const row = list.body.episodes.find((e: any) => e.episode_id === p.episodeId);
      // A list row (finished episodes only) has the score, the pass flag, and the grade's AUBC and
      // learning curve (what Compare summarises and charts); never the regime or the other terms.
      assert.deepEqual([row.score, row.passed], [graded.score, graded.passed]);
      assert.equal(row.aubc, graded.breakdown.aubc);
      assert.deepEqual(row.learning_curve, graded.learning_curve);
      const { aubc: _aubc, learning_curve: _curve, ...rest } = row;
      assert.deepEqual(leaks(rest), []);

      for (const format of ['jsonl', 'openenv']) {
        const r = await request(server.url, 'GET', `/episodes?format=${format}&task_id=${TASK}`);
        assert.equal(r.status, 200, `${format}: ${JSON.stringify(r.body).slice(0, 300)}`);
        const text = typeof r.body === 'string' ? r.body : JSON.stringify(r.body);
        const lines = text.trim().split('\n').map((l) => JSON.parse(l));
        const rec = lines.find((l: any) => l.episode_id === p.episodeId);
        assert.ok(rec, format);
        if (format === 'jsonl') assert.deepEqual(rec.grade.breakdown, graded.breakdown);
        else {
          assert.equal(rec.metrics.score, graded.score);
          assert.equal(rec.metrics.regime, graded.breakdown.regime);
        }
      }
    });
  });
}
