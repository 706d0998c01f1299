/**
 * The agent loop (the original inference.py, done properly): for each task, reset, then ask the
 * model for an action per step until the episode ends, log every step, grade. Works against any
 * `Environment` (in process, HTTP or WebSocket).
 */
import type { Environment } from '../client/types.ts';
import { getTask } from '../env/tasks.ts';
import type { Action, Grade, Observation } from '../env/types.ts';
import { ModelError, type ChatModel } from './model.ts';
import { FALLBACK_ACTION, parseModelAnswer, type ParseStatus } from './parse.ts';
import { systemPrompt, userPrompt } from './prompt.ts';

export interface AgentStep {
  step: number;
  action: Action;
  /** ok | repaired | fallback (unparseable or rejected answer, or the model failed). */
  status: ParseStatus;
  warnings: string[];
  reward: number;
  done: boolean;
  observation: Observation;
  llm_ms: number;
}

export interface AgentEpisode {
  task_id: string;
  seed: number;
  episode_id: string | null;
  steps: AgentStep[];
  total_reward: number;
  final_performance: number | null;
  grade: Grade | null;
  /** Why the episode could not be finished, if it was not. */
  error: { code: string; reason: string; message: string } | null;
  fallbacks: number;
  repaired: number;
  model_failures: number;
}

export interface AgentRunOptions {
  tasks: readonly string[];
  seed: number;
  /** One line per event (steps, warnings, results). */
  log?: (line: string) => void;
  /** Consecutive steps whose model call failed after all retries before the task is abandoned. */
  maxConsecutiveModelFailures?: number;
  label?: string;
}

/** A configuration error (bad key, unknown model): every later call would fail the same way. */
export class AgentAbort extends Error {
  readonly code = 'MODEL_ERROR';
  readonly reason: string;
  constructor(reason: string, message: string, cause?: unknown) {
    super(message, { cause });
    this.name = 'AgentAbort';
    this.reason = reason;
  }
}

const f4 = (x: number) => x.toFixed(4);

export function formatAction(a: Action): string {
  if (a.action_type === 'stop') return 'stop';
  const w = a.strategy_weights;
  const parts = (['uncertainty', 'diversity', 'random'] as const).filter((k) => w[k] !== undefined).map((k) => `${k[0]}=${w[k]!.toFixed(2)}`);
  return `select b=${a.batch_size} ${parts.join(' ')}`;
}

function errorInfo(e: unknown): { code: string; reason: string; message: string } {
  const x = e as { code?: unknown; reason?: unknown; message?: unknown };
  return {
    code: typeof x?.code === 'string' ? x.code : 'ERROR',
    reason: typeof x?.reason === 'string' ? x.reason : 'unexpected',
    message: typeof x?.message === 'string' ? x.message : String(e),
  };
}

