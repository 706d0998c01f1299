/** Bench-mode fuzzing: 10,000 hostile requests against a server, counted by status. */
import fc from 'fast-check';
import { jsonBody, malformedBody, rawBytes, wsMessage } from '../tools/hostile-inputs.ts';
import { startServer, WsClient } from './load.ts';
import type { Figure } from '../tools/bench-report.ts';

export async function fuzzFigures(quick: boolean): Promise<Figure[]> {
  const total = quick ? 2000 : 10_000;
  const srv = await startServer();
  const statuses = new Map<number, number>();
  let transportErrors = 0;
  let wsReplies = 0;
  let wsMissing = 0;
  try {
    const bodies = fc.sample(fc.oneof(jsonBody, malformedBody, rawBytes), { numRuns: total, seed: 42 });
    const paths = ['/step', '/reset', '/grader', '/state', '/mcp'];
    for (let i = 0; i < bodies.length; i += 32) {
      await Promise.all(
        bodies.slice(i, i + 32).map(async (body, k) => {
          const p = paths[(i + k) % paths.length];
          try {
            const res = await fetch(srv.url + p, {
              method: p === '/state' ? 'GET' : 'POST',
              headers: { 'content-type': 'application/json' },
              body: p === '/state' ? undefined : (body as string | Uint8Array),
            });
            await res.arrayBuffer();
            statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          } catch {
            transportErrors++;
          }
        }),
      );
    }
    const messages = fc.sample(wsMessage, { numRuns: quick ? 500 : 2000, seed: 7 });
    const ws = await WsClient.open(srv.url);
    for (const m of messages) {
      const reply = await Promise.race([
        ws.sendRaw(m.kind === 'text' ? m.text : m.bytes),
        new Promise((r) => setTimeout(() => r(null), 3000)),
      ]);
      if (reply) wsReplies++;
      else wsMissing++;
    }
    ws.close();
  } finally {
    await srv.stop();
  }
  const fiveXX = [...statuses].filter(([s]) => s >= 500).reduce((a, [, n]) => a + n, 0);
  const summary = [...statuses].sort(([a], [b]) => a - b).map(([s, n]) => `${s}:${n}`).join(' ');
  return [
    { section: 'fuzz', name: `HTTP hostile requests`, value: total, unit: '', note: summary },
    { section: 'fuzz', name: 'HTTP 5xx replies', value: fiveXX, unit: '', better: 'lower', goalAbsolute: 0 },
    { section: 'fuzz', name: 'HTTP dropped connections', value: transportErrors, unit: '', better: 'lower', goalAbsolute: 0 },
    { section: 'fuzz', name: 'WS hostile messages answered', value: wsReplies, unit: '', note: `${wsMissing} unanswered` },
    { section: 'fuzz', name: 'WS messages without a reply', value: wsMissing, unit: '', better: 'lower', goalAbsolute: 0 },
  ];
}
