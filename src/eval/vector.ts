/**
 * `eval --vector N`: the policy runner through a VectorEnv — the episodes of each task played N
 * at a time, in process. The vector's next-step autoreset hands each sub-environment the next
 * (task, seed) job as its episode ends (`nextSeed`), so every job is played exactly as a lone
 * environment plays it (sub-environments are lone environments, docs/vector.md): the report equals
 * `evaluate`'s for the same jobs, episode ids aside, plus the run's timing.
 */
import { randomUUID } from 'node:crypto';
import { ClientError } from '../api/errors.ts';
import { EnvError } from '../env/errors.ts';
import type { Action, Grade, Observation } from '../env/types.ts';
import { VectorEnv } from '../env/vector.ts';
import type { Policy } from '../policies/index.ts';
import { STEP_LIMIT, inContext, summarise, type EpisodeResult, type EvalOptions, type EvalReport, type VectorTiming } from './run.ts';

/** What an idle sub-environment plays once its task has no job left (cheap; its numbers are dropped). */
const IDLE: Action = { action_type: 'select_batch', batch_size: 1, strategy_weights: { random: 1 } };

/** One job's episode in a sub-environment. */
interface Slot {
  job: number;
  policy: Policy;
  steps: number;
  total: number;
  observation: Observation;
}

/** Plays the jobs of one task through one VectorEnv of min(numEnvs, jobs) sub-environments. */
async function playTask(task: string, jobIndices: readonly number[], seedOf: (job: number) => number, numEnvs: number, o: EvalOptions, record: (job: number, r: EpisodeResult) => void): Promise<number> {
  const n = Math.min(numEnvs, jobIndices.length);
  let queued = n;
  const slots: (Slot | null)[] = new Array(n).fill(null);
  /** Jobs assigned by the autoreset about to happen, per sub-environment (-1: idle). */
  const incoming = new Array<number>(n).fill(-1);
  const vec = new VectorEnv(task, n, {
    observationObjects: true,
    grades: true,
    nextSeed: (i, previous) => {
      incoming[i] = queued < jobIndices.length ? jobIndices[queued++] : -1;
      return incoming[i] >= 0 ? seedOf(incoming[i]) : previous;
    },
  });
  const fresh = (job: number, observation: Observation): Slot => ({ job, policy: o.createPolicy ? o.createPolicy() : o.policy, steps: 0, total: 0, observation });
  const start = vec.reset({ seeds: jobIndices.slice(0, n).map(seedOf) });
  for (let i = 0; i < n; i++) slots[i] = fresh(jobIndices[i], start.objects![i]);
  let finished = 0;
  let steps = 0;
  const ending = new Array<boolean>(n).fill(false);
  while (finished < jobIndices.length) {
    const actions = await Promise.all(
      slots.map(async (s, i) => {
        if (ending[i] || s === null) return ending[i] ? null : IDLE;
        if (s.steps >= STEP_LIMIT) throw new Error(`episode ${task}/${seedOf(s.job)} did not end within ${STEP_LIMIT} steps`);
        try {
          return await s.policy(s.observation, { task_id: task, seed: seedOf(s.job), step: s.steps });
        } catch (e) {
          throw inContext(e, `task ${task} seed ${seedOf(s.job)}`);
        }
      }),
    );
    let r;
    try {
      r = vec.step(actions);
    } catch (e) {
      throw refusal(e, task, slots, actions, seedOf);
    }
    for (let i = 0; i < n; i++) {
      if (ending[i]) {
        // The autoreset of this step started the sub-environment's next job (or made it idle).
        ending[i] = false;
        slots[i] = incoming[i] >= 0 ? fresh(incoming[i], r.objects![i]) : null;
        continue;
      }
      const s = slots[i];
      if (s === null) continue;
      s.steps++;
      steps++;
      s.total += r.rewards[i];
      s.observation = r.objects![i];
      if (r.terminated[i] || r.truncated[i]) {
        record(s.job, result(task, seedOf(s.job), s, r.grades![i]!));
        finished++;
        ending[i] = true;
      }
    }
  }
  return steps;
}

function result(task: string, seed: number, s: Slot, g: Grade): EpisodeResult {
  return {
    task_id: task,
    seed,
    episode_id: randomUUID(),
    steps: s.steps,
    total_reward: s.total,
    final_performance: s.observation.current_performance,
    score: g.score,
    passed: g.passed,
    breakdown: g.breakdown,
    ...(g.learning_curve ? { learning_curve: g.learning_curve } : {}),
  };
}

/** A refused batch as eval reports a refused step: the client error, the task, seed, step and action. */
function refusal(e: unknown, task: string, slots: readonly (Slot | null)[], actions: readonly unknown[], seedOf: (job: number) => number): unknown {
  if (!(e instanceof EnvError)) return e;
  const i = typeof e.issues[0]?.loc[0] === 'number' ? (e.issues[0].loc[0] as number) : -1;
  const s = i >= 0 ? slots[i] : null;
  const inner = s ? new EnvError(e.reason, e.message.replace(/^actions\[\d+\]: /, ''), e.issues.map((x) => ({ ...x, loc: x.loc.slice(1) }))) : e;
  const err = ClientError.fromEnvError(inner);
  if (!s) return err;
  return inContext(inContext(err, `step ${s.steps + 1} (action ${JSON.stringify(actions[i])})`), `task ${task} seed ${seedOf(s.job)}`);
}

/**
 * Runs every (task, seed) job in process, each task's jobs N at a time through a VectorEnv (tasks
 * one after another, in the order they first appear). Results are stored by job position, so the
 * report is `evaluate`'s (episode ids aside) with `vector` timing added.
 */
export async function evaluateVector(numEnvs: number, o: EvalOptions): Promise<EvalReport & { vector: VectorTiming }> {
  if (!Number.isInteger(numEnvs) || numEnvs < 1) throw new RangeError(`numEnvs must be a positive integer, got ${numEnvs}`);
  const jobs = o.jobs ? [...o.jobs] : o.tasks.flatMap((task) => o.seeds.map((seed) => ({ task, seed })));
  const results: EpisodeResult[] = new Array(jobs.length);
  const byTask = new Map<string, number[]>();
  jobs.forEach((j, k) => {
    const list = byTask.get(j.task) ?? [];
    list.push(k);
    byTask.set(j.task, list);
  });
  let finished = 0;
  let steps = 0;
  const t0 = performance.now();
  for (const [task, indices] of byTask) {
    steps += await playTask(task, indices, (k) => jobs[k].seed, numEnvs, o, (k, r) => {
      results[k] = r;
      o.onEpisode?.(r, ++finished, jobs.length);
    });
  }
  const seconds = (performance.now() - t0) / 1000;
  return {
    policy: o.policyName,
    transport: 'inprocess',
    seeds: [...o.seeds],
    tasks: o.tasks.map((t) => summarise(t, results.filter((e) => e.task_id === t))),
    episodes: results,
    vector: { num_envs: numEnvs, seconds, steps, steps_per_second: steps / seconds },
  };
}
