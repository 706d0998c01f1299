/**
 * The least server that does a step's real work: node:http and `ws`, the environment, the
 * protocol's reply mappers and its exact-JSON writer — and nothing else (no fastify, no
 * validation, no store, no sessions, no metrics, no logging, no limits). It answers only what
 * the bench's closed loop sends (POST /reset, POST /step; WebSocket reset and step), trusting it.
 *
 *   node bench/bare-server.ts PORT [HOST]
 *
 * The 1-client closed loop against it is the bound the real server can approach on this machine:
 * the loopback round trip plus the environment's own work. The real server's figure over this
 * one is the share its own code (validation, action log, sessions, metrics, framework) leaves.
 * Not a product: bench only.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { WebSocketServer } from 'ws';
import { makeEnv, type TaskEnv } from '../src/env/make.ts';
import type { Action } from '../src/env/types.ts';
import { httpStepReply, resetReply, wsResetObservation, wsStepObservation } from '../src/protocol/replies.ts';
import { toJson } from '../src/server/body.ts';
import { episodeMetadata } from '../src/server/core.ts';

interface Episode {
  id: string;
  taskId: string;
  seed: number;
  env: TaskEnv;
}

function start(taskId: string, seed: number): { episode: Episode; body: ReturnType<typeof resetReply> } {
  const env = makeEnv(taskId);
  const { observation } = env.reset({ task: taskId, seed });
  const episode = { id: randomUUID(), taskId, seed, env };
  return { episode, body: resetReply(episode.id, taskId, observation, episodeMetadata(episode, null)) };
}

const episodes = new Map<string, Episode>();

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    let reply: unknown;
    if (req.url === '/reset') {
      const { episode, body: r } = start(body.task_id, body.seed);
      episodes.set(episode.id, episode);
      reply = r;
    } else {
      const episode = episodes.get(body.episode_id)!;
      const r = episode.env.step(body.action as Action);
      if (r.done) episodes.delete(episode.id);
      reply = httpStepReply(episode.id, r, episodeMetadata(episode, r));
    }
    const text = toJson(reply);
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  });
});

new WebSocketServer({ server, path: '/ws' }).on('connection', (socket) => {
  let episode: Episode | null = null;
  socket.on('message', (raw) => {
    const msg = JSON.parse(raw.toString());
    let data: unknown;
    if (msg.type === 'reset') {
      const started = start(msg.data.task_id, msg.data.seed);
      episode = started.episode;
      data = wsResetObservation(started.body);
    } else {
      const r = episode!.env.step(msg.data as Action);
      data = wsStepObservation(episode!.id, episode!.taskId, r, episodeMetadata(episode!, r));
    }
    socket.send(toJson({ type: 'observation', data }));
  });
});

server.listen(Number(process.argv[2]), process.argv[3] ?? '127.0.0.1');
// An orderly exit (so that --cpu-prof, when profiling it, writes its profile).
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(0));
