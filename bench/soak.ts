/**
 * Soak (not part of the default run: `npm run bench -- --only=soak`, `SOAK_SECONDS` to change
 * the 300 s): mixed load — HTTP and WebSocket clients playing episodes, /health polling, history
 * listing, grading, /baseline — with the server's RSS sampled every 5 s. Reports the growth
 * between the first sample after warm-up and the last.
 */
import { closedLoop, request, startServer } from './load.ts';
import type { Figure } from '../tools/bench-report.ts';

export async function soakFigures(quick: boolean): Promise<Figure[]> {
  const seconds = Number(process.env.SOAK_SECONDS ?? (quick ? 30 : 300));
  const srv = await startServer({ MAX_CONCURRENT_ENVS: '256', COMPLETED_RETENTION: '2000' });
  const samples: { t: number; rss: number }[] = [];
  const start = Date.now();
  let stop = false;
  const sampler = (async () => {
    while (!stop) {
      samples.push({ t: (Date.now() - start) / 1000, rss: srv.rssBytes() });
      await new Promise((r) => setTimeout(r, 5000));
    }
  })();
  let sideErrors = 0;
  let sideRequests = 0;
  const side = (async () => {
    let i = 0;
    while (!stop) {
      const path = ['/health', '/episodes?limit=50', '/tasks', '/baseline', '/state'][i++ % 5];
      const r = await request('GET', srv.url + path).catch(() => null);
      sideRequests++;
      if (!r || r.status !== 200) sideErrors++;
      await new Promise((res) => setTimeout(res, 20));
    }
  })();
  try {
    const [h, w] = await Promise.all([closedLoop(srv.url, 'http', 8, seconds), closedLoop(srv.url, 'ws', 8, seconds, 1_000_000, 'hard')]);
    stop = true;
    await Promise.all([sampler, side]);
    const warm = samples.find((s) => s.t >= Math.min(30, seconds / 3)) ?? samples[0];
    const last = samples[samples.length - 1];
    const max = Math.max(...samples.map((s) => s.rss));
    const mb = (b: number) => b / 2 ** 20;
    return [
      { section: 'soak', name: `steps in ${seconds} s (HTTP + WS)`, value: h.steps + w.steps, unit: '', note: `errors ${h.errors + w.errors}, mismatches ${h.mismatches + w.mismatches}` },
      { section: 'soak', name: 'errors (steps and side requests)', value: h.errors + w.errors + sideErrors, unit: '', better: 'lower', goalAbsolute: 0, note: `${sideRequests} side requests` },
      { section: 'soak', name: 'mismatches', value: h.mismatches + w.mismatches, unit: '', better: 'lower', goalAbsolute: 0 },
      { section: 'soak', name: `RSS after warm-up (t=${warm.t.toFixed(0)} s)`, value: mb(warm.rss), unit: 'MB' },
      { section: 'soak', name: 'RSS max', value: mb(max), unit: 'MB' },
      { section: 'soak', name: `RSS growth to the end (t=${last.t.toFixed(0)} s)`, value: mb(last.rss - warm.rss), unit: 'MB', note: samples.map((s) => mb(s.rss).toFixed(0)).join(' ') },
    ];
  } finally {
    stop = true;
    await srv.stop();
  }
}
