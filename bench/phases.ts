/**
 * Where a server's time goes in the single-client closed loop, phase by phase:
 *
 *   node bench/phases.ts [--transport=ws|http] [--seconds=8] [--task=easy] [--interval-us=100] [--store=:memory:] [--repo=DIR] [--json]
 *
 * Starts the server from source (src/server/main.ts of this checkout, or of `--repo`: another
 * checkout to compare with) in a child process with V8's sampling
 * profiler on (`--cpu-prof`), drives the bench's closed loop (bench/load.ts, one client, balanced
 * steps, a new seed per episode) against it, stops it and reads the profile. Every sample is put in
 * one phase by walking its stack from the innermost frame outwards: the first frame that names a
 * phase wins (so the numerics under an environment step count as the step, JSON.parse under the
 * WebSocket handler as parsing). Figures are µs of server CPU per step (resets included, spread over
 * the episode's steps); start-up (module loading) and the idle time are reported apart. Sampling
 * adds its own overhead, so the per-phase shares are what to read, not the absolute sum.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { closedLoop, freePort, request } from './load.ts';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

interface CallFrame {
  functionName: string;
  url: string;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Phases in report order; `match` is tried on each frame from the innermost outwards. */
export const PHASES: { name: string; match: (f: CallFrame) => boolean }[] = [
  { name: 'startup (module loading)', match: (f) => /node:internal\/modules\//.test(f.url) || f.functionName === 'compileSourceTextModule' },
  { name: 'JSON parse of the request', match: (f) => /json-ids\.ts$/.test(f.url) || f.functionName === 'parseJsonBytes' || f.functionName === 'decodeFrame' || f.functionName === 'readJsonBody' },
  { name: 'request validation', match: (f) => /src\/protocol\/requests\.ts$/.test(f.url) || /src\/server\/validation\.ts$/.test(f.url) || (f.functionName === 'parseAction' && /src\/env\//.test(f.url)) },
  { name: 'reply serialisation', match: (f) => f.functionName === 'toJson' || /fast-json-stringify/.test(f.url) },
  { name: 'store write', match: (f) => /src\/server\/store\//.test(f.url) },
  { name: 'metrics', match: (f) => /prom-client/.test(f.url) || /src\/server\/metrics\.ts$/.test(f.url) },
  { name: 'logging', match: (f) => /pino|src\/server\/log\.ts$/.test(f.url) },
  { name: 'environment step', match: (f) => f.functionName === 'step' && /src\/env\//.test(f.url) },
  { name: 'environment reset', match: (f) => (f.functionName === 'reset' || f.functionName === 'makeEnv') && /src\/env\//.test(f.url) },
  { name: 'reply building', match: (f) => /src\/protocol\/replies\.ts$/.test(f.url) || f.functionName === 'episodeMetadata' || f.functionName === 'stepRecord' },
  { name: 'socket write', match: (f) => /^(writev|writeBuffer|writeUtf8String|writeLatin1String)$/.test(f.functionName) || /ws\/lib\/sender\.js$/.test(f.url) || /stream_base_commons|internal\/streams\/writable/.test(f.url) },
  { name: 'socket read, HTTP/WS framing', match: (f) => /ws\/lib\/(receiver|websocket)\.js$/.test(f.url) || /_http_server|_http_common|internal\/streams\/readable/.test(f.url) || f.functionName === 'onStreamRead' },
  { name: 'fastify (routing, hooks, reply)', match: (f) => /node_modules\/(fastify|@fastify|find-my-way|avvio|light-my-request|fastq|toad-cache)/.test(f.url) },
  { name: 'server glue (service, sessions, ws handler)', match: (f) => /src\/server\//.test(f.url) },
  { name: 'garbage collection', match: (f) => f.functionName === '(garbage collector)' },
  { name: 'idle', match: (f) => f.functionName === '(idle)' },
];
const OTHER = 'other (node internals, microtasks, timers)';

/** Microseconds per phase over the whole profile. */
export function phaseTimes(profile: CpuProfile): Map<string, number> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const leafPhase = new Map<number, string>();
  const phaseOf = (leaf: number): string => {
    let known = leafPhase.get(leaf);
    if (known !== undefined) return known;
    known = OTHER;
    for (let id: number | undefined = leaf; id !== undefined; id = parent.get(id)) {
      const frame = byId.get(id)!.callFrame;
      const p = PHASES.find((ph) => ph.match(frame));
      if (p) {
        known = p.name;
        break;
      }
    }
    leafPhase.set(leaf, known);
    return known;
  };
  const out = new Map<string, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const phase = phaseOf(profile.samples[i]!);
    out.set(phase, (out.get(phase) ?? 0) + profile.timeDeltas[i]!);
  }
  return out;
}

export interface PhaseRun {
  transport: string;
  task: string;
  steps: number;
  episodes: number;
  stepsPerS: number;
  loadavg: number[];
  /** µs of server CPU per step, by phase (startup and idle excluded). */
  perStepUs: Record<string, number>;
  busyUsPerStep: number;
  idleShare: number;
}

export async function profileLoop(options: { transport: 'ws' | 'http'; seconds: number; task: string; intervalUs: number; store: string; repo?: string }): Promise<PhaseRun> {
  const repo = options.repo ?? REPO;
  const dir = mkdtempSync(path.join(tmpdir(), 'dataselectenv-phases-'));
  const port = await freePort();
  const child = spawn(process.execPath, [`--cpu-prof`, `--cpu-prof-dir=${dir}`, `--cpu-prof-interval=${options.intervalUs}`, path.join(repo, 'src/server/main.ts')], {
    cwd: repo,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', STORE_PATH: options.store, WEB: '0', LOG_LEVEL: 'error' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    const url = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 30_000;
    while ((await request('GET', `${url}/health`).catch(() => null))?.status !== 200) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error('server did not start');
      await new Promise((r) => setTimeout(r, 50));
    }
    const stats = await closedLoop(url, options.transport, 1, options.seconds, 1_000_000, options.task);
    if (stats.errors > 0 || stats.mismatches > 0) throw new Error(`loop had ${stats.errors} errors, ${stats.mismatches} mismatches`);
    child.kill('SIGINT');
    await exited;
    const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    if (!file) throw new Error('the server wrote no profile');
    const times = phaseTimes(JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as CpuProfile);
    const perStepUs: Record<string, number> = {};
    let busy = 0;
    for (const name of [...PHASES.map((p) => p.name), OTHER]) {
      if (name === 'idle' || name.startsWith('startup')) continue;
      const us = (times.get(name) ?? 0) / stats.steps;
      perStepUs[name] = us;
      busy += us;
    }
    let total = 0;
    for (const v of times.values()) total += v;
    return {
      transport: options.transport,
      task: options.task,
      steps: stats.steps,
      episodes: stats.episodes,
      stepsPerS: stats.steps / stats.elapsedS,
      loadavg: loadavg(),
      perStepUs,
      busyUsPerStep: busy,
      idleShare: (times.get('idle') ?? 0) / total,
    };
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  const argv = process.argv.slice(2);
  const flag = (name: string, fallback: string) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
  const transport = flag('transport', 'ws');
  if (transport !== 'ws' && transport !== 'http') {
    console.error(`phases: --transport must be ws or http, got ${transport}`);
    process.exit(2);
  }
  const run = await profileLoop({
    transport,
    seconds: Number(flag('seconds', '8')),
    task: flag('task', 'easy'),
    intervalUs: Number(flag('interval-us', '100')),
    store: flag('store', ':memory:'),
    repo: argv.find((a) => a.startsWith('--repo='))?.slice(7),
  });
  if (argv.includes('--json')) {
    console.log(JSON.stringify(run));
  } else {
    console.log(`${run.transport} closed loop, 1 client, task ${run.task}: ${run.steps} steps (${run.episodes} episodes), ${run.stepsPerS.toFixed(0)} steps/s under the profiler; load ${run.loadavg.map((x) => x.toFixed(2)).join(' ')}`);
    console.log('phase'.padEnd(46) + 'µs/step  share');
    for (const [name, us] of Object.entries(run.perStepUs)) {
      console.log(name.padEnd(46) + us.toFixed(1).padStart(7) + `  ${((100 * us) / run.busyUsPerStep).toFixed(1).padStart(4)} %`);
    }
    console.log('server busy'.padEnd(46) + run.busyUsPerStep.toFixed(1).padStart(7) + `  (idle ${(100 * run.idleShare).toFixed(0)} % of the profile)`);
  }
}
