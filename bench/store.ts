/**
 * The cost of the action log, in process: a step of the environment alone against the same step
 * through the service that writes its row before acknowledging it (SQLite file in WAL mode, and
 * `:memory:`), the write alone, and a reset with its episode row. Medians over whole hard
 * episodes (balanced action, every seed new).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BALANCED_ACTION } from '../src/env/baseline.ts';
import { DataSelectEnv } from '../src/env/env.ts';
import { median } from '../src/eval/stats.ts';
import { EnvService } from '../src/server/core.ts';
import { SessionManager } from '../src/server/sessions.ts';
import { openSqliteStore } from '../src/server/store/sqlite.ts';
import type { EpisodeStore } from '../src/server/store/types.ts';
import type { Figure } from '../tools/bench-report.ts';

const TASK = 'hard';
const KEEP_ALL = { maxCount: 0, maxAgeS: 0, unfinishedIdleS: 0 };

function envOnly(episodes: number): number {
  const env = new DataSelectEnv();
  env.reset({ task: TASK, seed: 0 });
  const times: number[] = [];
  for (let e = 0; e < episodes; e++) {
    env.reset({ task: TASK, seed: 10_000 + e });
    for (let done = false; !done; ) {
      const t0 = performance.now();
      done = env.step(BALANCED_ACTION).done;
      times.push(performance.now() - t0);
    }
  }
  return median(times);
}

async function throughService(store: EpisodeStore, episodes: number, seedBase: number): Promise<{ step: number; reset: number; steps: number }> {
  const service = new EnvService(new SessionManager({ maxSessions: 256, idleTimeoutMs: 0 }), store);
  const steps: number[] = [];
  const resets: number[] = [];
  for (let e = 0; e < episodes; e++) {
    let t0 = performance.now();
    const { episode } = await service.reset(
      { task_id: TASK, seed: seedBase + e, episode_id: null, label: null, split: null, index: null },
      { kind: 'http' },
      false,
    );
    resets.push(performance.now() - t0);
    for (let done = false; !done; ) {
      t0 = performance.now();
      done = (await service.step(episode, BALANCED_ACTION)).done;
      steps.push(performance.now() - t0);
    }
  }
  return { step: median(steps), reset: median(resets), steps: steps.length };
}

async function writeOnly(store: EpisodeStore, episodes: number): Promise<number> {
  const env = new DataSelectEnv();
  const { observation } = env.reset({ task: TASK, seed: 1 });
  const record = { t: 1, action: BALANCED_ACTION, reward: 0.123456789, terms: env.step(BALANCED_ACTION).terms, observation, done: false };
  const times: number[] = [];
  for (let e = 0; e < episodes; e++) {
    const id = `w-${e}`;
    await store.createEpisode({ episode_id: id, task_id: TASK, seed: e, label: null, transport: 'http', created_ms: Date.now(), initial_observation: observation, owner_key: null });
    for (let t = 1; t <= 8; t++) {
      const t0 = performance.now();
      await store.appendStep(id, { ...record, t }, null);
      times.push(performance.now() - t0);
    }
  }
  return median(times);
}

export async function storeFigures(quick: boolean): Promise<Figure[]> {
  const episodes = quick ? 60 : 300;
  const dir = mkdtempSync(path.join(tmpdir(), 'dataselectenv-bench-store-'));
  try {
    // Warm-up: the shared world, the JIT.
    envOnly(20);
    const bare = envOnly(episodes);
    const file = openSqliteStore({ file: path.join(dir, 'episodes.sqlite'), retention: KEEP_ALL });
    const memory = openSqliteStore({ file: ':memory:', retention: KEEP_ALL });
    try {
      await throughService(file, 20, 50_000);
      const onFile = await throughService(file, episodes, 60_000);
      await throughService(memory, 20, 50_000);
      const inMemory = await throughService(memory, episodes, 60_000);
      const write = await writeOnly(file, quick ? 100 : 500);
      const note = `median of ${onFile.steps}, hard, balanced b10`;
      return [
        { section: 'store', name: 'step, environment alone', value: bare, unit: 'ms', better: 'lower', note },
        { section: 'store', name: 'step + action-log write, SQLite file (WAL)', value: onFile.step, unit: 'ms', better: 'lower', note: `${note}; +${(onFile.step - bare).toFixed(3)} ms` },
        { section: 'store', name: 'step + action-log write, SQLite :memory:', value: inMemory.step, unit: 'ms', better: 'lower', note: `+${(inMemory.step - bare).toFixed(3)} ms` },
        { section: 'store', name: 'action-log write alone, SQLite file', value: write, unit: 'ms', better: 'lower', note: 'appendStep: one INSERT, WAL, synchronous=NORMAL' },
        { section: 'store', name: 'reset + episode row, SQLite file', value: onFile.reset, unit: 'ms', better: 'lower', note: 'every seed new' },
      ];
    } finally {
      await file.close();
      await memory.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