export async function runAgentEpisode(env: Environment, model: ChatModel, task: string, seed: number, o: AgentRunOptions): Promise<AgentEpisode> {
  const log = o.log ?? (() => {});
  const spec = getTask(task);
  if (!spec) throw new RangeError(`unknown task '${task}'`);
  const maxFails = o.maxConsecutiveModelFailures ?? 3;
  const result: AgentEpisode = {
    task_id: task,
    seed,
    episode_id: null,
    steps: [],
    total_reward: 0,
    final_performance: null,
    grade: null,
    error: null,
    fallbacks: 0,
    repaired: 0,
    model_failures: 0,
  };
  const system = systemPrompt(spec);
  try {
    const start = await env.reset({ task, seed, label: o.label });
    result.episode_id = start.episode_id;
    log(`[${task}] episode ${start.episode_id} seed ${seed}: perf ${f4(start.observation.current_performance)} budget ${start.observation.remaining_budget}`);
    let observation = start.observation;
    let previous: { action: Action; reward: number } | undefined;
    let consecutiveFailures = 0;
    let done = false;
    while (!done) {
      const stepIndex = result.steps.length;
      const t0 = performance.now();
      let parsed: { action: Action; status: ParseStatus; warnings: string[] };
      try {
        const text = await model.complete(
          [
            { role: 'system', content: system },
            { role: 'user', content: userPrompt(observation, { step: stepIndex, maxSteps: spec.maxSteps, previous }) },
          ],
          { onRetry: ({ attempt, delayMs, error }) => log(`[${task}] model call failed (${error}); retry ${attempt} in ${delayMs} ms`) },
        );
        consecutiveFailures = 0;
        parsed = parseModelAnswer(text, spec, observation);
        if (parsed.status === 'fallback') parsed.warnings.push(`model answer was: ${JSON.stringify(text.length > 300 ? `${text.slice(0, 300)}…` : text)}`);
      } catch (e) {
        if (!(e instanceof ModelError)) throw e;
        if (e.reason === 'rejected') throw new AgentAbort(e.reason, e.message, e);
        result.model_failures++;
        consecutiveFailures++;
        if (consecutiveFailures >= maxFails) {
          throw new ModelError('transport', `the model failed on ${consecutiveFailures} consecutive steps; giving up on task ${task} (${e.message})`, e.attempts, e);
        }
        parsed = { action: structuredClone(FALLBACK_ACTION) as Action, status: 'fallback', warnings: [`${e.message}; playing the fallback action`] };
      }
      const llmMs = performance.now() - t0;
      if (parsed.status === 'fallback') result.fallbacks++;
      if (parsed.status === 'repaired') result.repaired++;
      for (const w of parsed.warnings) log(`[${task}] warning: ${w}`);

      const r = await env.step(parsed.action);
      result.total_reward += r.reward;
      observation = r.observation;
      done = r.done;
      previous = { action: parsed.action, reward: r.reward };
      result.steps.push({ step: r.step, action: parsed.action, status: parsed.status, warnings: parsed.warnings, reward: r.reward, done: r.done, observation, llm_ms: Math.round(llmMs) });
      log(
        `[${task}] step ${String(r.step).padStart(2)} ${formatAction(parsed.action).padEnd(32)} ${parsed.status.padEnd(8)} reward ${r.reward >= 0 ? ' ' : ''}${f4(r.reward)}  perf ${f4(observation.current_performance)}  budget ${String(observation.remaining_budget).padStart(3)}  noise ${observation.noise_estimate.toFixed(3)}${r.done ? '  done' : ''}  (${(llmMs / 1000).toFixed(1)}s)`,
      );
    }
    result.final_performance = observation.current_performance;
    const g = await env.grade();
    result.grade = { task_id: g.task_id, score: g.score, passed: g.passed, breakdown: g.breakdown };
    log(`[${task}] graded: score ${g.score} ${g.passed ? 'PASS' : 'FAIL'}  total reward ${f4(result.total_reward)}  (${result.fallbacks} fallback, ${result.repaired} repaired, ${result.model_failures} model failures)`);
  } catch (e) {
    if (e instanceof AgentAbort) throw e;
    result.error = errorInfo(e);
    log(`[${task}] episode not finished: [${result.error.code}/${result.error.reason}] ${result.error.message}`);
  }
  return result;
}

export interface AgentReport {
  model: string;
  transport: string;
  seed: number;
  episodes: AgentEpisode[];
  mean_score: number | null;
}

export async function runAgent(env: Environment, model: ChatModel, o: AgentRunOptions): Promise<AgentReport> {
  const episodes: AgentEpisode[] = [];
  for (const task of o.tasks) episodes.push(await runAgentEpisode(env, model, task, o.seed, o));
  const graded = episodes.filter((e) => e.grade !== null);
  return {
    model: model.model,
    transport: env.transport,
    seed: o.seed,
    episodes,
    mean_score: graded.length === episodes.length && graded.length > 0 ? graded.reduce((s, e) => s + e.grade!.score, 0) / graded.length : null,
  };
}
